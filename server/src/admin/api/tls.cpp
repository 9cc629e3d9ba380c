// GET and PUT /api/v1/tls: the certificate the HTTPS listener presents to new connections
// (docs/certificates.md). A server without HTTPS has no such resource.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"
#include "easemu/server/router.hpp"  // tls_control

namespace easemu::server::admin {

namespace {

namespace json = boost::json;
using admin_json::json_error;
using admin_json::json_response;

http_response current_mode(const tls_control& tls) {
  json::array modes;
  for (const auto& m : tls.modes) modes.emplace_back(m);
  return json_response(200, json::object{{"mode", tls.current()}, {"modes", std::move(modes)}});
}

http_response switch_mode(const tls_control& tls, spdlog::logger& log, const api_call& call) {
  boost::system::error_code ec;
  const auto body = json::parse(call.http.body, ec);
  const auto* obj = ec ? nullptr : body.if_object();
  const auto* mode = obj != nullptr ? obj->if_contains("mode") : nullptr;
  if (mode == nullptr || !mode->is_string()) return json_error(400, "the body must be {\"mode\": \"<tls mode>\"}");
  const std::string wanted(mode->as_string());
  if (auto err = tls.set(wanted); !err.empty()) return json_error(400, err);
  log.info("TLS mode is now {} (new connections)", wanted);
  return json_response(200, json::object{{"mode", tls.current()}});
}

}  // namespace

void add_tls_routes(route_table& t, const tls_control& tls, logger_ptr log) {
  // The control is set once the listener is up; until then (and without HTTPS) the path answers
  // as one the API does not have.
  auto present = [&tls](api_handler h) {
    return [&tls, h = std::move(h)](const api_call& c) {
      return tls.current ? h(c) : json_error(404, "no such admin resource");
    };
  };
  t.add({{"GET"}, "/api/v1/tls", present([&tls](const api_call&) { return current_mode(tls); })});
  t.add({{"PUT", "POST"}, "/api/v1/tls", present([&tls, log](const api_call& c) { return switch_mode(tls, *log, c); }),
         "use GET, or PUT with {\"mode\": ...}"});
}

}  // namespace easemu::server::admin
