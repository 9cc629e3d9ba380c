// The fault injection rules (docs/faults.md): list, add, clear, and one rule by id.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"
#include "easemu/common/text.hpp"
#include "easemu/server/faults.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;
using admin_json::json_error;
using admin_json::json_response;

// Rule changes go to the log; reads do not.
void log_change(spdlog::logger& log, const api_call& call) {
  log.info("request={} fault rules: {} {}", call.http.request_id, call.http.method, call.http.path());
}

http_response list_rules(const fault_registry& faults) {
  json::array list;
  for (const auto& r : faults.list()) list.push_back(fault_rule_object(r));
  return json_response(200, json::object{{"faults", std::move(list)}});
}

http_response add_rule(fault_registry& faults, spdlog::logger& log, const api_call& call) {
  auto parsed = parse_fault_rule(call.http.body);
  if (!parsed.rule) return json_error(400, parsed.error);
  const auto stored = faults.add(std::move(*parsed.rule), "admin API");
  auto r = json_response(201, fault_rule_object(stored));
  r.set("Location", "/api/v1/faults/" + stored.id);
  log_change(log, call);
  return r;
}

http_response clear_rules(fault_registry& faults, spdlog::logger& log, const api_call& call) {
  auto r = json_response(200, json::object{{"removed", faults.clear()}});
  log_change(log, call);
  return r;
}

// The {id} as sent: rule ids ("f1") need no decoding.
http_response get_rule(const fault_registry& faults, const api_call& call) {
  const auto id = call.params.raw("id");
  for (const auto& r : faults.list()) {
    if (common::iequals(r.id, id)) return json_response(200, fault_rule_object(r));
  }
  return json_error(404, "no fault rule '" + std::string(id) + "'");
}

http_response remove_rule(fault_registry& faults, spdlog::logger& log, const api_call& call) {
  const auto id = call.params.raw("id");
  if (!faults.remove(id)) return json_error(404, "no fault rule '" + std::string(id) + "'");
  log_change(log, call);
  return json_response(200, json::object{{"removed", id}});
}

}  // namespace

void add_fault_routes(route_table& t, fault_registry& faults, logger_ptr log) {
  t.add({{"GET"}, "/api/v1/faults", [&faults](const api_call&) { return list_rules(faults); },
         "use GET, POST with a rule, or DELETE"});
  t.add({{"POST"}, "/api/v1/faults", [&faults, log](const api_call& c) { return add_rule(faults, *log, c); }});
  t.add({{"DELETE"}, "/api/v1/faults", [&faults, log](const api_call& c) { return clear_rules(faults, *log, c); }});
  t.add({{"GET"}, "/api/v1/faults/{id}", [&faults](const api_call& c) { return get_rule(faults, c); }});
  t.add({{"DELETE"}, "/api/v1/faults/{id}", [&faults, log](const api_call& c) { return remove_rule(faults, *log, c); }});
}

}  // namespace easemu::server::admin
