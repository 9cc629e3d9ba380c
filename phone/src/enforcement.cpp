#include "easemu/phone/enforcement.hpp"

#include <algorithm>
#include <optional>

#include "easemu/common/text.hpp"
#include "easemu/provisioning/document.hpp"

namespace easemu::phone {

namespace {

using provisioning::null_value;
using provisioning::setting;
using provisioning::setting_kind;

constexpr std::uint8_t provision_page = 14;

// MS-ASPROV 2.2.2.12, .20, .26, .27, .32, .38, .39: "if DevicePasswordEnabled is FALSE (0), the
// client SHOULD ignore this element". MinDevicePasswordComplexCharacters only means something
// with an alphanumeric password, itself ignored then (WinRT EasClientSecurityPolicy says the
// same). MaxInactivityTimeDeviceLock (.36) has no such rule: a lock timer without a password.
bool ignored_without_password(setting s) {
  switch (s) {
    case setting::AllowSimpleDevicePassword:
    case setting::AlphanumericDevicePasswordRequired:
    case setting::DevicePasswordExpiration:
    case setting::DevicePasswordHistory:
    case setting::MaxDevicePasswordFailedAttempts:
    case setting::MinDevicePasswordComplexCharacters:
    case setting::MinDevicePasswordLength:
    case setting::PasswordRecoveryEnabled:
      return true;
    default:
      return false;
  }
}

// A received value as the policy model holds it, with the client's reading rules; nullopt when
// the phone cannot read it.
std::optional<std::int64_t> read_number(const provisioning::setting_info& s, const wbxml::element& e) {
  if (e.kind == wbxml::content_kind::opaque) return std::nullopt;
  if (e.value.empty()) {
    switch (s.kind) {
      case setting_kind::count_or_null:
      case setting_kind::count_or_unlimited:
      case setting_kind::seconds_or_unlimited:
      case setting_kind::days_or_unlimited:
      case setting_kind::bytes_or_unlimited:
        return null_value;  // MS-ASPROV 2.2.3.2/2.2.3.3 unsigned*OrEmpty: empty = not set
      default:
        return s.default_value;  // an empty element reads as "absent" (MS-ASPROV 3.2.5.1.1 R652)
    }
  }
  const auto n = common::parse_decimal<std::int64_t>(e.value);
  if (!n) return std::nullopt;
  if (s.kind == setting_kind::boolean && *n != 0 && *n != 1) return std::nullopt;
  switch (s.id) {
    case setting::MaxInactivityTimeDeviceLock:
      return *n >= 9999 ? null_value : *n;  // MS-ASPROV 2.2.2.36: >= 9999 is unlimited
    case setting::MinDevicePasswordLength:
      return *n == 1 ? null_value : *n;  // MS-ASPROV 2.2.2.38: 1 is no minimum
    case setting::DevicePasswordExpiration:
      return *n == 0 ? null_value : *n;  // MS-ASPROV 2.2.2.26: 0 is never (PROVISIONING.md 7.6)
    default:
      return *n;
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

// Requiring / verdict / acknowledgement, once the received values are known.
enforcement evaluate(const device_profile& profile, std::vector<element_verdict> elements,
                     const provisioning::policy& received, std::vector<std::string> unknown) {
  enforcement out;
  const bool password = received.flag(setting::DevicePasswordEnabled);
  for (auto& e : elements) {
    e.verdict = support_for(profile, e.id);
    if (e.malformed) {
      e.requiring = true;  // the phone cannot tell what is asked, so it cannot claim to apply it
    } else {
      // PROVISIONING.md 2.1 via the policy model, then the client's password rule above.
      e.requiring = received.is_requirement(e.id) && (password || !ignored_without_password(e.id));
    }
    if (e.unenforceable() &&
        std::find(out.unenforceable.begin(), out.unenforceable.end(), e.id) == out.unenforceable.end()) {
      out.unenforceable.push_back(e.id);
    }
  }
  out.elements = std::move(elements);
  out.unknown_elements = std::move(unknown);
  // MS-ASPROV 2.2.2.54.1 client Status: 1 applied, 2 partly applied, 3 not applied.
  if (out.unenforceable.empty()) {
    out.ack_status = 1;
  } else {
    switch (profile.react.on_unenforceable) {
      case partial_reaction::ack_partial: out.ack_status = 2; break;
      case partial_reaction::ack_ok_anyway: out.ack_status = 1; break;
      case partial_reaction::refuse: out.ack_status = 3; break;
    }
  }
  return out;
}

// The value of attribute `name` inside a start tag's text, or nullopt.
std::optional<std::string_view> attribute(std::string_view tag, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = tag.find(name, pos)) != std::string_view::npos) {
    const bool word_start = pos > 0 && (tag[pos - 1] == ' ' || tag[pos - 1] == '\t' || tag[pos - 1] == '\n' || tag[pos - 1] == '\r');
    std::size_t p = pos + name.size();
    while (p < tag.size() && tag[p] == ' ') ++p;
    if (word_start && p < tag.size() && tag[p] == '=') {
      ++p;
      while (p < tag.size() && tag[p] == ' ') ++p;
      if (p < tag.size() && (tag[p] == '"' || tag[p] == '\'')) {
        const char quote = tag[p];
        const auto end = tag.find(quote, p + 1);
        if (end != std::string_view::npos) return tag.substr(p + 1, end - p - 1);
      }
      return std::nullopt;
    }
    pos += name.size();
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> enforcement::unenforceable_names() const {
  std::vector<std::string> out;
  out.reserve(unenforceable.size());
  for (const auto s : unenforceable) out.emplace_back(provisioning::info(s).name);
  return out;
}

const element_verdict* enforcement::find(setting s) const {
  for (const auto& e : elements) {
    if (e.id == s) return &e;
  }
  return nullptr;
}

enforcement enforce(const device_profile& profile, const wbxml::element& easprovisiondoc) {
  provisioning::policy received;  // absent settings keep the permissive default
  std::vector<element_verdict> elements;
  std::vector<std::string> unknown;
  for (const auto& child : easprovisiondoc.children) {
    const auto name = child.name();
    const auto* s = child.tag.page == provision_page ? provisioning::find_setting(name) : nullptr;
    // Aliases are cmdlet spellings, not element names; server-only settings are never elements.
    if (s == nullptr || s->name != name || !s->sent()) {
      unknown.emplace_back(name);
      continue;
    }
    element_verdict e;
    e.id = s->id;
    e.name = s->name;
    if (s->kind == setting_kind::name_list || s->kind == setting_kind::hash_list) {
      for (const auto& item : child.children) {
        if (item.kind == wbxml::content_kind::text) e.value.items.push_back(item.value);
      }
      e.text = join(e.value.items);
    } else {
      e.text = child.value;
      if (const auto n = read_number(*s, child)) {
        e.value.number = *n;
      } else {
        e.malformed = true;
        e.value.number = s->default_value;
      }
    }
    if (!e.malformed) received.set(s->id, e.value);
    elements.push_back(std::move(e));
  }
  return evaluate(profile, std::move(elements), received, std::move(unknown));
}

enforcement enforce_wap(const device_profile& profile, std::string_view wap_document) {
  // PROVISIONING.md 1.4, read the way AOSP's parseWapProvisioningDoc reads it: 4131=1 no
  // password; AEFrequencyType 0 no timer; AEFrequencyValue minutes; DeviceWipeThreshold 0
  // unlimited; PasswordComplexity 0 alphanumeric. 4133 and CodewordFrequency follow from the others.
  provisioning::policy received;
  std::vector<element_verdict> elements;
  std::vector<std::string> unknown;
  std::optional<bool> timer;
  std::optional<std::int64_t> minutes;
  std::string minutes_text;

  const auto add = [&](setting s, std::string_view text, std::optional<std::int64_t> value) {
    element_verdict e;
    e.id = s;
    e.name = provisioning::info(s).name;
    e.text = std::string(text);
    if (value) {
      e.value.number = *value;
      received.set(s, e.value);
    } else {
      e.malformed = true;
      e.value.number = provisioning::info(s).default_value;
    }
    elements.push_back(std::move(e));
  };

  std::size_t pos = 0;
  while ((pos = wap_document.find("<parm", pos)) != std::string_view::npos) {
    const auto end = wap_document.find('>', pos);
    if (end == std::string_view::npos) break;
    const auto tag = wap_document.substr(pos, end - pos);
    pos = end;
    const auto name = attribute(tag, "name").value_or("");
    const auto text = attribute(tag, "value").value_or("");
    const auto n = common::parse_decimal<std::int64_t>(text);
    if (name == "4131") {
      add(setting::DevicePasswordEnabled, text, n ? std::optional<std::int64_t>(*n == 0 ? 1 : 0) : std::nullopt);
    } else if (name == "AEFrequencyType") {
      timer = n && *n != 0;
    } else if (name == "AEFrequencyValue") {
      minutes = n;
      minutes_text = std::string(text);
    } else if (name == "DeviceWipeThreshold") {
      add(setting::MaxDevicePasswordFailedAttempts, text,
          n ? std::optional<std::int64_t>(*n == 0 ? null_value : *n) : std::nullopt);
    } else if (name == "MinimumPasswordLength") {
      add(setting::MinDevicePasswordLength, text, n ? std::optional<std::int64_t>(*n <= 1 ? null_value : *n) : std::nullopt);
    } else if (name == "PasswordComplexity") {
      add(setting::AlphanumericDevicePasswordRequired, text, n ? std::optional<std::int64_t>(*n == 0 ? 1 : 0) : std::nullopt);
    } else if (name == "4133" || name == "CodewordFrequency") {
      // derived from the password and failed-attempt settings
    } else {
      unknown.emplace_back(name);
    }
  }
  if (timer.has_value() || minutes.has_value()) {
    std::optional<std::int64_t> seconds = null_value;
    if (timer.value_or(true)) seconds = minutes ? std::optional<std::int64_t>(*minutes * 60) : std::nullopt;
    add(setting::MaxInactivityTimeDeviceLock, minutes_text, seconds);
  }
  return evaluate(profile, std::move(elements), received, std::move(unknown));
}

enforcement check_policy(const device_profile& profile, const provisioning::policy& p, protocol_version v) {
  if (v == protocol_version::v2_5) return enforce_wap(profile, provisioning::wap_provisioning_document(p));
  return enforce(profile, provisioning::provision_document(p, v));
}

}  // namespace easemu::phone
