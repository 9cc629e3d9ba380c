#include "easemu/server/access_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "easemu/common/text.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server {

namespace prov = easemu::provisioning;
namespace json = boost::json;
using common::ascii_lowercase;

namespace {

constexpr const char* config_key = "device_access";

std::string notice_key(const std::string& mailbox, const std::string& device_id) {
  return "quarantine_notice:" + ascii_lowercase(mailbox) + "\n" + ascii_lowercase(device_id);
}

json::array to_json(const std::vector<std::string>& list) {
  json::array out;
  for (const auto& s : list) out.emplace_back(s);
  return out;
}

std::vector<std::string> strings(const json::value* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& s : v->as_array()) {
    if (s.is_string()) out.emplace_back(s.as_string());
  }
  return out;
}

std::string text(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string serialize(const access_config& c) {
  json::array rules;
  for (const auto& r : c.rules) {
    rules.push_back(json::object{{"query_string", r.query_string},
                                 {"characteristic", prov::to_string(r.characteristic)},
                                 {"access_level", prov::to_string(r.access_level)}});
  }
  json::object mailboxes;
  for (const auto& [address, lists] : c.mailboxes) {
    mailboxes[address] = json::object{{"allowed", to_json(lists.allowed_device_ids)},
                                      {"blocked", to_json(lists.blocked_device_ids)}};
  }
  return json::serialize(json::object{
      {"organization", json::object{{"default_access_level", prov::to_string(c.organization.default_access_level)},
                                    {"user_mail_insert", c.organization.user_mail_insert},
                                    {"admin_mail_recipients", to_json(c.organization.admin_mail_recipients)}}},
      {"rules", std::move(rules)},
      {"mailboxes", std::move(mailboxes)}});
}

// What was stored by serialize(); anything unreadable is left at its default (and logged).
access_config parse(const std::string& text_value, spdlog::logger& log) {
  access_config c;
  boost::system::error_code ec;
  const auto v = json::parse(text_value, ec);
  if (ec || !v.is_object()) {
    log.error("the stored device access settings do not parse; using Exchange's defaults");
    return c;
  }
  const auto& o = v.as_object();
  if (const auto* org = o.if_contains("organization"); org != nullptr && org->is_object()) {
    const auto& g = org->as_object();
    if (auto level = prov::parse_access_level(text(g, "default_access_level"))) c.organization.default_access_level = *level;
    c.organization.user_mail_insert = text(g, "user_mail_insert");
    c.organization.admin_mail_recipients = strings(g.if_contains("admin_mail_recipients"));
  }
  if (const auto* rules = o.if_contains("rules"); rules != nullptr && rules->is_array()) {
    for (const auto& r : rules->as_array()) {
      if (!r.is_object()) continue;
      const auto characteristic = prov::parse_characteristic(text(r.as_object(), "characteristic"));
      const auto level = prov::parse_access_level(text(r.as_object(), "access_level"));
      if (!characteristic || !level) continue;
      c.rules.push_back({text(r.as_object(), "query_string"), *characteristic, *level});
    }
  }
  if (const auto* boxes = o.if_contains("mailboxes"); boxes != nullptr && boxes->is_object()) {
    for (const auto& [address, lists] : boxes->as_object()) {
      if (!lists.is_object()) continue;
      c.mailboxes[ascii_lowercase(std::string(address))] = {strings(lists.as_object().if_contains("allowed")),
                                                            strings(lists.as_object().if_contains("blocked"))};
    }
  }
  return c;
}

std::string header_value(const eas_context& ctx, const char* name) {
  const auto* h = ctx.http != nullptr ? ctx.http->header(name) : nullptr;
  return h != nullptr ? *h : std::string();
}

std::string domain_of(const std::string& address) {
  const auto at = address.find('@');
  return at == std::string::npos ? std::string("lab.test") : address.substr(at + 1);
}

std::string notice_mime(const std::string& from, const std::string& to, const std::string& subject,
                        const std::string& body, std::int64_t now_ms) {
  mailbox::new_message m;
  m.from = from;
  m.to = to;
  m.subject = subject;
  m.text = body;
  m.date_ms = now_ms;
  return mailbox::compose_message(m);
}

}  // namespace

access_service::access_service(std::shared_ptr<store::store> store, mail_service& mail, std::shared_ptr<spdlog::logger> log)
    : store_(std::move(store)), mail_(mail), log_(std::move(log)) {}

std::shared_ptr<const access_config> access_service::config() const {
  std::lock_guard lock(mutex_);
  if (!config_) {
    const auto stored = store_->get_lab_state(config_key);
    config_ = std::make_shared<const access_config>(stored ? parse(*stored, *log_) : access_config{});
  }
  return config_;
}

void access_service::save(const access_config& c) {
  store_->set_lab_state(config_key, serialize(c));
  std::lock_guard lock(mutex_);
  config_ = std::make_shared<const access_config>(c);
}

std::string access_service::notice_item(const std::string& mailbox, const std::string& device_id) const {
  return store_->get_lab_state(notice_key(mailbox, device_id)).value_or(std::string());
}

stage_result access_service::check(eas_context& ctx, std::int64_t now_ms) {
  const auto a = decide(ctx, now_ms);
  if (a.action == prov::command_answer::kind::run) {
    ctx.quarantined = a.restricted;
    return std::nullopt;
  }
  stage_answer refused{a.status, a.http_status, {}, {}, a.throttle};
  if (!a.throttle.empty()) refused.headers.emplace_back("X-MS-ASThrottle", a.throttle);
  return refused;
}

