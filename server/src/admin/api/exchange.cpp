// POST /api/v1/exchange: Exchange Management Shell lines as text/plain, each run in order (a
// failed one does not stop the next, as in PowerShell); 400 when any failed.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/exchange_shell.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;

http_response run_lines(exchange_shell& shell, spdlog::logger& log, const api_call& call) {
  const auto results = shell.run(call.http.body, "admin API", common::now_ms());
  json::array out;
  bool all_ok = true;
  for (const auto& r : results) {
    all_ok = all_ok && r.ok;
    log.info("request={} exchange shell: {} -> {}", call.http.request_id, r.command.substr(0, 200),
             r.ok ? std::string("ok") : r.error);
    if (r.ok) {
      out.push_back(json::object{{"command", r.command}, {"ok", true}, {"output", r.output}});
    } else {
      out.push_back(json::object{{"command", r.command}, {"ok", false}, {"error", r.error}});
    }
  }
  return admin_json::json_response(all_ok ? 200 : 400, json::object{{"results", std::move(out)}});
}

}  // namespace

void add_exchange_routes(route_table& t, exchange_shell& shell, logger_ptr log) {
  t.add({{"POST"}, "/api/v1/exchange", [&shell, log](const api_call& c) { return run_lines(shell, *log, c); },
         "use POST with Exchange Management Shell lines as text/plain"});
}

}  // namespace easemu::server::admin
