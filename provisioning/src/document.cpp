#include "easemu/provisioning/document.hpp"

#include <cstdint>
#include <cstdio>

#include "easemu/common/base64.hpp"
#include "easemu/common/hex.hpp"
#include <algorithm>
#include "easemu/wbxml/codec.hpp"

namespace easemu::provisioning {

namespace {

using wbxml::tag;

// Code page 14 tag of a document setting, by its name (the table's spelling is the element's).
wbxml::tag_id element_tag(const setting_info& s) {
  const auto* t = wbxml::find_tag(14, s.name);
  return t != nullptr ? wbxml::tag_id{t->page, t->token} : wbxml::tag_id{};
}

std::string number_text(std::int64_t n) { return std::to_string(n); }

}  // namespace

const char* policy_type_for(protocol_version v) {
  return v == protocol_version::v2_5 ? wap_policy_type : wbxml_policy_type;
}

bool carries(const setting_info& s, protocol_version v) {
  if (!s.sent()) return false;
  if (v == protocol_version::v2_5) return (s.flags & sent_in_wap) != 0;
  return v >= s.since;
}

std::vector<setting> unsupported_settings(const policy& p, protocol_version v) {
  std::vector<setting> out;
  for (const auto& s : all_settings()) {
    if (!s.sent() || (s.flags & no_compat) != 0 || carries(s, v)) continue;
    if (p.is_requirement(s.id)) out.push_back(s.id);
  }
  return out;
}

wbxml::element provision_document(const policy& p, protocol_version v) {
  wbxml::element doc(tag("Provision:EASProvisionDoc"));
  for (const auto& s : all_settings()) {
    if (!carries(s, v)) continue;
    const auto t = element_tag(s);
    const auto& value = p.get(s.id);
    switch (s.kind) {
      case setting_kind::name_list: {
        auto& list = doc.add(t);
        for (const auto& item : value.items) list.add(tag("Provision:ApplicationName"), item);
        break;
      }
      case setting_kind::hash_list: {
        auto& list = doc.add(t);
        for (const auto& item : value.items) {
          // MS-ASPROV 2.2.2.29: the hash is sent base64 encoded.
          list.add(tag("Provision:Hash"), common::base64_encode(common::hex_decode(item).value_or(std::string())));
        }
        break;
      }
      default:
        if (value.number == null_value) {
          doc.add(t);  // Unlimited / $null: an empty element (PROVISIONING.md 3.2)
        } else {
          doc.add(t, number_text(value.number));
        }
    }
  }
  return doc;
}

wbxml::element relaxed_document() {
  wbxml::element doc(tag("Provision:EASProvisionDoc"));
  doc.add(tag("Provision:DevicePasswordEnabled"), "0");
  return doc;
}

std::string wap_provisioning_document(const policy& p) {
  // PROVISIONING.md 1.4: a SecurityPolicy characteristic (4131: 0 when a password is required;
  // 4133: 0 only when a password and a failed-attempt limit are set), and with a password the
  // LASSD registry values.
  const bool password = p.flag(setting::DevicePasswordEnabled);
  const auto attempts = p.get(setting::MaxDevicePasswordFailedAttempts).number;
  const auto inactivity = p.get(setting::MaxInactivityTimeDeviceLock).number;
  const auto min_length = p.get(setting::MinDevicePasswordLength).number;
  std::string xml = "<wap-provisioningdoc><characteristic type=\"SecurityPolicy\">";
  xml += "<parm name=\"4131\" value=\"" + std::string(password ? "0" : "1") + "\"/>";
  xml += "<parm name=\"4133\" value=\"" + std::string(password && attempts != null_value ? "0" : "1") + "\"/>";
  xml += "</characteristic>";
  if (password) {
    const std::int64_t minutes = inactivity == null_value ? 0 : std::min<std::int64_t>(9999, std::max<std::int64_t>(1, (inactivity + 59) / 60));
    const std::int64_t threshold = attempts == null_value ? 0 : std::max<std::int64_t>(2, attempts);
    const std::int64_t codeword = attempts == null_value ? -1 : std::min<std::int64_t>(8, threshold / 2);
    xml += "<characteristic type=\"Registry\">";
    xml += "<characteristic type=\"HKLM\\Comm\\Security\\Policy\\LASSD\\AE\\{50C13377-C66D-400C-889E-C316FC4AB374}\">";
    xml += "<parm name=\"AEFrequencyType\" value=\"" + std::string(inactivity == null_value ? "0" : "1") + "\"/>";
    xml += "<parm name=\"AEFrequencyValue\" value=\"" + number_text(minutes) + "\"/>";
    xml += "</characteristic>";
    xml += "<characteristic type=\"HKLM\\Comm\\Security\\Policy\\LASSD\">";
    xml += "<parm name=\"DeviceWipeThreshold\" value=\"" + number_text(threshold) + "\"/>";
    xml += "<parm name=\"CodewordFrequency\" value=\"" + number_text(codeword) + "\"/>";
    xml += "</characteristic>";
    xml += "<characteristic type=\"HKLM\\Comm\\Security\\Policy\\LASSD\\LAP\\lap_pw\">";
    xml += "<parm name=\"MinimumPasswordLength\" value=\"" + number_text(min_length == null_value ? 1 : min_length) + "\"/>";
    xml += "<parm name=\"PasswordComplexity\" value=\"" +
           std::string(p.flag(setting::AlphanumericDevicePasswordRequired) ? "0" : "2") + "\"/>";
    xml += "</characteristic>";
    xml += "</characteristic>";
  }
  xml += "</wap-provisioningdoc>";
  return xml;
}

std::string policy_hash(const policy& p, protocol_version v, bool include_anp) {
  std::string text;
  if (v == protocol_version::v2_5) {
    text = wap_provisioning_document(p);
  } else {
    auto bytes = wbxml::encode(provision_document(p, v));
    text = bytes ? std::move(*bytes) : std::string();
  }
  if (include_anp) text += p.flag(setting::AllowNonProvisionableDevices) ? "|anp1" : "|anp0";
  // FNV-1a 64: stable across builds and runs, which std::hash does not promise.
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace easemu::provisioning
