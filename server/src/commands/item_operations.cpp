// ItemOperations (MS-ASCMD 2.2.1.10): Fetch of items and attachments (as parts of a multipart
// response with MS-ASAcceptMultiPart, MS-ASCMD 2.2.2.10.1), EmptyFolderContents.
#include <algorithm>

#include "easemu/common/base64.hpp"
#include "easemu/server/commands/commands.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/wbxml/codec.hpp"
#include "mail_common.hpp"

namespace easemu::server::commands {

namespace {

using namespace mail_common;
using wbxml::element;
using wbxml::tag;

// MS-ASCMD 2.2.2.10.1 multipart response: part count, (offset, length) per part, then the
// parts; part 0 is the WBXML response.
std::string multipart(const std::vector<std::string>& parts) {
  auto le32 = [](std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  std::string out;
  le32(out, static_cast<std::uint32_t>(parts.size()));
  std::uint32_t offset = static_cast<std::uint32_t>(4 + 8 * parts.size());
  for (const auto& p : parts) {
    le32(out, offset);
    le32(out, static_cast<std::uint32_t>(p.size()));
    offset += static_cast<std::uint32_t>(p.size());
  }
  for (const auto& p : parts) out += p;
  return out;
}

// What one ItemOperations request builds: the response, the multipart parts, changed folders.
struct operations {
  const command_services& s;
  const eas_context& ctx;
  bool multi = false;
  std::vector<std::string> parts = std::vector<std::string>(1);  // part 0: the WBXML, filled last
  std::vector<std::string> touched{};
};

// A Fetch of an attachment by FileReference: inline as base64, or as a part.
void fetch_attachment(operations& o, const element& ref_el, element& f) {
  const auto ref = split_file_reference(ref_el.value);
  const auto item = ref ? o.s.store->find_item(o.ctx.mailbox, ref->first) : std::nullopt;
  const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
  auto content = props && ref->second < props->attachments.size() ? mailbox::attachment_content(item->mime, ref->second)
                                                                    : std::nullopt;
  f.add(tag("ItemOperations:Status"), content ? "1" : "15");  // 15: attachment not found
  f.add(tag("AirSyncBase:FileReference"), ref_el.value);
  if (!content) return;
  auto& p = f.add(tag("ItemOperations:Properties"));
  p.add(tag("AirSyncBase:ContentType"), props->attachments[ref->second].content_type);
  if (o.multi) {
    o.parts.push_back(std::move(*content));
    p.add(tag("ItemOperations:Part"), std::to_string(o.parts.size() - 1));
  } else {
    p.add(tag("ItemOperations:Data"), common::base64_encode(*content));
  }
}

void fetch(operations& o, const element& op, element& responses) {
  auto& f = responses.add(tag("ItemOperations:Fetch"));
  // Document libraries (UNC, SharePoint) are not part of the lab: Status 9, store not supported.
  if (op.child_text(tag("ItemOperations:Store"), "Mailbox") != "Mailbox") {
    f.add(tag("ItemOperations:Status"), "9");
    return;
  }
  if (const auto* ref_el = op.child(tag("AirSyncBase:FileReference"))) return fetch_attachment(o, *ref_el, f);
  const std::string collection(op.child_text(tag("AirSync:CollectionId")));
  const std::string id(op.child_text(tag("AirSync:ServerId")));
  const auto item = id.empty() ? std::nullopt : o.s.store->find_item(o.ctx.mailbox, id);
  const auto props = item && (collection.empty() || item->folder_id == collection) ? mailbox::parse_message(item->mime)
                                                                                     : std::nullopt;
  f.add(tag("ItemOperations:Status"), props ? "1" : "6");  // 6: object not found
  if (!collection.empty()) f.add(tag("AirSync:CollectionId"), collection);
  f.add(tag("AirSync:ServerId"), id);
  if (!props) return;
  f.add(tag("AirSync:Class"), "Email");
  auto data = email_data(*item, *props, choose_body(op.child(tag("ItemOperations:Options"))), o.ctx.version);
  auto& p = f.add(tag("ItemOperations:Properties"));
  for (auto& child : data.children) p.add(std::move(child));
}

void empty_folder(operations& o, const element& op, element& responses) {
  const std::string collection(op.child_text(tag("AirSync:CollectionId")));
  auto& e = responses.add(tag("ItemOperations:EmptyFolderContents"));
  auto lock = o.s.mail.lock_items();
  const auto folders = o.s.folders.folders(o.ctx.mailbox);
  const bool exists = std::any_of(folders.begin(), folders.end(), [&](const mailbox::folder& f) { return f.server_id == collection; });
  e.add(tag("ItemOperations:Status"), exists ? "1" : "6");
  e.add(tag("AirSync:CollectionId"), collection);
  if (!exists) return;
  for (const auto& i : o.s.store->list_items(o.ctx.mailbox, collection)) o.s.store->delete_item(o.ctx.mailbox, i.item_id);
  o.touched.push_back(collection);
}

command_reply handle(const command_services& s, const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("ItemOperations:ItemOperations"));
  const element* root = request_root(ctx, tag("ItemOperations:ItemOperations"));
  if (root == nullptr) {
    out.add(tag("ItemOperations:Status"), "2");
    return reply;
  }
  operations o{s, ctx, ctx.query.accept_multipart};
  if (const auto* h = ctx.http != nullptr ? ctx.http->header("MS-ASAcceptMultiPart") : nullptr) o.multi = o.multi || *h == "T";
  out.add(tag("ItemOperations:Status"), "1");
  auto& responses = out.add(tag("ItemOperations:Response"));
  for (const auto& op : root->children) {
    if (op.tag == tag("ItemOperations:Fetch")) {
      fetch(o, op, responses);
    } else if (op.tag == tag("ItemOperations:EmptyFolderContents")) {
      empty_folder(o, op, responses);
    } else {
      responses.add(op.tag).add(tag("ItemOperations:Status"), "2");  // Move and others: not offered
    }
  }
  s.mail.changed(ctx.mailbox, o.touched);
  if (o.multi) {
    auto bytes = wbxml::encode(*reply.body);
    o.parts[0] = bytes ? std::move(*bytes) : std::string();
    reply.body.reset();
    reply.raw_body = multipart(o.parts);
    reply.content_type = "application/vnd.ms-sync.multipart";
  }
  return reply;
}

}  // namespace

command_registration item_operations(const command_services& s) {
  return {eas::command_id::item_operations, [s](const eas_context& ctx) { return handle(s, ctx); }, true};
}

}  // namespace easemu::server::commands
