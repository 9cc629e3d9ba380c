#include "transport.hpp"

#include <chrono>

#include "easemu/common/text.hpp"

namespace easemu::simulator::detail {

namespace {

using clock_type = std::chrono::steady_clock;
using client::client_response;

// OpenSSL's X509_V_ERR_* values the phone tells apart (x509_vfy.h).
constexpr long verify_not_yet_valid = 9;
constexpr long verify_expired = 10;
constexpr long verify_unable_to_get_issuer_locally = 20;
constexpr long verify_hostname_mismatch = 62;
constexpr long verify_ip_address_mismatch = 64;

std::uint16_t wire_version(phone::tls_version v) {
  // 1.0 -> 0x0301 ... 1.3 -> 0x0304 (RFC 8446 ProtocolVersion).
  return static_cast<std::uint16_t>(0x0300 + (static_cast<int>(v) - 9));
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

phone::outcome_kind tls_outcome(const client_response& r) {
  if (r.verify_result == verify_hostname_mismatch || r.verify_result == verify_ip_address_mismatch) {
    return phone::outcome_kind::certificate_name_mismatch;
  }
  if (r.verify_result == verify_expired || r.verify_result == verify_not_yet_valid) {
    return phone::outcome_kind::certificate_expired;
  }
  if (r.verify_result != 0) return phone::outcome_kind::certificate_untrusted;
  if (timed_out(r)) return phone::outcome_kind::timeout;
  // The handshake failed before any certificate was judged: no version (or cipher) in common.
  return phone::outcome_kind::tls_version_refused;
}

std::string tls_window(const phone::device_profile& p) {
  return std::string(phone::to_string(p.tls_min)) + "-" + std::string(phone::to_string(p.tls_max));
}

}  // namespace

bool timed_out(const client_response& r) {
  return r.error.find("timed out") != std::string::npos || r.error.find("Timed out") != std::string::npos;
}

std::string short_error(const std::string& e) { return e.substr(0, e.find(" [")); }

phone::outcome transport_outcome(const client_response& r) {
  phone::outcome o;
  if (r.error_stage == "resolve") {
    o.kind = timed_out(r) ? phone::outcome_kind::timeout : phone::outcome_kind::name_not_resolved;
  } else if (r.error_stage == "tls") {
    o.kind = tls_outcome(r);
  } else {
    // "connect" and anything later
    o.kind = timed_out(r) ? phone::outcome_kind::timeout : phone::outcome_kind::connection_refused;
  }
  return o;
}

transport::transport(const flow_options& options, std::string trust_pem) : o_(options), trust_(std::move(trust_pem)) {}

std::string transport::address_of(const std::string& host) const {
  for (const auto& [name, address] : o_.resolve) {
    if (common::iequals(name, host)) return address;
  }
  return {};
}

transport::exchange transport::send(const client::url_parts& u, client::client_request r) {
  const auto& p = o_.profile;
  r.tls = u.tls;
  r.host = u.host;
  r.connect_address = address_of(u.host);
  r.verify_host = u.host;
  r.tls_min_version = wire_version(p.tls_min);
  r.tls_max_version = wire_version(p.tls_max);
  r.ca_pem = trust_;
  r.headers.emplace_back("User-Agent", p.user_agent);
  r.basic_user = o_.user;
  r.basic_password = o_.password;
  exchange out;
  const auto start = clock_type::now();
  out.response = client::send(u.port, r);
  out.ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start).count();
  auto& resp = out.response;
  out.answered = resp.error.empty() || resp.error_stage == "http" || resp.error_stage == "tls";
  if (u.tls && trust_.empty() && resp.error.empty()) {
    // Nothing is trusted: the handshake went through only because nothing was verified.
    resp = client_response{};
    resp.error = "the phone trusts no root certificate";
    resp.error_stage = "tls";
    resp.verify_result = verify_unable_to_get_issuer_locally;
  }
  out.certificate = certificate_step(u, resp);
  return out;
}

// The check at the first contact with each host; a host never reached is checked next time.
std::optional<flow_step> transport::certificate_step(const client::url_parts& u, const client_response& resp) {
  if (!u.tls) return std::nullopt;
  const bool judged = resp.error_stage == "tls" || resp.error.empty() || resp.error_stage == "http";
  if (!judged || !checked_hosts_.insert(common::ascii_lowercase(u.host)).second) return std::nullopt;
  flow_step step;
  step.name = "Certificate " + u.host;
  step.ms = 0;
  if (resp.error_stage == "tls") {
    step.ok = false;
    step.note = resp.verify_result != 0
                    ? "verify error " + std::to_string(resp.verify_result) + " (" + verify_text(resp.verify_result) + ")"
                    : short_error(resp.error) + " (the phone speaks TLS " + tls_window(o_.profile) + ")";
  } else {
    step.note = "chain and name verified against the phone's trust store (TLS " + tls_window(o_.profile) + ")";
  }
  return step;
}

}  // namespace easemu::simulator::detail
