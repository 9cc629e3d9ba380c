#include "admin/api/admin_api.hpp"

#include "easemu/server/router.hpp"  // lab_view

#include "admin/api/resources.hpp"
#include "admin_json.hpp"

#include <openssl/crypto.h>

namespace easemu::server::admin {

admin_api::admin_api(std::string admin_token) : admin_token_(std::move(admin_token)) {}

admin_api::admin_api(std::string admin_token, const api_context& c) : admin_token_(std::move(admin_token)) {
  add_device_routes(routes_, c.store, c.shell, c.provisioning, c.flush_journal, c.log);
  add_mailbox_routes(routes_, c.lab, {c.store, c.provisioning, c.folders, c.mail}, c.log);
  add_item_routes(routes_, {c.store, c.provisioning, c.folders, c.mail}, c.log);
  add_outbound_routes(routes_, c.mail);
  add_exchange_routes(routes_, c.shell, c.log);
  add_policy_routes(routes_, c.lab, c.store, c.provisioning);
  add_journal_routes(routes_, c.store, c.flush_journal);
  add_event_routes(routes_, c.events, c.log);
  add_fault_routes(routes_, c.faults, c.log);
  add_tls_routes(routes_, c.tls, c.log);
  add_server_routes(routes_, c.waiting_requests);
  add_clock_routes(routes_, c.lab.test_clock, c.log);
  add_reset_routes(routes_, c.reset, c.log);
}

admin_api::~admin_api() = default;

bool admin_api::has_admin_token(const http_request& request) const {
  const auto* auth = request.header("Authorization");
  if (auth == nullptr) return false;
  // In constant time: how long a refusal takes tells nothing about how much of the token matched.
  const std::string expected = "Bearer " + admin_token_;
  return auth->size() == expected.size() && CRYPTO_memcmp(auth->data(), expected.data(), expected.size()) == 0;
}

http_response admin_api::handle(const http_request& request) const {
  auto found = routes_.find(request.method, request.path());
  // Every path, known or not, needs the token, but the one whose route takes another credential.
  const auto needs = found.on_path != nullptr ? found.on_path->needs : credential::admin_token;
  if (needs == credential::admin_token && !has_admin_token(request)) {
    auto r = admin_json::json_error(401, "the admin API needs the admin token as Authorization: Bearer <token>");
    r.set("WWW-Authenticate", "Bearer");
    return r;
  }
  if (found.answering != nullptr) return found.answering->handler(api_call{request, std::move(found.params)});
  if (found.on_path != nullptr) return admin_json::json_error(405, found.wrong_method);
  return admin_json::json_error(404, "no such admin resource");
}

}  // namespace easemu::server::admin
