#pragma once
// The admin API's resources: each adds its routes to the table and takes exactly what it serves.
// One file each (devices.cpp, mailboxes.cpp, ...); admin_api.cpp adds them all.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "route_table.hpp"

namespace spdlog {
class logger;
}
namespace easemu::store {
class store;
}

namespace easemu::server {

struct lab_view;
struct tls_control;
class exchange_shell;
class provisioning_service;
class folder_service;
class mail_service;
class fault_registry;
class event_hub;

namespace admin {

using flush_fn = std::function<void()>;
using logger_ptr = std::shared_ptr<spdlog::logger>;

// /api/v1/devices, /api/v1/devices/{DeviceId}, /api/v1/devices/{DeviceId}/wipe
void add_device_routes(route_table& t, std::shared_ptr<store::store> store, const exchange_shell& shell,
                       provisioning_service& provisioning, flush_fn flush_journal, logger_ptr log);
// /api/v1/mailboxes, its folders and messages, and message injection
struct mailbox_services {
  std::shared_ptr<store::store> store;
  provisioning_service& provisioning;
  folder_service& folders;
  mail_service& mail;
};
void add_mailbox_routes(route_table& t, const lab_view& lab, mailbox_services services, logger_ptr log);
// /api/v1/mailboxes/{address}/items: calendar, contact, task and note items (items.cpp)
void add_item_routes(route_table& t, mailbox_services services, logger_ptr log);
// /api/v1/outbound: mail phones sent out of the lab
void add_outbound_routes(route_table& t, mail_service& mail);
// /api/v1/exchange: Exchange Management Shell lines
void add_exchange_routes(route_table& t, exchange_shell& shell, logger_ptr log);
// /api/v1/reset: the lab file's state again
void add_reset_routes(route_table& t, const std::function<std::string()>& reset, logger_ptr log);
// /api/v1/server: memory and waiting requests
void add_server_routes(route_table& t, std::function<std::size_t()> waiting_requests);
// /api/v1/clock: the test clock (only with --test-clock)
void add_clock_routes(route_table& t, bool enabled, logger_ptr log);
// /api/v1/tls: the HTTPS certificate mode, while the server has HTTPS
void add_tls_routes(route_table& t, const tls_control& tls, logger_ptr log);
// /api/v1/faults, /api/v1/faults/{id}
void add_fault_routes(route_table& t, fault_registry& faults, logger_ptr log);
// /api/v1/journal, /api/v1/journal/{entry}
void add_journal_routes(route_table& t, std::shared_ptr<store::store> store, flush_fn flush_journal);
// /api/v1/policies with each built-in phone's verdict
void add_policy_routes(route_table& t, const lab_view& lab, std::shared_ptr<store::store> store,
                       const provisioning_service& provisioning);
// /api/v1/events/ticket and the stream /api/v1/events?ticket=
void add_event_routes(route_table& t, event_hub& events, logger_ptr log);

}  // namespace admin
}  // namespace easemu::server
