// GetAttachment (MS-ASCMD 2.2.1.7, 2.5-12.1): the attachment's bytes, named by the
// AttachmentName query parameter (a FileReference of Sync).
#include "easemu/server/commands/commands.hpp"
#include "easemu/store/store.hpp"
#include "mail_common.hpp"

namespace easemu::server::commands {

namespace {

command_reply handle(const command_services& s, const eas_context& ctx) {
  command_reply r;
  const auto ref = mail_common::split_file_reference(ctx.query.params.attachment_name.value_or(""));
  const auto item = ref ? s.store->find_item(ctx.mailbox, ref->first) : std::nullopt;
  const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
  auto content = props && ref->second < props->attachments.size() ? mailbox::attachment_content(item->mime, ref->second)
                                                                    : std::nullopt;
  if (!content) {
    r.http_status = 500;  // Exchange's answer to a GetAttachment it cannot serve
    return r;
  }
  r.raw_body = std::move(*content);
  r.content_type = props->attachments[ref->second].content_type;
  return r;
}

}  // namespace

command_registration get_attachment(const command_services& s) {
  return {eas::command_id::get_attachment, [s](const eas_context& ctx) { return handle(s, ctx); }, true};
}

}  // namespace easemu::server::commands
