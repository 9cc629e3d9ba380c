#include "easemu/simulator/device_flow.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <random>
#include <set>

#include "easemu/common/markup.hpp"
#include "easemu/common/text.hpp"
#include "easemu/eas/command.hpp"
#include "easemu/eas/query.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace easemu::simulator {

namespace {

using clock_type = std::chrono::steady_clock;
using client::client_request;
using client::client_response;
using client::url_parts;
using client::parse_url;
using client::send;
using client::request_below;
using wbxml::tag;
using enum protocol_version;

constexpr const char* eas_path = "/Microsoft-Server-ActiveSync";
constexpr const char* wbxml_type = "application/vnd.ms-sync.wbxml";
// What WP7 and Android use for Ping (Exchange accepts 60 ... 3540 seconds).
constexpr int ping_heartbeat_seconds = 480;
// OpenSSL's X509_V_ERR_* values the phone tells apart (x509_vfy.h).
constexpr long verify_not_yet_valid = 9;
constexpr long verify_expired = 10;
constexpr long verify_unable_to_get_issuer_locally = 20;
constexpr long verify_hostname_mismatch = 62;
constexpr long verify_ip_address_mismatch = 64;

phone::outcome outcome_of(phone::outcome_kind kind, int status = 0) {
  phone::outcome o;
  o.kind = kind;
  o.status = status;
  return o;
}

std::string read_whole(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  return ok ? std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()} : std::string();
}

std::uint16_t wire_version(phone::tls_version v) {
  // 1.0 -> 0x0301 ... 1.3 -> 0x0304 (RFC 8446 ProtocolVersion).
  return static_cast<std::uint16_t>(0x0300 + (static_cast<int>(v) - 9));
}

bool timed_out(const client_response& r) {
  return r.error.find("timed out") != std::string::npos || r.error.find("Timed out") != std::string::npos;
}

// A transport failure as the phone experiences it (PROVISIONING.md 6, docs/device-profiles.md).
phone::outcome transport_outcome(const client_response& r) {
  phone::outcome o;
  if (r.error_stage == "resolve") {
    o.kind = timed_out(r) ? phone::outcome_kind::timeout : phone::outcome_kind::name_not_resolved;
  } else if (r.error_stage == "connect") {
    o.kind = timed_out(r) ? phone::outcome_kind::timeout : phone::outcome_kind::connection_refused;
  } else if (r.error_stage == "tls") {
    if (r.verify_result == verify_hostname_mismatch || r.verify_result == verify_ip_address_mismatch) {
      o.kind = phone::outcome_kind::certificate_name_mismatch;
    } else if (r.verify_result == verify_expired || r.verify_result == verify_not_yet_valid) {
      o.kind = phone::outcome_kind::certificate_expired;
    } else if (r.verify_result != 0) {
      o.kind = phone::outcome_kind::certificate_untrusted;
    } else if (timed_out(r)) {
      o.kind = phone::outcome_kind::timeout;
    } else {
      // The handshake failed before any certificate was judged: no version (or cipher) in common.
      o.kind = phone::outcome_kind::tls_version_refused;
    }
  } else {
    o.kind = timed_out(r) ? phone::outcome_kind::timeout : phone::outcome_kind::connection_refused;
  }
  return o;
}

std::string verify_text(long v) {
  switch (v) {
    case 2: return "unable to get issuer certificate";
    case verify_not_yet_valid: return "certificate is not yet valid";
    case verify_expired: return "certificate has expired";
    case 18: return "self-signed certificate";
    case 19: return "self-signed certificate in chain";
    case verify_unable_to_get_issuer_locally: return "unable to get local issuer certificate";
    case 21: return "unable to verify the first certificate";
    case verify_hostname_mismatch: return "hostname mismatch";
    case verify_ip_address_mismatch: return "IP address mismatch";
    default: return "verify error";
  }
}

// The top-level Status of a response body, 0 when none.
int status_of(const wbxml::element& root) {
  for (const auto& c : root.children) {
    if (c.name() == "Status") return common::parse_decimal<int>(c.value).value_or(0);
  }
  return 0;
}

// Asio's messages end in " [system:111 at file:line in function ...]": keep what a person reads.
std::string short_error(const std::string& e) { return e.substr(0, e.find(" [")); }

