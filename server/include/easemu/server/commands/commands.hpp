#pragma once
// Every EAS command the server answers, one file each under server/src/commands/, registered
// through the command table: each function gives its command's registration (the command and
// its handler, immediate or waiting), and all_commands() is the list the endpoint registers.
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
  access_service& access;  // the quarantine notice a quarantined device's Sync shows
  folder_service& folders;
  mail_service& mail;
  ping_service& ping;  // Ping, and the Syncs that wait
  lab_trust trust;     // ValidateCert
  ping_limits limits;  // the lowest HeartbeatInterval
  std::shared_ptr<spdlog::logger> log;
};

namespace commands {

command_registration sync(const command_services& s);               // sync.cpp
command_registration get_item_estimate(const command_services& s);  // get_item_estimate.cpp
command_registration move_items(const command_services& s);         // move_items.cpp
command_registration item_operations(const command_services& s);    // item_operations.cpp
command_registration get_attachment(const command_services& s);     // get_attachment.cpp
command_registration search(const command_services& s);             // search.cpp
command_registration find(const command_services& s);               // find.cpp (16.1)
command_registration resolve_recipients(const command_services& s); // resolve_recipients.cpp
std::vector<command_registration> send(const command_services& s);  // send.cpp: SendMail, SmartReply, SmartForward
// folders.cpp: FolderSync, FolderCreate, FolderUpdate, FolderDelete
std::vector<command_registration> folders(const command_services& s);
command_registration ping(const command_services& s);           // ping.cpp
command_registration settings(const command_services& s);       // settings.cpp
command_registration provision(const command_services& s);      // provision.cpp
command_registration validate_cert(const command_services& s);  // validate_cert.cpp

}  // namespace commands

std::vector<command_registration> all_commands(const command_services& s);

}  // namespace easemu::server
