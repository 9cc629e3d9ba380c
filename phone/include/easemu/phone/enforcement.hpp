#pragma once
// What a simulated phone does with the policy it downloaded: for each setting of the
// EASProvisionDoc (or the 2.5 wap-provisioningdoc) its value, whether it asks for more than the
// permissive default, and whether the phone enforces it; then the acknowledgement Status it sends
// (MS-ASPROV 2.2.2.54.1: 1 applied, 2 partly applied, 3 not applied). Pure: no I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/phone/profile.hpp"
#include "easemu/wbxml/element.hpp"

namespace easemu::phone {

struct element_verdict {
  provisioning::setting id{};
  std::string_view name;            // EASProvisionDoc element (settings.def spelling)
  std::string text;                 // as received: "" for an empty element, list items joined by ","
  provisioning::setting_value value;  // as the policy model holds it (provisioning::null_value: empty)
  // Asks for more than the permissive default (PROVISIONING.md 2.1, provisioning::policy::
  // is_requirement), after the client rules: with DevicePasswordEnabled 0 the password
  // elements are ignored (MS-ASPROV 2.2.2.12, .20, .26, .27, .32, .37, .38, .39).
  bool requiring = false;
  support verdict = support::enforced;  // the profile's support for the setting
  bool malformed = false;               // a value the phone cannot read (counts as not enforceable)

  bool unenforceable() const { return requiring && (verdict == support::cannot_enforce || malformed); }
};

struct enforcement {
  std::vector<element_verdict> elements;           // in document order
  std::vector<provisioning::setting> unenforceable;  // required settings the phone cannot enforce
  std::vector<std::string> unknown_elements;       // elements not in the settings table (ignored)
  int ack_status = 1;                              // the Status of the phone's acknowledgement

  bool fully_applied() const { return unenforceable.empty(); }
  // Element names of `unenforceable`, in document order.
  std::vector<std::string> unenforceable_names() const;
  // The entry for a setting, or nullptr when the document did not carry it.
  const element_verdict* find(provisioning::setting s) const;
};

// For a Provision:EASProvisionDoc element (12.0 and later).
enforcement enforce(const device_profile& profile, const wbxml::element& easprovisiondoc);

// For the 2.5 wap-provisioningdoc text (PROVISIONING.md 1.4): the parms map back to
// DevicePasswordEnabled, MaxInactivityTimeDeviceLock, MaxDevicePasswordFailedAttempts,
// MinDevicePasswordLength and AlphanumericDevicePasswordRequired.
enforcement enforce_wap(const device_profile& profile, std::string_view wap_document);

// Offline check (`easemu policy check`): the document a version gets for `p`
// (provisioning::provision_document, or the WAP document for 2.5), then enforce().
enforcement check_policy(const device_profile& profile, const provisioning::policy& p, protocol_version v);

}  // namespace easemu::phone
