// SendMail, SmartReply and SmartForward (MS-ASCMD 2.2.1.17, .20, .19): WBXML ComposeMail from
// 14.0, a raw message/rfc822 body before. Lab recipients get the message in their Inbox (without
// Bcc); the others go to the outbound log.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/server/commands/commands.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/store/store.hpp"
#include "mail_common.hpp"

namespace easemu::server::commands {

namespace {

using wbxml::element;
using wbxml::tag;

// What the device sends, from either form.
struct outgoing {
  std::string mime;
  bool save = false;
  bool replace_mime = false;
  std::string source_folder, source_item;
};

std::optional<outgoing> read_outgoing(const eas_context& ctx, wbxml::tag_id root_tag) {
  outgoing o;
  if (ctx.version < protocol_version::v14_0) {
    o.mime = ctx.http != nullptr ? ctx.http->body : std::string();
    o.save = ctx.query.save_in_sent;
    o.source_folder = ctx.query.params.collection_id.value_or("");
    o.source_item = ctx.query.params.item_id.value_or("");
    return o;
  }
  const element* root = mail_common::request_root(ctx, root_tag);
  if (root == nullptr || root->child(tag("ComposeMail:Mime")) == nullptr) return std::nullopt;
  o.mime = root->child(tag("ComposeMail:Mime"))->value;
  o.save = root->child(tag("ComposeMail:SaveInSentItems")) != nullptr;
  o.replace_mime = root->child(tag("ComposeMail:ReplaceMime")) != nullptr;
  if (const auto* src = root->child(tag("ComposeMail:Source"))) {
    o.source_folder = src->child_text(tag("ComposeMail:FolderId"));
    o.source_item = src->child_text(tag("ComposeMail:ItemId"));
  }
  return o;
}

class send_command {
 public:
  send_command(const command_services& s, eas::command_id kind) : s_(s), kind_(kind) {}
  command_reply handle(const eas_context& ctx) const;

 private:
  command_reply fail(const eas_context& ctx, int status, const std::string& why) const;
  // Delivers to the lab's mailboxes, files the copy in Sent Items; the addresses outside the lab.
  std::vector<std::string> deliver(const eas_context& ctx, const std::vector<std::string>& recipients,
                                   const std::string& mime, bool save, std::int64_t now) const;
  wbxml::tag_id root() const {
    return kind_ == eas::command_id::send_mail     ? tag("ComposeMail:SendMail")
           : kind_ == eas::command_id::smart_reply ? tag("ComposeMail:SmartReply")
                                                   : tag("ComposeMail:SmartForward");
  }

  command_services s_;
  eas::command_id kind_;
};

// The failure answer: the status in the body from 14.0, HTTP 500 before (MS-ASCMD 2.2.2).
command_reply send_command::fail(const eas_context& ctx, int status, const std::string& why) const {
  s_.log->info("request={} {} refused ({}): {}", ctx.request_id(), ctx.query.command->name, status, why);
  command_reply r;
  if (ctx.version < protocol_version::v14_0) {
    r.http_status = 500;
    return r;
  }
  r.body.emplace(root()).add(tag("ComposeMail:Status"), std::to_string(status));
  return r;
}

command_reply send_command::handle(const eas_context& ctx) const {
  auto o = read_outgoing(ctx, root());
  if (!o) return fail(ctx, 103, "no Mime element");
  // MS-ASCMD 2.2.2: 107 InvalidMIME, also for structure past what the server parses (mime_limits).
  if (auto why = mailbox::mime_structure_error(o->mime)) return fail(ctx, 107, "MIME structure refused: " + *why);
  auto props = mailbox::parse_message(o->mime);
  if (!props) return fail(ctx, 107, "the message is not RFC 822");  // InvalidMIME
  if (kind_ != eas::command_id::send_mail && !o->replace_mime) {
    const auto original = o->source_item.empty() ? std::nullopt : s_.store->find_item(ctx.mailbox, o->source_item);
    if (!original || (!o->source_folder.empty() && original->folder_id != o->source_folder)) {
      return fail(ctx, 150, "the source message " + o->source_item + " is not in folder " + o->source_folder);  // ItemNotFound
    }
    if (auto combined = mailbox::with_original(o->mime, original->mime, kind_ == eas::command_id::smart_forward)) {
      o->mime = std::move(*combined);
    }
  }
  std::vector<std::string> recipients;
  for (const auto* list : {&props->to, &props->cc, &props->bcc}) {
    for (auto& a : mailbox::address_list(*list)) recipients.push_back(std::move(a));
  }
  if (recipients.empty()) return fail(ctx, 120, "no recipients");  // MailSubmissionFailed
  const auto now = common::now_ms();
  const auto outside = deliver(ctx, recipients, o->mime, o->save, now);
  if (!outside.empty()) s_.mail.record_outbound({ctx.mailbox, outside, props->subject, now});
  s_.log->info("request={} {} from {} to {} recipient(s) ({} outside the lab)", ctx.request_id(),
               ctx.query.command->name, ctx.mailbox, recipients.size(), outside.size());
  return {};  // MS-ASCMD 2.2.1.17: success is an empty 200
}

std::vector<std::string> send_command::deliver(const eas_context& ctx, const std::vector<std::string>& recipients,
                                               const std::string& mime, bool save, std::int64_t now) const {
  const auto delivered = mailbox::without_bcc(mime);
  const auto mailboxes = s_.store->list_mailboxes();
  std::vector<std::string> outside;
  for (const auto& r : recipients) {
    const auto lab = std::find_if(mailboxes.begin(), mailboxes.end(),
                                  [&](const store::mailbox_record& m) { return common::iequals(m.address, r); });
    if (lab != mailboxes.end()) {
      s_.mail.deliver(lab->address, "", delivered, false, now);
    } else {
      outside.push_back(r);
    }
  }
  if (save) {
    const auto folders = s_.folders.folders(ctx.mailbox);
    const auto sent = std::find_if(folders.begin(), folders.end(), [](const mailbox::folder& f) { return f.type == mailbox::sent_items; });
    if (sent != folders.end()) s_.mail.deliver(ctx.mailbox, sent->server_id, mime, true, now);
  }
  return outside;
}

}  // namespace

std::vector<command_registration> send(const command_services& s) {
  std::vector<command_registration> out;
  for (auto id : {eas::command_id::send_mail, eas::command_id::smart_reply, eas::command_id::smart_forward}) {
    out.push_back({id, [command = send_command(s, id)](const eas_context& ctx) { return command.handle(ctx); }});
  }
  return out;
}

}  // namespace easemu::server::commands
