#include "easemu/server/router.hpp"

#include "easemu/common/text.hpp"

#include "easemu/server/activesync/endpoint.hpp"
#include "easemu/server/activesync/journal.hpp"
#include "easemu/store/journal_view.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/json.hpp>

#include "easemu/common/base64.hpp"
#include "easemu/common/time.hpp"
#include "easemu/common/markup.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/eas/headers.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/store/journal_writer.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "easemu/server/access_service.hpp"
#include "easemu/eas/autodiscover.hpp"
#include "easemu/server/ui_files.hpp"

#include "admin_json.hpp"
#include "observed_store.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <ctime>
#include <random>

namespace easemu::server {

namespace {

using common::iequals;




}  // namespace

router::router(lab_view lab, std::shared_ptr<store::store> store, std::string admin_token,
               std::shared_ptr<spdlog::logger> log)
    : lab_(std::move(lab)),
      // Device changes feed the dashboard's live events; journal readers get the bodies as XML.
      store_(make_observed_store(store::make_rendered_journal_store(std::move(store), render_journal_body),
                                 [this](const std::string& mailbox, const std::string& device) { publish_device(mailbox, device); })),
      admin_token_(std::move(admin_token)),
      log_(log) {
  provisioning_ = std::make_unique<provisioning_service>(store_, lab_.exchange_version, log);
  folders_ = std::make_unique<folder_service>(store_, log);
  mail_ = std::make_unique<mail_service>(store_, *folders_, log);
  access_ = std::make_unique<access_service>(store_, *mail_, log);
  shell_ = std::make_unique<exchange_shell>(store_, *provisioning_, *access_);
  shell_->set_mail_hooks({[this](const std::string& mailbox, const std::string& mime) {
                            return mail_->deliver(mailbox, "", mime, false, common::now_ms()).error;
                          },
                          [this] { flush_journal(); },
                          [this](const std::string& mailbox, const std::string& device) {
                            return ping_ ? ping_->last_heartbeat(mailbox, device) : 0;
                          }});
  ping_ = std::make_unique<ping_service>(*folders_, *mail_, lab_.ping, log);
  mail_->on_change([this](const std::string& mailbox, const std::string& folder) { ping_->notify(mailbox, folder); });
  directory_ = std::make_unique<mailbox_directory>(store_, lab_.netbios_domain, log);
  // Every change of the mailboxes reloads provisioning: a removed mailbox's held Pings and Syncs
  // end then (its next request gets 401).
  provisioning_->on_reload([this] { ping_->end_waits_unless([this](const std::string& m) { return directory_->exists(m); }); });
  faults_ = std::make_unique<fault_registry>();
  fault_timer_ = std::make_unique<delay_timer>();
  journal_ = std::make_unique<store::journal_writer>(
      store_, 10'000, [this](const std::vector<store::journal_entry>& written) { publish_journal(written); });
  eas_ = make_eas_pipeline(
      {{store_, *provisioning_, *access_, *folders_, *mail_, *ping_, {lab_.ca.pem, lab_.ca.crl}, lab_.ping, log},
       *faults_, *fault_timer_, *journal_, metrics_},
      {lab_.versions, lab_.server_build, lab_.hostname, [this] { return lab_.public_url; }}, log);
}

router::~router() = default;

void router::flush_journal() { journal_->flush(); }

std::optional<store::mailbox_record> router::find_login(std::string_view user) const {
  return directory_->find_login(user);
}

void router::handle(http_request&& request, respond_fn respond) {
  const auto path = request.path();
  if (request.method == "GET" && path == "/healthz") {
    respond(http_response::text(200, "ok\n"));
    return;
  }
  if (request.method == "GET" && path == "/metrics") {
    respond(metrics_page());
    return;
  }
  if (request.method == "GET" && path == "/readyz") {
    respond(ready_ ? http_response::text(200, "ready\n") : http_response::text(503, "starting\n"));
    return;
  }
  if (request.method == "GET" && (path == "/" || path == "/index.html")) {
    respond(landing_page());
    return;
  }
  if (request.method == "GET" && (path == "/certsrv" || path.starts_with("/certsrv/"))) {
    respond(certsrv(path));
    return;
  }
  if (path == "/ui" || path.starts_with("/ui/")) {
    respond(serve_ui(request, ui_dir_));
    return;
  }
  // The live feed authenticates with a one-shot ticket (EventSource sends no Authorization).
  if (path == "/api/v1/events") {
    respond(open_event_stream(request));
    return;
  }
  if (path.starts_with("/api/v1/")) {
    respond(handle_admin(request));
    return;
  }
  if (iequals(path, "/autodiscover/autodiscover.xml")) {
    handle_autodiscover(std::move(request), std::move(respond));
    return;
  }
  if (iequals(path, "/Microsoft-Server-ActiveSync")) {
    handle_eas(std::move(request), std::move(respond));
    return;
  }
  respond(http_response::text(404, "not found\n"));
}

void router::handle_eas(http_request&& request, respond_fn respond) {
  // Basic credentials travel only over TLS (MS-ASHTTP 2.2.1.1.2.2 leaves transport security to
  // HTTPS; Exchange refuses Basic on plain HTTP).
  if (!request.secure) {
    log_->info("request={} EAS over plain HTTP refused", request.request_id);
    respond(http_response::text(403, "Exchange ActiveSync requires HTTPS\n"));
    return;
  }
  const auto mailbox = authenticate(request);
  if (!mailbox) {
    respond(challenge());
    return;
  }
  if (request.method == "OPTIONS") {
    // MS-ASHTTP 2.2.4: versions and commands, comma-separated, no spaces.
    http_response r;
    r.status = 200;
    r.set("MS-Server-ActiveSync", lab_.server_build);
    r.set("MS-ASProtocolVersions", eas::protocol_versions_header(lab_.versions));
    r.set("MS-ASProtocolCommands", eas::protocol_commands_header(lab_.versions));
    r.set("Allow", "OPTIONS,POST");
    r.set("Public", "OPTIONS,POST");
    r.set("Cache-Control", "private");
    respond(std::move(r));
    return;
  }
  if (request.method == "POST") {
    eas_->handle(std::make_shared<const http_request>(std::move(request)), mailbox->address, std::move(respond));
    return;
  }
  // GET and the rest are not part of the protocol; Exchange answers them with 501.
  auto r = http_response::text(501, "not implemented\n");
  r.set("MS-Server-ActiveSync", lab_.server_build);
  respond(std::move(r));
}

std::optional<store::mailbox_record> router::authenticate(const http_request& request) const {
  return directory_->authenticate(request);
}

http_response router::challenge() const {
  auto r = http_response::text(401, "authentication required\n");
  r.set("WWW-Authenticate", "Basic realm=\"" + lab_.hostname + "\"");
  return r;
}

void router::handle_autodiscover(http_request&& request, respond_fn respond) {
  // Clients try http://autodiscover.<domain>/... with GET and follow a redirect to HTTPS
  // (PROTOCOL.md section 3, step 3).
  if (!request.secure) {
    http_response r = http_response::text(302, "");
    r.set("Location", lab_.public_url + "/autodiscover/autodiscover.xml");
    respond(std::move(r));
    return;
  }
  const auto caller = authenticate(request);
  if (!caller) {
    respond(challenge());
    return;
  }
  auto error = [&](eas::autodiscover_error code, const std::string& reason) {
    log_->info("request={} autodiscover error {}: {}", request.request_id, static_cast<int>(code), reason);
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char time[32];
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(time, sizeof time, "%H:%M:%S", &tm);
    const auto id = std::to_string(std::random_device{}());
    respond(http_response::text(200, eas::autodiscover_error_response(code, time, id), "text/xml; charset=utf-8"));
  };
  if (request.method != "POST") {
    error(eas::autodiscover_error::invalid_request, "method " + request.method);
    return;
  }
  auto parsed = eas::parse_autodiscover_request(request.body);
  if (!parsed.request) {
    error(parsed.error, parsed.reason);
    return;
  }
  const auto target = find_login(parsed.request->email_address);
  if (!target || parsed.request->email_address.find('@') == std::string::npos) {
    error(eas::autodiscover_error::invalid_request, "unknown address '" + parsed.request->email_address + "'");
    return;
  }
  const auto body = eas::autodiscover_response({target->display_name, target->address},
                                          lab_.public_url + "/Microsoft-Server-ActiveSync");
  respond(http_response::text(200, body, "text/xml; charset=utf-8"));
}

namespace {

using admin_json::json_error;
using admin_json::json_response;
using admin_json::optional_time;
using admin_json::query_value;


// A phone-sized HTML page without scripts; `title` and `body` are already escaped.
http_response html_page(const std::string& title, const std::string& style, const std::string& body) {
  return http_response::text(200,
                             "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                             "<title>" + title + "</title>"
                             "<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:40rem;"
                             "line-height:1.5}" + style + "</style></head><body>" + body + "</body></html>\n",
                             "text/html; charset=utf-8");
}

}  // namespace

namespace {

// Resident set size of this process (Linux /proc/self/statm: size, resident, ... in pages).
std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

namespace {

// Where a remote wipe stands: null (none), requested, sent, acknowledged or failed.
boost::json::value wipe_status(const store::device_provisioning& p) {
  if (p.wipe_failed) return "failed";
  if (p.wipe_ack_ms != 0) return "acknowledged";
  if (p.wipe_sent_ms != 0) return "sent";
  if (p.wipe_requested_ms != 0) return "requested";
  return nullptr;
}

// A device as the admin API shows it (snake_case; the shell shows Exchange's names), with what
// Get-ActiveSyncDeviceStatistics derives (exchange_shell::statistics).
boost::json::object device_json(const store::device_record& d, const device_statistics& stats) {
  const auto rule = d.access.rule.empty() ? boost::json::value(nullptr) : boost::json::value(d.access.rule);
  const auto policy = d.provisioning.policy_name.empty() ? boost::json::value(nullptr)
                                                         : boost::json::value(d.provisioning.policy_name);
  return boost::json::object{
      {"user", d.mailbox},
      {"mailbox", d.mailbox},
      {"device_id", d.device_id},
      {"device_type", d.device_type},
      {"user_agent", d.user_agent},
      {"protocol_version", d.protocol_version},
      {"first_seen", common::iso8601_utc(d.first_seen_ms)},
      {"last_seen", common::iso8601_utc(d.last_seen_ms)},
      {"model", d.information.model},
      {"imei", d.information.imei},
      {"friendly_name", d.information.friendly_name},
      {"os", d.information.os},
      {"os_language", d.information.os_language},
      {"phone_number", d.information.phone_number},
      {"mobile_operator", d.information.mobile_operator},
      {"policy_applied", d.provisioning.policy_name},
      {"policy_application_status",
       provisioning::to_string(static_cast<provisioning::application_status>(d.provisioning.policy_status))},
      {"last_policy_update_time", optional_time(d.provisioning.last_policy_ms)},
      {"wipe_request_time", optional_time(d.provisioning.wipe_requested_ms)},
      {"wipe_sent_time", optional_time(d.provisioning.wipe_sent_ms)},
      {"wipe_ack_time", optional_time(d.provisioning.wipe_ack_ms)},
      {"wipe_account_only", d.provisioning.wipe_account_only},
      {"access_state", d.access.state.empty() ? "Allowed" : d.access.state},
      {"access_state_reason", d.access.reason.empty() ? "Global" : d.access.reason},
      {"access_control_rule", rule},
      {"access_rule", rule},
      {"policy_name", policy},
      {"first_sync", optional_time(d.first_seen_ms)},
      {"last_sync_attempt", optional_time(d.last_seen_ms)},
      {"last_success_sync", optional_time(stats.last_success_sync_ms)},
      {"last_ping_heartbeat", stats.last_ping_heartbeat == 0 ? boost::json::value(nullptr)
                                                             : boost::json::value(stats.last_ping_heartbeat)},
      {"folders_synced", stats.folders_synced},
      {"wipe_status", wipe_status(d.provisioning)},
      {"status", stats.status},
  };
}

}  // namespace

// GET /metrics (Prometheus text format, both listeners, no token): counters and totals only.
http_response router::metrics_page() const {
  std::map<std::string, double> by_state;
  for (const auto& d : store_->list_devices()) by_state[d.access.state.empty() ? "Allowed" : d.access.state] += 1;
  request_metrics::gauge devices{"easemu_devices", "Device partnerships by DeviceAccessState.", {}};
  for (const auto& [state, n] : by_state) devices.samples.emplace_back("access_state=\"" + prometheus_label(state) + "\"", n);
  request_metrics::gauge waiting{"easemu_waiting_requests", "Pings and Syncs waiting for a change.",
                                 {{"", static_cast<double>(ping_->waiting())}}};
  request_metrics::gauge memory{"easemu_resident_bytes", "Resident memory of the server process.",
                                {{"", static_cast<double>(resident_bytes())}}};
  return http_response::text(200, metrics_.render({devices, waiting, memory}), "text/plain; version=0.0.4; charset=utf-8");
}

http_response router::handle_admin(const http_request& request) const {
  const auto* auth = request.header("Authorization");
  if (auth == nullptr || *auth != "Bearer " + admin_token_) {
    auto r = json_error(401, "the admin API needs the admin token as Authorization: Bearer <token>");
    r.set("WWW-Authenticate", "Bearer");
    return r;
  }
  const auto path = request.path();
  if (auto r = handle_dashboard_api(request)) return std::move(*r);
  if (path == "/api/v1/faults" || path.starts_with("/api/v1/faults/")) {
    const auto r = handle_faults_api(*faults_, request);
    if (request.method != "GET" && r.status < 300) log_->info("request={} fault rules: {} {}", request.request_id, request.method, path);
    return r;
  }
  if (path == "/api/v1/devices") {
    if (request.method != "GET") return json_error(405, "use GET");
    boost::json::array devices;
    std::optional<std::string> mailbox;
    if (auto m = query_value(request.query(), "mailbox")) mailbox = *m;
    journal_->flush();  // the statistics read the journal
    for (const auto& d : store_->list_devices(mailbox)) devices.push_back(device_json(d, shell_->statistics(d)));
    return json_response(200, boost::json::object{{"devices", std::move(devices)}});
  }
  // GET or DELETE /api/v1/devices/{DeviceId}[?mailbox=...]: one partnership; DELETE removes it
  // as Remove-ActiveSyncDevice does (the phone's next request starts over).
  if (path.starts_with("/api/v1/devices/") && path.find('/', 16) == std::string::npos) {
    if (request.method != "GET" && request.method != "DELETE") return json_error(405, "use GET or DELETE");
    auto id = eas::percent_decode(path.substr(16), eas::plus_rule::literal);
    if (!id || id->empty()) return json_error(400, "bad device id in the path");
    std::optional<std::string> mailbox;
    if (auto m = query_value(request.query(), "mailbox")) mailbox = *m;
    std::vector<store::device_record> matches;
    for (auto& d : store_->list_devices(mailbox)) {
      if (iequals(d.device_id, *id)) matches.push_back(std::move(d));
    }
    if (matches.empty()) return json_error(404, "no device '" + *id + "'");
    if (matches.size() > 1) return json_error(409, "device '" + *id + "' belongs to several mailboxes; add ?mailbox=");
    if (request.method == "GET") {
      journal_->flush();
      return json_response(200, device_json(matches[0], shell_->statistics(matches[0])));
    }
    store_->delete_device(matches[0].mailbox, matches[0].device_id);
    log_->info("request={} device {} of {} removed through the admin API", request.request_id, matches[0].device_id,
               matches[0].mailbox);
    return json_response(200, boost::json::object{{"mailbox", matches[0].mailbox}, {"device_id", matches[0].device_id},
                                                  {"removed", true}});
  }
  // POST /api/v1/devices/{DeviceId}/wipe {"mailbox": ..., "account_only": false, "cancel": false}
  if (path.starts_with("/api/v1/devices/") && path.ends_with("/wipe")) {
    if (request.method != "POST") return json_error(405, "use POST");
    auto id = eas::percent_decode(path.substr(16, path.size() - 16 - 5), eas::plus_rule::literal);
    if (!id || id->empty()) return json_error(400, "bad device id in the path");
    boost::system::error_code ec;
    const auto body = request.body.empty() ? boost::json::value(boost::json::object{}) : boost::json::parse(request.body, ec);
    const auto* obj = ec ? nullptr : body.if_object();
    if (obj == nullptr) return json_error(400, "the body must be a JSON object (or empty)");
    auto flag = [&](const char* key) {
      const auto* v = obj->if_contains(key);
      return v != nullptr && v->is_bool() && v->as_bool();
    };
    std::optional<std::string> mailbox;
    if (const auto* m = obj->if_contains("mailbox"); m != nullptr && m->is_string()) mailbox = std::string(m->as_string());
    std::vector<store::device_record> matches;
    for (auto& d : store_->list_devices(mailbox)) {
      if (iequals(d.device_id, *id)) matches.push_back(std::move(d));
    }
    if (matches.empty()) return json_error(404, "no device '" + *id + "'");
    if (matches.size() > 1) return json_error(409, "device '" + *id + "' belongs to several mailboxes; name one as \"mailbox\"");
    const auto now = common::now_ms();
    if (auto err = provisioning_->request_wipe(matches[0].mailbox, matches[0].device_id, flag("account_only"), "admin API",
                                               flag("cancel"), now);
        !err.empty()) {
      return json_error(400, err);
    }
    return json_response(200, boost::json::object{{"mailbox", matches[0].mailbox}, {"device_id", matches[0].device_id},
                                                  {"wipe", flag("cancel") ? "cancelled" : "requested"}});
  }
  // POST /api/v1/mailboxes/{address}/messages: an RFC 822 message, or JSON {from, to, cc,
  // subject, text, html, folder, read, attachments: [{name, content_type, content_base64}]}.
  if (path.starts_with("/api/v1/mailboxes/") && path.ends_with("/messages")) {
    if (request.method != "POST") return json_error(405, "use POST with an RFC 822 message or a JSON message");
    auto address = eas::percent_decode(path.substr(18, path.size() - 18 - 9), eas::plus_rule::literal);
    if (!address || address->empty()) return json_error(400, "bad mailbox address in the path");
    const auto mailboxes = store_->list_mailboxes();
    const auto mb = std::find_if(mailboxes.begin(), mailboxes.end(), [&](const store::mailbox_record& m) {
      return iequals(m.address, *address);
    });
    if (mb == mailboxes.end()) return json_error(404, "no mailbox '" + *address + "'");
    const auto now = common::now_ms();
    std::string mime = request.body;
    std::string folder;
    bool read = false;
    // ?folder=<name or id> for either body form.
    for (std::string_view q = request.query(); !q.empty();) {
      const auto amp = q.find('&');
      const auto part = q.substr(0, amp);
      if (part.starts_with("folder=")) {
        if (auto v = eas::percent_decode(part.substr(7), eas::plus_rule::space)) folder = *v;
      }
      q.remove_prefix(amp == std::string_view::npos ? q.size() : amp + 1);
    }
    const auto* type = request.header("Content-Type");
    if (type != nullptr && type->find("json") != std::string::npos) {
      boost::system::error_code ec;
      const auto body = boost::json::parse(request.body, ec);
      const auto* o = ec ? nullptr : body.if_object();
      if (o == nullptr) return json_error(400, "the body must be a JSON object");
      auto str = [&](const char* key) {
        const auto* v = o->if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
      };
      mailbox::new_message m;
      m.from = str("from").empty() ? "easemu lab <postmaster@" + lab_.domain + ">" : str("from");
      m.to = str("to").empty() ? mb->address : str("to");
      m.cc = str("cc");
      m.subject = str("subject");
      m.text = str("text");
      m.html = str("html");
      if (m.text.empty() && m.html.empty()) m.text = " ";
      m.date_ms = now;
      if (const auto* atts = o->if_contains("attachments"); atts != nullptr && atts->is_array()) {
        for (const auto& a : atts->as_array()) {
          const auto* ao = a.if_object();
          if (ao == nullptr) return json_error(400, "attachments are objects {name, content_type, content_base64}");
          auto field = [&](const char* key) {
            const auto* v = ao->if_contains(key);
            return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
          };
          auto content = common::base64_decode(field("content_base64"));
          if (!content) return json_error(400, "an attachment's content_base64 is not base64");
          m.attachments.push_back({field("name").empty() ? "attachment" : field("name"),
                                   field("content_type").empty() ? "application/octet-stream" : field("content_type"),
                                   std::move(*content)});
        }
      }
      if (!str("folder").empty()) folder = str("folder");
      if (const auto* r = o->if_contains("read"); r != nullptr && r->is_bool()) read = r->as_bool();
      mime = mailbox::compose_message(m);
    }
    const auto d = mail_->deliver(mb->address, folder, mime, read, now);
    if (!d.error.empty()) return json_error(400, d.error);
    log_->info("request={} message {} delivered to {} folder {}", request.request_id, d.item_id, mb->address, d.folder_id);
    return json_response(201, boost::json::object{{"mailbox", mb->address}, {"folder_id", d.folder_id}, {"item_id", d.item_id}});
  }
  if (path == "/api/v1/outbound") {
    if (request.method != "GET") return json_error(405, "use GET");
    boost::json::array list;
    for (const auto& m : mail_->outbound()) {
      boost::json::array to;
      for (const auto& r : m.recipients) to.emplace_back(r);
      list.push_back(boost::json::object{{"from", m.from_mailbox}, {"to", std::move(to)}, {"subject", m.subject},
                                         {"time", common::iso8601_utc(m.time_ms)}});
    }
    return json_response(200, boost::json::object{{"messages", std::move(list)}});
  }
  // POST /api/v1/exchange: Exchange Management Shell lines as text/plain.
  if (path == "/api/v1/exchange") {
    if (request.method != "POST") return json_error(405, "use POST with Exchange Management Shell lines as text/plain");
    const auto now = common::now_ms();
    const auto results = shell_->run(request.body, "admin API", now);
    boost::json::array out;
    bool all_ok = true;
    for (const auto& r : results) {
      all_ok = all_ok && r.ok;
      log_->info("request={} exchange shell: {} -> {}", request.request_id, r.command.substr(0, 200),
                 r.ok ? std::string("ok") : r.error);
      if (r.ok) {
        out.push_back(boost::json::object{{"command", r.command}, {"ok", true}, {"output", r.output}});
      } else {
        out.push_back(boost::json::object{{"command", r.command}, {"ok", false}, {"error", r.error}});
      }
    }
    return json_response(all_ok ? 200 : 400, boost::json::object{{"results", std::move(out)}});
  }
  if (path == "/api/v1/reset") {
    if (request.method != "POST") return json_error(405, "use POST");
    if (!reset_) return json_error(501, "this server has no lab file state to return to");
    if (auto error = reset_(); !error.empty()) return json_error(500, error);
    log_->info("request={} the lab is back to its file's state", request.request_id);
    return json_response(200, boost::json::object{{"reset", true}});
  }
  if (path == "/api/v1/server") {
    if (request.method != "GET") return json_error(405, "use GET");
    // What `easemu bench` reads: memory (for the cost of a held Ping) and the waiting requests.
    return json_response(200, boost::json::object{{"resident_bytes", resident_bytes()},
                                                  {"waiting_requests", ping_->waiting()}});
  }
  if (path == "/api/v1/tls" && tls_.current) {
    if (request.method == "GET") {
      boost::json::array modes;
      for (const auto& m : tls_.modes) modes.emplace_back(m);
      return json_response(200, boost::json::object{{"mode", tls_.current()}, {"modes", std::move(modes)}});
    }
    if (request.method != "PUT" && request.method != "POST") return json_error(405, "use GET, or PUT with {\"mode\": ...}");
    boost::system::error_code ec;
    const auto body = boost::json::parse(request.body, ec);
    const auto* obj = ec ? nullptr : body.if_object();
    const auto* mode = obj != nullptr ? obj->if_contains("mode") : nullptr;
    if (mode == nullptr || !mode->is_string()) return json_error(400, "the body must be {\"mode\": \"<tls mode>\"}");
    const std::string wanted(mode->as_string());
    if (auto err = tls_.set(wanted); !err.empty()) return json_error(400, err);
    log_->info("TLS mode is now {} (new connections)", wanted);
    return json_response(200, boost::json::object{{"mode", tls_.current()}});
  }
  return json_error(404, "no such admin resource");
}

http_response router::certsrv(std::string_view path) const {
  auto file = [](std::string body, const char* type, const char* name) {
    auto r = http_response::text(200, std::move(body), type);
    r.set("Content-Disposition", std::string("attachment; filename=\"") + name + "\"");
    return r;
  };
  if (path == "/certsrv/ca.cer") return file(lab_.ca.der, "application/pkix-cert", "easemu-ca.cer");
  if (path == "/certsrv/ca.pem") return file(lab_.ca.pem, "application/x-pem-file", "easemu-ca.pem");
  if (path == "/certsrv/ca-chain.p7b") return file(lab_.ca.p7b, "application/x-pkcs7-certificates", "easemu-ca-chain.p7b");
  if (path == "/certsrv/ca.crl") return file(lab_.ca.crl ? lab_.ca.crl() : std::string(), "application/pkix-crl", "easemu-ca.crl");
  if (path == "/certsrv/easemu-ca.mobileconfig") {
    return file(lab_.ca.mobileconfig, "application/x-apple-aspen-config", "easemu-ca.mobileconfig");
  }
  if (path != "/certsrv" && path != "/certsrv/") return http_response::text(404, "not found\n");
  const auto domain = common::markup_escape(lab_.domain);
  return html_page(
      "Lab CA certificate, " + domain,
      "a.dl{display:block;margin:.8rem 0;padding:.8rem;border:1px solid #888;border-radius:.4rem;"
      "text-decoration:none;font-size:1.1rem}",
      "<h1>Trust the lab CA</h1>"
      "<p>The server <code>" + common::markup_escape(lab_.hostname) + "</code> uses a certificate issued by the "
      "easemu lab CA of <code>" + domain + "</code>. Install the CA on the phone before adding the "
      "Exchange account.</p>"
      "<a class=\"dl\" href=\"/certsrv/ca.cer\">Download CA certificate (DER, .cer)</a>"
      "<a class=\"dl\" href=\"/certsrv/ca.pem\">Download CA certificate (PEM)</a>"
      "<a class=\"dl\" href=\"/certsrv/ca-chain.p7b\">Download CA certificate chain (PKCS#7, .p7b)</a>"
      "<a class=\"dl\" href=\"/certsrv/easemu-ca.mobileconfig\">iPhone and iPad: install the profile</a>"
      "<a class=\"dl\" href=\"/certsrv/ca.crl\">Certificate revocation list (.crl)</a>"
      "<h2>iPhone and iPad</h2><p>Install the profile in Settings &gt; General &gt; VPN &amp; Device "
      "Management, then turn on full trust for the CA in Settings &gt; General &gt; About &gt; "
      "Certificate Trust Settings.</p>"
      "<h2>Android</h2><p>Open the .cer file, or install it in Settings &gt; Security &gt; Encryption "
      "&amp; credentials &gt; Install a certificate &gt; CA certificate (user CAs).</p>"
      "<h2>Windows Phone</h2><p>Open the .cer file from the browser or from a mail attachment and "
      "choose Install.</p>");
}

http_response router::landing_page() const {
  const auto domain = common::markup_escape(lab_.domain);
  return html_page("easemu lab " + domain, "a{display:block;margin:.6rem 0;font-size:1.1rem}",
                   "<h1>easemu lab <code>" + domain + "</code></h1>"
                   "<p>An Exchange ActiveSync test server. Server address for phones: <code>" +
                       common::markup_escape(lab_.hostname) + "</code>, domain <code>" +
                       common::markup_escape(lab_.netbios_domain) + "</code>.</p>"
                       "<a href=\"/certsrv/\">Install the lab CA certificate</a>"
                       "<a href=\"/ui/\">Open the dashboard (devices, live traffic, policies; needs the admin token)</a>");
}

}  // namespace easemu::server
