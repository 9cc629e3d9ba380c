#include "easemu/server/provisioning_service.hpp"

#include "easemu/common/text.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "easemu/common/time.hpp"
#include "easemu/provisioning/document.hpp"
#include "easemu/eas/headers.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server {

namespace {

using common::iequals;


// The key the request carries: the base64 query's, else X-MS-PolicyKey (MS-ASHTTP 2.2.1.1.2.8).
// An unreadable header counts as a wrong key, not as none.
std::optional<std::uint32_t> request_key(const eas_context& ctx) {
  if (ctx.query.is_base64) return ctx.query.policy_key;
  const auto* h = ctx.http != nullptr ? ctx.http->header("X-MS-PolicyKey") : nullptr;
  if (h == nullptr) return std::nullopt;
  auto k = eas::parse_policy_key_header(*h);
  return k ? std::optional<std::uint32_t>(*k) : std::optional<std::uint32_t>(0xFFFFFFFFu);
}

}  // namespace

provisioning::device_state to_state(const store::device_provisioning& p) {
  provisioning::device_state s;
  s.pending_key = static_cast<std::uint32_t>(p.pending_key);
  s.policy_key = static_cast<std::uint32_t>(p.policy_key);
  s.policy_hash = p.policy_hash;
  s.policy_name = p.policy_name;
  s.status = static_cast<provisioning::application_status>(std::clamp(p.policy_status, 0, 4));
  s.last_policy_ms = p.last_policy_ms;
  s.wipe_requested_ms = p.wipe_requested_ms;
  s.wipe_sent_ms = p.wipe_sent_ms;
  s.wipe_ack_ms = p.wipe_ack_ms;
  s.wipe_account_only = p.wipe_account_only;
  s.wipe_failed = p.wipe_failed;
  return s;
}

store::device_provisioning to_record(const provisioning::device_state& s, const store::device_provisioning& previous) {
  store::device_provisioning p = previous;
  p.pending_key = s.pending_key;
  p.policy_key = s.policy_key;
  p.policy_hash = s.policy_hash;
  p.policy_name = s.policy_name;
  p.policy_status = static_cast<int>(s.status);
  p.last_policy_ms = s.last_policy_ms;
  p.wipe_requested_ms = s.wipe_requested_ms;
  p.wipe_sent_ms = s.wipe_sent_ms;
  p.wipe_ack_ms = s.wipe_ack_ms;
  p.wipe_account_only = s.wipe_account_only;
  p.wipe_failed = s.wipe_failed;
  return p;
}

provisioning_service::provisioning_service(std::shared_ptr<store::store> store, std::string exchange_version,
                                           std::shared_ptr<spdlog::logger> log)
    : store_(std::move(store)), rules_(provisioning::rules_for(exchange_version)), log_(std::move(log)) {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&rng_state_), sizeof rng_state_) != 1) rng_state_ = 0x9E3779B97F4A7C15ULL;
  reload();
}

void provisioning_service::reload() {
  std::vector<std::shared_ptr<const provisioning::policy>> loaded;
  std::shared_ptr<const provisioning::policy> def;
  for (const auto& record : store_->list_policies()) {
    auto p = provisioning::policy_from_parameters(record.parameters);
    if (!p) {
      log_->error("policy '{}' in the store does not load: {}", record.name, p.error());
      continue;
    }
    auto shared = std::make_shared<const provisioning::policy>(std::move(*p));
    if (shared->flag(provisioning::setting::IsDefault) || (!def && iequals(shared->name, "Default"))) def = shared;
    loaded.push_back(std::move(shared));
  }
  std::vector<std::pair<std::string, std::string>> assignments;
  std::vector<std::string> disabled;
  for (const auto& mb : store_->list_mailboxes()) {
    if (!mb.policy.empty()) assignments.emplace_back(mb.address, mb.policy);
    if (!mb.activesync_enabled) disabled.push_back(mb.address);
  }
  {
    std::lock_guard lock(mutex_);
    policies_ = std::move(loaded);
    default_ = std::move(def);
    assignments_ = std::move(assignments);
    disabled_ = std::move(disabled);
  }
  if (reloaded_) reloaded_();
}

std::shared_ptr<const provisioning::policy> provisioning_service::policy_for(const std::string& mailbox) const {
  std::lock_guard lock(mutex_);
  for (const auto& [address, name] : assignments_) {
    if (!iequals(address, mailbox)) continue;
    for (const auto& p : policies_) {
      if (iequals(p->name, name)) return p;
    }
  }
  return default_;
}

std::vector<std::shared_ptr<const provisioning::policy>> provisioning_service::policies() const {
  std::lock_guard lock(mutex_);
  return policies_;
}

