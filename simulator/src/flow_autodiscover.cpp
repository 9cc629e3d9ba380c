// Autodiscover as a phone runs it (MS-ASCMD 2.2.1.1, mobilesync schema; PROTOCOL.md 3): POST the
// request to the domain of the e-mail address, then to autodiscover.<domain>, and take the
// MobileSync URL of the first answer that names one.
#include "easemu/eas/autodiscover.hpp"
#include "flow.hpp"

namespace easemu::simulator::detail {

namespace {

// What the step notes when an answer names no URL: the ErrorCode when the server sent one.
std::string unusable_note(const client::client_response& resp) {
  const auto reply = eas::parse_autodiscover_response(resp.body);
  if (reply && reply->answer == eas::autodiscover_answer::error && reply->error_code != 0) {
    return "ErrorCode " + std::to_string(reply->error_code);
  }
  return "no MobileSync URL";
}

}  // namespace

bool flow::autodiscover() {
  const auto at = o_.user.find('@');
  if (at == std::string::npos) {
    note_step("Autodiscover", false, "the user '" + o_.user + "' is not an e-mail address");
    fail_with(outcome_of(phone::outcome_kind::autodiscover_failed));
    return false;
  }
  const auto domain = o_.user.substr(at + 1);
  client::url_parts given;
  const bool have_server = !o_.server.empty() && client::parse_url(o_.server, given);
  const std::string port = have_server ? ":" + std::to_string(given.port) : "";
  server_name_ = domain;
  // MS-OXDSCLI 3.1.5: the domain itself, then autodiscover.<domain>.
  for (const auto& host : {domain, "autodiscover." + domain}) {
    switch (autodiscover_at(host, port)) {
      case probe::found: return true;
      case probe::stop: return false;
      case probe::next_host: break;
    }
  }
  fail_with(outcome_of(phone::outcome_kind::autodiscover_failed));
  return false;
}

// One POST of the request. A TLS failure or a 401 ends the search: the phone shows it rather
// than trying the next name.
flow::probe flow::autodiscover_at(const std::string& host, const std::string& port) {
  client::url_parts u;
  client::parse_url("https://" + host + port + "/autodiscover/autodiscover.xml", u);
  client::client_request r;
  r.method = "POST";
  r.target = u.target;
  r.headers.emplace_back("Content-Type", "text/xml");
  r.body = eas::autodiscover_request_body(o_.user);
  r.timeout = o_.timeout;
  flow_step step;
  step.name = "Autodiscover " + host;
  const auto resp = transmit(u, r, step.ms);
  step.http_status = resp.status;
  step.ok = false;
  if (!resp.error.empty()) {
    step.note = short_error(resp.error);
    res_.steps.push_back(step);
    if (resp.error_stage != "tls") return probe::next_host;
    server_name_ = host;
    fail_transport(resp);
    return probe::stop;
  }
  if (resp.status == 401) {
    res_.steps.push_back(step);
    server_name_ = host;
    fail_with(outcome_of(phone::outcome_kind::http_status, 401));
    return probe::stop;
  }
  if (resp.status == 200) {
    const auto reply = eas::parse_autodiscover_response(resp.body);
    client::url_parts found;
    if (reply && reply->answer == eas::autodiscover_answer::settings && client::parse_url(reply->eas_url, found)) {
      eas_ = found;
      step.ok = true;
      step.note = reply->eas_url;
      res_.steps.push_back(step);
      return probe::found;
    }
  }
  step.note = unusable_note(resp);
  res_.steps.push_back(step);
  return probe::next_host;
}

}  // namespace easemu::simulator::detail
