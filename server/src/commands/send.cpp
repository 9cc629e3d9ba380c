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
#include "submit.hpp"

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
  if (mailbox::address_list(props->to).empty() && mailbox::address_list(props->cc).empty() &&
      mailbox::address_list(props->bcc).empty()) {
    return fail(ctx, 120, "no recipients");  // MailSubmissionFailed
  }
  const auto sent = submit(s_, ctx.mailbox, o->mime, o->save, common::now_ms());
  s_.log->info("request={} {} from {} to {} recipient(s) ({} outside the lab)", ctx.request_id(),
               ctx.query.command->name, ctx.mailbox, sent.recipients, sent.outside.size());
  return {};  // MS-ASCMD 2.2.1.17: success is an empty 200
}

}  // namespace

std::vector<command_registration> send(const command_services& s) {
  std::vector<command_registration> out;
  for (auto id : {eas::command_id::send_mail, eas::command_id::smart_reply, eas::command_id::smart_forward}) {
    out.push_back({id, [command = send_command(s, id)](const eas_context& ctx) { return command.handle(ctx); }, true});
  }
  return out;
}

}  // namespace easemu::server::commands
