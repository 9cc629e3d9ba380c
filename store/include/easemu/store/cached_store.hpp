#pragma once
// A store that remembers what the hot path reads (devices, folders, sync states, item lists,
// mailboxes, policies, lab state) in front of another store, so a phone's routine request (a
// FolderSync or Sync without changes, the policy-key check) reads no SQL.
//
// Every write goes through to the inner store first and then drops what it makes stale, so a
// read after a write always sees it. The one write that is deferred is a device's last contact:
// within a second of the last stored one only the remembered record moves (readers see the new
// time at once); the row follows at the next contact after that second, or on destruction.
#include <memory>

#include "easemu/store/store.hpp"

namespace easemu::store {

std::unique_ptr<store> make_cached_store(std::shared_ptr<store> inner);

}  // namespace easemu::store
