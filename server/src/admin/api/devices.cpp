// The device partnerships: the list, one device, its removal (as Remove-ActiveSyncDevice: the
// phone's next request starts over) and remote wipe requests (MS-ASPROV 3.1.5.2.3).
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "admin/api/device_lookup.hpp"
#include "admin/api/resources.hpp"
#include "admin/device_view.hpp"
#include "admin_json.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/exchange_shell.hpp"
#include "easemu/server/provisioning_service.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;
using admin_json::json_error;
using admin_json::json_response;
using admin_json::query_value;

struct device_services {
  std::shared_ptr<store::store> store;
  const exchange_shell& shell;
  provisioning_service& provisioning;
  flush_fn flush_journal;
  logger_ptr log;
};

// GET /api/v1/devices[?mailbox=]
http_response list_devices(const device_services& s, const api_call& call) {
  std::optional<std::string> mailbox;
  if (auto m = query_value(call.http.query(), "mailbox")) mailbox = *m;
  s.flush_journal();  // the statistics read the journal
  json::array devices;
  for (const auto& d : s.store->list_devices(mailbox)) devices.push_back(admin_device_json(d, s.shell.statistics(d)));
  return json_response(200, json::object{{"devices", std::move(devices)}});
}

// The device of GET and DELETE /api/v1/devices/{DeviceId}[?mailbox=].
or_answer<store::device_record> device_of(const device_services& s, const api_call& call) {
  auto id = device_id_in_path(call);
  if (!id) return {std::nullopt, std::move(id.answer)};
  std::optional<std::string> mailbox;
  if (auto m = query_value(call.http.query(), "mailbox")) mailbox = *m;
  return find_device(*s.store, *id, mailbox, "add ?mailbox=");
}

http_response get_device(const device_services& s, const api_call& call) {
  auto d = device_of(s, call);
  if (!d) return std::move(d.answer);
  s.flush_journal();
  return json_response(200, admin_device_json(*d, s.shell.statistics(*d)));
}

http_response remove_device(const device_services& s, const api_call& call) {
  auto d = device_of(s, call);
  if (!d) return std::move(d.answer);
  s.store->delete_device(d->mailbox, d->device_id);
  s.log->info("request={} device {} of {} removed through the admin API", call.http.request_id, d->device_id, d->mailbox);
  return json_response(200, json::object{{"mailbox", d->mailbox}, {"device_id", d->device_id}, {"removed", true}});
}

// POST /api/v1/devices/{DeviceId}/wipe {"mailbox": ..., "account_only": false, "cancel": false}
http_response wipe_device(const device_services& s, const api_call& call) {
  auto id = device_id_in_path(call);
  if (!id) return std::move(id.answer);
  boost::system::error_code ec;
  const auto body = call.http.body.empty() ? json::value(json::object{}) : json::parse(call.http.body, ec);
  const auto* obj = ec ? nullptr : body.if_object();
  if (obj == nullptr) return json_error(400, "the body must be a JSON object (or empty)");
  auto flag = [&](const char* key) {
    const auto* v = obj->if_contains(key);
    return v != nullptr && v->is_bool() && v->as_bool();
  };
  std::optional<std::string> mailbox;
  if (const auto* m = obj->if_contains("mailbox"); m != nullptr && m->is_string()) mailbox = std::string(m->as_string());
  auto d = find_device(*s.store, *id, mailbox, "name one as \"mailbox\"");
  if (!d) return std::move(d.answer);
  if (auto err = s.provisioning.request_wipe(d->mailbox, d->device_id, flag("account_only"), "admin API", flag("cancel"),
                                             common::now_ms());
      !err.empty()) {
    return json_error(400, err);
  }
  return json_response(200, json::object{{"mailbox", d->mailbox}, {"device_id", d->device_id},
                                         {"wipe", flag("cancel") ? "cancelled" : "requested"}});
}

}  // namespace

void add_device_routes(route_table& t, std::shared_ptr<store::store> store, const exchange_shell& shell,
                       provisioning_service& provisioning, flush_fn flush_journal, logger_ptr log) {
  auto s = std::make_shared<const device_services>(
      device_services{std::move(store), shell, provisioning, std::move(flush_journal), std::move(log)});
  t.add({{"GET"}, "/api/v1/devices", [s](const api_call& c) { return list_devices(*s, c); }});
  t.add({{"GET"}, "/api/v1/devices/{DeviceId}", [s](const api_call& c) { return get_device(*s, c); }});
  t.add({{"DELETE"}, "/api/v1/devices/{DeviceId}", [s](const api_call& c) { return remove_device(*s, c); }});
  t.add({{"POST"}, "/api/v1/devices/{DeviceId}/wipe", [s](const api_call& c) { return wipe_device(*s, c); }});
}

}  // namespace easemu::server::admin
