#pragma once
// Submitting a message as SendMail does (MS-ASCMD 2.2.1.17): lab recipients (To, Cc, Bcc) get it
// in their Inbox without the Bcc header, a copy goes to the sender's Sent Items when asked, the
// other recipients go to the outbound log. SendMail, SmartReply, SmartForward and a draft's
// email2:Send share it. Takes the mail lock itself: call it outside lock_items. Private to
// server/src/commands.
#include <cstdint>
#include <string>
#include <vector>

#include "easemu/server/commands/commands.hpp"

namespace easemu::server::commands {

struct submission {
  std::size_t recipients = 0;
  std::vector<std::string> outside;  // addresses outside the lab
};

// `mime` must parse as a message; recipients are read from its To, Cc and Bcc.
submission submit(const command_services& s, const std::string& mailbox, const std::string& mime, bool save_in_sent,
                  std::int64_t now);

}  // namespace easemu::server::commands
