#include "easemu/server/router.hpp"

#include "easemu/common/text.hpp"

#include "easemu/server/commands/settings.hpp"
#include "easemu/server/commands/validate_cert.hpp"

#include <spdlog/spdlog.h>

#include "easemu/common/time.hpp"
#include "easemu/eas/headers.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/store/journal_writer.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "easemu/server/access_service.hpp"
#include "easemu/eas/autodiscover.hpp"

#include "admin/api/admin_api.hpp"
#include "admin/events/feed.hpp"
#include "admin/events/observed_store.hpp"
#include "web/site.hpp"

#include <chrono>
#include <ctime>
#include <random>

namespace easemu::server {

namespace {

// The journal's XML view of a body, with secrets blanked: passwords that ItemOperations, Search
// and Settings requests can carry.
std::string journal_xml(wbxml::element tree) {
  std::vector<wbxml::element*> todo{&tree};
  while (!todo.empty()) {
    auto* e = todo.back();
    todo.pop_back();
    const auto name = e->name();
    if ((name == "Password" || name == "DevicePassword") && e->kind != wbxml::content_kind::none) {
      e->kind = wbxml::content_kind::text;
      e->value = "***";
    }
    for (auto& c : e->children) todo.push_back(&c);
  }
  wbxml::xml_options o;
  o.declaration = false;
  return wbxml::to_xml(tree, o);
}

// The Status element on a response root's page (every EAS response root has one).
wbxml::tag_id status_tag_of(wbxml::tag_id root) {
  const auto* t = wbxml::find_tag(root.page, std::string_view("Status"));
  return t != nullptr ? wbxml::tag_id{t->page, t->token} : wbxml::tag_id{};
}

using common::iequals;




}  // namespace

router::router(lab_view lab, std::shared_ptr<store::store> store, std::string admin_token,
               std::shared_ptr<spdlog::logger> log)
    : lab_(std::move(lab)),
      // Device changes feed the dashboard's live events.
      store_(make_observed_store(std::move(store),
                                 [this](const std::string& mailbox, const std::string& device) { publish_device(mailbox, device); })),
      admin_token_(std::move(admin_token)),
      log_(log),
      pipeline_(lab_.versions, lab_.server_build, log) {
  pipeline_.set_handler(eas::command_id::validate_cert, make_validate_cert_handler({lab_.ca.pem, lab_.ca.crl}, log));
  provisioning_ = std::make_unique<provisioning_service>(store_, lab_.exchange_version, log);
  pipeline_.set_handler(eas::command_id::provision,
                        [this](const eas_context& ctx) { return provisioning_->provision(ctx); });
  folders_ = std::make_unique<folder_service>(store_, log);
  pipeline_.set_handler(eas::command_id::folder_sync, [this](const eas_context& c) { return folders_->folder_sync(c); });
  pipeline_.set_handler(eas::command_id::folder_create, [this](const eas_context& c) { return folders_->folder_create(c); });
  pipeline_.set_handler(eas::command_id::folder_update, [this](const eas_context& c) { return folders_->folder_update(c); });
  pipeline_.set_handler(eas::command_id::folder_delete, [this](const eas_context& c) { return folders_->folder_delete(c); });
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

  pipeline_.set_handler(eas::command_id::get_item_estimate,
                        [this](const eas_context& c) { return mail_->get_item_estimate(c); });
  pipeline_.set_handler(eas::command_id::move_items, [this](const eas_context& c) { return mail_->move_items(c); });
  pipeline_.set_handler(eas::command_id::settings, [this](const eas_context& c) { return settings_command(c, *store_); });
  pipeline_.set_handler(eas::command_id::item_operations, [this](const eas_context& c) { return mail_->item_operations(c); });
  pipeline_.set_handler(eas::command_id::get_attachment, [this](const eas_context& c) { return mail_->get_attachment(c); });
  pipeline_.set_handler(eas::command_id::search, [this](const eas_context& c) { return mail_->search(c); });
  pipeline_.set_handler(eas::command_id::resolve_recipients,
                        [this](const eas_context& c) { return mail_->resolve_recipients(c); });
  for (auto id : {eas::command_id::send_mail, eas::command_id::smart_reply, eas::command_id::smart_forward}) {
    pipeline_.set_handler(id, [this](const eas_context& c) { return mail_->send(c); });
  }
  ping_ = std::make_unique<ping_service>(*folders_, *mail_, lab_.ping, log);
  mail_->on_change([this](const std::string& mailbox, const std::string& folder) { ping_->notify(mailbox, folder); });
  pipeline_.set_async_handler(eas::command_id::sync, [this](std::shared_ptr<const eas_context> c,
                                                            std::function<void(command_reply)> done) {
    mail_->sync_async(std::move(c), std::move(done), lab_.ping.min_heartbeat,
                      [this](const std::string& mailbox, const std::string& device, std::vector<std::string> collections,
                             int seconds, std::function<void(bool)> finished) {
                        ping_->watch(mailbox, device, std::move(collections), seconds,
                                     [finished = std::move(finished)](const std::vector<std::string>& changed) {
                                       finished(!changed.empty());
                                     });
                      });
  });
  pipeline_.set_async_handler(eas::command_id::ping,
                              [this](std::shared_ptr<const eas_context> c, std::function<void(command_reply)> done) {
                                ping_->ping(std::move(c), std::move(done));
                              });
  mail_->set_quarantine_notice([this](const std::string& mailbox, const std::string& device) {
    return access_->notice_item(mailbox, device);
  });
  pipeline_.set_access_check([this](const eas_context& ctx) {
    const auto a = access_->check(ctx, common::now_ms());
    access_verdict v;
    using k = provisioning::command_answer::kind;
    v.action = a.action == k::run ? access_verdict::kind::run
               : a.action == k::status_in_body ? access_verdict::kind::status_in_body
                                               : access_verdict::kind::http_error;
    v.status = a.status;
    v.http_status = a.http_status;
    v.quarantined = a.restricted;
    v.throttle = a.throttle;
    return v;
  });
  pipeline_.set_gate([this](const eas_context& ctx) {
    const auto e = provisioning_->check(ctx);
    return refusal{e.status, e.http_status, e.reason};
  });
  // Every device that reaches an authenticated command joins the device list.
  pipeline_.set_device_observer([this](const eas_context& ctx) {
    const auto* ua = ctx.http->header("User-Agent");
    const auto now = common::now_ms();
    try {
      store_->record_device_contact(ctx.mailbox, ctx.query.printable_device_id(), ctx.query.device_type,
                                    ua != nullptr ? *ua : std::string(), std::string(to_string(ctx.version)), now);
    } catch (const std::exception& e) {
      log_->error("request={} device not recorded: {}", ctx.http->request_id, e.what());
    }
  });
  // Fault injection: the rule a request hits, with the lab's own defaults filled in.
  faults_ = std::make_unique<fault_registry>();
  fault_timer_ = std::make_unique<delay_timer>();
  pipeline_.set_faults(fault_stage{
      [this](const eas_context& ctx) -> std::optional<fault_hit> {
        const auto device = ctx.query.printable_device_id();
        const auto version = to_string(ctx.version);
        auto hit = faults_->match({ctx.mailbox, device, ctx.query.device_type, ctx.query.command->name, version});
        if (hit && hit->action.kind == fault_kind::http_status && hit->action.http_status == 451 &&
            hit->action.location.empty()) {
          hit->action.location = lab_.public_url + "/Microsoft-Server-ActiveSync";
        }
        return hit;
      },
      [this](std::chrono::milliseconds delay, std::function<void()> fn) { fault_timer_->after(delay, std::move(fn)); },
      lab_.hostname});
  journal_ = std::make_unique<store::journal_writer>(
      store_, 10'000, [this](const std::vector<store::journal_entry>& written) { publish_journal(written); });
  pipeline_.set_journal_observer([this](const eas_context& ctx, const http_response& response, std::int64_t ms) {
    store::journal_entry e;
    e.time_ms = common::now_ms();
    e.user = ctx.mailbox;
    e.device_id = ctx.query.printable_device_id();
    e.device_type = ctx.query.device_type;
    e.command = std::string(ctx.query.command->name);
    e.protocol_version = std::string(to_string(ctx.version));
    e.http_status = response.status;
    e.duration_ms = ms;
    if (ctx.body) e.request_xml = journal_xml(*ctx.body);
    const auto* type = find_header(response.headers, "Content-Type");
    if (type != nullptr && type->starts_with("application/vnd.ms-sync.wbxml") && !response.body.empty()) {
      if (auto tree = wbxml::decode(response.body)) {
        e.response_xml = journal_xml(*tree);
        const auto status = tree->child_text(status_tag_of(tree->tag));
        e.eas_status = status.empty() ? 0 : std::atoi(std::string(status).c_str());
      }
    }
    // A fault's hit shows in the journal as a comment before the response (docs/faults.md).
    if (ctx.fault) {
      e.response_xml = "<!-- easemu fault " + ctx.fault->rule_id + ": " + describe(ctx.fault->action) + " -->" +
                       (e.response_xml.empty() ? "" : "\n" + e.response_xml);
    }
    metrics_.count(e.command, e.http_status, e.eas_status);
    // Mailbox logging (Set-CASMailbox -ActiveSyncDebugLogging $true) adds the headers, with the
    // credentials blanked: they never reach the journal or the log.
    if (exchange_shell::debug_logging(*store_, ctx.mailbox)) {
      for (const auto& [name, value] : ctx.http->headers) {
        const bool secret = iequals(name, "Authorization") || iequals(name, "Cookie") || iequals(name, "Proxy-Authorization");
        e.request_headers += name + ": " + (secret ? std::string("(removed)") : value) + "\n";
      }
      e.response_headers = "HTTP " + std::to_string(response.status) + "\n";
      for (const auto& [name, value] : response.headers) e.response_headers += name + ": " + value + "\n";
    }
    journal_->push(std::move(e));
  });
  start_admin_and_web();
}

void router::start_admin_and_web() {
  api_ = std::make_unique<admin::admin_api>(
      admin_token_, admin::api_context{lab_, store_, *shell_, *provisioning_, *folders_, *mail_, *faults_, *events_, tls_,
                                       reset_, [this] { return ping_->waiting(); }, [this] { flush_journal(); }, log_});
  web_ = std::make_unique<web::site>(web::site_context{lab_, ui_dir_, store_, metrics_, [this] { return ping_->waiting(); }});
}

router::~router() = default;

void router::flush_journal() { journal_->flush(); }

void router::publish_journal(const std::vector<store::journal_entry>& written) { admin::publish_journal(*events_, written); }

void router::publish_device(const std::string& mailbox, const std::string& device_id) {
  admin::publish_device(*events_, mailbox, device_id);
}

const lab_mailbox* router::find_login(std::string_view user) const {
  auto name = eas::split_user_name(user);
  if (!name) return nullptr;
  for (const auto& mb : lab_.mailboxes) {
    const std::string_view address = mb.address;
    const auto at = address.find('@');
    const auto alias = address.substr(0, at);
    const auto domain = address.substr(at + 1);
    switch (name->form) {
      case eas::user_name_form::upn:
        if (iequals(name->user, alias) && iequals(name->domain, domain)) return &mb;
        break;
      case eas::user_name_form::down_level:
        if (iequals(name->user, alias) &&
            (iequals(name->domain, lab_.netbios_domain) || iequals(name->domain, domain))) {
          return &mb;
        }
        break;
      case eas::user_name_form::bare:
        if (iequals(name->user, alias)) return &mb;
        break;
    }
  }
  return nullptr;
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
  const lab_mailbox* mailbox = authenticate(request);
  if (mailbox == nullptr) {
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
    pipeline_.handle(std::make_shared<const http_request>(std::move(request)), mailbox->address, std::move(respond));
    return;
  }
  // GET and the rest are not part of the protocol; Exchange answers them with 501.
  auto r = http_response::text(501, "not implemented\n");
  r.set("MS-Server-ActiveSync", lab_.server_build);
  respond(std::move(r));
}

const lab_mailbox* router::authenticate(const http_request& request) const {
  const auto* auth = request.header("Authorization");
  if (auth == nullptr) return nullptr;
  auto creds = eas::parse_basic_authorization(*auth);
  if (!creds) {
    log_->info("request={} unreadable Authorization header: {}", request.request_id, creds.error().message());
    return nullptr;
  }
  const auto* mb = find_login(creds->user);
  if (mb != nullptr && mb->password == creds->password) return mb;
  log_->info("request={} authentication failed for user '{}'", request.request_id, creds->user);
  return nullptr;
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
  const lab_mailbox* caller = authenticate(request);
  if (caller == nullptr) {
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
  const auto* target = find_login(parsed.request->email_address);
  if (target == nullptr || parsed.request->email_address.find('@') == std::string::npos) {
    error(eas::autodiscover_error::invalid_request, "unknown address '" + parsed.request->email_address + "'");
    return;
  }
  const auto body = eas::autodiscover_response({target->display_name, target->address},
                                          lab_.public_url + "/Microsoft-Server-ActiveSync");
  respond(http_response::text(200, body, "text/xml; charset=utf-8"));
}

}  // namespace easemu::server
