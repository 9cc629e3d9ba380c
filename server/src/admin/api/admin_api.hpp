#pragma once
// The JSON admin API under /api/v1/ (docs/admin-api.md, docs/openapi.yaml): one route table, one
// file per resource. It gets what it serves through an explicit context, built by the router.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

// The resources' adders, and the forward declarations of the services they take.
#include "resources.hpp"

namespace easemu::server {

namespace admin {

// Everything the resources use. The references must outlive the API (the router owns both); the
// routes keep the references and shared pointers, not the context.
struct api_context {
  const lab_view& lab;
  std::shared_ptr<store::store> store;
  exchange_shell& shell;
  provisioning_service& provisioning;
  folder_service& folders;
  mail_service& mail;
  fault_registry& faults;
  event_hub& events;
  const tls_control& tls;                     // set after start; its `current` is empty without HTTPS
  const std::function<std::string()>& reset;  // POST /api/v1/reset; empty: no lab file
  std::function<std::size_t()> waiting_requests;
  std::function<void()> flush_journal;  // before reading the journal
  std::shared_ptr<spdlog::logger> log;
};

class admin_api {
 public:
  // An API with no routes yet (tests add their own).
  explicit admin_api(std::string admin_token);
  // The whole API: every resource's routes.
  admin_api(std::string admin_token, const api_context& context);
  ~admin_api();
  admin_api(const admin_api&) = delete;
  admin_api& operator=(const admin_api&) = delete;

  route_table& routes() { return routes_; }
  const route_table& routes() const { return routes_; }

  // Any /api/v1/ request: the credential its path needs, then its route, or 404/405.
  http_response handle(const http_request& request) const;

 private:
  bool has_admin_token(const http_request& request) const;

  std::string admin_token_;
  route_table routes_;
};

}  // namespace admin
}  // namespace easemu::server
