#pragma once
// The command table as the server's one registration point: a registration names a command of
// the table and its handler, immediate or waiting. What the pipeline does around the handler
// comes from the command's row (eas/command.hpp): the versions that have it, the body it reads,
// whether the provisioning gate applies (policy_key), whether its handler may answer later
// (long_poll) and the envelope of a refusal.
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "easemu/eas/command.hpp"
#include "easemu/server/activesync/context.hpp"

namespace easemu::server {

struct command_registration {
  eas::command_id command;
  std::variant<command_handler, waiting_command_handler> handler;
  // The work grows with what the client sends or asks for (MIME parsing, big fetches, searches
  // over every item): the body's decoding and the handler run on the worker pool, never on an I/O
  // thread, so they cannot delay a Ping or a FolderSync (issue 23).
  bool on_worker = false;
};

class command_registry {
 public:
  // `table` is eas::commands; a test may pass a table with commands of its own. It must outlive
  // the registry (the pipeline keeps pointers into it).
  explicit command_registry(std::span<const eas::command_info> table = eas::commands);

  // Throws std::logic_error, a start-up bug: a command the table does not have, a command
  // registered twice, a waiting handler for a command that is not long_poll, an empty handler.
  command_registry& add(command_registration registration);
  command_registry& add(std::vector<command_registration> registrations);

  // The registration of a command, or nullptr (the pipeline answers: not supported).
  const command_registration* find(eas::command_id id) const;
  // Whether OPTIONS lists the command (MS-ASHTTP 2.2.4.1.2.1): a server advertises only what it
  // serves, so a command with a handler. One row is listed without one: MeetingResponse, until
  // the meetings work registers it.
  bool advertises(eas::command_id id) const;
  // The MS-ASProtocolCommands value for a server offering `versions`: the advertised commands,
  // in table order; with `listed` (the emulated Exchange's own list, comma-separated), only those
  // of them it names.
  std::string protocol_commands_header(std::span<const protocol_version> versions) const;
  std::string protocol_commands_header(std::span<const protocol_version> versions, std::string_view listed) const;
  std::span<const eas::command_info> table() const { return table_; }

 private:
  std::span<const eas::command_info> table_;
  std::vector<command_registration> registrations_;
};

}  // namespace easemu::server
