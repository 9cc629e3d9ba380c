#pragma once
// What each emulated Exchange release advertises (lab.exchange_version; PROTOCOL.md section 6):
// its OPTIONS lists and its MS-Server-ActiveSync build, as Exchange writes them, each with where
// the value comes from. docs/configuration.md ("What each exchange_version advertises") shows the
// same table to users; tests/unit/server/exchange_profile_test.cpp holds both equal.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/common/protocol_version.hpp"

namespace easemu::server {

struct exchange_profile {
  std::string_view name;                // as the lab file writes it: "2010SP1", "2013", ...
  std::string_view server_build;        // MS-Server-ActiveSync header (MS-ASHTTP 2.2.2.1.2)
  std::string_view protocol_versions;   // MS-ASProtocolVersions as Exchange sends it
  std::string_view protocol_commands;   // MS-ASProtocolCommands as Exchange sends it
  std::string_view source;              // where the three values come from
};

namespace detail {
// MS-ASHTTP section 4.3 (the OPTIONS example, an Exchange 2010 server, build 14.00.0536.000).
inline constexpr std::string_view exchange_2010_commands =
    "Sync,SendMail,SmartForward,SmartReply,GetAttachment,GetHierarchy,CreateCollection,DeleteCollection,"
    "MoveCollection,FolderSync,FolderCreate,FolderDelete,FolderUpdate,MoveItems,GetItemEstimate,"
    "MeetingResponse,Search,Settings,Ping,ItemOperations,Provision,ResolveRecipients,ValidateCert";
// MS-ASHTTP 2.2.4.1.2 (the OPTIONS response headers' example of a 16.1 server): the same list
// plus Find.
inline constexpr std::string_view exchange_2019_commands =
    "Sync,SendMail,SmartForward,SmartReply,GetAttachment,GetHierarchy,CreateCollection,DeleteCollection,"
    "MoveCollection,FolderSync,FolderCreate,FolderDelete,FolderUpdate,MoveItems,GetItemEstimate,"
    "MeetingResponse,Search,Settings,Ping,ItemOperations,Provision,ResolveRecipients,ValidateCert,Find";
}  // namespace detail

inline constexpr exchange_profile exchange_profiles[] = {
    // Versions: MS-ASHTTP 4.3 lists 2.0,2.1,2.5,12.0,12.1,14.0 for Exchange 2010; 14.1 came with
    // Exchange 2010 SP1 (MS-ASCMD's version tables: "14.1" is the SP1 protocol). Build: the
    // major.minor form of the MS-ASHTTP 2.2.2.1.2 example ("15.1"), for Exchange 14.1.
    {"2010SP1", "14.1", "2.0,2.1,2.5,12.0,12.1,14.0,14.1", detail::exchange_2010_commands,
     "MS-ASHTTP 4.3 (+14.1 for SP1)"},
    // Exchange 2013 added no protocol version (16.0 came with Exchange 2016): the 2010 SP1 lists.
    {"2013", "15.0", "2.0,2.1,2.5,12.0,12.1,14.0,14.1", detail::exchange_2010_commands,
     "MS-ASHTTP 4.3 (+14.1); build 15.0"},
    // 16.0 without 16.1 and Find (Find is 16.1 only, MS-ASCMD 2.2.1.2); the 2.5-based list of
    // MS-ASHTTP 2.2.4.1.2 and its build "15.1" (MS-ASHTTP 2.2.2.1.2).
    {"2016", "15.1", "2.5,12.0,12.1,14.0,14.1,16.0", detail::exchange_2010_commands,
     "MS-ASHTTP 2.2.4.1.2 without 16.1/Find; build MS-ASHTTP 2.2.2.1.2"},
    // MS-ASHTTP 2.2.4.1.2's example as it stands.
    {"2019", "15.2", "2.5,12.0,12.1,14.0,14.1,16.0,16.1", detail::exchange_2019_commands, "MS-ASHTTP 2.2.4.1.2"},
    {"online", "15.20", "2.5,12.0,12.1,14.0,14.1,16.0,16.1", detail::exchange_2019_commands, "MS-ASHTTP 2.2.4.1.2"},
};

// The releases as bits, in exchange_profiles' order: which releases have a cmdlet, a parameter or
// an output property (admin/shell). Exchange's cmdlet pages list them under "Applicable".
namespace release {
inline constexpr std::uint8_t e2010sp1 = 1u << 0;
inline constexpr std::uint8_t e2013 = 1u << 1;
inline constexpr std::uint8_t e2016 = 1u << 2;
inline constexpr std::uint8_t e2019 = 1u << 3;
inline constexpr std::uint8_t online = 1u << 4;
inline constexpr std::uint8_t all = e2010sp1 | e2013 | e2016 | e2019 | online;
inline constexpr std::uint8_t from_2013 = all & ~e2010sp1;
}  // namespace release

// The bit of a release by its lab name; 2010 SP1's for an unknown name.
constexpr std::uint8_t release_bit(std::string_view name) {
  for (std::size_t i = 0; i < std::size(exchange_profiles); ++i) {
    if (exchange_profiles[i].name == name) return static_cast<std::uint8_t>(1u << i);
  }
  return release::e2010sp1;
}
static_assert(release_bit("online") == release::online && release_bit("2013") == release::e2013);

constexpr const exchange_profile* find_exchange_profile(std::string_view name) {
  for (const auto& p : exchange_profiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// The items of a comma-separated header value, as written.
inline std::vector<std::string_view> split_list(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    out.push_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

// The versions the emulator serves of the advertised ones: all but 2.0 and 2.1, which predate
// the MS-AS* documents (MS-ASHTTP 3.2.5.2 covers 2.5 to 16.1); a request at them is refused
// (pipeline.cpp: read_version; docs/configuration.md).
inline std::vector<protocol_version> advertised_versions(const exchange_profile& p) {
  std::vector<protocol_version> out;
  for (const auto item : split_list(p.protocol_versions)) {
    if (const auto v = parse_protocol_version(item)) out.push_back(*v);
  }
  return out;
}

// Whether `name` is one of the listed commands.
inline bool lists_command(const exchange_profile& p, std::string_view name) {
  const auto items = split_list(p.protocol_commands);
  return std::find(items.begin(), items.end(), name) != items.end();
}

}  // namespace easemu::server
