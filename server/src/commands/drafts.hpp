#pragma once
// Drafts written by the phone through Sync (16.0+): Add and Change of e-mail in the Drafts folder
// with the 16.x properties (MS-ASEMAIL 2.2.2: To, Cc, email2:Bcc, Subject, Importance, the
// AirSyncBase Body with Type and Data), attachments added and deleted with them (MS-ASAIRS
// 2.2.2.2 Add, 2.2.2.21 Delete), and email2:Send (MS-ASEMAIL 2.2.2.69), which sends the draft as
// SendMail does. Called by sync.cpp under the mail lock; the sending itself happens after it
// (submit.hpp). Private to server/src/commands.
#include <optional>
#include <string>

#include "easemu/server/commands/commands.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/element.hpp"

namespace easemu::server::commands::drafts {

// The largest attachment a draft takes: Exchange's default maximum message size (MaxSendSize,
// 10 MB). A larger one gets status 122 AttachmentIsTooLarge (MS-ASCMD 2.2.2).
inline constexpr std::size_t max_attachment_size = 10 * 1024 * 1024;

struct outcome {
  wbxml::element response;                // the entry for Responses
  bool answer = false;                     // whether Responses gets it
  std::optional<store::item_record> kept;  // the draft as stored; nullopt: none (refused, or sent)
  std::optional<std::string> send;         // the message to submit after the lock (email2:Send)
};

// An Add in the Drafts folder `folder_id`.
outcome add(const command_services& s, const eas_context& ctx, const std::string& folder_id, const wbxml::element& cmd);
// A Change of the draft `item`.
outcome change(const command_services& s, const eas_context& ctx, store::item_record item, const wbxml::element& cmd);

}  // namespace easemu::server::commands::drafts
