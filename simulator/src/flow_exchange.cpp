// OPTIONS and the EAS commands as the phone sends them: the query, the WBXML body, the reply
// and the step it leaves in the report; a 449 or a provisioning Status sends the phone to
// Provision before it repeats the command.
#include "easemu/common/text.hpp"
#include "easemu/eas/command.hpp"
#include "easemu/eas/query.hpp"
#include "easemu/simulator/requests.hpp"
#include "easemu/wbxml/codec.hpp"
#include "flow.hpp"

namespace easemu::simulator::detail {

namespace {

using client::client_request;
using client::client_response;
using enum protocol_version;

constexpr const char* wbxml_type = "application/vnd.ms-sync.wbxml";

bool is_common_status(int s) { return s >= 101; }  // MS-ASCMD 2.2.2

// A Status that tells the phone to provision (again): 140 wipe, 142 not provisioned, 143 policy
// refreshed, 144 invalid key (MS-ASCMD 2.2.2; PROVISIONING.md 1.8), or HTTP 449 below 14.0.
bool asks_to_provision(int http_status, int eas_status) {
  return http_status == 449 ||
         (http_status == 200 && (eas_status == 140 || eas_status == 142 || eas_status == 143 || eas_status == 144));
}

std::optional<wbxml::element> wbxml_body(const client_response& r) {
  if (!r.error.empty() || r.body.empty() || r.header("Content-Type").find(wbxml_type) == std::string::npos) {
    return std::nullopt;
  }
  auto tree = wbxml::decode(r.body);
  if (!tree) return std::nullopt;
  return std::move(*tree);
}

void append_note(flow_step& step, const std::string& text) {
  step.note += std::string(step.note.empty() ? "" : "; ") + text;
}

}  // namespace

int status_of(const wbxml::element& root) {
  for (const auto& c : root.children) {
    if (c.name() == "Status") return common::parse_decimal<int>(c.value).value_or(0);
  }
  return 0;
}

client_response flow::transmit(const client::url_parts& u, client_request r, std::int64_t& ms) {
  auto x = link_->send(u, std::move(r));
  ms = x.ms;
  if (x.answered) res_.answered = true;
  if (x.certificate) res_.steps.push_back(std::move(*x.certificate));
  return std::move(x.response);
}

// HTTP OPTIONS (MS-ASHTTP 2.2.3, 2.2.4): the versions and commands the server offers.
bool flow::options() {
  client_request r;
  r.method = "OPTIONS";
  r.target = eas_.target;
  r.timeout = o_.timeout;
  flow_step step;
  step.name = "OPTIONS";
  const auto resp = transmit(eas_, r, step.ms);
  step.http_status = resp.status;
  const auto fail = [&](std::string note, phone::outcome o) {
    step.ok = false;
    step.note = std::move(note);
    res_.steps.push_back(step);
    fail_with(std::move(o));
    return false;
  };
  if (!resp.error.empty()) return fail(short_error(resp.error), transport_outcome(resp));
  if (resp.status != 200) return fail("", outcome_of(phone::outcome_kind::http_status, resp.status));
  if (resp.header("MS-Server-ActiveSync").empty() && resp.header("MS-ASProtocolVersions").empty()) {
    return fail("no MS-Server-ActiveSync header", outcome_of(phone::outcome_kind::options_header_missing));
  }
  const auto offered = resp.header("MS-ASProtocolVersions");
  res_.version = phone::pick_version(p_, offered);
  if (!res_.version) {
    // MS-ASCMD 2.2.2: 138 InvalidProtocolVersion.
    return fail("no common protocol version (server: " + offered + ")", outcome_of(phone::outcome_kind::eas_status, 138));
  }
  step.note = "server " + offered + "; uses " + std::string(to_string(*res_.version));
  res_.steps.push_back(step);
  return true;
}

// The query of one command: base64 (MS-ASHTTP 2.2.1.1.1.1) for profiles that use it at 12.1 and
// later, else the plain form with the version and key as headers (2.2.1.1.2.6, 2.2.1.1.2.8).
// The error when it cannot be built.
std::optional<request_error> flow::set_query(client_request& r, std::string_view cmd,
                                             const std::optional<std::string>& key, bool save_in_sent) const {
  eas::eas_query q;
  q.save_in_sent = save_in_sent;
  q.command = eas::find_command(cmd);
  q.user = o_.user;
  q.device_id = res_.device_id;
  q.device_type = p_.device_type;
  if (p_.base64_query && *res_.version >= v12_1) {
    q.version = *res_.version;
    if (key) q.policy_key = common::parse_decimal<std::uint32_t>(*key).value_or(0);
    // A command without a base64 code (or a value too long for it) goes in the plain form.
    if (auto text = eas::encode_base64_query(q, true)) {
      r.target = eas_.target + "?" + *text;
      return std::nullopt;
    }
  }
  auto text = eas::encode_plain_query(q);
  if (!text) return request_error{"the " + std::string(cmd) + " query cannot be built: " + text.error().message()};
  r.target = eas_.target + "?" + *text;
  r.headers.emplace_back("MS-ASProtocolVersion", std::string(to_string(*res_.version)));
  if (key) r.headers.emplace_back("X-MS-PolicyKey", *key);
  return std::nullopt;
}

common::result<client_request, request_error> flow::eas_request(std::string_view cmd, const payload& body,
                                                              const std::optional<std::string>& key) const {
  client_request r;
  r.method = "POST";
  if (auto error = set_query(r, cmd, key, body.save_in_sent)) return std::move(*error);
  r.headers.emplace_back("Content-Type", body.content_type);
  r.body = body.bytes;
  r.timeout = o_.timeout;
  return r;
}

// The WBXML bytes of a request; when the encoder refuses it, the step says why and the flow ends.
std::optional<flow::payload> flow::wbxml_payload(const std::string& step_name, const wbxml::element& body) {
  auto bytes = encode_request(body);
  if (bytes) return payload{std::move(*bytes), wbxml_type};
  note_step(step_name, false, "not sent: " + bytes.error().message);
  fail_with(outcome_of(phone::outcome_kind::eas_status, 0));
  return std::nullopt;
}

// Sends one command and records its step. nullopt when the request could not be built: that
// ends the flow, with the reason in the step, instead of sending something else.
std::optional<flow::answer> flow::post(const std::string& step_name, std::string_view cmd, const wbxml::element& body,
                                       const std::optional<std::string>& key, std::chrono::milliseconds timeout) {
  auto p = wbxml_payload(step_name, body);
  if (!p) return std::nullopt;
  return post(step_name, cmd, *p, key, timeout);
}

std::optional<flow::answer> flow::post(const std::string& step_name, std::string_view cmd, const payload& body,
                                       const std::optional<std::string>& key, std::chrono::milliseconds timeout) {
  auto r = eas_request(cmd, body, key);
  if (!r) {
    note_step(step_name, false, "not sent: " + r.error().message);
    fail_with(outcome_of(phone::outcome_kind::eas_status, 0));
    return std::nullopt;
  }
  if (timeout.count() > 0) r->timeout = timeout;
  flow_step step;
  step.name = step_name;
  answer a;
  a.http = transmit(eas_, std::move(*r), step.ms);
  a.body = wbxml_body(a.http);
  if (a.body) a.status = status_of(*a.body);
  step.http_status = a.http.status;
  step.eas_status = a.status;
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

// One command as the phone runs it: a 449, or a body Status 140/142/143/144, sends it to
// Provision and then repeats the command (MS-ASPROV 3.1.5.1; MS-ASCMD 2.2.2; PROVISIONING.md
// 1.8). nullopt when the flow ended.
std::optional<wbxml::element> flow::command(const std::string& step_name, std::string_view cmd, const wbxml::element& body) {
  auto p = wbxml_payload(step_name, body);
  if (!p) return std::nullopt;
  return command(step_name, cmd, *p);
}

std::optional<wbxml::element> flow::command(const std::string& step_name, std::string_view cmd, const payload& body,
                                            bool empty_ok) {
  for (;;) {
    auto a = post(step_name, cmd, body, p_.sends_policy_key ? key_ : std::nullopt);
    if (!a) return std::nullopt;
    if (!a->http.error.empty()) {
      fail_transport(a->http);
      return std::nullopt;
    }
    if (asks_to_provision(a->http.status, a->status)) {
      if (!provision_again(*a)) return std::nullopt;
      continue;
    }
    if (!usable(*a, empty_ok)) return std::nullopt;
    if (!a->body) return wbxml::element();  // empty_ok: an empty 200
    return std::move(a->body);
  }
}

// The phone provisions at most twice in a flow (the first time and once more), as real phones
// stop re-provisioning when the server keeps refusing the key. False when the flow ended.
bool flow::provision_again(const answer& a) {
  auto& step = res_.steps.back();
  if (!p_.provisions || provision_rounds_ >= 2) {
    if (p_.provisions) append_note(step, "gives up after re-provisioning");
    fail_with(a.http.status == 449 ? outcome_of(phone::outcome_kind::http_status, 449)
                                   : outcome_of(phone::outcome_kind::eas_status, a.status));
    return false;
  }
  step.ok = true;  // the expected way in, not a failure
  append_note(step, "provisions");
  if (!provision()) return false;
  return settings_sent_ || !settings_wanted() || settings_device_information();
}

// A reply the command's step can use: HTTP 200, no common status, a WBXML body.
bool flow::usable(const answer& a, bool empty_ok) {
  if (!http_ok(a)) return false;
  if (is_common_status(a.status)) {
    fail_with(outcome_of(phone::outcome_kind::eas_status, a.status));
    return false;
  }
  if (empty_ok && !a.body && a.http.body.empty()) return true;
  return has_body(a);
}

// HTTP 200; any other status ends the flow with it.
bool flow::http_ok(const answer& a) {
  if (a.http.status == 200) return true;
  fail_with(outcome_of(phone::outcome_kind::http_status, a.http.status));
  return false;
}

// A 200 without a WBXML body ends the flow: the phone has nothing to read.
bool flow::has_body(const answer& a) {
  if (a.body) return true;
  res_.steps.back().ok = false;
  res_.steps.back().note = "no WBXML body";
  fail_with(outcome_of(phone::outcome_kind::http_status, 200));
  return false;
}

}  // namespace easemu::simulator::detail
