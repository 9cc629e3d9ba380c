#pragma once
// A store that keeps what phones say about themselves (DeviceType, User-Agent, the
// DeviceInformation of Settings and Provision) free of control characters: a newline or an ESC
// a client sends is stored as \xNN (common::escape_controls), so no listing, log line or
// terminal that shows the device later can be forged through it (issue 23). Everything else
// passes on unchanged.
#include <memory>

#include "easemu/store/store.hpp"

namespace easemu::server {

std::shared_ptr<store::store> make_client_text_store(std::shared_ptr<store::store> inner);

}  // namespace easemu::server
