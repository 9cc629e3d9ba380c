#include "easemu/provisioning/policy.hpp"

#include "easemu/common/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace easemu::provisioning {

namespace {

using enum setting_kind;

constexpr std::array<setting_info, setting_count> table = {{
#define EASEMU_SETTING(name_, alias_, kind_, min_, max_, def_, since_, flags_, values_) \
  {setting::name_, #name_, alias_, kind_, min_, max_, def_, protocol_version::since_, flags_, values_},
#include "easemu/provisioning/settings.def"
#undef EASEMU_SETTING
}};

using common::iequals;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool parse_integer(std::string_view s, std::int64_t& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool is_unlimited(std::string_view s) { return iequals(s, "unlimited") || iequals(s, "$null"); }

// .NET TimeSpan text as PowerShell binds it: "d", "hh:mm", "hh:mm:ss", "d.hh:mm:ss" (a lone
// integer is days). Returns whole seconds.
bool parse_timespan(std::string_view s, std::int64_t& seconds) {
  s = trim(s);
  std::int64_t days = 0;
  if (s.find(':') == std::string_view::npos) {
    if (!parse_integer(s, days) || days < 0) return false;
    seconds = days * 86400;
    return true;
  }
  if (const auto dot = s.find('.'); dot != std::string_view::npos && dot < s.find(':')) {
    if (!parse_integer(s.substr(0, dot), days) || days < 0) return false;
    s.remove_prefix(dot + 1);
  }
  std::int64_t parts[3] = {0, 0, 0};
  int n = 0;
  while (true) {
    const auto colon = s.find(':');
    if (n == 3 || !parse_integer(s.substr(0, colon), parts[n]) || parts[n] < 0) return false;
    ++n;
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
  }
  if (n < 2 || parts[0] > 23 || parts[1] > 59 || parts[2] > 59) return false;
  seconds = days * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2];
  return true;
}

// ByteQuantifiedSize: "10MB", "10 MB", "1024KB", "1GB", or a bare number of bytes.
bool parse_size(std::string_view s, std::int64_t& bytes) {
  s = trim(s);
  std::size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  std::int64_t n = 0;
  if (digits == 0 || !parse_integer(s.substr(0, digits), n)) return false;
  const auto unit = trim(s.substr(digits));
  std::int64_t factor = 1;
  if (unit.empty() || iequals(unit, "B")) {
    factor = 1;
  } else if (iequals(unit, "KB")) {
    factor = 1024;
  } else if (iequals(unit, "MB")) {
    factor = 1024 * 1024;
  } else if (iequals(unit, "GB")) {
    factor = 1024LL * 1024 * 1024;
  } else {
    return false;
  }
  if (n > std::numeric_limits<std::int64_t>::max() / factor) return false;
  bytes = n * factor;
  return true;
}

bool parse_boolean(std::string_view s, std::int64_t& out) {
  s = trim(s);
  if (iequals(s, "$true") || iequals(s, "true") || s == "1") {
    out = 1;
  } else if (iequals(s, "$false") || iequals(s, "false") || s == "0") {
    out = 0;
  } else {
    return false;
  }
  return true;
}

// The entries of an enumeration column: "Name=n,Name=n".
std::vector<std::pair<std::string_view, std::int64_t>> enumeration_entries(std::string_view values) {
  std::vector<std::pair<std::string_view, std::int64_t>> out;
  while (!values.empty()) {
    const auto comma = values.find(',');
    const auto entry = values.substr(0, comma);
    const auto eq = entry.find('=');
    std::int64_t v = 0;
    parse_integer(entry.substr(eq + 1), v);
    out.emplace_back(entry.substr(0, eq), v);
    if (comma == std::string_view::npos) break;
    values.remove_prefix(comma + 1);
  }
  return out;
}

// A name (or a number that is one of the values) -> the number.
bool parse_enumeration(std::string_view values, std::string_view text, std::int64_t& out) {
  text = trim(text);
  std::int64_t number = 0;
  const bool numeric = parse_integer(text, number);
  for (const auto& [name, v] : enumeration_entries(values)) {
    if ((numeric && v == number) || iequals(name, text)) {
      out = v;
      return true;
    }
  }
  return false;
}

std::string enumeration_names(std::string_view values) {
  std::string out;
  for (const auto& [name, v] : enumeration_entries(values)) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

std::string enumeration_name(std::string_view values, std::int64_t number) {
  for (const auto& [name, v] : enumeration_entries(values)) {
    if (v == number) return std::string(name);
  }
  return std::to_string(number);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  text = trim(text);
  if (text.empty() || iequals(text, "$null")) return items;
  while (true) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

std::string timespan_text(std::int64_t seconds) {
  const auto days = seconds / 86400;
  const auto rest = seconds % 86400;
  char buf[48];
  if (days > 0) {
    std::snprintf(buf, sizeof buf, "%lld.%02lld:%02lld:%02lld", static_cast<long long>(days),
                  static_cast<long long>(rest / 3600), static_cast<long long>(rest % 3600 / 60),
                  static_cast<long long>(rest % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(rest / 3600),
                  static_cast<long long>(rest % 3600 / 60), static_cast<long long>(rest % 60));
  }
  return buf;
}

std::string grouped(std::int64_t n) {
  auto digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

// "10 MB (10,485,760 bytes)", as Exchange prints a ByteQuantifiedSize.
std::string size_text(std::int64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (v == static_cast<double>(static_cast<std::int64_t>(v))) {
    std::snprintf(buf, sizeof buf, "%lld %s", static_cast<long long>(v), units[u]);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g %s", v, units[u]);
  }
  return std::string(buf) + " (" + grouped(bytes) + " bytes)";
}

bool is_hex(std::string_view s) {
  return !s.empty() && s.size() % 2 == 0 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

const std::array<setting_info, setting_count>& all_settings() { return table; }

const setting_info& info(setting s) { return table[static_cast<std::size_t>(s)]; }

const setting_info* find_setting(std::string_view parameter) {
  for (const auto& s : table) {
    if (iequals(s.name, parameter) || (!s.alias.empty() && iequals(s.alias, parameter))) return &s;
  }
  return nullptr;
}

policy::policy() {
  for (const auto& s : table) values_[static_cast<std::size_t>(s.id)].number = s.default_value;
}

policy policy::builtin_default() {
  policy p;
  p.name = "Default";
  p.set(setting::AllowNonProvisionableDevices, {1, {}});
  p.set(setting::IsDefault, {1, {}});
  return p;
}

bool policy::is_requirement(setting s) const {
  const auto& i = info(s);
  const auto& v = get(s);
  if (i.kind == name_list || i.kind == hash_list) return !v.items.empty();
  // Complex characters only count when alphanumeric passwords are required (PROVISIONING.md 2.1).
  if (s == setting::MinDevicePasswordComplexCharacters && !flag(setting::AlphanumericDevicePasswordRequired)) return false;
  return v.number != i.default_value;
}

std::string policy::set_parameter(std::string_view parameter, const std::vector<std::string>& items) {
  const auto* s = find_setting(parameter);
  if (s != nullptr && (s->kind == name_list || s->kind == hash_list)) {
    for (const auto& item : items) {
      if (s->kind == hash_list && !is_hex(item)) {
        return "Cannot bind parameter '" + std::string(parameter) + "': '" + item + "' is not a hexadecimal hash";
      }
    }
    set(s->id, {0, items});
    return {};
  }
  std::string joined;
  for (const auto& item : items) joined += (joined.empty() ? "" : ",") + item;
  return set_parameter(parameter, joined);
}

std::string policy::set_parameter(std::string_view parameter, std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return "Cannot bind parameter '" + std::string(parameter) + "'. " + why;
  };
  if (iequals(parameter, "Name")) {
    const auto n = trim(text);
    if (n.empty() || n.size() > 64) return bad("A policy name is 1 to 64 characters.");
    name = std::string(n);
    return {};
  }
  const auto* s = find_setting(parameter);
  if (s == nullptr) return "A parameter cannot be found that matches parameter name '" + std::string(parameter) + "'.";
  const auto value = trim(text);
  const auto shown = "'" + std::string(value) + "'";
  std::int64_t n = 0;
  switch (s->kind) {
    case boolean:
      if (!parse_boolean(value, n)) return bad("Cannot convert value " + shown + " to type System.Boolean; use $true or $false.");
      break;
    case count:
    case count_or_null:
    case count_or_unlimited:
    case truncation:
      if (s->kind == count_or_null && iequals(value, "$null")) {
        n = null_value;
      } else if (s->kind == count_or_unlimited && is_unlimited(value)) {
        n = null_value;
      } else if (s->kind == truncation && is_unlimited(value)) {
        n = -1;
      } else if (!parse_integer(value, n)) {
        return bad("Cannot convert value " + shown + " to a number.");
      }
      break;
    case seconds_or_unlimited:
    case days_or_unlimited:
      if (is_unlimited(value)) {
        n = null_value;
      } else if (!parse_timespan(value, n)) {
        return bad("Cannot convert value " + shown + " to a time span (hh:mm:ss, d.hh:mm:ss or Unlimited).");
      } else if (s->kind == days_or_unlimited) {
        n /= 86400;  // whole days (TotalDays truncated)
      }
      break;
    case bytes_or_unlimited:
      if (is_unlimited(value)) {
        n = null_value;
      } else if (!parse_size(value, n)) {
        return bad("Cannot convert value " + shown + " to a size (for example 10MB, 1024KB or Unlimited).");
      }
      break;
    case enumeration:
      if (!parse_enumeration(s->values, value, n)) {
        return bad("Cannot convert value " + shown + ". Specify one of the following enumerator names: " +
                   enumeration_names(s->values) + ".");
      }
      break;
    case name_list:
    case hash_list:
      return set_parameter(parameter, split_list(value));
  }
  if (n != null_value && (n < s->min || n > s->max)) {
    std::string range;
    if (s->kind == seconds_or_unlimited) {
      range = timespan_text(s->min) + " to " + timespan_text(s->max);
    } else if (s->kind == bytes_or_unlimited) {
      range = size_text(s->min) + " to " + size_text(s->max);
    } else {
      range = std::to_string(s->min) + " to " + std::to_string(s->max);
    }
    return bad("The value " + shown + " is out of range; it must be " + range +
               (s->default_value == null_value && s->kind != count_or_null ? " or Unlimited." : "."));
  }
  set(s->id, {n, {}});
  return {};
}

std::vector<std::pair<std::string, std::string>> policy::to_parameters() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("Name", name);
  const policy fresh;
  for (const auto& s : table) {
    if (get(s.id) != fresh.get(s.id)) out.emplace_back(std::string(s.name), to_cmdlet_text(s.id, get(s.id)));
  }
  return out;
}

common::result<policy, std::string> policy_from_parameters(
    const std::vector<std::pair<std::string, std::string>>& parameters) {
  policy p;
  for (const auto& [name, text] : parameters) {
    if (auto error = p.set_parameter(name, text); !error.empty()) return error;
  }
  if (p.name.empty()) return std::string("A policy needs a Name.");
  return p;
}

std::vector<std::string> display(setting s, const setting_value& v) {
  const auto& i = info(s);
  switch (i.kind) {
    case boolean: return {v.number == 1 ? "True" : "False"};
    case name_list:
    case hash_list: return v.items;
    case enumeration: return {enumeration_name(i.values, v.number)};
    default: break;
  }
  if (v.number == null_value) return {i.kind == count_or_null ? "" : "Unlimited"};
  switch (i.kind) {
    case seconds_or_unlimited: return {timespan_text(v.number)};
    case days_or_unlimited: return {timespan_text(v.number * 86400)};
    case bytes_or_unlimited: return {size_text(v.number)};
    case truncation: return {v.number == -1 ? "Unlimited" : std::to_string(v.number)};
    default: return {std::to_string(v.number)};
  }
}

std::string to_cmdlet_text(setting s, const setting_value& v) {
  const auto& i = info(s);
  switch (i.kind) {
    case boolean: return v.number == 1 ? "$true" : "$false";
    case name_list:
    case hash_list: {
      std::string out;
      for (const auto& item : v.items) out += (out.empty() ? "" : ",") + item;
      return out.empty() ? "$null" : out;
    }
    case enumeration: return enumeration_name(i.values, v.number);
    default: break;
  }
  if (v.number == null_value) return i.kind == count_or_null ? "$null" : "Unlimited";
  switch (i.kind) {
    case seconds_or_unlimited: return timespan_text(v.number);
    case days_or_unlimited: return timespan_text(v.number * 86400);
    default: return std::to_string(v.number);
  }
}

}  // namespace easemu::provisioning