stage_result provisioning_service::check(const eas_context& ctx) const {
  {
    std::lock_guard lock(mutex_);
    for (const auto& m : disabled_) {
      // MS-ASCMD 2.2.2: 126 UserDisabledForSync, HTTP 403 for clients that cannot read it.
      if (iequals(m, ctx.mailbox)) return stage_answer{126, 403, {}, {}, "ActiveSync is disabled for the mailbox"};
    }
  }
  const auto policy = policy_for(ctx.mailbox);
  const auto device = store_->find_device(ctx.mailbox, ctx.query.printable_device_id());
  const auto state = device ? to_state(device->provisioning) : provisioning::device_state{};
  const std::string hash = policy ? hash_of(policy, ctx.version) : std::string();
  auto refused = provisioning::check_policy_key(
      {ctx.version, request_key(ctx), &state, policy.get(), rules_, common::now_ms(), policy ? &hash : nullptr});
  if (!refused) return std::nullopt;
  return stage_answer{refused.status, refused.http_status, {}, {}, std::move(refused.reason)};
}

std::string provisioning_service::hash_of(const std::shared_ptr<const provisioning::policy>& p,
                                          protocol_version v) const {
  {
    std::lock_guard lock(hash_mutex_);
    // Entries of replaced policies expire with them.
    std::erase_if(hashes_, [](const remembered_hash& h) { return h.policy.expired(); });
    for (const auto& h : hashes_) {
      if (h.version == v && h.policy.lock() == p) return h.hash;
    }
  }
  auto hash = provisioning::policy_hash(*p, v, rules_.anp_in_policy_hash);
  std::lock_guard lock(hash_mutex_);
  hashes_.push_back({p, v, hash});
  return hash;
}

std::uint32_t provisioning_service::random_key() {
  // splitmix64 over a random seed: keys only need to be unpredictable enough for a lab.
  std::uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return static_cast<std::uint32_t>(z ^ (z >> 31)) | 1u;
}

command_reply provisioning_service::provision(const eas_context& ctx) {
  const auto policy = policy_for(ctx.mailbox);
  const auto device_id = ctx.query.printable_device_id();
  std::lock_guard lock(mutex_);  // one Provision at a time: read, decide, write
  const auto device = store_->find_device(ctx.mailbox, device_id);
  const store::device_provisioning previous = device ? device->provisioning : store::device_provisioning{};
  const auto state = to_state(previous);
  const auto result = provisioning::provision(
      {ctx.version, ctx.body ? &*ctx.body : nullptr, &state, policy.get(), rules_, random_key(), common::now_ms()});
  const auto rid = ctx.http != nullptr ? ctx.http->request_id : 0;
  log_->debug("request={} user={} device={} Provision: {}", rid, ctx.mailbox, device_id, result.decision);
  if (device && result.state != state) store_->update_device_provisioning(ctx.mailbox, device_id, to_record(result.state, previous));
  if (device && result.information) {
    const auto& i = *result.information;
    store_->update_device_information(ctx.mailbox, device_id,
                                      {i.model, i.imei, i.friendly_name, i.os, i.os_language, i.phone_number, i.mobile_operator});
  }
  command_reply reply;
  reply.http_status = result.http_status;
  reply.body = result.body;
  return reply;
}

std::string provisioning_service::request_wipe(const std::string& mailbox, const std::string& device_id,
                                               bool account_only, const std::string& requestor, bool cancel,
                                               std::int64_t now) {
  std::lock_guard lock(mutex_);
  const auto device = store_->find_device(mailbox, device_id);
  if (!device) return "The ActiveSync device '" + device_id + "' of '" + mailbox + "' was not found.";
  auto p = device->provisioning;
  if (cancel) {
    p.wipe_requested_ms = p.wipe_sent_ms = p.wipe_ack_ms = 0;
    p.wipe_account_only = p.wipe_failed = false;
    p.wipe_requestor.clear();
  } else {
    // AccountOnlyRemoteWipe exists only in EAS 16.1 (MS-ASPROV 2.2.2.1); refuse rather than send a
    // full wipe to an older device.
    if (account_only && device->protocol_version != "16.1") {
      return "An account-only wipe needs a device that speaks EAS 16.1; '" + device_id + "' uses " +
             device->protocol_version + ".";
    }
    p.wipe_requested_ms = now;
    p.wipe_sent_ms = p.wipe_ack_ms = 0;
    p.wipe_failed = false;
    p.wipe_account_only = account_only;
    p.wipe_requestor = requestor;
  }
  store_->update_device_provisioning(device->mailbox, device->device_id, p);
  log_->info("remote wipe {} for {} device {}{}", cancel ? "cancelled" : "requested", mailbox, device_id,
             account_only ? " (account only)" : "");
  return {};
}

}  // namespace easemu::server
