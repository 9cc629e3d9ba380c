// The lab mailboxes: the list with policies and device counts, a mailbox's folders, a folder's
// messages (newest first), and putting a message into a mailbox (an RFC 822 message, or JSON that
// is composed into one).
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <algorithm>
#include <mutex>

#include "admin/api/resources.hpp"
#include "admin/api/or_answer.hpp"
#include "admin_json.hpp"
#include "easemu/common/base64.hpp"
#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/server/provisioning_service.hpp"
#include "easemu/server/router.hpp"  // lab_view
#include "easemu/store/store.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;
using admin_json::json_error;
using admin_json::json_response;
using admin_json::query_value;
using common::iequals;

struct services {
  mailbox_services lab;
  std::string domain;  // the default sender's
  logger_ptr log;
};

// The lab mailbox `address` names, case-insensitively.
or_answer<store::mailbox_record> find_mailbox(const store::store& store, const std::string& address) {
  for (auto& m : store.list_mailboxes()) {
    if (iequals(m.address, address)) return {std::move(m), {}};
  }
  return {std::nullopt, json_error(404, "no mailbox '" + address + "'")};
}

// The {address} of a GET of folders or messages. A path whose address does not decode to one
// without '/' names no mailbox's folders or messages: `not_a_mailbox` is the answer then.
or_answer<store::mailbox_record> mailbox_of(const services& s, const api_call& call, http_response not_a_mailbox) {
  const auto address = call.params.decoded("address");
  if (!address || address->empty() || address->find('/') != std::string::npos) return {std::nullopt, std::move(not_a_mailbox)};
  return find_mailbox(*s.lab.store, *address);
}

// GET /api/v1/mailboxes
http_response list_mailboxes(const services& s) {
  const auto devices = s.lab.store->list_devices();
  json::array out;
  for (const auto& m : s.lab.store->list_mailboxes()) {
    const auto policy = s.lab.provisioning.policy_for(m.address);
    const auto count = std::count_if(devices.begin(), devices.end(),
                                     [&](const store::device_record& d) { return iequals(d.mailbox, m.address); });
    out.push_back(json::object{{"address", m.address},
                               {"display_name", m.display_name},
                               {"policy", policy ? json::value(policy->name) : json::value(nullptr)},
                               {"activesync_enabled", m.activesync_enabled},
                               {"devices", count}});
  }
  return json_response(200, json::object{{"mailboxes", std::move(out)}});
}

// GET /api/v1/mailboxes/{address}/folders
http_response list_folders(const services& s, const api_call& call) {
  auto mb = mailbox_of(s, call, json_error(404, "no such admin resource"));
  if (!mb) return std::move(mb.answer);
  json::array out;
  for (const auto& f : s.lab.folders.folders(mb->address)) {
    out.push_back(json::object{{"id", f.server_id},
                               {"parent_id", f.parent_id},
                               {"name", f.display_name},
                               {"type", f.type},
                               {"count", static_cast<std::int64_t>(s.lab.store->list_items(mb->address, f.server_id).size())}});
  }
  return json_response(200, json::object{{"mailbox", mb->address}, {"folders", std::move(out)}});
}

json::object message_summary(const store::item_record& item) {
  const auto m = mailbox::parse_message(item.mime);
  const bool attachments =
      m && std::any_of(m->attachments.begin(), m->attachments.end(), [](const auto& a) { return !a.is_inline; });
  return json::object{{"item_id", item.item_id},
                      {"folder_id", item.folder_id},
                      {"from", m ? m->from : std::string()},
                      {"to", m ? m->to : std::string()},
                      {"subject", m ? m->subject : std::string()},
                      {"date", common::iso8601_utc(item.received_ms)},
                      {"read", item.read},
                      {"size", static_cast<std::int64_t>(item.mime.size())},
                      {"has_attachments", attachments}};
}

// GET /api/v1/mailboxes/{address}/messages?folder=<id or name>&limit=N: newest first.
http_response list_messages(const services& s, const api_call& call) {
  // Such a path was only ever the injection's (POST).
  auto mb = mailbox_of(s, call, json_error(405, "use POST with an RFC 822 message or a JSON message"));
  if (!mb) return std::move(mb.answer);
  const auto folders = s.lab.folders.folders(mb->address);
  const auto folder_param = query_value(call.http.query(), "folder");
  const auto folder = std::find_if(folders.begin(), folders.end(), [&](const mailbox::folder& f) {
    if (!folder_param || folder_param->empty()) return f.type == mailbox::inbox;
    return f.server_id == *folder_param || iequals(f.display_name, *folder_param);
  });
  if (folder == folders.end()) return json_error(404, "no folder '" + folder_param.value_or("Inbox") + "' in " + mb->address);
  std::size_t limit = 100;
  if (const auto l = query_value(call.http.query(), "limit")) {
    const auto n = admin_json::count_of(*l);
    if (!n || *n == 0) return json_error(400, "limit must be a number from 1 to 1000");
    limit = static_cast<std::size_t>(std::min<long long>(*n, 1000));
  }
  json::array out;
  for (const auto& summary : s.lab.store->list_items(mb->address, folder->server_id)) {
    if (out.size() >= limit) break;
    const auto item = s.lab.store->find_item(mb->address, summary.item_id);
    if (!item) continue;  // removed meanwhile
    out.push_back(message_summary(*item));
  }
  return json_response(200, json::object{{"mailbox", mb->address}, {"folder_id", folder->server_id}, {"messages", std::move(out)}});
}

