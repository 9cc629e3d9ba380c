// The command registry decides what OPTIONS lists: what has a handler, and the named exceptions.
#include "easemu/server/activesync/registry.hpp"

#include <gtest/gtest.h>

#include <array>

namespace {

using namespace easemu;
using easemu::eas::command_id;

server::command_registration immediate(command_id id) {
  return {id, server::command_handler([](const server::eas_context&) { return server::command_reply{}; })};
}

TEST(CommandRegistry, AdvertisesOnlyWhatHasAHandlerAndTheNamedExceptions) {
  server::command_registry registry;
  registry.add(immediate(command_id::folder_sync)).add(immediate(command_id::sync));
  EXPECT_TRUE(registry.advertises(command_id::sync));
  EXPECT_TRUE(registry.advertises(command_id::folder_sync));
  EXPECT_FALSE(registry.advertises(command_id::find));
  EXPECT_FALSE(registry.advertises(command_id::search));
  // MeetingResponse is the one row listed without a handler; the legacy rows need theirs.
  EXPECT_FALSE(registry.advertises(command_id::get_hierarchy));
  EXPECT_FALSE(registry.advertises(command_id::move_collection));
  EXPECT_TRUE(registry.advertises(command_id::meeting_response));
  const std::array v161 = {protocol_version::v16_1};
  EXPECT_EQ(registry.protocol_commands_header(v161), "Sync,FolderSync,MeetingResponse");
  registry.add(immediate(command_id::get_hierarchy)).add(immediate(command_id::move_collection));
  const std::array v25 = {protocol_version::v2_5};
  EXPECT_EQ(registry.protocol_commands_header(v25), "Sync,GetHierarchy,MoveCollection,FolderSync,MeetingResponse");
  // With the emulated Exchange's list: only what it names.
  EXPECT_EQ(registry.protocol_commands_header(v25, "Sync,FolderSync,MoveCollection"), "Sync,MoveCollection,FolderSync");
  registry.add(immediate(command_id::find));
  EXPECT_EQ(registry.protocol_commands_header(v161), "Sync,FolderSync,MeetingResponse,Find");
}

}  // namespace
