#pragma once
// The mobile device mailbox policy model: every setting of settings.def, values in Exchange's
// cmdlet syntax in and out. Pure: no I/O, no clock, no logging.
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/common/result.hpp"

namespace easemu::provisioning {

// How a setting's cmdlet value is read and its document value written.
enum class setting_kind {
  boolean,               // $true/$false -> 1/0
  count,                 // an integer in range
  count_or_null,         // an integer, or $null (empty element)
  count_or_unlimited,    // an integer, or Unlimited (empty element)
  seconds_or_unlimited,  // a timespan (hh:mm:ss, d.hh:mm:ss) -> whole seconds, or Unlimited
  days_or_unlimited,     // a timespan -> whole days, or Unlimited (empty element, not 0)
  bytes_or_unlimited,    // a size (10MB, 1024KB, bytes) -> bytes, or Unlimited
  truncation,            // an integer, Unlimited -> -1
  enumeration,           // a name (or its number)
  name_list,             // strings, one ApplicationName each
  hash_list,             // hexadecimal hashes, one Hash each (base64 of the bytes)
};

enum setting_flag : unsigned {
  none = 0,
  sent_in_wap = 1,  // the 2.5 WAP document carries it (PROVISIONING.md 1.4)
  server_only = 2,  // Exchange keeps it on the server (AllowNonProvisionableDevices, ...)
  no_compat = 4,    // never makes a policy incompatible with a protocol version
};

// Unlimited / $null.
inline constexpr std::int64_t null_value = std::numeric_limits<std::int64_t>::min();

enum class setting : std::uint8_t {
#define EASEMU_SETTING(name, alias, kind, min, max, def, since, flags, values) name,
#include "easemu/provisioning/settings.def"
#undef EASEMU_SETTING
};

inline constexpr std::size_t setting_count = 0
#define EASEMU_SETTING(name, alias, kind, min, max, def, since, flags, values) +1
#include "easemu/provisioning/settings.def"
#undef EASEMU_SETTING
    ;

struct setting_info {
  setting id;
  std::string_view name;   // Exchange 2010 parameter = EASProvisionDoc element
  std::string_view alias;  // Exchange 2013+ parameter name, or ""
  setting_kind kind;
  std::int64_t min;
  std::int64_t max;
  std::int64_t default_value;  // permissive (null_value: $null / Unlimited)
  protocol_version since;      // first version whose document carries it
  unsigned flags;
  std::string_view values;     // enumeration names: "Name=n,Name=n"

  bool sent() const { return (flags & server_only) == 0; }
};

const std::array<setting_info, setting_count>& all_settings();
const setting_info& info(setting s);
// By 2010 name, 2013+ alias (case-insensitive); nullptr when unknown.
const setting_info* find_setting(std::string_view parameter);

// A setting's value: a number (booleans 0/1, enumerations their number, seconds, days, bytes) or
// null_value; the two list settings use `items`.
struct setting_value {
  std::int64_t number = 0;
  std::vector<std::string> items;

  bool operator==(const setting_value&) const = default;
};

class policy {
 public:
  // Exchange's defaults for a new policy (New-ActiveSyncMailboxPolicy): every setting
  // permissive, AllowNonProvisionableDevices $false.
  policy();
  // Exchange's built-in "Default" policy: the same, but AllowNonProvisionableDevices $true so
  // clients that never provision still sync, and IsDefault.
  static policy builtin_default();

  std::string name;

  const setting_value& get(setting s) const { return values_[static_cast<std::size_t>(s)]; }
  void set(setting s, setting_value v) { values_[static_cast<std::size_t>(s)] = std::move(v); }
  bool flag(setting s) const { return get(s).number == 1; }
  // Differs from the permissive value (a requirement a device must meet).
  bool is_requirement(setting s) const;

  // Reads one cmdlet parameter ("Name" included) in Exchange's syntax: $true/$false, $null,
  // Unlimited, 00:15:00, 10MB, enumeration names, comma-separated lists. The error text names the
  // parameter and the problem; empty on success.
  std::string set_parameter(std::string_view parameter, std::string_view text);
  std::string set_parameter(std::string_view parameter, const std::vector<std::string>& items);

  // The parameters that differ from a new policy's, in table order, as cmdlet text that
  // set_parameter reads back to the same values ("Name" first): what the store keeps.
  std::vector<std::pair<std::string, std::string>> to_parameters() const;

  bool operator==(const policy&) const = default;

 private:
  std::array<setting_value, setting_count> values_;
};

// A policy from stored parameters (applied in order on a new policy's defaults).
common::result<policy, std::string> policy_from_parameters(const std::vector<std::pair<std::string, std::string>>& parameters);

// How Get-ActiveSyncMailboxPolicy shows a value: True/False, Unlimited, 00:15:00,
// "10 MB (10,485,760 bytes)", an enumeration name; lists as their items (one string each).
std::vector<std::string> display(setting s, const setting_value& v);
// The cmdlet text set_parameter reads back to `v` ($true, Unlimited, 1.00:00:00, 10485760, ...).
std::string to_cmdlet_text(setting s, const setting_value& v);

}  // namespace easemu::provisioning
