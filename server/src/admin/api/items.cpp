// Calendar, contact, task and note items of a lab mailbox as JSON: list a folder's, add one,
// change some of its properties, delete one. What the server changes here reaches the phones at
// their next Sync as Commands Add, Change and Delete (and wakes their Pings). The JSON names are
// the properties' own (MS-ASCAL, MS-ASCNTC, MS-ASTASK, MS-ASNOTE element names); every property
// goes through the same check as a phone's Add (mailbox/pim.hpp).
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <date/tz.h>

#include <algorithm>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"
#include "easemu/common/base64.hpp"
#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/mailbox/pim.hpp"
#include "easemu/mailbox/timezone.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;
namespace pim = mailbox::pim;
using admin_json::json_error;
using admin_json::json_response;
using admin_json::query_value;
using common::iequals;
using wbxml::element;
using wbxml::tag;

struct answer_or_error {
  std::optional<element> value;
  std::string error;
};

std::string tag_name(wbxml::tag_id t) {
  const auto* info = wbxml::find_tag(t);
  return info != nullptr ? std::string(info->name) : std::string();
}

std::optional<std::string> scalar(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return std::string(v.as_bool() ? "1" : "0");
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  return std::nullopt;
}

// An element on `page` (or AirSyncBase, inside a calendar exception) from a JSON name and value:
// a scalar is its text, an array of scalars a list of `item`s... kept to what the classes have.
std::optional<element> named(std::uint8_t page, const std::string& name, const json::value& v) {
  const auto* t = wbxml::find_tag(page, std::string_view(name));
  if (t == nullptr) t = wbxml::find_tag(tag("AirSyncBase:Body").page, std::string_view(name));
  if (t == nullptr) return std::nullopt;
  element e(wbxml::tag_id{t->page, t->token});
  if (auto text = scalar(v)) {
    e.kind = wbxml::content_kind::text;
    e.value = *text;
    return e;
  }
  if (const auto* o = v.if_object()) {
    for (const auto& [k, child] : *o) {
      auto c = named(page, std::string(k), child);
      if (!c) return std::nullopt;
      e.children.push_back(std::move(*c));
    }
    return e;
  }
  return std::nullopt;
}

// The year of a compact date-time (20261210T090000Z).
std::optional<int> mailbox_year(const std::string& text) {
  int year = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    year = year * 10 + (text[i] - '0');
  }
  return year;
}

int current_year() {
  return static_cast<int>(date::year_month_day{date::floor<date::days>(std::chrono::system_clock::now())}.year());
}