std::string xml_text(std::string_view s) { return common::markup_escape(s); }

bool is_common_status(int s) { return s >= 101; }  // MS-ASCMD 2.2.2

class flow {
 public:
  explicit flow(const flow_options& o) : o_(o), p_(o.profile) {}

  flow_result run() {
    res_.device_id = o_.device_id.empty() ? make_device_id(p_) : o_.device_id;
    std::string error;
    trust_ = trust_pem(p_.trust, o_.extra_ca_pem, error);
    if (!error.empty()) note_step("Trust store", false, error);
    if (o_.autodiscover) {
      if (!autodiscover()) return finish();
    } else if (!parse_url(o_.server, eas_)) {
      note_step("Server URL", false, "'" + o_.server + "' is not an https:// or http:// URL");
      fail_with(outcome_of(phone::outcome_kind::name_not_resolved));
      return finish();
    }
    if (eas_.target == "/" || eas_.target.empty()) eas_.target = eas_path;
    res_.eas_url = std::string(eas_.tls ? "https://" : "http://") + eas_.host + ":" + std::to_string(eas_.port) + eas_.target;
    server_name_ = eas_.host;
    if (!options()) return finish();
    // A phone that was never provisioned sends policy key 0 (MS-ASPROV 3.1.5.1.1; AOSP sends "0"
    // until it holds a key); clients that never provision send none.
    if (p_.sends_policy_key) key_ = "0";
    // Account setup starts with the hierarchy, as Windows Mobile and AOSP do: the server's 449
    // (below 14.0) or Status 142 tells the phone to provision first (PROVISIONING.md 1.8, 6).
    const auto folders = command("FolderSync", "FolderSync",
                                 "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>");
    if (!folders) return finish();
    if (const int s = status_of(*folders); s != 1) {
      res_.steps.back().ok = false;
      fail_with(outcome_of(phone::outcome_kind::eas_status, s));
      return finish();
    }
    if (!settings_sent_ && settings_wanted()) device_information();
    std::string inbox;
    if (const auto* changes = folders->child(tag("FolderHierarchy:Changes"))) {
      for (const auto& add : changes->children) {
        if (add.tag == tag("FolderHierarchy:Add") && add.child_text(tag("FolderHierarchy:Type")) == "2") {
          inbox = std::string(add.child_text(tag("FolderHierarchy:ServerId")));
          break;
        }
      }
    }
    if (inbox.empty()) {
      res_.steps.back().ok = false;
      res_.steps.back().note = "no Inbox (Type 2) in the hierarchy";
      fail_with(outcome_of(phone::outcome_kind::eas_status, 0));
      return finish();
    }
    std::string sync_key = "0";
    for (const bool get_changes : {false, true}) {
      const auto sync = command(get_changes ? "Sync (GetChanges)" : "Sync (initial)", "Sync", sync_xml(inbox, sync_key, get_changes));
      if (!sync) return finish();
      const auto* collections = sync->child(tag("AirSync:Collections"));
      const auto* collection = collections != nullptr ? collections->child(tag("AirSync:Collection")) : nullptr;
      const int s = collection != nullptr ? common::parse_decimal<int>(collection->child_text(tag("AirSync:Status"))).value_or(0)
                                          : status_of(*sync);
      auto& step = res_.steps.back();
      step.eas_status = s;
      if (s != 1 || collection == nullptr) {
        step.ok = false;
        fail_with(outcome_of(phone::outcome_kind::eas_status, s));
        return finish();
      }
      sync_key = std::string(collection->child_text(tag("AirSync:SyncKey")));
      if (get_changes) {
        std::size_t adds = 0;
        if (const auto* commands = collection->child(tag("AirSync:Commands"))) {
          adds = static_cast<std::size_t>(std::count_if(commands->children.begin(), commands->children.end(),
                                                        [](const wbxml::element& e) { return e.tag == tag("AirSync:Add"); }));
        }
        step.note = std::to_string(adds) + " message(s)";
      }
    }
    res_.syncing = true;
    ping(inbox);
    res_.partial = !res_.unenforceable.empty();
    return finish();
  }

 private:
  // ---- transport ----

