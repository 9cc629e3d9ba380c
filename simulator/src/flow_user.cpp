// What the phone's user does once the account syncs: sends a message and searches the mailbox,
// each the way the profile's device does it (phone::send_path, phone::search_command). A step
// that does not go through marks the result (flow_result::user_action_failed) without undoing
// the sync.
#include <random>

#include "easemu/common/text.hpp"
#include "flow.hpp"

namespace easemu::simulator::detail {

namespace {

using wbxml::tag;
using enum protocol_version;

constexpr int max_search_results = 50;

std::string random_hex(std::size_t digits) {
  static constexpr char hex[] = "0123456789abcdef";
  std::random_device rd;
  std::string out;
  for (std::size_t i = 0; i < digits; ++i) out += hex[rd() % 16];
  return out;
}

// A SearchId is a GUID (MS-ASCMD 2.2.3.158).
std::string new_search_id() {
  const auto h = random_hex(32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

const wbxml::element* collection_of(const wbxml::element& sync) {
  const auto* collections = sync.child(tag("AirSync:Collections"));
  return collections != nullptr ? collections->child(tag("AirSync:Collection")) : nullptr;
}

const wbxml::element* child_path(const wbxml::element* e, std::initializer_list<wbxml::tag_id> path) {
  for (const auto t : path) {
    if (e == nullptr) return nullptr;
    e = e->child(t);
  }
  return e;
}

int number(std::string_view text) { return common::parse_decimal<int>(text).value_or(0); }

}  // namespace

void flow::user_actions() {
  if (o_.send && !send_message()) res_.user_action_failed = true;
  if (!o_.search.empty() && !search_mailbox()) res_.user_action_failed = true;
}

void flow::user_failed(int eas_status) {
  auto& step = res_.steps.back();
  step.ok = false;
  if (eas_status != 0) step.eas_status = eas_status;
}

bool flow::send_message() {
  auto m = *o_.send;
  m.from = o_.user;
  // Drafts through Sync are 16.0 and later (MS-ASCMD 2.2.3.7.2); before, a 16.x client sends as
  // every client does, with SendMail.
  if (p_.sends_with == phone::send_path::drafts && *res_.version >= v16_0) return send_draft(m);
  return send_mail(m);
}

// The collection's SyncKey when its Status is 1 (MS-ASCMD 2.2.3.177.17); else the step fails.
std::optional<std::string> flow::sync_key_of(const wbxml::element& sync) {
  const auto* c = collection_of(sync);
  const int s = c != nullptr ? number(c->child_text(tag("AirSync:Status"))) : status_of(sync);
  res_.steps.back().eas_status = s;
  if (c == nullptr || s != 1) {
    user_failed(s);
    return std::nullopt;
  }
  return std::string(c->child_text(tag("AirSync:SyncKey")));
}

// The draft is written into Drafts (Sync Add, with its attachment), then sent by a Change that
// carries email2:Send (MS-ASEMAIL 2.2.2.69); the server answers that Sync with a Delete of the
// draft, which has left Drafts.
bool flow::send_draft(const outgoing_mail& m) {
  if (drafts_.empty()) {
    note_step("Sync (draft Add)", false, "no Drafts folder (Type 3) in the hierarchy");
    return false;
  }
  const auto first = command("Sync (Drafts)", "Sync", sync_request(drafts_, "0", false, *res_.version));
  if (!first) return false;
  auto key = sync_key_of(*first);
  if (!key) return false;

  const auto client_id = random_hex(8);
  const auto added = command("Sync (draft Add)", "Sync", draft_add_request(drafts_, *key, client_id, m));
  if (!added) return false;
  key = sync_key_of(*added);
  if (!key) return false;
  const auto* add = child_path(collection_of(*added), {tag("AirSync:Responses"), tag("AirSync:Add")});
  const int add_status = add != nullptr ? number(add->child_text(tag("AirSync:Status"))) : 0;
  if (add == nullptr || add_status != 1) {
    user_failed(add_status);
    if (const auto name = phone::eas_status_name(add_status); !name.empty()) res_.steps.back().note = std::string(name);
    return false;
  }
  const std::string server_id(add->child_text(tag("AirSync:ServerId")));
  auto& add_step = res_.steps.back();
  add_step.note = "draft " + server_id;
  if (const auto* a = child_path(add, {tag("AirSync:ApplicationData"), tag("AirSyncBase:Attachments"),
                                       tag("AirSyncBase:Attachment")})) {
    add_step.note += ", attachment " + std::string(a->child_text(tag("AirSyncBase:FileReference")));
  }

  const auto sent = command("Sync (draft Send)", "Sync", draft_send_request(drafts_, *key, server_id));
  if (!sent) return false;
  if (!sync_key_of(*sent)) return false;
  const auto* c = collection_of(*sent);
  if (const auto* change = child_path(c, {tag("AirSync:Responses"), tag("AirSync:Change")})) {
    user_failed(number(change->child_text(tag("AirSync:Status"))));
    return false;
  }
  const auto* deleted = child_path(c, {tag("AirSync:Commands"), tag("AirSync:Delete")});
  const bool left = deleted != nullptr && deleted->child_text(tag("AirSync:ServerId")) == server_id;
  res_.steps.back().note = left ? "sent; the draft left Drafts" : "sent";
  res_.sent = true;
  return true;
}

// SendMail (MS-ASCMD 2.2.1.17): from 14.0 a ComposeMail document with the message as Mime, before
// the message itself as a message/rfc822 body with SaveInSent=T (MS-ASHTTP 2.2.1.1.1.2.5). An
// empty 200 is success; a body carries the failure's Status.
bool flow::send_mail(const outgoing_mail& m) {
  const auto mime = mime_of(m);
  std::optional<wbxml::element> reply;
  if (*res_.version >= v14_0) {
    const auto p = wbxml_payload("SendMail", send_mail_request(random_hex(8), mime));
    if (!p) return false;
    reply = command("SendMail", "SendMail", *p, true);
  } else {
    reply = command("SendMail", "SendMail", payload{mime, "message/rfc822", true}, true);
  }
  if (!reply) return false;
  if (const int s = status_of(*reply); s != 0 && s != 1) {  // 0: the empty 200
    user_failed(s);
    return false;
  }
  res_.steps.back().note = "sent";
  res_.sent = true;
  return true;
}

// Find at 16.1 for the profiles that search with it (MS-ASCMD 2.2.1.2), else Search of the
// mailbox (2.2.1.16). The step's note gives the Total.
bool flow::search_mailbox() {
  const bool find = p_.searches_with == phone::search_command::find && *res_.version >= v16_1;
  const auto reply = find ? command("Find", "Find", find_request(new_search_id(), o_.search, max_search_results))
                          : command("Search", "Search", search_request(o_.search, max_search_results));
  if (!reply) return false;
  // The command's Status, then the one of its result set (Find: Response/Status, 2.2.3.177.2;
  // Search: Response/Store/Status, 2.2.3.177.13).
  const auto* results = find ? reply->child(tag("Find:Response"))
                             : child_path(&*reply, {tag("Search:Response"), tag("Search:Store")});
  int s = status_of(*reply);
  if (s == 1 && results != nullptr) s = status_of(*results);
  res_.steps.back().eas_status = s;
  if (s != 1 || results == nullptr) {
    user_failed(s);
    return false;
  }
  const int total = number(results->child_text(find ? tag("Find:Total") : tag("Search:Total")));
  res_.found = total;
  res_.steps.back().note = std::to_string(total) + " result(s) for '" + o_.search + "'";
  return true;
}

}  // namespace easemu::simulator::detail
