#pragma once
// What the server shows a browser or a scraper, without a token: the landing page `/`, the lab
// CA's download pages `/certsrv/`, the dashboard's files `/ui/` and the Prometheus page
// `/metrics`.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "easemu/server/http.hpp"

namespace easemu::store {
class store;
}

namespace easemu::server {

struct lab_view;
class request_metrics;

namespace web {

// Everything the pages read; the references outlive the site (the router owns them).
struct site_context {
  const lab_view& lab;
  const std::string& ui_dir;  // EASEMU_UI_DIR, set before the server starts; empty: embedded files
  std::shared_ptr<const store::store> store;
  const request_metrics& metrics;
  std::function<std::size_t()> waiting_requests;
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
