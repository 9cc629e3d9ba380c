#pragma once
// A store that tells when a device partnership's stored state changes (a new device, its
// provisioning, information or access state, its removal) and otherwise passes everything on:
// the dashboard's "device" events. A repeated contact of a known device is not a change worth
// telling (the journal's events show it).
#include <functional>
#include <memory>
#include <string>

#include "easemu/store/store.hpp"

namespace easemu::server {

using device_change_fn = std::function<void(const std::string& mailbox, const std::string& device_id)>;

std::shared_ptr<store::store> make_observed_store(std::shared_ptr<store::store> inner, device_change_fn changed);

}  // namespace easemu::server