// The JSON properties as a phone at 16.1 would send them; then the phone's checks apply.
answer_or_error from_json(pim::item_class cls, const json::object& props) {
  element data(tag("AirSync:ApplicationData"));
  for (const auto& [key, v] : props) {
    const std::string name(key);
    if (name == "Body") {
      const auto text = scalar(v);
      if (!text) return {std::nullopt, "Body is a string"};
      auto& b = data.add(tag("AirSyncBase:Body"));
      b.add(tag("AirSyncBase:Type"), "1");
      b.add(tag("AirSyncBase:Data"), *text);
      continue;
    }
    if (name == "Location" && cls == pim::item_class::calendar) {
      const auto text = scalar(v);
      if (!text) return {std::nullopt, "Location is a string"};
      data.add(tag("AirSyncBase:Location")).add(tag("AirSyncBase:DisplayName"), *text);
      continue;
    }
    if (name == "TimeZone" && cls == pim::item_class::calendar) {
      // An IANA zone: the blob of the rule in force in the event's year (MS-ASDTYPE 2.7.6).
      const auto zone = scalar(v);
      const date::time_zone* found = nullptr;
      try {
        if (zone) found = date::locate_zone(*zone);
      } catch (const std::runtime_error&) {
      }
      if (found == nullptr) return {std::nullopt, "TimeZone is an IANA zone name such as Europe/Berlin"};
      const auto* start = props.if_contains("StartTime");
      const auto start_text = start != nullptr ? scalar(*start).value_or("") : std::string();
      const auto year = start_text.size() >= 4 ? mailbox_year(start_text) : std::nullopt;
      const auto rule = mailbox::tz::rule_for(*found, year.value_or(current_year()));
      data.add(tag("Calendar:Timezone"), common::base64_encode(mailbox::tz::encode(rule)));
      continue;
    }
    const auto* p = pim::find_property(cls, std::string_view(name));
    if (p == nullptr) return {std::nullopt, "no property '" + name + "' in the " + std::string(pim::class_name(cls)) + " class"};
    element e(p->tag);
    if (p->kind == pim::property_kind::list) {
      if (!v.is_array()) return {std::nullopt, name + " is an array"};
      for (const auto& entry : v.as_array()) {
        element item(*p->item);
        if (auto text = scalar(entry)) {
          item.kind = wbxml::content_kind::text;
          item.value = *text;
        } else if (const auto* o = entry.if_object()) {
          for (const auto& [k, child] : *o) {
            auto c = named(p->tag.page, std::string(k), child);
            if (!c) return {std::nullopt, "'" + std::string(k) + "' is not a part of " + tag_name(*p->item)};
            item.children.push_back(std::move(*c));
          }
        } else {
          return {std::nullopt, name + " holds strings or objects"};
        }
        e.children.push_back(std::move(item));
      }
    } else if (p->kind == pim::property_kind::container) {
      const auto* o = v.if_object();
      if (o == nullptr) return {std::nullopt, name + " is an object"};
      for (const auto& [k, child] : *o) {
        auto c = named(p->tag.page, std::string(k), child);
        if (!c) return {std::nullopt, "'" + std::string(k) + "' is not a part of " + name};
        e.children.push_back(std::move(*c));
      }
    } else {
      auto text = scalar(v);
      if (!text) return {std::nullopt, name + " is a string, number or boolean"};
      e.kind = wbxml::content_kind::text;
      e.value = std::move(*text);
    }
    data.children.push_back(std::move(e));
  }
  auto read = pim::from_device(cls, data, protocol_version::v16_1);
  if (!read.properties) return {std::nullopt, read.error};
  return {std::move(read.properties), {}};
}

json::value value_of(const element& e) {
  if (e.children.empty()) return json::value(e.value);
  // A list of repeated elements (Categories, Attendees) or named parts (Recurrence, an Attendee).
  const bool repeated = e.children.size() > 1 && std::all_of(e.children.begin(), e.children.end(),
                                                             [&](const element& c) { return c.tag == e.children[0].tag; });
  const auto* p = wbxml::find_tag(e.tag);
  const bool list_name = p != nullptr && (p->name == "Categories" || p->name == "Attendees" || p->name == "Children" ||
                                          p->name == "Exceptions");
  if (repeated || list_name) {
    json::array out;
    for (const auto& c : e.children) out.push_back(value_of(c));
    return out;
  }
  json::object out;
  for (const auto& c : e.children) out[tag_name(c.tag)] = value_of(c);
  return out;
}

json::object to_json(const element& props) {
  json::object out;
  for (const auto& e : props.children) {
    if (e.tag == tag("AirSyncBase:Body")) {
      out["Body"] = std::string(e.child_text(tag("AirSyncBase:Data")));
    } else if (e.tag == tag("AirSyncBase:Location")) {
      out["Location"] = std::string(e.child_text(tag("AirSyncBase:DisplayName")));
    } else {
      out[tag_name(e.tag)] = value_of(e);
    }
  }
  return out;
}

struct services {
  mailbox_services lab;
  logger_ptr log;
};

struct target {
  std::string mailbox;
  mailbox::folder folder;
  pim::item_class cls;
};

// The mailbox of the path and a calendar, contacts, tasks or notes folder by id or name.
std::optional<target> find_target(const services& s, const std::string& address, const std::string& folder_name,
                                  http_response& error) {
  std::optional<store::mailbox_record> mb;
  for (auto& m : s.lab.store->list_mailboxes()) {
    if (iequals(m.address, address)) mb = std::move(m);
  }
  if (!mb) {
    error = json_error(404, "no mailbox '" + address + "'");
    return std::nullopt;
  }
  for (const auto& f : s.lab.folders.folders(mb->address)) {
    if (f.server_id != folder_name && !iequals(f.display_name, folder_name)) continue;
    const auto cls = pim::class_of(f.type);
    if (!cls) {
      error = json_error(400, "'" + f.display_name + "' is a mail folder: use /messages");
      return std::nullopt;
    }
    return target{mb->address, f, *cls};
  }
  error = json_error(404, "no folder '" + folder_name + "' in " + mb->address);
  return std::nullopt;
}

