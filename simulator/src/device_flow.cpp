#include "easemu/simulator/device_flow.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <random>

#include "easemu/certs/trust.hpp"
#include "easemu/common/text.hpp"
#include "easemu/eas/command.hpp"
#include "easemu/simulator/requests.hpp"
#include "flow.hpp"

namespace easemu::simulator {

namespace detail {

namespace {

using wbxml::tag;

constexpr const char* eas_path = "/Microsoft-Server-ActiveSync";

int status_in(const wbxml::element& e, wbxml::tag_id t) {
  return common::parse_decimal<int>(e.child_text(t)).value_or(0);
}

// The ServerId of the first folder of a Type (MS-ASCMD 2.2.3.186.3: 2 Inbox, 3 Drafts) among the
// FolderSync's Adds, "" when there is none.
std::string folder_of_type(const wbxml::element& folder_sync, std::string_view type) {
  const auto* changes = folder_sync.child(tag("FolderHierarchy:Changes"));
  if (changes == nullptr) return {};
  for (const auto& add : changes->children) {
    if (add.tag == tag("FolderHierarchy:Add") && add.child_text(tag("FolderHierarchy:Type")) == type) {
      return std::string(add.child_text(tag("FolderHierarchy:ServerId")));
    }
  }
  return {};
}

}  // namespace

phone::outcome outcome_of(phone::outcome_kind kind, int status) {
  phone::outcome o;
  o.kind = kind;
  o.status = status;
  return o;
}

flow::flow(const flow_options& o) : o_(o), p_(o.profile) {}

flow_result flow::run() {
  res_.device_id = o_.device_id.empty() ? make_device_id(p_) : o_.device_id;
  std::string error;
  link_.emplace(o_, trust_pem(p_.trust, o_.extra_ca_pem, error));
  if (!error.empty()) note_step("Trust store", false, error);
  if (!find_server() || !options()) return finish();
  // A phone that was never provisioned sends policy key 0 (MS-ASPROV 3.1.5.1.1; AOSP sends "0"
  // until it holds a key); clients that never provision send none.
  if (p_.sends_policy_key) key_ = "0";
  const auto inbox = hierarchy();
  if (!inbox || !sync_inbox(*inbox)) return finish();
  res_.syncing = true;
  user_actions();
  if (!ping(*inbox)) {
    res_.syncing = false;
    return finish();
  }
  res_.partial = !res_.unenforceable.empty();
  return finish();
}

// The EAS endpoint: from Autodiscover, or from the server URL given.
bool flow::find_server() {
  if (o_.autodiscover) {
    if (!autodiscover()) return false;
  } else if (!client::parse_url(o_.server, eas_)) {
    note_step("Server URL", false, "'" + o_.server + "' is not an https:// or http:// URL");
    fail_with(outcome_of(phone::outcome_kind::name_not_resolved));
    return false;
  }
  if (eas_.target == "/" || eas_.target.empty()) eas_.target = eas_path;
  res_.eas_url = std::string(eas_.tls ? "https://" : "http://") + eas_.host + ":" + std::to_string(eas_.port) + eas_.target;
  server_name_ = eas_.host;
  return true;
}

// Account setup starts with the hierarchy, as Windows Mobile and AOSP do: the server's 449
// (below 14.0) or Status 142 tells the phone to provision first (PROVISIONING.md 1.8, 6). The
// Inbox's ServerId, or nullopt when the flow ended.
std::optional<std::string> flow::hierarchy() {
  const auto folders = command("FolderSync", "FolderSync", folder_sync_request("0"));
  if (!folders) return std::nullopt;
  if (const int s = status_of(*folders); s != 1) {
    res_.steps.back().ok = false;
    fail_with(outcome_of(phone::outcome_kind::eas_status, s));
    return std::nullopt;
  }
  if (!settings_sent_ && settings_wanted() && !settings_device_information()) return std::nullopt;
  drafts_ = folder_of_type(*folders, "3");
  auto inbox = folder_of_type(*folders, "2");
  if (inbox.empty()) {
    res_.steps.back().ok = false;
    res_.steps.back().note = "no Inbox (Type 2) in the hierarchy";
    fail_with(outcome_of(phone::outcome_kind::eas_status, 0));
    return std::nullopt;
  }
  return inbox;
}

// The initial Sync of the Inbox, then one GetChanges Sync.
bool flow::sync_inbox(const std::string& inbox) {
  std::string sync_key = "0";
  return sync_step(inbox, sync_key, false) && sync_step(inbox, sync_key, true);
}

bool flow::sync_step(const std::string& inbox, std::string& sync_key, bool get_changes) {
  const auto sync = command(get_changes ? "Sync (GetChanges)" : "Sync (initial)", "Sync",
                            sync_request(inbox, sync_key, get_changes, *res_.version));
  if (!sync) return false;
  const auto* collections = sync->child(tag("AirSync:Collections"));
  const auto* collection = collections != nullptr ? collections->child(tag("AirSync:Collection")) : nullptr;
  const int s = collection != nullptr ? status_in(*collection, tag("AirSync:Status")) : status_of(*sync);
  auto& step = res_.steps.back();
  step.eas_status = s;
  if (s != 1 || collection == nullptr) {
    step.ok = false;
    fail_with(outcome_of(phone::outcome_kind::eas_status, s));
    return false;
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
  return true;
}

// One Ping (MS-ASCMD 2.2.1.13), held at most ping_hold: still open then counts as held. Ping
// carries no policy key (MS-ASPROV 3.1.5.1). A failed Ping does not undo the sync; only a Ping
// that could not be sent at all ends the flow (false).
bool flow::ping(const std::string& inbox) {
  if (o_.ping_hold.count() <= 0) return true;
  const auto* info = eas::find_command("Ping");
  if (info == nullptr || *res_.version < info->first) return true;
  const auto a = post("Ping", "Ping", ping_request(inbox), std::nullopt,
                      std::chrono::duration_cast<std::chrono::milliseconds>(o_.ping_hold));
  if (!a) return false;
  auto& step = res_.steps.back();
  if (!a->http.error.empty() && timed_out(a->http) && a->http.error_stage == "http") {
    step.ok = true;
    step.note = "held open " + std::to_string(o_.ping_hold.count()) + " s";
  } else if (a->http.status == 200 && (a->status == 1 || a->status == 2)) {
    step.ok = true;
    step.note = a->status == 1 ? "heartbeat expired" : "changes in the Inbox";
  }
  return true;
}

// ---- the outcome ----

void flow::fail_with(phone::outcome o) {
  if (!failed_) failed_ = std::move(o);
}

void flow::fail_transport(const client::client_response& r) { fail_with(transport_outcome(r)); }

void flow::note_step(std::string name, bool ok, std::string note) {
  flow_step s;
  s.name = std::move(name);
  s.ok = ok;
  s.note = std::move(note);
  res_.steps.push_back(std::move(s));
}

flow_result flow::finish() {
  res_.outcome = failed_.value_or(phone::outcome{});  // no failure: success
  res_.outcome.server = server_name_;
  res_.outcome.unenforceable = res_.unenforceable;
  res_.screen = phone::present(p_, res_.outcome);
  res_.policy_key = key_.value_or("");
  return std::move(res_);
}

}  // namespace detail

namespace {

std::string read_whole(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  return ok ? std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()} : std::string();
}

}  // namespace

std::string trust_pem(const phone::trust_store& trust, const std::string& extra, std::string& error) {
  std::string pem;
  bool ok = true;
  if (trust.public_roots) {
    pem = read_whole(std::string(phone::public_ca_bundle), ok);
    if (!ok) error = std::string(phone::public_ca_bundle) + ": cannot be read";
    // The device's own root list: those roots of the public set, by subject.
    if (!trust.roots.empty()) pem = certs::select_by_subject(pem, trust.roots);
  }
  for (const auto& file : trust.ca_files) {
    auto text = read_whole(file, ok);
    if (!ok) {
      error = file + ": cannot be read";
      continue;
    }
    // PEM, DER (.cer) or PKCS#7 (.p7b), as the phone installs them.
    const auto certificates = certs::read_certificates(text);
    if (certificates.empty()) error = file + ": no certificate in it (PEM, DER .cer or PKCS#7 .p7b)";
    for (const auto& c : certificates) pem += "\n" + c;
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

flow_result run_device_flow(const flow_options& options) { return detail::flow(options).run(); }

}  // namespace easemu::simulator
