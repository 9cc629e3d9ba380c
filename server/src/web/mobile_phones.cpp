// The user's side of their phones, as Exchange 2010's Outlook Web App offers it under Options,
// Phone, Mobile Phones: the lab user signs in with their mailbox credentials (Basic, over HTTPS
// only, checked against the store as the EAS endpoint checks them) and sees their own devices,
// with Start Logging, Stop Logging, Retrieve Log (the log arrives as a text attachment in their own
// Inbox, so the phone syncs it), Wipe Device and Remove. Every form carries a canary (OWA's name
// for its anti-forgery token): an HMAC of the mailbox under a key made at start.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <spdlog/spdlog.h>

#include <algorithm>

#include "easemu/common/hex.hpp"
#include "easemu/common/markup.hpp"
#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/server/mailbox_logging.hpp"
#include "easemu/server/router.hpp"  // lab_view
#include "easemu/store/store.hpp"
#include "web/site.hpp"

namespace easemu::server::web {

namespace {

using common::iequals;
using common::markup_escape;

constexpr std::string_view page_path = "/owa/mobile-phones";

// The site's hardening, with forms allowed to post back to this page only; nothing is cached.
http_response hardened_page(http_response r) {
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  r.set("Cache-Control", "no-store");
  r.set("Referrer-Policy", "no-referrer");
  return r;
}

http_response page(int status, const std::string& title, const std::string& body) {
  return hardened_page(http_response::text(
      status,
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
          title +
          "</title><style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:52rem;line-height:1.5}"
          ".bar{background:#0a64a4;color:#fff;padding:.4rem .6rem}table{border-collapse:collapse;width:100%}"
          "td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}"
          "form{display:inline}.note{background:#ffd;padding:.4rem}</style></head><body>"
          "<div class=\"bar\">Outlook Web App &ndash; Options &ndash; Phone</div>" +
          body + "</body></html>\n",
      "text/html; charset=utf-8"));
}

std::string canary(const phone_services& s, const std::string& mailbox) {
  const auto who = common::ascii_lowercase(mailbox);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), s.canary_key.data(), static_cast<int>(s.canary_key.size()),
       reinterpret_cast<const unsigned char*>(who.data()), who.size(), mac, &size);
  return common::hex_encode(std::string_view(reinterpret_cast<const char*>(mac), size));
}

// application/x-www-form-urlencoded, '+' as a space; nullopt on a broken escape.
std::optional<std::vector<std::pair<std::string, std::string>>> form_fields(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!body.empty() && out.size() < 16) {
    const auto amp = body.find('&');
    const auto part = body.substr(0, amp);
    const auto eq = part.find('=');
    auto name = eas::percent_decode(part.substr(0, eq), eas::plus_rule::space);
    auto value = eas::percent_decode(eq == std::string_view::npos ? "" : part.substr(eq + 1), eas::plus_rule::space);
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return out;
}

std::string field(const std::vector<std::pair<std::string, std::string>>& fields, std::string_view name) {
  for (const auto& [n, v] : fields) {
    if (n == name) return v;
  }
  return {};
}

std::string when(std::int64_t ms) { return ms > 0 ? common::iso8601_utc(ms).substr(0, 19) + "Z" : "never"; }

std::string status_of(const store::device_record& d) {
  if (d.provisioning.wipe_ack_ms > 0) return "Wiped";
  if (d.provisioning.wipe_requested_ms > 0) return "Wipe pending";
  if (d.access.state.empty() || d.access.state == "Allowed") return "OK";
  return d.access.state;
}

std::string device_name(const store::device_record& d) {
  if (!d.information.friendly_name.empty()) return d.information.friendly_name;
  if (!d.information.model.empty()) return d.information.model;
  return d.device_type;
}

std::optional<store::device_record> own_device(const store::store& db, const std::string& mailbox, const std::string& id) {
  for (auto& d : db.list_devices(mailbox)) {
    if (iequals(d.device_id, id)) return std::move(d);
  }
  return std::nullopt;
}

std::string button(const std::string& canary_value, const std::string& device, const char* action, const char* label) {
  return "<form method=\"post\" action=\"" + std::string(page_path) + "\"><input type=\"hidden\" name=\"canary\" value=\"" +
         canary_value + "\"><input type=\"hidden\" name=\"device\" value=\"" + markup_escape(device) +
         "\"><button name=\"action\" value=\"" + action + "\">" + label + "</button></form> ";
}

