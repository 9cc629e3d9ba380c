#pragma once
// What each emulated Exchange release advertises (lab.exchange_version; PROTOCOL.md section 6).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/common/protocol_version.hpp"

namespace easemu::server {

struct exchange_profile {
  std::string_view name;           // as the lab file writes it: "2010SP1", "2013", ...
  std::string_view server_build;   // MS-Server-ActiveSync response header
  protocol_version highest;        // versions 2.5 .. highest are advertised
};

inline constexpr exchange_profile exchange_profiles[] = {
    {"2010SP1", "14.1", protocol_version::v14_1},
    {"2013", "15.0", protocol_version::v14_1},
    {"2016", "15.1", protocol_version::v16_0},
    {"2019", "15.2", protocol_version::v16_1},
    {"online", "15.20", protocol_version::v16_1},
};

constexpr const exchange_profile* find_exchange_profile(std::string_view name) {
  for (const auto& p : exchange_profiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// The versions advertised: 2.5 up to the profile's highest.
inline std::vector<protocol_version> advertised_versions(const exchange_profile& p) {
  std::vector<protocol_version> out;
  for (auto v : all_protocol_versions) {
    if (v <= p.highest) out.push_back(v);
  }
  return out;
}

}  // namespace easemu::server
