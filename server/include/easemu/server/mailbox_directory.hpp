#pragma once
// Who may log in: the store's mailboxes, read at each request (the cached store keeps them in
// memory), so a mailbox added at run time (the admin API, the shell, a lab reset) logs in at once
// and a removed one gets 401 on its next request. The EAS endpoint and Autodiscover both ask it.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "easemu/store/store.hpp"

namespace spdlog {
class logger;
}

namespace easemu::server {

struct http_request;

class mailbox_directory {
 public:
  mailbox_directory(std::shared_ptr<store::store> store, std::string netbios_domain, std::shared_ptr<spdlog::logger> log);

  // The mailbox a Basic user name names: user@domain, DOMAIN\user (the lab's NetBIOS domain or
  // the address's domain) or the alias (the address's local part); case-insensitive.
  std::optional<store::mailbox_record> find_login(std::string_view user) const;
  // The mailbox whose Basic credentials the request carries; nullopt when there are none or they
  // are wrong (logged, no secrets).
  std::optional<store::mailbox_record> authenticate(const http_request& request) const;
  bool exists(std::string_view address) const;

 private:
  std::shared_ptr<store::store> store_;
  std::string netbios_domain_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace easemu::server