std::string notice_of(std::string_view done) {
  if (done == "start_logging") return "Logging is on. Exchange turns it off by itself after 72 hours.";
  if (done == "stop_logging") return "Logging is off.";
  if (done == "retrieve_log") return "The log was sent to your Inbox as an attachment.";
  if (done == "wipe") return "The phone will be wiped the next time it connects.";
  if (done == "remove") return "The phone was removed from the list.";
  return {};
}

http_response list_page(const lab_view& lab, const phone_services& s, const store::mailbox_record& who, std::string_view done) {
  const auto now = common::now_ms();
  const auto c = canary(s, who.address);
  const bool logging = mailbox_logging::is_on(*s.store, who.address, now);
  std::string body = "<h1>Mobile Phones</h1><p>" + markup_escape(who.display_name.empty() ? who.address : who.display_name) +
                     " (" + markup_escape(who.address) + ") on " + markup_escape(lab.hostname) + ". Logging: <b>" +
                     (logging ? "on" : "off") + "</b></p>";
  if (const auto note = notice_of(done); !note.empty()) body += "<p class=\"note\">" + note + "</p>";
  const auto devices = s.store->list_devices(who.address);
  if (devices.empty()) {
    body += "<p>No phones have synced with this mailbox.</p>";
  } else {
    body += "<table><tr><th>Device</th><th>Phone number</th><th>Last sync</th><th>Status</th><th></th></tr>";
    for (const auto& d : devices) {
      body += "<tr><td>" + markup_escape(device_name(d)) + "<br><small>" + markup_escape(d.device_type) + " " +
              markup_escape(d.device_id) + "</small></td><td>" + markup_escape(d.information.phone_number) + "</td><td>" +
              when(d.last_seen_ms) + "</td><td>" + markup_escape(status_of(d)) + "</td><td>" +
              (logging ? button(c, d.device_id, "stop_logging", "Stop Logging")
                       : button(c, d.device_id, "start_logging", "Start Logging")) +
              button(c, d.device_id, "retrieve_log", "Retrieve Log") + button(c, d.device_id, "wipe", "Wipe Device") +
              button(c, d.device_id, "remove", "Remove") + "</td></tr>";
    }
    body += "</table>";
  }
  return page(200, "Mobile Phones", body);
}

// Wipe Device asks first, as OWA does; the confirmation posts `confirm=yes`.
http_response confirm_wipe(const phone_services& s, const store::mailbox_record& who, const store::device_record& d) {
  const auto c = canary(s, who.address);
  return page(200, "Wipe Device",
              "<h1>Wipe Device</h1><p>All data on " + markup_escape(device_name(d)) + " (" + markup_escape(d.device_id) +
                  ") will be erased the next time it connects. This can't be undone.</p><form method=\"post\" action=\"" +
                  std::string(page_path) + "\"><input type=\"hidden\" name=\"canary\" value=\"" + c +
                  "\"><input type=\"hidden\" name=\"device\" value=\"" + markup_escape(d.device_id) +
                  "\"><input type=\"hidden\" name=\"confirm\" value=\"yes\"><button name=\"action\" value=\"wipe\">Wipe Device"
                  "</button></form> <a href=\"" + std::string(page_path) + "\">Cancel</a>");
}

// The log as a mail with the text attached, delivered to the user's own Inbox.
std::string mail_log(const lab_view& lab, const phone_services& s, const store::mailbox_record& who,
                     const store::device_record& d) {
  if (s.flush_journal) s.flush_journal();
  const auto now = common::now_ms();
  store::journal_filter f;
  f.user = who.address;
  f.device_id = d.device_id;
  f.limit = 1000;
  const auto log = mailbox_logging::device_log(s.store->query_journal(f), mailbox_logging::periods(*s.store, who.address, now), now,
                                               {lab.hostname, lab.server_build});
  mailbox::new_message m;
  m.from = "Microsoft Exchange <postmaster@" + lab.domain + ">";
  m.to = who.address;
  m.subject = "Exchange ActiveSync Mailbox Log: " + d.device_id;
  m.text = "The log of " + device_name(d) + " (" + d.device_id + ") you asked for is attached.\n" +
           (log.empty() ? "Nothing was logged: logging was off, or the phone did not connect while it was on.\n" : "");
  m.date_ms = now;
  const auto alias = who.address.substr(0, who.address.find('@'));
  m.attachments.push_back({"EASMailboxLog_" + alias + "_" + d.device_id + ".txt", "text/plain", log});
  return s.deliver(who.address, mailbox::compose_message(m));
}

