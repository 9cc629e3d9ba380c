#include "easemu/server/activesync/registry.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

namespace easemu::server {

command_registry::command_registry(std::span<const eas::command_info> table) : table_(table) {}

command_registry& command_registry::add(command_registration r) {
  const auto row = std::find_if(table_.begin(), table_.end(),
                                 [&](const eas::command_info& c) { return c.id == r.command; });
  if (row == table_.end()) throw std::logic_error("a handler for a command the command table does not have");
  const std::string name(row->name);
  if (find(r.command) != nullptr) throw std::logic_error(name + " is registered twice");
  const bool waits = std::holds_alternative<waiting_command_handler>(r.handler);
  const bool empty = waits ? !std::get<waiting_command_handler>(r.handler) : !std::get<command_handler>(r.handler);
  if (empty) throw std::logic_error(name + " is registered without a handler");
  // Only a long-poll may hold its request (MS-ASCMD 2.2.1.13, 2.2.3.188).
  if (waits && !row->has(eas::command_flags::long_poll)) {
    throw std::logic_error(name + " is not a long-poll command: its handler must answer at once");
  }
  registrations_.push_back(std::move(r));
  return *this;
}

command_registry& command_registry::add(std::vector<command_registration> registrations) {
  for (auto& r : registrations) add(std::move(r));
  return *this;
}

const command_registration* command_registry::find(eas::command_id id) const {
  const auto it = std::find_if(registrations_.begin(), registrations_.end(),
                               [&](const command_registration& r) { return r.command == id; });
  return it == registrations_.end() ? nullptr : &*it;
}

bool command_registry::advertises(eas::command_id id) const {
  if (find(id) != nullptr) return true;
  const auto row = std::find_if(table_.begin(), table_.end(), [&](const eas::command_info& c) { return c.id == id; });
  if (row == table_.end()) return false;
  return id == eas::command_id::meeting_response;
}

std::string command_registry::protocol_commands_header(std::span<const protocol_version> versions) const {
  return eas::protocol_commands_header(versions, [this](const eas::command_info& c) { return advertises(c.id); });
}

std::string command_registry::protocol_commands_header(std::span<const protocol_version> versions,
                                                       std::string_view listed) const {
  return eas::protocol_commands_header(versions, [&](const eas::command_info& c) {
    if (!advertises(c.id)) return false;
    std::string_view rest = listed;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      if (rest.substr(0, comma) == c.name) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return false;
  });
}

}  // namespace easemu::server