  std::string address_of(const std::string& host) const {
    for (const auto& [name, address] : o_.resolve) {
      if (common::iequals(name, host)) return address;
    }
    return {};
  }

  // Sends `r` to `u` with the phone's TLS window and trust store; records the certificate check
  // at the first contact with each host.
  client_response transmit(const url_parts& u, client_request r, std::int64_t& ms) {
    r.tls = u.tls;
    r.host = u.host;
    r.connect_address = address_of(u.host);
    r.verify_host = u.host;
    r.tls_min_version = wire_version(p_.tls_min);
    r.tls_max_version = wire_version(p_.tls_max);
    r.ca_pem = trust_;
    r.headers.emplace_back("User-Agent", p_.user_agent);
    r.basic_user = o_.user;
    r.basic_password = o_.password;
    const auto start = clock_type::now();
    auto resp = send(u.port, r);
    ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start).count();
    if (resp.error.empty() || resp.error_stage == "http" || resp.error_stage == "tls") res_.answered = true;
    if (u.tls && trust_.empty() && resp.error.empty()) {
      // Nothing is trusted: the handshake went through only because nothing was verified.
      resp = client_response{};
      resp.error = "the phone trusts no root certificate";
      resp.error_stage = "tls";
      resp.verify_result = verify_unable_to_get_issuer_locally;
    }
    if (u.tls && checked_hosts_.insert(common::ascii_lowercase(u.host)).second) {
      flow_step step;
      step.name = "Certificate " + u.host;
      step.ms = 0;
      if (resp.error_stage == "tls") {
        step.ok = false;
        step.note = resp.verify_result != 0
                        ? "verify error " + std::to_string(resp.verify_result) + " (" + verify_text(resp.verify_result) + ")"
                        : short_error(resp.error) + " (the phone speaks TLS " + std::string(phone::to_string(p_.tls_min)) + "-" +
                              std::string(phone::to_string(p_.tls_max)) + ")";
        res_.steps.push_back(step);
      } else if (resp.error.empty() || resp.error_stage == "http") {
        step.note = "chain and name verified against the phone's trust store (TLS " + std::string(phone::to_string(p_.tls_min)) +
                    "-" + std::string(phone::to_string(p_.tls_max)) + ")";
        res_.steps.push_back(step);
      } else {
        checked_hosts_.erase(common::ascii_lowercase(u.host));  // never reached: check at the next contact
      }
    }
    return resp;
  }

  // The query of one command: base64 (MS-ASHTTP 2.2.1.1.1.1) for profiles that use it at 12.1 and
  // later, else the plain form with the version and key as headers (2.2.1.1.2.6, 2.2.1.1.2.8).
  client_request eas_request(const std::string& cmd, const std::string& xml, const std::optional<std::string>& key) {
    client_request r;
    r.method = "POST";
    eas::eas_query q;
    q.command = eas::find_command(cmd);
    q.user = o_.user;
    q.device_id = res_.device_id;
    q.device_type = p_.device_type;
    bool base64 = false;
    if (p_.base64_query && *res_.version >= v12_1) {
      q.version = *res_.version;
      if (key) q.policy_key = common::parse_decimal<std::uint32_t>(*key).value_or(0);
      if (auto text = eas::encode_base64_query(q, true)) {
        r.target = eas_.target + "?" + *text;
        base64 = true;
      }
    }
    if (!base64) {
      auto text = eas::encode_plain_query(q);
      r.target = eas_.target + "?" + (text ? *text : std::string());
      r.headers.emplace_back("MS-ASProtocolVersion", std::string(to_string(*res_.version)));
      if (key) r.headers.emplace_back("X-MS-PolicyKey", *key);
    }
    r.headers.emplace_back("Content-Type", wbxml_type);
    if (!xml.empty()) {
      auto tree = wbxml::from_xml(xml);
      if (tree) {
        if (auto bytes = wbxml::encode(*tree)) r.body = std::move(*bytes);
      }
    }
    r.timeout = o_.timeout;
    return r;
  }

  struct answer {
    client_response http;
    std::optional<wbxml::element> body;
    int status = 0;
  };

  answer post(const std::string& step_name, const std::string& cmd, const std::string& xml,
              const std::optional<std::string>& key, std::chrono::milliseconds timeout = {}) {
    auto r = eas_request(cmd, xml, key);
    if (timeout.count() > 0) r.timeout = timeout;
    std::int64_t ms = 0;
    answer a;
    a.http = transmit(eas_, r, ms);
    if (a.http.error.empty() && !a.http.body.empty() &&
        a.http.header("Content-Type").find("application/vnd.ms-sync.wbxml") != std::string::npos) {
      if (auto tree = wbxml::decode(a.http.body)) a.body = std::move(*tree);
    }
    if (a.body) a.status = status_of(*a.body);
    flow_step step;
    step.name = step_name;
    step.http_status = a.http.status;
    step.eas_status = a.status;
    step.ms = ms;
    if (!a.http.error.empty()) {
      step.ok = false;
      step.note = short_error(a.http.error);
    } else if (a.http.status != 200) {
      step.ok = false;
    } else if (a.status != 0 && a.status != 1) {
      step.ok = false;
      if (const auto name = phone::eas_status_name(a.status); !name.empty()) step.note = std::string(name);
    }
    res_.steps.push_back(std::move(step));
    return a;
  }

  // ---- the outcome ----

  void fail_with(phone::outcome o) {
    if (!failed_) failed_ = std::move(o);
  }
  void fail_transport(const client_response& r) { fail_with(transport_outcome(r)); }

  void note_step(std::string name, bool ok, std::string note) {
    flow_step s;
    s.name = std::move(name);
    s.ok = ok;
    s.note = std::move(note);
    res_.steps.push_back(std::move(s));
  }

  flow_result finish() {
    res_.outcome = failed_.value_or(phone::outcome{});  // no failure: success
    res_.outcome.server = server_name_;
    res_.outcome.unenforceable = res_.unenforceable;
    res_.screen = phone::present(p_, res_.outcome);
    res_.policy_key = key_.value_or("");
    return std::move(res_);
  }

  // ---- the steps ----

  bool autodiscover() {
    const auto at = o_.user.find('@');
    if (at == std::string::npos) {
      note_step("Autodiscover", false, "the user '" + o_.user + "' is not an e-mail address");
      fail_with(outcome_of(phone::outcome_kind::autodiscover_failed));
      return false;
    }
    const auto domain = o_.user.substr(at + 1);
    url_parts given;
    const bool have_server = !o_.server.empty() && parse_url(o_.server, given);
    const std::string port = have_server ? ":" + std::to_string(given.port) : "";
    server_name_ = domain;
    // MS-OXDSCLI 3.1.5: the domain itself, then autodiscover.<domain>.
    for (const auto& host : {domain, "autodiscover." + domain}) {
      url_parts u;
      parse_url("https://" + host + port + "/autodiscover/autodiscover.xml", u);
      client_request r;
      r.method = "POST";
      r.target = u.target;
      r.headers.emplace_back("Content-Type", "text/xml");
      r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
               "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006\">"
               "<Request><EMailAddress>" + xml_text(o_.user) + "</EMailAddress><AcceptableResponseSchema>"
               "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"
               "</AcceptableResponseSchema></Request></Autodiscover>";
      r.timeout = o_.timeout;
      std::int64_t ms = 0;
      const auto resp = transmit(u, r, ms);
      flow_step step;
      step.name = "Autodiscover " + host;
      step.http_status = resp.status;
      step.ms = ms;
      if (!resp.error.empty()) {
        step.ok = false;
        step.note = short_error(resp.error);
        res_.steps.push_back(step);
        if (resp.error_stage == "tls") {
          server_name_ = host;
          fail_transport(resp);
          return false;
        }
        continue;
      }
      if (resp.status == 401) {
        step.ok = false;
        res_.steps.push_back(step);
        server_name_ = host;
        fail_with(outcome_of(phone::outcome_kind::http_status, 401));
        return false;
      }
      const auto type = resp.body.find("<Type>MobileSync</Type>");
      const auto url_at = resp.body.find("<Url>", type == std::string::npos ? 0 : type);
      const auto url_end = resp.body.find("</Url>", url_at == std::string::npos ? 0 : url_at);
      if (resp.status == 200 && type != std::string::npos && url_at != std::string::npos && url_end != std::string::npos) {
        const auto url = resp.body.substr(url_at + 5, url_end - url_at - 5);
        if (parse_url(url, eas_)) {
          step.note = url;
          res_.steps.push_back(step);
          return true;
        }
      }
      step.ok = false;
      const auto code = resp.body.find("<ErrorCode>");
      step.note = code != std::string::npos ? "ErrorCode " + resp.body.substr(code + 11, 3) : "no MobileSync URL";
      res_.steps.push_back(step);
    }
    fail_with(outcome_of(phone::outcome_kind::autodiscover_failed));
    return false;
  }

  // HTTP OPTIONS (MS-ASHTTP 2.2.3, 2.2.4): the versions and commands the server offers.
  bool options() {
    client_request r;
    r.method = "OPTIONS";
    r.target = eas_.target;
    r.timeout = o_.timeout;
    std::int64_t ms = 0;
    const auto resp = transmit(eas_, r, ms);
    flow_step step;
    step.name = "OPTIONS";
    step.http_status = resp.status;
    step.ms = ms;
    if (!resp.error.empty()) {
      step.ok = false;
      step.note = short_error(resp.error);
      res_.steps.push_back(step);
      fail_transport(resp);
      return false;
    }
    if (resp.status != 200) {
      step.ok = false;
      res_.steps.push_back(step);
      fail_with(outcome_of(phone::outcome_kind::http_status, resp.status));
      return false;
    }
    if (resp.header("MS-Server-ActiveSync").empty() && resp.header("MS-ASProtocolVersions").empty()) {
      step.ok = false;
      step.note = "no MS-Server-ActiveSync header";
      res_.steps.push_back(step);
      fail_with(outcome_of(phone::outcome_kind::options_header_missing));
      return false;
    }
    const auto offered = resp.header("MS-ASProtocolVersions");
    res_.version = phone::pick_version(p_, offered);
    if (!res_.version) {
      step.ok = false;
      step.note = "no common protocol version (server: " + offered + ")";
      res_.steps.push_back(step);
      fail_with(outcome_of(phone::outcome_kind::eas_status, 138));  // MS-ASCMD 2.2.2: InvalidProtocolVersion
      return false;
    }
    step.note = "server " + offered + "; uses " + std::string(to_string(*res_.version));
    res_.steps.push_back(step);
    return true;
  }

  // One command as the phone runs it: a 449, or a body Status 140/142/143/144, sends it to
  // Provision and then repeats the command (MS-ASPROV 3.1.5.1; MS-ASCMD 2.2.2; PROVISIONING.md
  // 1.8). It provisions at most twice in a flow (the first time and once more), as real phones
  // stop re-provisioning when the server keeps refusing the key. nullopt when the flow ended.
  std::optional<wbxml::element> command(const std::string& step_name, const std::string& cmd, const std::string& xml) {
    for (;;) {
      auto a = post(step_name, cmd, xml, p_.sends_policy_key ? key_ : std::nullopt);
      if (!a.http.error.empty()) {
        fail_transport(a.http);
        return std::nullopt;
      }
      const bool provision_now =
          a.http.status == 449 || (a.http.status == 200 && (a.status == 140 || a.status == 142 || a.status == 143 || a.status == 144));
      if (provision_now) {
        if (!p_.provisions || provision_rounds_ >= 2) {
          if (p_.provisions) res_.steps.back().note += std::string(res_.steps.back().note.empty() ? "" : "; ") + "gives up after re-provisioning";
          fail_with(a.http.status == 449 ? outcome_of(phone::outcome_kind::http_status, 449)
                                         : outcome_of(phone::outcome_kind::eas_status, a.status));
          return std::nullopt;
        }
        res_.steps.back().ok = true;  // the expected way in, not a failure
        res_.steps.back().note += std::string(res_.steps.back().note.empty() ? "" : "; ") + "provisions";
        if (!provision()) return std::nullopt;
        if (!settings_sent_ && settings_wanted()) device_information();
        continue;
      }
      if (a.http.status != 200) {
        fail_with(outcome_of(phone::outcome_kind::http_status, a.http.status));
        return std::nullopt;
      }
      if (is_common_status(a.status)) {
        fail_with(outcome_of(phone::outcome_kind::eas_status, a.status));
        return std::nullopt;
      }
      if (!a.body) {
        res_.steps.back().ok = false;
        res_.steps.back().note = "no WBXML body";
        fail_with(outcome_of(phone::outcome_kind::http_status, 200));
        return std::nullopt;
      }
      return std::move(a.body);
    }
  }

  std::string device_information_xml() const {
    // MS-ASCMD 2.2.3.52 DeviceInformation: UserAgent from 12.1, MobileOperator from 14.0.
    std::string set;
    const auto add = [&](const char* name, const std::string& value) {
      if (!value.empty()) set += std::string("<settings:") + name + ">" + xml_text(value) + "</settings:" + name + ">";
    };
    add("Model", p_.model);
    add("FriendlyName", p_.friendly_name);
    add("OS", p_.device_os);
    add("OSLanguage", p_.os_language);
    if (*res_.version >= v12_1) add("UserAgent", p_.user_agent);
    if (*res_.version >= v14_0) add("MobileOperator", p_.mobile_operator);
    return "<settings:DeviceInformation><settings:Set>" + set + "</settings:Set></settings:DeviceInformation>";
  }

  bool settings_wanted() const {
    return phone::sends_device_information_in_settings(p_, *res_.version) &&
           *res_.version >= eas::info(eas::command_id::settings).first;
  }

  // Settings DeviceInformation below 14.1 (MS-ASCMD 2.2.1.18; AOSP sends it after provisioning).
  void device_information() {
    settings_sent_ = true;
    auto xml = device_information_xml();
    // The default namespace is Settings here, so drop the prefix.
    std::string plain;
    for (std::size_t i = 0; i < xml.size();) {
      if (xml.compare(i, 9, "settings:") == 0) {
        i += 9;
      } else {
        plain += xml[i++];
      }
    }
    const auto a = post("Settings (DeviceInformation)", "Settings", "<Settings xmlns=\"Settings:\">" + plain + "</Settings>",
                        p_.sends_policy_key ? key_ : std::nullopt);
    if (a.http.status == 200 && a.status == 1) return;
    settings_sent_ = a.http.status == 200 && a.status == 0;
    res_.steps.back().ok = false;  // recorded; the phone goes on to FolderSync regardless
  }

  static const wbxml::element* policy_of(const wbxml::element& provision) {
    const auto* policies = provision.child(tag("Provision:Policies"));
    return policies != nullptr ? policies->child(tag("Provision:Policy")) : nullptr;
  }

  // A RemoteWipe / AccountOnlyRemoteWipe directive: acknowledge and wipe (MS-ASPROV 3.1.5.1.2.2-3,
  // PROVISIONING.md 1.7). Always ends the flow.
  bool wipe(const wbxml::element& provision) {
    const bool account_only = provision.child(tag("Provision:AccountOnlyRemoteWipe")) != nullptr;
    const char* directive = account_only ? "AccountOnlyRemoteWipe" : "RemoteWipe";
    const bool performs = p_.react.wipe != phone::wipe_kind::none;
    post(std::string("Provision (") + directive + " acknowledged)", "Provision",
                        std::string("<Provision xmlns=\"Provision:\"><") + directive + "><Status>" + (performs ? "1" : "2") +
                            "</Status></" + directive + "></Provision>",
                        key_);
    res_.steps.back().note = performs ? (p_.react.wipe == phone::wipe_kind::full ? "the phone resets to factory settings"
                                                                                  : "the phone removes the account and its data")
                                      : "the phone cannot wipe";
    if (performs) {
      fail_with(outcome_of(phone::outcome_kind::wiped));
    } else {
      fail_with(outcome_of(phone::outcome_kind::eas_status, 140));
    }
    return false;
  }

  // Download, enforcement decision, acknowledgement (MS-ASPROV 3.1.5.1.1 and 3.1.5.1.2.1).
  bool provision() {
    ++provision_rounds_;
    const bool wap = *res_.version == v2_5;
    const std::string type = wap ? "MS-WAP-Provisioning-XML" : "MS-EAS-Provisioning-WBXML";  // PROVISIONING.md 1.2
    const bool info = phone::sends_device_information_in_provision(p_, *res_.version);
    const std::string download_xml = std::string("<Provision xmlns=\"Provision:\"") +
                                     (info ? " xmlns:settings=\"Settings:\">" + device_information_xml() : ">") +
                                     "<Policies><Policy><PolicyType>" + type + "</PolicyType></Policy></Policies></Provision>";
    // The initial request carries key 0 (MS-ASPROV 3.1.5.1.1, R618).
    auto a = post("Provision (download)", "Provision", download_xml, std::string("0"));
    if (!answered_ok(a)) return false;
    if (a.body->child(tag("Provision:RemoteWipe")) != nullptr || a.body->child(tag("Provision:AccountOnlyRemoteWipe")) != nullptr) {
      return wipe(*a.body);
    }
    const auto* policy = policy_of(*a.body);
    const int policy_status = policy != nullptr ? common::parse_decimal<int>(policy->child_text(tag("Provision:Status"))).value_or(0) : 0;
    if (policy_status == 2) {
      // MS-ASPROV 2.2.2.54.1: no policy for this client; nothing to enforce or acknowledge.
      res_.steps.back().note = "no policy for this client";
      key_ = "0";
      return true;
    }
    if (policy == nullptr || policy_status != 1) {
      res_.steps.back().ok = false;
      res_.steps.back().note = "Policy Status " + std::to_string(policy_status);
      fail_with(outcome_of(phone::outcome_kind::eas_status, policy_status));
      return false;
    }
    const std::string temporary(policy->child_text(tag("Provision:PolicyKey")));
    const auto* data = policy->child(tag("Provision:Data"));
    phone::enforcement e;
    if (wap) {
      e = phone::enforce_wap(p_, data != nullptr ? std::string_view(data->value) : std::string_view());
    } else {
      const auto* doc = data != nullptr ? data->child(tag("Provision:EASProvisionDoc")) : nullptr;
      e = phone::enforce(p_, doc != nullptr ? *doc : wbxml::element(tag("Provision:EASProvisionDoc")));
    }
    res_.unenforceable = e.unenforceable_names();
    res_.ack_status = e.ack_status;
    std::string note = std::to_string(e.elements.size()) + " setting(s)";
    if (!res_.unenforceable.empty()) {
      note += "; cannot enforce:";
      for (const auto& n : res_.unenforceable) note += " " + n;
    }
    res_.steps.back().note = note;

    // MS-ASPROV 2.2.2.54.1: 1 applied, 2 partly applied, 3 not applied.
    a = post("Provision (acknowledge " + std::to_string(e.ack_status) + ")", "Provision",
             "<Provision xmlns=\"Provision:\"><Policies><Policy><PolicyType>" + type + "</PolicyType><PolicyKey>" +
                 xml_text(temporary) + "</PolicyKey><Status>" + std::to_string(e.ack_status) +
                 "</Status></Policy></Policies></Provision>",
             temporary);
    if (!answered_ok(a)) return false;
    if (a.body->child(tag("Provision:RemoteWipe")) != nullptr || a.body->child(tag("Provision:AccountOnlyRemoteWipe")) != nullptr) {
      return wipe(*a.body);
    }
    const auto* acked = policy_of(*a.body);
    const std::string permanent = acked != nullptr ? std::string(acked->child_text(tag("Provision:PolicyKey"))) : std::string();
    if (!permanent.empty()) {
      key_ = permanent;
      return true;
    }
    // No PolicyKey in the reply (Exchange 2010 to a partial ack without ANP, or any ack Status 3).
    if (p_.react.keeps_temporary_key && e.ack_status != 3) {
      // PROVISIONING.md 2.5: WP7 goes on with the temporary key; the next command gets 144.
      res_.steps.back().note = "no PolicyKey in the reply: keeps the temporary key";
      key_ = temporary;
      return true;
    }
    // AOSP: an acknowledgement reply without a key means provisioning failed (PROVISIONING.md 2.4).
    res_.steps.back().ok = false;
    res_.steps.back().note = "no PolicyKey in the reply: provisioning failed";
    fail_with(outcome_of(phone::outcome_kind::policies_unsupported));
    return false;
  }

  // A Provision reply the phone can read: HTTP 200, a body, Provision Status 1.
  bool answered_ok(const answer& a) {
    if (!a.http.error.empty()) {
      fail_transport(a.http);
      return false;
    }
    if (a.http.status != 200) {
      fail_with(outcome_of(phone::outcome_kind::http_status, a.http.status));
      return false;
    }
    if (!a.body) {
      res_.steps.back().ok = false;
      res_.steps.back().note = "no WBXML body";
      fail_with(outcome_of(phone::outcome_kind::http_status, 200));
      return false;
    }
    if (a.status != 1) {
      // MS-ASPROV 3.1.5.2: 2 protocol error, 3 server error, 139, 141, 145; 165 without
      // DeviceInformation at 14.1.
      fail_with(outcome_of(phone::outcome_kind::eas_status, a.status));
      return false;
    }
    return true;
  }

  std::string sync_xml(const std::string& inbox, const std::string& key, bool get_changes) const {
    // Class is part of the Sync request up to 12.1 only (MS-ASCMD 2.2.3.27.5).
    const std::string cls = *res_.version <= v12_1 ? "<Class>Email</Class>" : "";
    return "<Sync xmlns=\"AirSync:\"><Collections><Collection>" + cls + "<SyncKey>" + xml_text(key) +
           "</SyncKey><CollectionId>" + xml_text(inbox) + "</CollectionId>" +
           (get_changes ? "<DeletesAsMoves>1</DeletesAsMoves><GetChanges>1</GetChanges><WindowSize>25</WindowSize>" : "") +
           "</Collection></Collections></Sync>";
  }

  // One Ping (MS-ASCMD 2.2.1.13), held at most ping_hold: still open then counts as held. Ping
  // carries no policy key (MS-ASPROV 3.1.5.1). A failed Ping does not undo the sync.
  void ping(const std::string& inbox) {
    if (o_.ping_hold.count() <= 0) return;
    const auto* info = eas::find_command("Ping");
    if (info == nullptr || *res_.version < info->first) return;
    const auto a = post("Ping", "Ping",
                        "<Ping xmlns=\"Ping:\"><HeartbeatInterval>" + std::to_string(ping_heartbeat_seconds) +
                            "</HeartbeatInterval><Folders><Folder><Id>" + xml_text(inbox) +
                            "</Id><Class>Email</Class></Folder></Folders></Ping>",
                        std::nullopt, std::chrono::duration_cast<std::chrono::milliseconds>(o_.ping_hold));
    auto& step = res_.steps.back();
    if (!a.http.error.empty() && timed_out(a.http) && a.http.error_stage == "http") {
      step.ok = true;
      step.note = "held open " + std::to_string(o_.ping_hold.count()) + " s";
    } else if (a.http.status == 200 && (a.status == 1 || a.status == 2)) {
      step.ok = true;
      step.note = a.status == 1 ? "heartbeat expired" : "changes in the Inbox";
    }
  }

  const flow_options& o_;
  const phone::device_profile& p_;
  flow_result res_;
  std::string trust_;
  std::set<std::string> checked_hosts_;
  url_parts eas_;
  std::string server_name_;
  std::optional<std::string> key_;
  std::optional<phone::outcome> failed_;
  bool settings_sent_ = false;
  int provision_rounds_ = 0;
};

}  // namespace

std::string trust_pem(const phone::trust_store& trust, const std::string& extra, std::string& error) {
  std::string pem;
  bool ok = true;
  if (trust.public_roots) {
    pem = read_whole(std::string(phone::public_ca_bundle), ok);
    if (!ok) error = std::string(phone::public_ca_bundle) + ": cannot be read";
  }
  for (const auto& file : trust.ca_files) {
    auto text = read_whole(file, ok);
    if (!ok) {
      error = file + ": cannot be read";
      continue;
    }
    pem += "\n" + text;
  }
  if (!extra.empty()) pem += "\n" + extra;
  return pem;
}

std::string make_device_id(const phone::device_profile& profile) {
  std::string id = "EMU";
  for (const char c : profile.name) {
    if (std::isalnum(static_cast<unsigned char>(c)) && id.size() < 11) {
      id += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  std::random_device rd;
  static constexpr char hex[] = "0123456789ABCDEF";
  for (int i = 0; i < 12; ++i) id += hex[rd() % 16];
  return id;
}

flow_result run_device_flow(const flow_options& options) { return flow(options).run(); }

}  // namespace easemu::simulator