http_response see_other(std::string_view done) {
  http_response r = http_response::text(303, "");
  r.set("Location", std::string(page_path) + "?done=" + std::string(done));
  return hardened_page(std::move(r));
}

http_response act(const lab_view& lab, const phone_services& s, const store::mailbox_record& who, const http_request& request) {
  const auto* type = request.header("Content-Type");
  if (type == nullptr || !common::ascii_lowercase(*type).starts_with("application/x-www-form-urlencoded")) {
    return page(415, "Mobile Phones", "<p>The form must be sent as application/x-www-form-urlencoded.</p>");
  }
  const auto fields = form_fields(request.body);
  if (!fields) return page(400, "Mobile Phones", "<p>The form could not be read.</p>");
  const auto expected = canary(s, who.address);
  const auto given = field(*fields, "canary");
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    s.log->info("request={} mobile phones: form without a valid canary for {} refused", request.request_id, who.address);
    return page(403, "Mobile Phones", "<p>This form has expired. <a href=\"" + std::string(page_path) + "\">Open the page again</a>.</p>");
  }
  const auto device = own_device(*s.store, who.address, field(*fields, "device"));
  if (!device) return page(404, "Mobile Phones", "<p>No such phone in your list.</p>");
  const auto action = field(*fields, "action");
  const auto now = common::now_ms();
  if (action == "start_logging" || action == "stop_logging") {
    mailbox_logging::set(*s.store, who.address, action == "start_logging", now);
  } else if (action == "retrieve_log") {
    if (auto error = mail_log(lab, s, who, *device); !error.empty()) {
      return page(500, "Mobile Phones", "<p>The log could not be delivered: " + markup_escape(error) + "</p>");
    }
  } else if (action == "wipe") {
    if (field(*fields, "confirm") != "yes") return confirm_wipe(s, who, *device);
    if (auto error = s.wipe(who.address, device->device_id); !error.empty()) {
      return page(400, "Mobile Phones", "<p>" + markup_escape(error) + "</p>");
    }
  } else if (action == "remove") {
    s.store->delete_device(who.address, device->device_id);
  } else {
    return page(400, "Mobile Phones", "<p>Unknown action.</p>");
  }
  s.log->info("request={} mobile phones: {} {} for device {}", request.request_id, who.address, action, device->device_id);
  return see_other(action);
}

}  // namespace

std::optional<http_response> mobile_phones(const lab_view& lab, const phone_services& s, const http_request& request) {
  const auto path = request.path();
  if (!iequals(path, "/owa") && !iequals(path, "/owa/") && !iequals(path, page_path)) return std::nullopt;
  if (!request.secure) {
    // Credentials only over TLS: the plain listener sends the browser to the HTTPS page.
    http_response r = http_response::text(302, "");
    r.set("Location", lab.public_url + std::string(page_path));
    return r;
  }
  if (!iequals(path, page_path)) {
    http_response r = http_response::text(302, "");
    r.set("Location", std::string(page_path));
    return r;
  }
  if (request.method != "GET" && request.method != "POST") {
    auto r = page(405, "Mobile Phones", "<p>Method not allowed.</p>");
    r.set("Allow", "GET, POST");
    return r;
  }
  const auto who = s.authenticate(request);
  if (!who) {
    auto r = page(401, "Sign in", "<p>Sign in with your mailbox's address and password.</p>");
    r.set("WWW-Authenticate", "Basic realm=\"" + lab.hostname + "\"");
    return r;
  }
  if (request.method == "POST") return act(lab, s, *who, request);
  const auto query = request.query();
  std::string done;
  if (const auto at = query.find("done="); at != std::string_view::npos) {
    done = std::string(query.substr(at + 5, query.find('&', at) == std::string_view::npos ? std::string_view::npos
                                                                                            : query.find('&', at) - at - 5));
  }
  return list_page(lab, s, *who, done);
}

}  // namespace easemu::server::web