prov::command_answer access_service::decide(const eas_context& ctx, std::int64_t now_ms) {
  const auto cfg = config();
  const auto device_id = ctx.query.printable_device_id();
  const auto device = store_->find_device(ctx.mailbox, device_id);
  if (!device) return {};  // not on the device list (no device id): nothing to decide
  static const prov::mailbox_device_lists no_lists;
  const auto lists = cfg->mailboxes.find(ascii_lowercase(ctx.mailbox));
  const auto& l = lists != cfg->mailboxes.end() ? lists->second : no_lists;
  const auto user_agent = header_value(ctx, "User-Agent");
  const auto wl = header_value(ctx, "X-MS-WL");
  prov::access_input in;
  in.device_id = device_id;
  in.device_type = ctx.query.device_type;
  in.device_model = device->information.model;
  in.device_os = device->information.os;
  in.user_agent = user_agent;
  in.xmswl_header = wl;
  in.allowed_device_ids = l.allowed_device_ids;
  in.blocked_device_ids = l.blocked_device_ids;
  in.rules = cfg->rules;
  in.default_access_level = cfg->organization.default_access_level;
  // Exchange's order (PROVISIONING.md 5.1, step 4): while rules exist and the device has not
  // reported DeviceInformation, it is in DeviceDiscovery, whatever the rules test. The device
  // sends it before FolderSync so that the server can decide access with it (MS-ASCMD 3.1.5.2;
  // at 14.1+ in the initial Provision, MS-ASPROV 2.2.2.53, stored by 3.2.5.1.1), and Provision
  // and Settings run in DeviceDiscovery: so a new phone that a rule blocks is recorded with its
  // DeviceOS and DeviceModel, and the administrator's -Filter finds it (issue 18). Clients before
  // 12.1 cannot report it and would wait for ever.
  in.awaiting_device_information = !cfg->rules.empty() && ctx.version >= protocol_version::v12_1 &&
                                   device->information.model.empty() && device->information.os.empty();
  const auto decision = prov::decide_access(in);
  const store::device_access_record record{std::string(prov::to_string(decision.state)),
                                           std::string(prov::to_string(decision.reason)), decision.rule_identity};
  if (record != device->access) {
    store_->update_device_access(ctx.mailbox, device_id, record);
    log_->info("request={} user={} device={} access {} ({}{}): {}", ctx.http != nullptr ? ctx.http->request_id : 0,
               ctx.mailbox, device_id, record.state, record.reason, record.rule.empty() ? "" : ", " + record.rule,
               decision.explanation);
    // The notice is for a device that waits for the administrator: Quarantined, or held by a
    // Global quarantine until its DeviceInformation comes; not for one only waiting to be
    // matched against the rules.
    if (decision.state == prov::device_access_state::quarantined ||
        (decision.state == prov::device_access_state::device_discovery &&
         decision.reason == prov::device_access_state_reason::global)) {
      send_notices(ctx, *device, now_ms);
    }
  }
  return prov::access_answer(decision.state, decision.reason, ctx.query.command, ctx.version);
}

void access_service::send_notices(const eas_context& ctx, const store::device_record& device, std::int64_t now_ms) {
  const auto device_id = device.device_id;
  std::lock_guard lock(notice_mutex_);
  if (!notice_item(ctx.mailbox, device_id).empty()) return;  // once per partnership
  const auto cfg = config();
  const std::string from = "Microsoft Exchange <postmaster@" + domain_of(ctx.mailbox) + ">";
  const std::string what = device.device_type + (device.information.model.empty() ? "" : ", " + device.information.model) +
                           ", device ID " + device_id;
  // To the user: the one message a quarantined device shows (PROVISIONING.md 5.1).
  std::string body = "This device (" + what + ") cannot synchronize with your mailbox " + ctx.mailbox +
                     " yet: your administrator has to allow it first. Until then it shows only this "
                     "message.\r\n";
  if (!cfg->organization.user_mail_insert.empty()) body += "\r\n" + cfg->organization.user_mail_insert + "\r\n";
  const auto delivered = mail_.deliver(
      ctx.mailbox, "", notice_mime(from, ctx.mailbox, "Your device is waiting for access to your mailbox", body, now_ms),
      false, now_ms);
  if (!delivered.error.empty()) {
    log_->error("quarantine notice for {} not delivered: {}", ctx.mailbox, delivered.error);
    return;
  }
  store_->set_lab_state(notice_key(ctx.mailbox, device_id), delivered.item_id);
  // To the administrators.
  for (const auto& admin : cfg->organization.admin_mail_recipients) {
    const std::string report = "A device is waiting for access.\r\n\r\nUser: " + ctx.mailbox + "\r\nDevice ID: " +
                               device_id + "\r\nDevice type: " + device.device_type + "\r\nDevice model: " +
                               device.information.model + "\r\nDevice OS: " + device.information.os +
                               "\r\nUser agent: " + device.user_agent + "\r\n\r\nAllow it with:\r\n  Set-CASMailbox -Identity " +
                               ctx.mailbox + " -ActiveSyncAllowedDeviceIDs @{Add='" + device_id + "'}\r\n";
    const auto sent = mail_.deliver(admin, "", notice_mime(from, admin, "Quarantined device: " + ctx.mailbox + ", " + what, report, now_ms),
                                    false, now_ms);
    if (!sent.error.empty()) log_->warn("quarantine notice to admin {} not delivered: {}", admin, sent.error);
  }
}

}  // namespace easemu::server
