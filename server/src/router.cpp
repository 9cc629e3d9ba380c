#include "easemu/server/router.hpp"

#include "easemu/common/escape.hpp"
#include "easemu/common/hex.hpp"
#include "easemu/common/text.hpp"

#include "easemu/server/activesync/endpoint.hpp"
#include "easemu/server/activesync/journal.hpp"
#include "easemu/store/journal_view.hpp"

#include <spdlog/spdlog.h>

#include "easemu/common/time.hpp"
#include "easemu/eas/headers.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/store/journal_writer.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "easemu/server/access_service.hpp"
#include "easemu/server/exchange_profile.hpp"
#include "easemu/eas/autodiscover.hpp"

#include "activesync/client_text_store.hpp"
#include "admin/api/admin_api.hpp"
#include "admin/events/feed.hpp"
#include "admin/events/observed_store.hpp"
#include "web/site.hpp"

#include <chrono>
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
      // What phones say about themselves is stored without control characters (issue 23).
      store_(make_observed_store(make_client_text_store(store::make_rendered_journal_store(std::move(store), render_journal_body)),
                                 [this](const std::string& mailbox, const std::string& device) { publish_device(mailbox, device); })),
      admin_token_(std::move(admin_token)),
      log_(log) {
  provisioning_ = std::make_unique<provisioning_service>(store_, lab_.exchange_version, log);
  folders_ = std::make_unique<folder_service>(store_, log);
  mail_ = std::make_unique<mail_service>(store_, *folders_, log);
  access_ = std::make_unique<access_service>(store_, *mail_, log);
  shell_ = std::make_unique<exchange_shell>(store_, *provisioning_, *access_);
  shell_->set_exchange_version(lab_.exchange_version);
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
  start_admin_and_web();
}

void router::start_admin_and_web() {
  api_ = std::make_unique<admin::admin_api>(
      admin_token_, admin::api_context{lab_, store_, *shell_, *provisioning_, *folders_, *mail_, *faults_, *events_, tls_,
                                       reset_, [this] { return ping_->waiting(); }, [this] { flush_journal(); }, log_});
  web::phone_services phones{
      store_,
      [this](const http_request& request) { return authenticate(request); },
      [this](const std::string& mailbox, const std::string& mime) {
        return mail_->deliver(mailbox, "", mime, false, common::now_ms()).error;
      },
      [this] { flush_journal(); },
      [this](const std::string& mailbox, const std::string& device_id) {
        return provisioning_->request_wipe(mailbox, device_id, false, "Outlook Web App", false, common::now_ms());
      },
      common::random_hex(32),
      log_};
  web_ = std::make_unique<web::site>(
      web::site_context{lab_, ui_dir_, store_, metrics_, [this] { return ping_->waiting(); }, std::move(phones)});
}

router::~router() = default;

void router::flush_journal() { journal_->flush(); }

void router::publish_journal(const std::vector<store::journal_entry>& written) { admin::publish_journal(*events_, written); }

void router::publish_device(const std::string& mailbox, const std::string& device_id) {
  admin::publish_device(*events_, mailbox, device_id);
}

std::optional<store::mailbox_record> router::find_login(std::string_view user) const {
  return directory_->find_login(user);
}

void router::handle(http_request&& request, respond_fn respond) {
  const auto path = request.path();
  if (request.method == "GET" && path == "/healthz") {
    respond(http_response::text(200, "ok\n"));
    return;
  }
  if (request.method == "GET" && path == "/readyz") {
    respond(ready_ ? http_response::text(200, "ready\n") : http_response::text(503, "starting\n"));
    return;
  }
  if (auto page = web_->handle(request)) {
    respond(std::move(*page));
    return;
  }
  if (path.starts_with("/api/v1/")) {
    respond(api_->handle(request));
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
    // The emulated Exchange's own lists (exchange_profile.hpp), or the lab's own versions.
    r.set("MS-ASProtocolVersions",
          lab_.versions_header.empty() ? eas::protocol_versions_header(lab_.versions) : lab_.versions_header);
    // Of the commands that Exchange lists, only what the pipeline serves (registry.hpp: advertises).
    const auto* exchange = find_exchange_profile(lab_.exchange_version);
    r.set("MS-ASProtocolCommands", exchange ? eas_->commands().protocol_commands_header(lab_.versions, exchange->protocol_commands)
                                            : eas_->commands().protocol_commands_header(lab_.versions));
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
    log_->info("request={} autodiscover error {}: {}", request.request_id, static_cast<int>(code),
               common::escape_controls(reason));
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

}  // namespace easemu::server