json::object item_json(const store::item_record& item, pim::item_class cls) {
  const auto props = pim::parse(item.properties);
  return json::object{{"item_id", item.item_id},
                      {"folder_id", item.folder_id},
                      {"class", std::string(pim::class_name(cls))},
                      {"properties", props ? to_json(*props) : json::object()}};
}

std::optional<json::object> body_object(const api_call& call) {
  boost::system::error_code ec;
  auto parsed = json::parse(call.http.body, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  return std::move(parsed.as_object());
}

// GET /api/v1/mailboxes/{address}/items?folder=Contacts; without a folder, every calendar,
// contacts, tasks and notes folder's.
http_response list_items(const services& s, const api_call& call) {
  http_response error;
  const auto address = call.params.decoded("address").value_or("");
  const auto folder = query_value(call.http.query(), "folder");
  std::vector<target> targets;
  if (folder && !folder->empty()) {
    auto t = find_target(s, address, *folder, error);
    if (!t) return error;
    targets.push_back(std::move(*t));
  } else {
    std::optional<std::string> mailbox;
    for (const auto& m : s.lab.store->list_mailboxes()) {
      if (iequals(m.address, address)) mailbox = m.address;
    }
    if (!mailbox) return json_error(404, "no mailbox '" + address + "'");
    for (const auto& f : s.lab.folders.folders(*mailbox)) {
      if (const auto cls = pim::class_of(f.type)) targets.push_back({*mailbox, f, *cls});
    }
  }
  if (targets.empty()) return json_error(404, "no mailbox '" + address + "'");
  json::array out;
  for (const auto& t : targets) {
    for (const auto& summary : s.lab.store->list_items(t.mailbox, t.folder.server_id)) {
      if (const auto item = s.lab.store->find_item(t.mailbox, summary.item_id)) out.push_back(item_json(*item, t.cls));
    }
  }
  json::object answer{{"mailbox", targets.front().mailbox}, {"items", std::move(out)}};
  if (targets.size() == 1) answer["folder_id"] = targets.front().folder.server_id;
  return json_response(200, answer);
}

// POST /api/v1/mailboxes/{address}/items {"folder": "Contacts", "properties": {...}}
http_response add_item(const services& s, const api_call& call) {
  const auto body = body_object(call);
  if (!body) return json_error(400, "the body must be a JSON object {folder, properties}");
  const auto* folder = body->if_contains("folder");
  const auto* props = body->if_contains("properties");
  if (folder == nullptr || !folder->is_string()) return json_error(400, "folder is required (Calendar, Contacts, Tasks, Notes or an id)");
  if (props == nullptr || !props->is_object()) return json_error(400, "properties is a JSON object");
  http_response error;
  const auto t = find_target(s, call.params.decoded("address").value_or(""), std::string(folder->as_string()), error);
  if (!t) return error;
  auto read = from_json(t->cls, props->as_object());
  if (!read.value) return json_error(400, read.error);
  store::item_record item;
  {
    auto lock = s.lab.mail.lock_items();
    item.item_id = s.lab.mail.next_item_id(t->mailbox, t->folder.server_id);
    item.folder_id = t->folder.server_id;
    item.version = 1;
    item.received_ms = common::now_ms();
    item.properties = pim::serialize(*read.value);
    s.lab.store->put_items(t->mailbox, {item});
  }
  s.lab.mail.changed(t->mailbox, {t->folder.server_id});
  s.log->info("request={} {} item {} added to {}", call.http.request_id, pim::class_name(t->cls), item.item_id, t->mailbox);
  return json_response(201, item_json(item, t->cls));
}

// The item of the path with its folder; the answer when there is none.
struct found_item {
  store::item_record item;
  target where;
};
std::optional<found_item> find_pim_item(const services& s, const api_call& call, http_response& error) {
  const auto address = call.params.decoded("address").value_or("");
  const auto id = call.params.decoded("item").value_or("");
  std::optional<store::mailbox_record> mb;
  for (auto& m : s.lab.store->list_mailboxes()) {
    if (iequals(m.address, address)) mb = std::move(m);
  }
  auto item = mb ? s.lab.store->find_item(mb->address, id) : std::nullopt;
  if (!item || item->properties.empty()) {
    error = json_error(404, "no calendar, contact, task or note item '" + id + "' in '" + address + "'");
    return std::nullopt;
  }
  auto t = find_target(s, mb->address, item->folder_id, error);
  if (!t) return std::nullopt;
  return found_item{std::move(*item), std::move(*t)};
}

// PUT /api/v1/mailboxes/{address}/items/{item} {"properties": {...}}: the named properties are
// replaced, a null removes one, the others stay.
http_response change_item(const services& s, const api_call& call) {
  const auto body = body_object(call);
  const auto* props = body ? body->if_contains("properties") : nullptr;
  if (props == nullptr || !props->is_object()) return json_error(400, "the body must be a JSON object {properties}");
  http_response error;
  json::object set;
  std::vector<std::string> removed;
  for (const auto& [k, v] : props->as_object()) {
    if (v.is_null()) {
      removed.emplace_back(k);
    } else {
      set[k] = v;
    }
  }
  store::item_record item;
  pim::item_class cls{};
  std::string mailbox;
  {
    auto lock = s.lab.mail.lock_items();
    auto found = find_pim_item(s, call, error);
    if (!found) return error;
    cls = found->where.cls;
    auto read = from_json(cls, set);
    if (!read.value) return json_error(400, read.error);
    auto kept = pim::parse(found->item.properties).value_or(element(tag("AirSync:ApplicationData")));
    std::erase_if(kept.children, [&](const element& e) {
      const auto name = e.tag == tag("AirSyncBase:Body") ? std::string("Body")
                        : e.tag == tag("AirSyncBase:Location") ? std::string("Location")
                                                               : tag_name(e.tag);
      return std::find(removed.begin(), removed.end(), name) != removed.end() ||
             std::any_of(read.value->children.begin(), read.value->children.end(), [&](const element& x) { return x.tag == e.tag; });
    });
    for (auto& e : read.value->children) kept.children.push_back(std::move(e));
    item = std::move(found->item);
    item.properties = pim::serialize(kept);
    ++item.version;
    s.lab.store->put_items(found->where.mailbox, {item});
    mailbox = found->where.mailbox;
  }
  s.lab.mail.changed(mailbox, {item.folder_id});
  s.log->info("request={} item {} changed", call.http.request_id, item.item_id);
  return json_response(200, item_json(item, cls));
}

// DELETE /api/v1/mailboxes/{address}/items/{item}
http_response delete_item(const services& s, const api_call& call) {
  http_response error;
  std::string mailbox;
  std::string folder;
  {
    auto lock = s.lab.mail.lock_items();
    auto found = find_pim_item(s, call, error);
    if (!found) return error;
    s.lab.store->delete_item(found->where.mailbox, found->item.item_id);
    mailbox = found->where.mailbox;
    folder = found->item.folder_id;
  }
  s.lab.mail.changed(mailbox, {folder});
  const auto id = call.params.decoded("item").value_or("");
  s.log->info("request={} item {} deleted from {}", call.http.request_id, id, mailbox);
  return json_response(200, json::object{{"item_id", id}, {"deleted", true}});
}

}  // namespace

void add_item_routes(route_table& t, mailbox_services lab_services, logger_ptr log) {
  auto s = std::make_shared<const services>(services{std::move(lab_services), std::move(log)});
  t.add({{"GET"}, "/api/v1/mailboxes/{address}/items", [s](const api_call& c) { return list_items(*s, c); }});
  t.add({{"POST"}, "/api/v1/mailboxes/{address}/items", [s](const api_call& c) { return add_item(*s, c); }});
  t.add({{"PUT"}, "/api/v1/mailboxes/{address}/items/{item}", [s](const api_call& c) { return change_item(*s, c); }});
  t.add({{"DELETE"}, "/api/v1/mailboxes/{address}/items/{item}", [s](const api_call& c) { return delete_item(*s, c); }});
}

}  // namespace easemu::server::admin