// What a message to inject says besides its MIME text.
struct injection {
  std::string mime;
  std::string folder;  // name or id; empty: the Inbox
  bool read = false;
};

// ?folder=<name or id>, for either body form (the last one that decodes).
std::string folder_in_query(std::string_view q) {
  std::string folder;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const auto part = q.substr(0, amp);
    if (part.starts_with("folder=")) {
      if (auto v = eas::percent_decode(part.substr(7), eas::plus_rule::space)) folder = *v;
    }
    q.remove_prefix(amp == std::string_view::npos ? q.size() : amp + 1);
  }
  return folder;
}

std::string string_field(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// attachments: [{name, content_type, content_base64}]; an error message, empty when all are good.
std::string add_attachments(const json::object& o, mailbox::new_message& m) {
  const auto* atts = o.if_contains("attachments");
  if (atts == nullptr || !atts->is_array()) return {};
  for (const auto& a : atts->as_array()) {
    const auto* ao = a.if_object();
    if (ao == nullptr) return "attachments are objects {name, content_type, content_base64}";
    auto content = common::base64_decode(string_field(*ao, "content_base64"));
    if (!content) return "an attachment's content_base64 is not base64";
    const auto name = string_field(*ao, "name");
    const auto type = string_field(*ao, "content_type");
    m.attachments.push_back({name.empty() ? "attachment" : name, type.empty() ? "application/octet-stream" : type,
                             std::move(*content)});
  }
  return {};
}

// The JSON form {from, to, cc, subject, text, html, folder, read, attachments} composed into RFC 822.
or_answer<injection> compose_injection(const services& s, const std::string& mailbox, const std::string& body,
                                       injection in, std::int64_t now) {
  boost::system::error_code ec;
  const auto parsed = json::parse(body, ec);
  const auto* o = ec ? nullptr : parsed.if_object();
  if (o == nullptr) return {std::nullopt, json_error(400, "the body must be a JSON object")};
  mailbox::new_message m;
  m.from = string_field(*o, "from").empty() ? "easemu lab <postmaster@" + s.domain + ">" : string_field(*o, "from");
  m.to = string_field(*o, "to").empty() ? mailbox : string_field(*o, "to");
  m.cc = string_field(*o, "cc");
  m.subject = string_field(*o, "subject");
  m.text = string_field(*o, "text");
  m.html = string_field(*o, "html");
  if (m.text.empty() && m.html.empty()) m.text = " ";
  m.date_ms = now;
  if (auto error = add_attachments(*o, m); !error.empty()) return {std::nullopt, json_error(400, error)};
  if (!string_field(*o, "folder").empty()) in.folder = string_field(*o, "folder");
  if (const auto* r = o->if_contains("read"); r != nullptr && r->is_bool()) in.read = r->as_bool();
  in.mime = mailbox::compose_message(m);
  return {std::move(in), {}};
}

// POST /api/v1/mailboxes/{address}/messages
http_response inject_message(const services& s, const api_call& call) {
  const auto address = call.params.decoded("address");
  if (!address || address->empty()) return json_error(400, "bad mailbox address in the path");
  auto mb = find_mailbox(*s.lab.store, *address);
  if (!mb) return std::move(mb.answer);
  const auto now = common::now_ms();
  injection in{call.http.body, folder_in_query(call.http.query()), false};
  const auto* type = call.http.header("Content-Type");
  if (type != nullptr && type->find("json") != std::string::npos) {
    auto composed = compose_injection(s, mb->address, call.http.body, std::move(in), now);
    if (!composed) return std::move(composed.answer);
    in = std::move(*composed);
  }
  const auto d = s.lab.mail.deliver(mb->address, in.folder, in.mime, in.read, now);
  if (!d.error.empty()) return json_error(400, d.error);
  s.log->info("request={} message {} delivered to {} folder {}", call.http.request_id, d.item_id, mb->address, d.folder_id);
  return json_response(201, json::object{{"mailbox", mb->address}, {"folder_id", d.folder_id}, {"item_id", d.item_id}});
}

// Adding and removing mailboxes read the list and write it whole: one change at a time.
std::mutex& mailbox_edits() {
  static std::mutex m;
  return m;
}

// POST /api/v1/mailboxes {address, password, display_name?, policy?, activesync_enabled?}: a new
// lab mailbox that can log in at once (logins read the store's mailboxes at each request).
http_response add_mailbox(const services& s, const api_call& call) {
  boost::system::error_code ec;
  const auto parsed = json::parse(call.http.body, ec);
  const auto* o = ec ? nullptr : parsed.if_object();
  if (o == nullptr) return json_error(400, "the body must be a JSON object");
  store::mailbox_record mb;
  mb.address = common::ascii_lowercase(string_field(*o, "address"));
  mb.password = string_field(*o, "password");
  mb.display_name = string_field(*o, "display_name");
  mb.policy = string_field(*o, "policy");
  const auto at = mb.address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == mb.address.size() || mb.address.find_first_of(" /\\\"") != std::string::npos) {
    return json_error(400, "address must be user@domain");
  }
  if (mb.password.empty()) return json_error(400, "password is required");
  if (const auto* e = o->if_contains("activesync_enabled"); e != nullptr) {
    if (!e->is_bool()) return json_error(400, "activesync_enabled is true or false");
    mb.activesync_enabled = e->as_bool();
  }
  if (mb.display_name.empty()) mb.display_name = mb.address.substr(0, at);
  if (!mb.policy.empty()) {
    const auto policies = s.lab.store->list_policies();
    const auto known = std::find_if(policies.begin(), policies.end(),
                                    [&](const store::policy_record& p) { return iequals(p.name, mb.policy); });
    if (known == policies.end()) return json_error(400, "no policy '" + mb.policy + "'");
    mb.policy = known->name;
  }
  {
    std::lock_guard lock(mailbox_edits());
    auto all = s.lab.store->list_mailboxes();
    if (std::any_of(all.begin(), all.end(), [&](const store::mailbox_record& m) { return iequals(m.address, mb.address); })) {
      return json_error(409, "mailbox '" + mb.address + "' exists");
    }
    all.push_back(mb);
    s.lab.store->replace_mailboxes(all);
  }
  s.lab.provisioning.reload();
  s.log->info("request={} mailbox {} added through the admin API", call.http.request_id, mb.address);
  return json_response(201, json::object{{"address", mb.address},
                                         {"display_name", mb.display_name},
                                         {"policy", mb.policy.empty() ? json::value(nullptr) : json::value(mb.policy)},
                                         {"activesync_enabled", mb.activesync_enabled}});
}

