#include "easemu/provisioning/provision.hpp"


#include "easemu/common/text.hpp"
#include "easemu/provisioning/document.hpp"

namespace easemu::provisioning {

namespace {

using wbxml::element;
using wbxml::tag;

constexpr const char* no_policy_hash = "none";


std::string join(const std::vector<setting>& settings) {
  std::string out;
  for (auto s : settings) out += (out.empty() ? "" : ", ") + std::string(info(s).name);
  return out;
}

std::string current_hash(const policy* p, protocol_version v, const exchange_rules& rules) {
  return p == nullptr ? std::string(no_policy_hash) : policy_hash(*p, v, rules.anp_in_policy_hash);
}

// A key that is not 0 and not one the device already holds.
std::uint32_t distinct_key(std::uint32_t fresh, const device_state& d) {
  std::uint32_t k = fresh;
  while (k == 0 || k == d.pending_key || k == d.policy_key) ++k;
  return k;
}

class responder {
 public:
  explicit responder(const provision_request& r) : request_(r) {
    result_.state = *r.device;
  }

  provision_result run();

 private:
  // Provision Status in the body (1, 2, 3, and the 1xx codes for 14.0 and later); for 2.5-12.1 a
  // 1xx code is a bare HTTP 403 (PROVISIONING.md 1.8, MS-ASCMD 2.2.2).
  provision_result& fail(int status, std::string why) {
    result_.provision_status = status;
    result_.decision = std::move(why);
    if (status > 100 && request_.version < protocol_version::v14_0) {
      result_.http_status = 403;
      result_.body.reset();
      return result_;
    }
    result_.body = response(status);
    return result_;
  }

  element response(int status) {
    element root(tag("Provision:Provision"));
    if (echo_information_) {
      root.add(tag("Settings:DeviceInformation")).add(tag("Settings:Status"), "1");
    }
    root.add(tag("Provision:Status"), std::to_string(status));
    return root;
  }

  void add_wipe_directive(element& root) {
    const bool account_only = result_.state.wipe_account_only && request_.version >= protocol_version::v16_1;
    root.add(account_only ? tag("Provision:AccountOnlyRemoteWipe") : tag("Provision:RemoteWipe"));
    if (result_.state.wipe_sent_ms == 0) result_.state.wipe_sent_ms = request_.now_ms;
  }

  provision_result& wipe_ack(const element& ack);
  provision_result& download(const element& policy_el, const std::string& type);
  provision_result& acknowledge(const element& policy_el, const std::string& type);

