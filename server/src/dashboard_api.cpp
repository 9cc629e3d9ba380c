// The admin API the web dashboard reads beyond the device calls: the live feed (server-sent
// events with one-shot tickets), the request journal (a list, one entry, newer than an id,
// summaries), mailbox contents, and policies with each built-in phone's verdict on them.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "admin_json.hpp"
#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/eas/command.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/server/router.hpp"
#include "easemu/phone/policy_check.hpp"
#include "easemu/phone/profile.hpp"
#include "easemu/store/journal_writer.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server {

namespace {

using admin_json::json_error;
using admin_json::json_response;
using admin_json::query_value;
using common::iequals;
namespace json = boost::json;
namespace prov = easemu::provisioning;  // unqualified, `provisioning` names router::provisioning()

// The fault a journal entry records in front of its response ("f1: HTTP 503"), or "".
std::string_view journal_fault(std::string_view response_xml) {
  const std::string_view prefix = store::journal_fault_comment;
  if (!response_xml.starts_with(prefix)) return {};
  const auto end = response_xml.find(" -->");
  if (end == std::string_view::npos) return {};
  return response_xml.substr(prefix.size(), end - prefix.size());
}

enum class journal_detail {
  summary,  // no bodies (the live feed, ?summary=1)
  list,     // with the decoded bodies (GET /api/v1/journal)
  entry,    // bodies and, when recorded, the HTTP headers (GET /api/v1/journal/{id})
};

json::object journal_json(const store::journal_entry& e, journal_detail detail) {
  json::object o{
      {"id", e.id},
      {"time", common::iso8601_utc(e.time_ms)},
      {"user", e.user},
      {"device_id", e.device_id},
      {"device_type", e.device_type},
      {"command", e.command},
      {"protocol_version", e.protocol_version},
      {"http_status", e.http_status},
      {"eas_status", e.eas_status},
      {"duration_ms", e.duration_ms},
  };
  if (const auto fault = journal_fault(e.response_xml); !fault.empty()) o["fault"] = fault;
  if (detail == journal_detail::summary) return o;
  o["request_xml"] = e.request_xml;
  o["response_xml"] = e.response_xml;
  if (detail == journal_detail::entry) {
    if (!e.request_headers.empty()) o["request_headers"] = e.request_headers;
    if (!e.response_headers.empty()) o["response_headers"] = e.response_headers;
  }
  return o;
}

// A whole non-negative number, or nullopt.
std::optional<long long> count_of(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || n < 0 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return n;
}

// "/api/v1/mailboxes/{address}/<tail>": the decoded address, or nullopt when the path is not one.
std::optional<std::string> mailbox_in_path(std::string_view path, std::string_view tail) {
  constexpr std::string_view prefix = "/api/v1/mailboxes/";
  if (!path.starts_with(prefix) || !path.ends_with(tail) || path.size() <= prefix.size() + tail.size()) return std::nullopt;
  auto address = eas::percent_decode(path.substr(prefix.size(), path.size() - prefix.size() - tail.size()),
                                     eas::plus_rule::literal);
  if (!address || address->empty() || address->find('/') != std::string::npos) return std::nullopt;
  return *address;
}

}  // namespace

void router::publish_journal(const std::vector<store::journal_entry>& written) {
  if (!events_->listening()) return;  // 20k requests a second: nothing to build for nobody
  for (const auto& e : written) {
    events_->publish("journal", std::to_string(e.id), json::serialize(journal_json(e, journal_detail::summary)));
  }
}

void router::publish_device(const std::string& mailbox, const std::string& device_id) {
  if (!events_->listening()) return;
  events_->publish("device", "", json::serialize(json::object{{"device_id", device_id}, {"mailbox", mailbox}}));
}

http_response router::open_event_stream(const http_request& request) const {
  if (request.method != "GET") return json_error(405, "use GET with ?ticket= (POST /api/v1/events/ticket gives one)");
  const auto ticket = query_value(request.query(), "ticket");
  if (!ticket || ticket->empty()) {
    return json_error(401, "the event stream needs ?ticket= from POST /api/v1/events/ticket (Bearer token)");
  }
  if (!events_->redeem_ticket(*ticket, common::now_ms())) {
    return json_error(401, "the ticket is unknown, expired or already used; get a new one from POST /api/v1/events/ticket");
  }
  auto stream = events_->subscribe();
  if (!stream) {
    return json_error(503, "too many event streams open (at most " + std::to_string(events_->settings().max_streams) + ")");
  }
  http_response r;
  r.status = 200;
  r.set("Content-Type", "text/event-stream; charset=utf-8");
  r.set("Cache-Control", "no-cache");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("X-Accel-Buffering", "no");  // a reverse proxy in front must not hold the events back
  r.stream = std::move(stream);
  log_->info("request={} event stream opened ({} open)", request.request_id, events_->subscribers());
  return r;
}

