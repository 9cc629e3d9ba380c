#pragma once
// What a phone receives for a policy: the EASProvisionDoc (12.0 and later) or the 2.5
// wap-provisioningdoc, which settings a protocol version can carry, and the policy's identity
// for change detection.
#include <string>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/wbxml/element.hpp"

namespace easemu::provisioning {

// MS-ASPROV 2.2.2.43: the PolicyType a version asks for.
inline constexpr const char* wap_policy_type = "MS-WAP-Provisioning-XML";
inline constexpr const char* wbxml_policy_type = "MS-EAS-Provisioning-WBXML";
const char* policy_type_for(protocol_version v);

// Does a version's document carry the setting (2.5: the WAP document's few password settings)?
bool carries(const setting_info& s, protocol_version v);

// The policy's requirements `v` cannot carry (PROVISIONING.md 2.1: a non-permissive value of a
// setting the version's document lacks). Empty: the version is compatible.
std::vector<setting> unsupported_settings(const policy& p, protocol_version v);

// The Provision:EASProvisionDoc element for 12.0 and later, as Exchange emits it
// (PROVISIONING.md 3.2): every setting the version carries, in schema order, unlimited and $null
// as empty elements, booleans 0/1.
wbxml::element provision_document(const policy& p, protocol_version v);

// The minimal document Exchange sends a device that holds a key when no policy applies any more:
// only DevicePasswordEnabled 0 (PROVISIONING.md 1.3).
wbxml::element relaxed_document();

// The 2.5 wap-provisioningdoc text (PROVISIONING.md 1.4).
std::string wap_provisioning_document(const policy& p);

// A stable identity of what a device of version `v` was given: changes when the document
// changes, and with the AllowNonProvisionableDevices flag when `include_anp` (Exchange 2013 and
// later hash it in; 2007 and 2010 do not, PROVISIONING.md 1.9). 16 hex digits.
std::string policy_hash(const policy& p, protocol_version v, bool include_anp);

}  // namespace easemu::provisioning
