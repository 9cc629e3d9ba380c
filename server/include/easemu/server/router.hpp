#pragma once
// Routes HTTP requests: health, the EAS endpoint and Autodiscover; the admin API (/api/v1/, the
// route table of admin/api/) and the web pages (/, /certsrv/, /ui/, /metrics: web/) are objects
// it hands those paths to. No Beast or Asio here.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/server/activesync/pipeline.hpp"
#include "easemu/server/http.hpp"
#include "easemu/server/access_service.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/server/commands/ping.hpp"
#include "easemu/server/event_hub.hpp"
#include "easemu/server/exchange_shell.hpp"
#include "easemu/server/metrics.hpp"
#include "easemu/server/faults.hpp"
#include "easemu/server/mailbox_directory.hpp"
#include "easemu/server/provisioning_service.hpp"

namespace spdlog {
class logger;
}
namespace easemu::store {
class store;
class journal_writer;
struct journal_entry;
}

namespace easemu::server {

namespace admin {
class admin_api;
}
namespace web {
class site;
}

struct lab_mailbox {
  std::string address;  // user@domain, lower case
  std::string password;
  std::string display_name;
};

// The lab CA in the forms the download site offers (/certsrv/).
struct ca_downloads {
  std::string pem;
  std::string der;           // ca.cer, as Windows and Windows Phone expect
  std::string p7b;           // the chain as PKCS#7
  // The current CRL signed by the CA, DER (built when asked: revocations apply at once).
  std::function<std::string()> crl;
  std::string mobileconfig;  // iOS profile installing the CA as a root
};

// Run-time control of the certificate the HTTPS listener presents (/api/v1/tls).
struct tls_control {
  std::vector<std::string> modes;
  std::function<std::string()> current;
  // Switches new connections to `mode`; returns an error message, empty on success.
  std::function<std::string(const std::string& mode)> set;
};

// What the router needs to know about the lab; built once at start.
struct lab_view {
  std::string domain;
  std::string hostname;
  std::string netbios_domain;
  std::string public_url;    // https://mail.lab.test
  std::string server_build;  // MS-Server-ActiveSync header
  std::string exchange_version = "2010SP1";  // whose provisioning rules apply
  ping_limits ping;
  std::vector<protocol_version> versions;
  // MS-ASProtocolVersions as the emulated Exchange writes it (2.0 and 2.1 included); empty:
  // `versions`, written out.
  std::string versions_header;
  // The lab file's mailboxes as serve started (its report); logins read the store's
  // (mailbox_directory), which the admin API, the shell and a lab reset change at run time.
  std::vector<lab_mailbox> mailboxes;
  ca_downloads ca;
  bool test_clock = false;  // --test-clock: POST /api/v1/clock moves the clock forward
};

class router {
 public:
  // `admin_token` guards /api/v1/ (Bearer); the store keeps devices across restarts.
  router(lab_view lab, std::shared_ptr<store::store> store, std::string admin_token,
         std::shared_ptr<spdlog::logger> log);
  ~router();

  void handle(http_request&& request, respond_fn respond);
  void set_ready(bool ready) { ready_ = ready; }
  provisioning_service& provisioning() { return *provisioning_; }
  exchange_shell& shell() { return *shell_; }
  access_service& access() { return *access_; }
  mail_service& mail() { return *mail_; }
  // The fault injection rules (/api/v1/faults, the lab file's faults:).
  fault_registry& faults() { return *faults_; }
  // POST /api/v1/reset: puts the lab back to its file's state; returns an error, empty on success.
  void set_reset(std::function<std::string()> reset) { reset_ = std::move(reset); }
  // Answers the waiting long-polls and the delayed answers: the server is stopping.
  void shutdown() {
    ping_->shutdown();
    fault_timer_->shutdown();
    events_->close_all();  // the dashboards' event streams end
  }
  // Writes the queued journal entries (shutdown, tests).
  void flush_journal();
  // Known only once the HTTPS port is bound; set before the server starts its threads.
  void set_public_url(std::string url) { lab_.public_url = std::move(url); }
  void set_tls_control(tls_control control) { tls_ = std::move(control); }
  // Serve /ui/ from this directory, read at each request, instead of the embedded files (the
  // EASEMU_UI_DIR of dashboard development). Set before the server starts.
  void set_ui_dir(std::string dir) { ui_dir_ = std::move(dir); }
  // The live feed of GET /api/v1/events.
  event_hub& events() { return *events_; }

  // The mailbox a Basic user name names, among the store's mailboxes now: user@domain,
  // DOMAIN\user (the lab's NetBIOS domain) or the alias (the address's local part);
  // case-insensitive (mailbox_directory).
  std::optional<store::mailbox_record> find_login(std::string_view user) const;

 private:
  void handle_eas(http_request&& request, respond_fn respond);
  void handle_autodiscover(http_request&& request, respond_fn respond);
  // The mailbox whose Basic credentials the request carries, or nullopt (logged, no secrets).
  std::optional<store::mailbox_record> authenticate(const http_request& request) const;
  http_response challenge() const;
  // The admin API and the web pages, over the services above (the end of the constructor).
  void start_admin_and_web();
  void publish_journal(const std::vector<store::journal_entry>& written);
  void publish_device(const std::string& mailbox, const std::string& device_id);

  lab_view lab_;
  // Before store_: the store tells it about device changes from the start.
  std::unique_ptr<event_hub> events_ = std::make_unique<event_hub>();
  std::string ui_dir_;
  std::shared_ptr<store::store> store_;
  std::unique_ptr<store::journal_writer> journal_;
  std::string admin_token_;
  tls_control tls_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<bool> ready_{false};
  // /Microsoft-Server-ActiveSync past authentication (activesync/endpoint.hpp). Before the
  // services it calls: a Ping that ends while they go still answers through it.
  std::unique_ptr<eas_pipeline> eas_;
  std::unique_ptr<mailbox_directory> directory_;  // who may log in: the store's mailboxes
  std::unique_ptr<provisioning_service> provisioning_;
  std::unique_ptr<exchange_shell> shell_;
  std::unique_ptr<folder_service> folders_;
  std::unique_ptr<mail_service> mail_;
  std::unique_ptr<ping_service> ping_;
  std::unique_ptr<access_service> access_;
  mutable request_metrics metrics_;
  std::function<std::string()> reset_;
  std::unique_ptr<fault_registry> faults_;
  std::unique_ptr<delay_timer> fault_timer_;
  std::unique_ptr<admin::admin_api> api_;
  std::unique_ptr<web::site> web_;
};

}  // namespace easemu::server