std::optional<http_response> router::handle_dashboard_api(const http_request& request) const {
  const auto path = request.path();
  const auto query = request.query();

  if (path == "/api/v1/events/ticket") {
    if (request.method != "POST") return json_error(405, "use POST");
    const auto lifetime_s = events_->settings().ticket_lifetime_ms / 1000;
    return json_response(201, json::object{{"ticket", events_->issue_ticket(common::now_ms())}, {"expires_in", lifetime_s}});
  }

  // GET /api/v1/journal?user=&device=&command=&since=&after=&limit=&summary=1
  if (path == "/api/v1/journal") {
    if (request.method != "GET") return json_error(405, "use GET");
    store::journal_filter f;
    for (std::string_view q = query; !q.empty();) {
      const auto amp = q.find('&');
      const auto part = q.substr(0, amp);
      q.remove_prefix(amp == std::string_view::npos ? q.size() : amp + 1);
      const auto eq = part.find('=');
      if (eq == std::string_view::npos) continue;
      const auto key = part.substr(0, eq);
      auto value = eas::percent_decode(part.substr(eq + 1), eas::plus_rule::space);
      if (!value) return json_error(400, "bad query parameter " + std::string(key));
      if (key == "user") {
        f.user = *value;
      } else if (key == "device") {
        f.device_id = *value;
      } else if (key == "command") {
        f.command = *value;
      } else if (key == "summary") {
        if (*value != "1" && *value != "0" && *value != "true" && *value != "false") {
          return json_error(400, "summary must be 1 or 0");
        }
        f.summary = *value == "1" || *value == "true";
      } else if (key == "since" || key == "limit" || key == "after") {
        const auto n = count_of(*value);
        if (!n) return json_error(400, std::string(key) + " must be a number");
        if (key == "since") {
          f.since_ms = *n;
        } else if (key == "after") {
          f.after_id = *n;
        } else {
          f.limit = static_cast<std::size_t>(std::min<long long>(*n, 1000));
        }
      }
    }
    journal_->flush();
    json::array entries;
    for (const auto& e : store_->query_journal(f)) {
      entries.push_back(journal_json(e, f.summary ? journal_detail::summary : journal_detail::list));
    }
    return json_response(200, json::object{{"entries", std::move(entries)}});
  }

  // GET /api/v1/journal/{id}
  if (path.starts_with("/api/v1/journal/")) {
    if (request.method != "GET") return json_error(405, "use GET");
    const auto id = count_of(std::string(path.substr(16)));
    if (!id) return json_error(400, "the journal entry id must be a number");
    journal_->flush();
    store::journal_filter f;
    f.id = *id;
    f.limit = 1;
    const auto found = store_->query_journal(f);
    if (found.empty()) return json_error(404, "no journal entry " + std::to_string(*id) + " (entries past --journal-keep are gone)");
    return json_response(200, journal_json(found.front(), journal_detail::entry));
  }

  // GET /api/v1/mailboxes
  if (path == "/api/v1/mailboxes") {
    if (request.method != "GET") return json_error(405, "use GET");
    const auto devices = store_->list_devices();
    json::array out;
    for (const auto& m : store_->list_mailboxes()) {
      const auto policy = provisioning_->policy_for(m.address);
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

  const auto folders_of = mailbox_in_path(path, "/folders");
  const auto messages_of = request.method == "GET" ? mailbox_in_path(path, "/messages") : std::nullopt;
  if (folders_of || messages_of) {
    if (request.method != "GET") return json_error(405, "use GET");
    const auto& wanted = folders_of ? *folders_of : *messages_of;
    const auto mailboxes = store_->list_mailboxes();
    const auto mb = std::find_if(mailboxes.begin(), mailboxes.end(),
                                 [&](const store::mailbox_record& m) { return iequals(m.address, wanted); });
    if (mb == mailboxes.end()) return json_error(404, "no mailbox '" + wanted + "'");
    const auto folders = folders_->folders(mb->address);

    // GET /api/v1/mailboxes/{address}/folders
    if (folders_of) {
      json::array out;
      for (const auto& f : folders) {
        out.push_back(json::object{{"id", f.server_id},
                                   {"parent_id", f.parent_id},
                                   {"name", f.display_name},
                                   {"type", f.type},
                                   {"count", static_cast<std::int64_t>(store_->list_items(mb->address, f.server_id).size())}});
      }
      return json_response(200, json::object{{"mailbox", mb->address}, {"folders", std::move(out)}});
    }

    // GET /api/v1/mailboxes/{address}/messages?folder=<id or name>&limit=N: newest first.
    const auto folder_param = query_value(query, "folder");
    const auto folder = std::find_if(folders.begin(), folders.end(), [&](const mailbox::folder& f) {
      if (!folder_param || folder_param->empty()) return f.type == mailbox::inbox;
      return f.server_id == *folder_param || iequals(f.display_name, *folder_param);
    });
    if (folder == folders.end()) {
      return json_error(404, "no folder '" + folder_param.value_or("Inbox") + "' in " + mb->address);
    }
    std::size_t limit = 100;
    if (const auto l = query_value(query, "limit")) {
      const auto n = count_of(*l);
      if (!n || *n == 0) return json_error(400, "limit must be a number from 1 to 1000");
      limit = static_cast<std::size_t>(std::min<long long>(*n, 1000));
    }
    json::array out;
    for (const auto& summary : store_->list_items(mb->address, folder->server_id)) {
      if (out.size() >= limit) break;
      const auto item = store_->find_item(mb->address, summary.item_id);
      if (!item) continue;  // removed meanwhile
      const auto m = mailbox::parse_message(item->mime);
      const bool attachments =
          m && std::any_of(m->attachments.begin(), m->attachments.end(), [](const auto& a) { return !a.is_inline; });
      out.push_back(json::object{{"item_id", item->item_id},
                                 {"folder_id", item->folder_id},
                                 {"from", m ? m->from : std::string()},
                                 {"to", m ? m->to : std::string()},
                                 {"subject", m ? m->subject : std::string()},
                                 {"date", common::iso8601_utc(item->received_ms)},
                                 {"read", item->read},
                                 {"size", static_cast<std::int64_t>(item->mime.size())},
                                 {"has_attachments", attachments}});
    }
    return json_response(200, json::object{{"mailbox", mb->address}, {"folder_id", folder->server_id},
                                           {"messages", std::move(out)}});
  }

  // GET /api/v1/policies: each policy's settings, its mailboxes, and what each built-in phone
  // profile does with it against this lab (the offline check of `easemu policy check`).
  if (path == "/api/v1/policies") {
    if (request.method != "GET") return json_error(405, "use GET (change policies with POST /api/v1/exchange)");
    // Each mailbox's policy, looked up once for all policies.
    std::vector<std::pair<std::string, std::string>> applied;  // address, policy name
    for (const auto& m : store_->list_mailboxes()) {
      if (const auto p = provisioning_->policy_for(m.address)) applied.emplace_back(m.address, p->name);
    }
    const auto offered = eas::protocol_versions_header(lab_.versions);
    const auto rules = prov::rules_for(lab_.exchange_version);
    json::array out;
    for (const auto& p : provisioning_->policies()) {
      auto settings = policy_object(*p, true);
      settings.erase("Name");
      settings.erase("Identity");
      json::array users;
      for (const auto& [address, name] : applied) {
        if (iequals(name, p->name)) users.emplace_back(address);
      }
      json::array compatibility;
      for (const auto& profile : phone::builtin_profiles()) {
        json::object c{{"profile", profile.name}, {"display_name", profile.display_name}};
        const auto version = phone::pick_version(profile, offered);
        if (!version) {
          c["result"] = "refused";
          c["partial"] = false;
          c["protocol_version"] = nullptr;
          c["unsupported"] = json::array{};
          c["message"] = "no EAS version in common with Exchange " + lab_.exchange_version;
          c["code"] = nullptr;
        } else {
          const auto verdict = phone::predict_policy(profile, *p, *version, rules, lab_.hostname);
          json::array unsupported;
          for (const auto& name : verdict.unenforceable) unsupported.emplace_back(name);
          c["result"] = verdict.syncs ? "syncs" : "refused";
          c["partial"] = verdict.partial;
          c["protocol_version"] = to_string(*version);
          c["unsupported"] = std::move(unsupported);
          c["message"] = verdict.shown.text();
          c["code"] = verdict.shown.code ? json::value(verdict.shown.code_text()) : json::value(nullptr);
        }
        compatibility.push_back(std::move(c));
      }
      out.push_back(json::object{{"name", p->name},
                                 {"is_default", p->flag(prov::setting::IsDefault)},
                                 {"settings", std::move(settings)},
                                 {"mailboxes", std::move(users)},
                                 {"compatibility", std::move(compatibility)}});
    }
    return json_response(200, json::object{{"policies", std::move(out)}});
  }
  return std::nullopt;
}

}  // namespace easemu::server
