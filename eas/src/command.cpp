#include "easemu/eas/command.hpp"

namespace easemu::eas {

namespace {

// The table's invariants, checked where it is compiled.
constexpr bool ids_match_positions() {
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (static_cast<std::size_t>(commands[i].id) != i) return false;
  }
  return true;
}

constexpr bool names_unique_ignoring_case() {
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].name.empty()) return false;
    for (std::size_t j = i + 1; j < commands.size(); ++j) {
      if (detail::iequals(commands[i].name, commands[j].name)) return false;
    }
  }
  return true;
}

constexpr bool codes_unique() {
  for (std::size_t i = 0; i < commands.size(); ++i) {
    for (std::size_t j = i + 1; j < commands.size(); ++j) {
      if (commands[i].code && commands[j].code && *commands[i].code == *commands[j].code) {
        return false;
      }
    }
  }
  return true;
}

constexpr bool ranges_and_flags_consistent() {
  for (const auto& c : commands) {
    if (c.last < c.first) return false;
    // Legacy commands have no code; every other command has one.
    if (c.has(command_flags::legacy) == c.code.has_value()) return false;
    // MIME bodies exist only where WBXML replaces them later.
    if (c.has(command_flags::mime_before_14) && !c.has(command_flags::wbxml_body)) return false;
    // A command with a WBXML request answers in WBXML: a refusal's status has a body to go in.
    if (c.has(command_flags::wbxml_body) && !c.envelope) return false;
    if (c.has(command_flags::legacy) && c.envelope) return false;
  }
  return true;
}

static_assert(ids_match_positions());
static_assert(names_unique_ignoring_case());
static_assert(codes_unique());
static_assert(ranges_and_flags_consistent());
static_assert(find_command("sYnC") == &info(command_id::sync));
static_assert(find_command(std::uint8_t{18}) == &info(command_id::ping));
static_assert(find_command(std::uint8_t{5}) == nullptr);

}  // namespace

std::string protocol_commands_header(std::span<const protocol_version> versions) {
  return protocol_commands_header(versions, [](const command_info&) { return true; });
}

std::string protocol_commands_header(std::span<const protocol_version> versions,
                                     const std::function<bool(const command_info&)>& advertise) {
  std::string out;
  for (const auto& c : commands) {
    if (!advertise(c)) continue;
    bool offered = false;
    for (auto v : versions) offered = offered || c.supported_in(v);
    if (!offered) continue;
    if (!out.empty()) out += ',';
    out += c.name;
  }
  return out;
}

std::string protocol_versions_header(std::span<const protocol_version> versions) {
  std::string out;
  for (auto v : versions) {
    if (!out.empty()) out += ',';
    out += to_string(v);
  }
  return out;
}

}  // namespace easemu::eas
