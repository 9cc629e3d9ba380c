#include "submit.hpp"

#include <algorithm>

#include "easemu/common/text.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server::commands {

submission submit(const command_services& s, const std::string& mailbox, const std::string& mime, bool save_in_sent,
                  std::int64_t now) {
  submission out;
  const auto props = mailbox::parse_message(mime);
  if (!props) return out;
  std::vector<std::string> recipients;
  for (const auto* list : {&props->to, &props->cc, &props->bcc}) {
    for (auto& a : mailbox::address_list(*list)) recipients.push_back(std::move(a));
  }
  out.recipients = recipients.size();
  const auto delivered = mailbox::without_bcc(mime);
  const auto mailboxes = s.store->list_mailboxes();
  for (const auto& r : recipients) {
    const auto lab = std::find_if(mailboxes.begin(), mailboxes.end(),
                                  [&](const store::mailbox_record& m) { return common::iequals(m.address, r); });
    if (lab != mailboxes.end()) {
      s.mail.deliver(lab->address, "", delivered, false, now);
    } else {
      out.outside.push_back(r);
    }
  }
  if (save_in_sent) {
    const auto folders = s.folders.folders(mailbox);
    const auto sent = std::find_if(folders.begin(), folders.end(), [](const mailbox::folder& f) { return f.type == mailbox::sent_items; });
    if (sent != folders.end()) s.mail.deliver(mailbox, sent->server_id, mime, true, now);
  }
  if (!out.outside.empty()) s.mail.record_outbound({mailbox, out.outside, props->subject, now});
  return out;
}

}  // namespace easemu::server::commands
