// MoveItems (MS-ASCMD 2.2.1.12): items to other folders; they get new ServerIds there.
#include <algorithm>

#include "easemu/server/commands/commands.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "mail_common.hpp"

namespace easemu::server::commands {

namespace {

using namespace mail_common;
using wbxml::element;
using wbxml::tag;

// One Move: its Response, and the folders it changed.
void move_one(const command_services& s, const eas_context& ctx, const std::vector<mailbox::folder>& folders,
              const element& m, element& out, std::vector<std::string>& touched) {
  auto folder_exists = [&](std::string_view id) {
    return std::any_of(folders.begin(), folders.end(), [&](const mailbox::folder& f) { return f.server_id == id; });
  };
  const std::string src(m.child_text(tag("Move:SrcMsgId")));
  const std::string src_folder(m.child_text(tag("Move:SrcFldId")));
  const std::string dst_folder(m.child_text(tag("Move:DstFldId")));
  auto& r = out.add(tag("Move:Response"));
  r.add(tag("Move:SrcMsgId"), src);
  auto item = s.store->find_item(ctx.mailbox, src);
  // MS-ASCMD 2.2.3.177.9: 1 invalid source, 2 invalid destination, 3 success, 4 same folder.
  int status = 3;
  if (!item || item->folder_id != src_folder || !folder_exists(src_folder)) status = 1;
  else if (!folder_exists(dst_folder)) status = 2;
  else if (src_folder == dst_folder) status = 4;
  r.add(tag("Move:Status"), std::to_string(status));
  if (status != 3) return;
  s.store->delete_item(ctx.mailbox, src);
  item->item_id = s.mail.next_item_id(ctx.mailbox, dst_folder);
  item->folder_id = dst_folder;
  item->version = 1;
  s.store->put_items(ctx.mailbox, {*item});
  r.add(tag("Move:DstMsgId"), item->item_id);
  touched.push_back(src_folder);
  touched.push_back(dst_folder);
}

command_reply handle(const command_services& s, const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("Move:MoveItems"));
  const element* root = request_root(ctx, tag("Move:MoveItems"));
  if (root == nullptr) {
    out.add(tag("Move:Status"), "5");
    return reply;
  }
  std::vector<std::string> touched;
  {
    auto lock = s.mail.lock_items();
    const auto folders = s.folders.folders(ctx.mailbox);
    for (const auto& m : root->children) {
      if (m.tag == tag("Move:Move")) move_one(s, ctx, folders, m, out, touched);
    }
  }
  s.mail.changed(ctx.mailbox, touched);
  return reply;
}

}  // namespace

command_registration move_items(const command_services& s) {
  return {eas::command_id::move_items, [s](const eas_context& ctx) { return handle(s, ctx); }};
}

}  // namespace easemu::server::commands