// DELETE /api/v1/mailboxes/{address}: the mailbox can no longer log in (401 on its next request)
// and its held Pings and Syncs end (the provisioning reload ends the waits of mailboxes gone).
http_response remove_mailbox(const services& s, const api_call& call) {
  const auto address = call.params.decoded("address");
  if (!address || address->empty()) return json_error(400, "bad mailbox address in the path");
  std::string removed;
  {
    std::lock_guard lock(mailbox_edits());
    auto all = s.lab.store->list_mailboxes();
    const auto it = std::find_if(all.begin(), all.end(), [&](const store::mailbox_record& m) { return iequals(m.address, *address); });
    if (it == all.end()) return json_error(404, "no mailbox '" + *address + "'");
    removed = it->address;
    all.erase(it);
    s.lab.store->replace_mailboxes(all);
  }
  s.lab.provisioning.reload();
  s.log->info("request={} mailbox {} removed through the admin API", call.http.request_id, removed);
  return json_response(200, json::object{{"address", removed}, {"removed", true}});
}

}  // namespace

void add_mailbox_routes(route_table& t, const lab_view& lab, mailbox_services lab_services, logger_ptr log) {
  auto s = std::make_shared<const services>(services{std::move(lab_services), lab.domain, std::move(log)});
  t.add({{"GET"}, "/api/v1/mailboxes", [s](const api_call&) { return list_mailboxes(*s); }});
  t.add({{"POST"}, "/api/v1/mailboxes", [s](const api_call& c) { return add_mailbox(*s, c); }});
  t.add({{"DELETE"}, "/api/v1/mailboxes/{address}", [s](const api_call& c) { return remove_mailbox(*s, c); }});
  t.add({{"GET"}, "/api/v1/mailboxes/{address}/folders", [s](const api_call& c) { return list_folders(*s, c); }});
  t.add({{"POST"}, "/api/v1/mailboxes/{address}/messages", [s](const api_call& c) { return inject_message(*s, c); },
         "use POST with an RFC 822 message or a JSON message"});
  t.add({{"GET"}, "/api/v1/mailboxes/{address}/messages", [s](const api_call& c) { return list_messages(*s, c); }});
}

}  // namespace easemu::server::admin
