#include "drafts.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "easemu/common/time.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/server/mail_service.hpp"
#include "mail_common.hpp"

namespace easemu::server::commands::drafts {

namespace {

using wbxml::element;
using wbxml::tag;

// Sync Status (MS-ASCMD 2.2.3.177.17) and the common ones (2.2.2).
constexpr const char* ok = "1";
constexpr const char* conversion_error = "6";  // the item could not be made of what was sent
constexpr const char* not_found = "8";          // a FileReference the draft does not have
constexpr const char* attachment_too_large = "122";

// What a draft is made of, read from its message and changed by the device.
struct draft {
  mailbox::new_message m;
};

draft read_draft(const store::item_record& item) {
  draft d;
  const auto p = mailbox::parse_message(item.mime);
  if (!p) return d;
  d.m.from = p->from;
  d.m.to = p->to;
  d.m.cc = p->cc;
  d.m.bcc = p->bcc;
  d.m.subject = p->subject;
  d.m.text = p->text_body;
  d.m.html = p->html_body;
  d.m.importance = p->importance;
  d.m.date_ms = p->date_ms;
  for (std::size_t i = 0; i < p->attachments.size(); ++i) {
    const auto& a = p->attachments[i];
    d.m.attachments.push_back({a.file_name, a.content_type, mailbox::attachment_content(item.mime, i).value_or("")});
  }
  return d;
}

struct applied {
  std::string status = ok;
  std::string why;
  std::vector<std::pair<std::string, std::size_t>> added;  // ClientId, index
};

// The properties a device may set on a draft (MS-ASEMAIL 2.2.2; email2:IsDraft is the server's,
// 2.2.2.42, and is ignored when a client sends it), and its attachments.
applied apply(const element& data, draft& d, const std::string& item_id) {
  applied out;
  const auto text = [&](wbxml::tag_id t, std::string& field) {
    if (const auto* e = data.child(t)) field = e->value;
  };
  text(tag("Email:To"), d.m.to);
  text(tag("Email:Cc"), d.m.cc);
  text(tag("Email2:Bcc"), d.m.bcc);
  text(tag("Email:Subject"), d.m.subject);
  if (const auto* imp = data.child(tag("Email:Importance"))) {
    const auto v = mail_common::number(imp->value);
    d.m.importance = v && *v <= 2 ? static_cast<int>(*v) : 1;
  }
  // MS-ASAIRS 2.2.2.9: Type 1 plain text, 2 HTML; RTF (3) and MIME (4) are not a draft's body here.
  if (const auto* body = data.child(tag("AirSyncBase:Body"))) {
    const auto type = body->child_text(tag("AirSyncBase:Type"));
    const std::string content(body->child_text(tag("AirSyncBase:Data")));
    if (type == "1") {
      d.m.text = content;
      d.m.html.clear();
    } else if (type == "2") {
      d.m.html = content;
      d.m.text.clear();
    } else {
      out.status = conversion_error;
      out.why = "body type " + std::string(type);
      return out;
    }
  }
  const auto* atts = data.child(tag("AirSyncBase:Attachments"));
  if (atts == nullptr) return out;
  // Deletes first, by the positions the device knows (MS-ASAIRS 2.2.2.21), then the adds.
  std::vector<std::size_t> doomed;
  for (const auto& del : atts->children) {
    if (del.tag != tag("AirSyncBase:Delete")) continue;
    const auto ref = mail_common::split_file_reference(del.child_text(tag("AirSyncBase:FileReference")));
    if (!ref || ref->first != item_id || ref->second >= d.m.attachments.size()) {
      out.status = not_found;
      out.why = "no attachment " + std::string(del.child_text(tag("AirSyncBase:FileReference")));
      return out;
    }
    doomed.push_back(ref->second);
  }
  std::sort(doomed.rbegin(), doomed.rend());
  doomed.erase(std::unique(doomed.begin(), doomed.end()), doomed.end());
  for (auto i : doomed) d.m.attachments.erase(d.m.attachments.begin() + static_cast<std::ptrdiff_t>(i));
  for (const auto& add : atts->children) {
    if (add.tag != tag("AirSyncBase:Add")) continue;
    const std::string client_id(add.child_text(tag("AirSyncBase:ClientId")));
    const auto* content = add.child(tag("AirSyncBase:Content"));
    if (client_id.empty() || content == nullptr) {
      out.status = conversion_error;
      out.why = "an attachment Add without ClientId or Content";
      return out;
    }
    if (content->value.size() > max_attachment_size) {
      out.status = attachment_too_large;
      out.why = "attachment of " + std::to_string(content->value.size()) + " bytes";
      return out;
    }
    std::string type(add.child_text(tag("AirSyncBase:ContentType")));
    std::string name(add.child_text(tag("AirSyncBase:DisplayName")));
    d.m.attachments.push_back({name.empty() ? "attachment" : name, type.empty() ? "application/octet-stream" : type, content->value});
    out.added.emplace_back(client_id, d.m.attachments.size() - 1);
  }
  return out;
}

// The Send child of the Add or Change (MS-ASCMD 2.2.3.7.2), also accepted inside ApplicationData.
bool wants_send(const element& cmd) {
  if (cmd.child(tag("Email2:Send")) != nullptr) return true;
  const auto* data = cmd.child(tag("AirSync:ApplicationData"));
  return data != nullptr && data->child(tag("Email2:Send")) != nullptr;
}

// The attachments' ClientId -> FileReference, in the response's ApplicationData (MS-ASAIRS
// 2.2.2.7: Attachment with ClientId and FileReference in a Responses element).
void add_file_references(element& response, const std::string& item_id, const applied& a) {
  if (a.added.empty()) return;
  auto& list = response.add(tag("AirSync:ApplicationData")).add(tag("AirSyncBase:Attachments"));
  for (const auto& [client_id, index] : a.added) {
    auto& att = list.add(tag("AirSyncBase:Attachment"));
    att.add(tag("AirSyncBase:ClientId"), client_id);
    att.add(tag("AirSyncBase:FileReference"), item_id + ":" + std::to_string(index));
  }
}

outcome finish(const command_services& s, const eas_context& ctx, element response, store::item_record item, draft& d,
               const applied& a, bool send) {
  outcome out;
  if (a.status != ok) {
    s.log->info("request={} user={} draft {} refused (Status {}): {}", ctx.request_id(), ctx.mailbox, item.item_id,
                a.status, a.why);
    response.add(tag("AirSync:Status"), a.status);
    out.response = std::move(response);
    out.answer = true;
    return out;
  }
  if (d.m.text.empty() && d.m.html.empty()) d.m.text = " ";
  item.mime = mailbox::compose_message(d.m);
  item.read = true;
  response.add(tag("AirSync:Status"), ok);
  add_file_references(response, item.item_id, a);
  out.response = std::move(response);
  // An Add is always answered; a Change only when it has FileReferences to tell.
  out.answer = out.response.tag == tag("AirSync:Add") || !a.added.empty();
  if (send) {
    // MS-ASEMAIL 2.2.2.69: the draft is sent; it leaves Drafts (the device's next Sync of Drafts
    // shows a Delete) and a copy lands in Sent Items.
    s.store->delete_item(ctx.mailbox, item.item_id);
    out.send = std::move(item.mime);
    s.log->info("request={} user={} draft {} sent", ctx.request_id(), ctx.mailbox, item.item_id);
    return out;
  }
  s.store->put_items(ctx.mailbox, {item});
  out.kept = std::move(item);
  return out;
}

}  // namespace

outcome add(const command_services& s, const eas_context& ctx, const std::string& folder_id, const element& cmd) {
  element response(tag("AirSync:Add"));
  response.add(tag("AirSync:ClientId"), std::string(cmd.child_text(tag("AirSync:ClientId"))));
  store::item_record item;
  item.item_id = s.mail.next_item_id(ctx.mailbox, folder_id);
  item.folder_id = folder_id;
  item.version = 1;
  item.received_ms = common::now_ms();
  response.add(tag("AirSync:ServerId"), item.item_id);
  draft d;
  // The sender is the mailbox (the server fills From, as Exchange does for the owner).
  d.m.from = ctx.mailbox;
  for (const auto& m : s.store->list_mailboxes()) {
    if (m.address == ctx.mailbox && !m.display_name.empty()) d.m.from = m.display_name + " <" + m.address + ">";
  }
  d.m.date_ms = item.received_ms;
  const auto* data = cmd.child(tag("AirSync:ApplicationData"));
  const auto a = data != nullptr ? apply(*data, d, item.item_id) : applied{conversion_error, "no ApplicationData", {}};
  if (a.status != ok) response.children.pop_back();  // no ServerId for an item that was not made
  return finish(s, ctx, std::move(response), std::move(item), d, a, wants_send(cmd));
}

outcome change(const command_services& s, const eas_context& ctx, store::item_record item, const element& cmd) {
  element response(tag("AirSync:Change"));
  response.add(tag("AirSync:ServerId"), item.item_id);
  auto d = read_draft(item);
  const auto* data = cmd.child(tag("AirSync:ApplicationData"));
  const auto a = data != nullptr ? apply(*data, d, item.item_id) : applied{};
  ++item.version;
  return finish(s, ctx, std::move(response), std::move(item), d, a, wants_send(cmd));
}

}  // namespace easemu::server::commands::drafts