  const provision_request& request_;
  provision_result result_;
  bool echo_information_ = false;
};

provision_result responder::run() {
  const element* body = request_.body;
  if (body == nullptr || body->tag != tag("Provision:Provision")) return fail(2, "no Provision element");
  if (const auto* info_el = body->child(tag("Settings:DeviceInformation"))) {
    result_.information = read_device_information(*info_el);
    echo_information_ = request_.version >= protocol_version::v14_1;
  }
  const element* wipe = body->child(tag("Provision:RemoteWipe"));
  if (wipe == nullptr) wipe = body->child(tag("Provision:AccountOnlyRemoteWipe"));
  if (wipe != nullptr && wipe->child(tag("Provision:Status")) != nullptr) return wipe_ack(*wipe);

  const element* policies = body->child(tag("Provision:Policies"));
  const element* policy_el = policies != nullptr ? policies->child(tag("Provision:Policy")) : nullptr;
  if (policy_el == nullptr) {
    // MS-ASPROV 3.1.5.1.1: after a 140 the client may send an empty Provision to fetch the wipe.
    if (!result_.state.wipe_pending()) return fail(2, "Provision without a policy or wipe acknowledgement");
    result_.provision_status = 1;
    result_.body = response(1);
    add_wipe_directive(*result_.body);
    result_.decision = "remote wipe sent";
    return result_;
  }
  const std::string type(policy_el->child_text(tag("Provision:PolicyType")));
  if (type.empty()) return fail(2, "no PolicyType");
  // PROVISIONING.md 1.2: the WAP type from a client above 2.5 is a protocol error.
  if (type == wap_policy_type && request_.version != protocol_version::v2_5) {
    return fail(2, "MS-WAP-Provisioning-XML from an EAS " + std::string(to_string(request_.version)) + " client");
  }
  const bool ack = policy_el->child(tag("Provision:PolicyKey")) != nullptr ||
                   policy_el->child(tag("Provision:Status")) != nullptr;
  if (type != policy_type_for(request_.version)) {
    result_.provision_status = 1;
    result_.body = response(1);
    auto& p = result_.body->add(tag("Provision:Policies")).add(tag("Provision:Policy"));
    p.add(tag("Provision:PolicyType"), type);
    p.add(tag("Provision:Status"), "3");  // unknown PolicyType
    result_.decision = "unknown PolicyType '" + type + "'";
    return result_;
  }
  return ack ? acknowledge(*policy_el, type) : download(*policy_el, type);
}

provision_result& responder::wipe_ack(const element& ack) {
  auto& s = result_.state;
  const auto status = ack.child_text(tag("Provision:Status"));
  // Exchange 2016 rejects a wipe acknowledgement when no wipe was requested (PROVISIONING.md 1.7).
  if (!s.wipe_pending()) return fail(2, "wipe acknowledgement without a wipe request");
  if (status == "1") {
    s.wipe_ack_ms = request_.now_ms;
    s.wipe_failed = false;
    result_.provision_status = 1;
    result_.body = response(1);
    // MS-ASPROV appendix: Exchange 2007/2010 repeat the directive after a successful wipe ack.
    if (request_.rules.wipe_ack_repeats_directive) add_wipe_directive(*result_.body);
    result_.decision = "remote wipe acknowledged: succeeded";
    return result_;
  }
  if (status == "2") {
    s.wipe_failed = true;
    const bool legacy = request_.rules.wipe_ack_repeats_directive;
    result_.provision_status = legacy ? 1 : 2;
    result_.body = response(result_.provision_status);
    if (!legacy) add_wipe_directive(*result_.body);
    result_.decision = "remote wipe acknowledged: failed";
    return result_;
  }
  return fail(2, "RemoteWipe Status '" + std::string(status) + "'");
}

provision_result& responder::download(const element&, const std::string& type) {
  const auto v = request_.version;
  auto& s = result_.state;
  // Exchange answers 165 DeviceInformationRequired to a 14.1+ client without DeviceInformation.
  if (v >= protocol_version::v14_1 && !result_.information) {
    return fail(165, "EAS " + std::string(to_string(v)) + " Provision without DeviceInformation");
  }
  const policy* p = request_.assigned;
  if (p == nullptr) {
    if (s.policy_key == 0) {
      result_.provision_status = 1;
      result_.body = response(1);
      auto& pol = result_.body->add(tag("Provision:Policies")).add(tag("Provision:Policy"));
      pol.add(tag("Provision:PolicyType"), type);
      pol.add(tag("Provision:Status"), "2");  // no policy for this client
      result_.decision = "no policy applies";
      return result_;
    }
  } else if (!p->flag(setting::AllowNonProvisionableDevices)) {
    // PROVISIONING.md 1.3: the version cannot carry every requirement and ANP is off: 139.
    const auto missing = unsupported_settings(*p, v);
    if (!missing.empty()) {
      s.status = application_status::not_applied;
      return fail(139, "policy '" + p->name + "' requires what EAS " + std::string(to_string(v)) +
                           " cannot carry: " + join(missing));
    }
  }
  s.pending_key = distinct_key(request_.fresh_key, s);
  result_.provision_status = 1;
  result_.body = response(1);
  auto& pol = result_.body->add(tag("Provision:Policies")).add(tag("Provision:Policy"));
  pol.add(tag("Provision:PolicyType"), type);
  pol.add(tag("Provision:Status"), "1");
  pol.add(tag("Provision:PolicyKey"), std::to_string(s.pending_key));
  auto& data = pol.add(tag("Provision:Data"));
  if (v == protocol_version::v2_5) {
    data.kind = wbxml::content_kind::text;
    data.value = p != nullptr ? wap_provisioning_document(*p) : wap_provisioning_document(policy());
  } else {
    data.add(p != nullptr ? provision_document(*p, v) : relaxed_document());
  }
  if (s.wipe_pending()) add_wipe_directive(*result_.body);
  result_.decision = "policy '" + (p != nullptr ? p->name : std::string("(none)")) + "' sent with temporary key " +
                     std::to_string(s.pending_key);
  return result_;
}

provision_result& responder::acknowledge(const element& policy_el, const std::string& type) {
  const auto v = request_.version;
  auto& s = result_.state;
  const policy* p = request_.assigned;
  const auto parsed_key = common::parse_decimal<std::uint32_t>(policy_el.child_text(tag("Provision:PolicyKey")));
  const std::uint32_t key = parsed_key.value_or(0);
  const auto status = policy_el.child_text(tag("Provision:Status"));
  if (!parsed_key ||
      (status != "1" && status != "2" && status != "3" && status != "4")) {
    return fail(2, "acknowledgement without a valid PolicyKey and Status");
  }
  if (s.wipe_pending()) {
    // Exchange 2016: a policy acknowledgement that ignores a pending wipe (PROVISIONING.md 1.7).
    fail(2, "policy acknowledgement while a remote wipe is pending");
    add_wipe_directive(*result_.body);
    return result_;
  }
  auto policy_reply = [&](const char* policy_status, bool with_key) -> provision_result& {
    result_.provision_status = 1;
    result_.body = response(1);
    auto& pol = result_.body->add(tag("Provision:Policies")).add(tag("Provision:Policy"));
    pol.add(tag("Provision:PolicyType"), type);
    pol.add(tag("Provision:Status"), policy_status);
    if (with_key) pol.add(tag("Provision:PolicyKey"), std::to_string(s.policy_key));
    return result_;
  };
  if (s.pending_key == 0 || key != s.pending_key) {
    // MS-ASPROV 3.2.5.1.2.1: acknowledging a key other than the temporary one.
    result_.decision = "acknowledged key " + std::to_string(key) + " is not the temporary key " +
                       std::to_string(s.pending_key);
    return policy_reply("5", false);
  }
  auto record = [&](application_status st) {
    s.pending_key = 0;
    s.status = st;
    s.last_policy_ms = request_.now_ms;
    s.policy_hash = current_hash(p, v, request_.rules);
    s.policy_name = p != nullptr ? p->name : std::string();
  };
  auto issue = [&](application_status st, const char* how) -> provision_result& {
    const auto permanent = distinct_key(request_.fresh_key, s);
    record(st);
    s.policy_key = permanent;
    result_.decision = std::string(how) + "; permanent key " + std::to_string(permanent);
    return policy_reply("1", true);
  };
  auto no_key = [&](application_status st, const std::string& how) -> provision_result& {
    record(st);
    s.policy_key = 0;
    result_.decision = how + "; no key issued (the next command gets 144)";
    return policy_reply("1", false);
  };
  const bool anp = p == nullptr || p->flag(setting::AllowNonProvisionableDevices);
  if (status == "1") return issue(application_status::applied_in_full, "acknowledged: applied in full");
  if (status == "2") {
    if (anp) return issue(application_status::partially_applied, "acknowledged: partially applied (ANP allows it)");
    if (request_.rules.partial_ack_is_139) {
      s.pending_key = 0;
      s.status = application_status::not_applied;
      return fail(139, "acknowledged: partially applied, and AllowNonProvisionableDevices is $false");
    }
    // Exchange 2010: no 139 for a partial ack; the device gets no usable key (PROVISIONING.md 2.2, 2.5).
    return no_key(application_status::partially_applied,
                  "acknowledged: partially applied, AllowNonProvisionableDevices is $false (Exchange 2010)");
  }
  if (status == "3") return no_key(application_status::not_applied, "acknowledged: not applied");
  // Status 4: externally managed (12.1+), governed by AllowExternalDeviceManagement.
  if (v < protocol_version::v12_1) return fail(2, "Status 4 from an EAS " + std::string(to_string(v)) + " client");
  if (p != nullptr && !p->flag(setting::AllowExternalDeviceManagement)) {
    s.pending_key = 0;
    s.status = application_status::not_applied;
    return fail(145, "acknowledged: externally managed, and AllowExternalDeviceManagement is $false");
  }
  return issue(application_status::externally_managed, "acknowledged: externally managed");
}

}  // namespace

const char* to_string(application_status s) {
  switch (s) {
    case application_status::unknown: return "Unknown";
    case application_status::not_applied: return "NotApplied";
    case application_status::applied_in_full: return "AppliedInFull";
    case application_status::partially_applied: return "PartiallyApplied";
    case application_status::externally_managed: return "ExternallyManaged";
  }
  return "Unknown";
}

exchange_rules rules_for(const std::string& exchange_version) {
  exchange_rules r;
  if (exchange_version == "2010SP1") return r;
  r.partial_ack_is_139 = true;
  r.anp_in_policy_hash = true;
  r.wipe_ack_repeats_directive = false;
  return r;
}

eas_error check_policy_key(const gate_request& request) {
  const auto& d = *request.device;
  const policy* p = request.assigned;
  const auto v = request.version;
  const bool anp = p == nullptr || p->flag(setting::AllowNonProvisionableDevices);
  const bool has_key = request.policy_key.has_value();
  // 2. The policy has requirements this version cannot carry, ANP off: 139.
  if (p != nullptr && !anp) {
    if (const auto missing = unsupported_settings(*p, v); !missing.empty()) {
      return eas_error{139, 403, "EAS " + std::string(to_string(v)) + " cannot carry " + join(missing)};
    }
  }
  // 3. A remote wipe is pending: 140 (403 without a key header, 449 with one).
  if (d.wipe_pending()) return eas_error{140, has_key ? 449 : 403, "remote wipe pending"};
  // 4. No policy: a device without a key (or with 0) is fine.
  if (p == nullptr && (!has_key || *request.policy_key == 0)) return {};
  // 5. No key header at all: allowed only with ANP.
  if (!has_key) {
    if (anp) return {};
    return eas_error{141, 403, "no policy key and AllowNonProvisionableDevices is $false"};
  }
  // 7. Never provisioned.
  if (d.last_policy_ms == 0) return eas_error{142, 449, "device not provisioned"};
  // 8. DevicePolicyRefreshInterval elapsed (enforced by the server, never sent).
  if (p != nullptr) {
    const auto interval = p->get(setting::DevicePolicyRefreshInterval).number;
    if (interval != null_value && request.now_ms - d.last_policy_ms > interval * 1000) {
      return eas_error{143, 449, "DevicePolicyRefreshInterval elapsed"};
    }
  }
  // 9. Not the current permanent key, or the policy changed since it was issued.
  if (d.policy_key == 0 || *request.policy_key != d.policy_key) {
    return eas_error{144, 449,
                     "policy key " + std::to_string(*request.policy_key) + " is not the current key " +
                         (d.policy_key == 0 ? std::string("(none issued)") : std::to_string(d.policy_key))};
  }
  const std::string hash = request.assigned_hash != nullptr ? *request.assigned_hash : current_hash(p, v, request.rules);
  if (d.policy_hash != hash) return eas_error{144, 449, "the policy changed"};
  return {};
}

std::optional<device_information> read_device_information(const element& container) {
  const element* set = container.child(tag("Settings:Set"));
  if (set == nullptr) return std::nullopt;
  device_information i;
  i.model = set->child_text(tag("Settings:Model"));
  i.imei = set->child_text(tag("Settings:IMEI"));
  i.friendly_name = set->child_text(tag("Settings:FriendlyName"));
  i.os = set->child_text(tag("Settings:OS"));
  i.os_language = set->child_text(tag("Settings:OSLanguage"));
  i.phone_number = set->child_text(tag("Settings:PhoneNumber"));
  i.mobile_operator = set->child_text(tag("Settings:MobileOperator"));
  i.user_agent = set->child_text(tag("Settings:UserAgent"));
  return i;
}

provision_result provision(const provision_request& request) { return responder(request).run(); }

}  // namespace easemu::provisioning
