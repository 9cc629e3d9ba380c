#pragma once
// EAS protocol versions (MS-ASHTTP 2.2.1.1.2.6). The enumerator values are the ones the base64
// query uses (major * 10 + minor; 2.5 is 25), so they also order the versions.
#include <cstdint>
#include <optional>
#include <string_view>

namespace easemu {

enum class protocol_version : std::uint8_t {
  v2_5 = 25,
  v12_0 = 120,
  v12_1 = 121,
  v14_0 = 140,
  v14_1 = 141,
  v16_0 = 160,
  v16_1 = 161,
};

inline constexpr protocol_version all_protocol_versions[] = {
    protocol_version::v2_5,  protocol_version::v12_0, protocol_version::v12_1,
    protocol_version::v14_0, protocol_version::v14_1, protocol_version::v16_0,
    protocol_version::v16_1,
};

// "2.5", "12.0", ... as the MS-ASProtocolVersion header writes them.
constexpr std::string_view to_string(protocol_version v) {
  switch (v) {
    case protocol_version::v2_5: return "2.5";
    case protocol_version::v12_0: return "12.0";
    case protocol_version::v12_1: return "12.1";
    case protocol_version::v14_0: return "14.0";
    case protocol_version::v14_1: return "14.1";
    case protocol_version::v16_0: return "16.0";
    case protocol_version::v16_1: return "16.1";
  }
  return "?";
}

constexpr std::optional<protocol_version> parse_protocol_version(std::string_view s) {
  for (auto v : all_protocol_versions) {
    if (to_string(v) == s) return v;
  }
  return std::nullopt;
}

// From the base64 query's version byte (MS-ASHTTP 2.2.1.1.1.1).
constexpr std::optional<protocol_version> protocol_version_from_byte(std::uint8_t b) {
  for (auto v : all_protocol_versions) {
    if (static_cast<std::uint8_t>(v) == b) return v;
  }
  return std::nullopt;
}

}  // namespace easemu
