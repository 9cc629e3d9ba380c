#pragma once
// Every EAS command the server answers, registered through the command table: one registration
// per command (command_registration: the command and its handler, immediate or waiting).
#include <memory>
#include <vector>

#include "easemu/server/activesync/registry.hpp"
#include "easemu/server/commands/ping.hpp"
#include "easemu/server/commands/validate_cert.hpp"

namespace spdlog {
class logger;
}
namespace easemu::store {
class store;
}

namespace easemu::server {

class access_service;
class folder_service;
class mail_service;
class provisioning_service;

// What the command handlers work on; the services outlive the pipeline that calls them.
struct command_services {
  std::shared_ptr<store::store> store;
  provisioning_service& provisioning;
  access_service& access;
  folder_service& folders;
  mail_service& mail;
  ping_service& ping;
  lab_trust trust;    // ValidateCert
  ping_limits limits;  // Ping, and Sync's HeartbeatInterval
  std::shared_ptr<spdlog::logger> log;
};

std::vector<command_registration> all_commands(const command_services& s);

}  // namespace easemu::server
