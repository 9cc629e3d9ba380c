#pragma once
// What the server shows a browser or a scraper, without a token: the landing page `/`, the lab
// CA's download pages `/certsrv/`, the dashboard's files `/ui/`, the Prometheus page `/metrics`,
// and the user's own Mobile Phones page `/owa/mobile-phones` (mailbox credentials).
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "easemu/server/http.hpp"

namespace spdlog {
class logger;
}

namespace easemu::store {
class store;
struct mailbox_record;
}

namespace easemu::server {

struct lab_view;
class request_metrics;

namespace web {

// What the Mobile Phones page (mobile_phones.cpp) acts through.
struct phone_services {
  std::shared_ptr<store::store> store;
  // The mailbox of the request's Basic credentials, as the EAS endpoint checks them.
  std::function<std::optional<store::mailbox_record>(const http_request&)> authenticate;
  // Delivers MIME to a lab mailbox's Inbox; the error, empty on success.
  std::function<std::string(const std::string& mailbox, const std::string& mime)> deliver;
  std::function<void()> flush_journal;
  // Requests a full wipe of the mailbox's device; the error, empty on success.
  std::function<std::string(const std::string& mailbox, const std::string& device_id)> wipe;
  std::string canary_key;  // the forms' anti-forgery key, random per process
  std::shared_ptr<spdlog::logger> log;
};

// /owa/mobile-phones (and /owa/, which leads there): the signed-in user's own phones with Start
// Logging, Stop Logging, Retrieve Log, Wipe Device and Remove, as Exchange 2010's Outlook Web App
// offers them; nullopt for any other path.
std::optional<http_response> mobile_phones(const lab_view& lab, const phone_services& services, const http_request& request);

// Everything the pages read; the references outlive the site (the router owns them).
struct site_context {
  const lab_view& lab;
  const std::string& ui_dir;  // EASEMU_UI_DIR, set before the server starts; empty: embedded files
  std::shared_ptr<const store::store> store;
  const request_metrics& metrics;
  std::function<std::size_t()> waiting_requests;
  phone_services phones;
};

// The landing page (GET / and /index.html).
http_response landing_page(const lab_view& lab);
// GET /certsrv/ and its downloads, at AD CS's paths (certcarc.asp, certnew.cer, certnew.p7b,
// certcrl.crl, with `query` choosing DER or Base 64) and the lab's own (ca.cer, ca.pem,
// ca-chain.p7b, ca.crl, and the iOS profile).
http_response certsrv(const lab_view& lab, std::string_view path, std::string_view query);
// GET /metrics (Prometheus text format): request counters, devices by access state, waiting
// requests, resident memory. Counters and totals only.
http_response metrics_page(const request_metrics& metrics, const store::store& store, std::size_t waiting_requests);

class site {
 public:
  explicit site(site_context context) : context_(std::move(context)) {}
  // The answer for one of the site's paths; nullopt for any other (and for a method a page does
  // not take, which the router answers with its 404).
  std::optional<http_response> handle(const http_request& request) const;

 private:
  site_context context_;
};

}  // namespace web
}  // namespace easemu::server
