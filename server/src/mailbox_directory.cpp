#include "easemu/server/mailbox_directory.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "easemu/common/text.hpp"
#include "easemu/eas/headers.hpp"
#include "easemu/server/http.hpp"

namespace easemu::server {

namespace {

using common::iequals;

bool names(const eas::user_name& name, std::string_view address, std::string_view netbios_domain) {
  const auto at = address.find('@');
  const auto alias = address.substr(0, at);
  const auto domain = address.substr(at + 1);
  switch (name.form) {
    case eas::user_name_form::upn: return iequals(name.user, alias) && iequals(name.domain, domain);
    case eas::user_name_form::down_level:
      return iequals(name.user, alias) && (iequals(name.domain, netbios_domain) || iequals(name.domain, domain));
    case eas::user_name_form::bare: return iequals(name.user, alias);
  }
  return false;
}

}  // namespace

mailbox_directory::mailbox_directory(std::shared_ptr<store::store> store, std::string netbios_domain,
                                     std::shared_ptr<spdlog::logger> log)
    : store_(std::move(store)), netbios_domain_(std::move(netbios_domain)), log_(std::move(log)) {}

std::optional<store::mailbox_record> mailbox_directory::find_login(std::string_view user) const {
  auto name = eas::split_user_name(user);
  if (!name) return std::nullopt;
  for (auto& mb : store_->list_mailboxes()) {
    if (names(*name, mb.address, netbios_domain_)) return std::move(mb);
  }
  return std::nullopt;
}

std::optional<store::mailbox_record> mailbox_directory::authenticate(const http_request& request) const {
  const auto* auth = request.header("Authorization");
  if (auth == nullptr) return std::nullopt;
  auto creds = eas::parse_basic_authorization(*auth);
  if (!creds) {
    log_->info("request={} unreadable Authorization header: {}", request.request_id, creds.error().message());
    return std::nullopt;
  }
  auto mb = find_login(creds->user);
  if (mb && mb->password == creds->password) return mb;
  log_->info("request={} authentication failed for user '{}'", request.request_id, creds->user);
  return std::nullopt;
}

bool mailbox_directory::exists(std::string_view address) const {
  const auto all = store_->list_mailboxes();
  return std::any_of(all.begin(), all.end(), [&](const store::mailbox_record& m) { return iequals(m.address, address); });
}

}  // namespace easemu::server
