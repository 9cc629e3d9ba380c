// ValidateCert (MS-ASCMD 2.2.1.22): the certificates a device sends (for S/MIME), validated
// against the lab CA and, when asked, the lab CRL.
#include "easemu/server/commands/validate_cert.hpp"

#include <variant>

#include "easemu/server/commands/commands.hpp"

#include <spdlog/spdlog.h>

#include "easemu/certs/validate.hpp"
#include "easemu/common/base64.hpp"

namespace easemu::server {

namespace {

using wbxml::tag;

// Top-level Status values (MS-ASCMD 2.2.3.177.18).
constexpr int status_success = 1;
constexpr int status_protocol_error = 2;

// Certificate content is base64 text (MS-ASCMD 2.2.3.19.2); some clients send it as opaque
// data, base64 or raw DER.
std::optional<std::string> certificate_bytes(const wbxml::element& e) {
  if (auto decoded = common::base64_decode(e.value); decoded && !decoded->empty()) return decoded;
  if (e.kind == wbxml::content_kind::opaque && !e.value.empty()) return e.value;
  return std::nullopt;
}

command_reply protocol_error() {
  command_reply reply;
  reply.body.emplace(tag("ValidateCert:ValidateCert"));
  reply.body->add(tag("ValidateCert:Status"), std::to_string(status_protocol_error));
  return reply;
}

}  // namespace

int validate_cert_status(certs::verdict v) {
  using certs::verdict;
  switch (v) {
    case verdict::valid: return 1;
    case verdict::bad_signature: return 3;
    case verdict::untrusted: return 4;
    case verdict::malformed: return 5;
    case verdict::not_for_email: return 6;
    case verdict::expired: return 7;
    case verdict::chain_time_invalid: return 8;
    case verdict::chain_misuse: return 11;
    case verdict::revoked: return 13;
    case verdict::chain_revoked: return 15;
    case verdict::revocation_unknown: return 16;
    case verdict::error: return 17;
  }
  return 17;
}

namespace {

// What a ValidateCert request asks: the certificates to check (nullopt: not base64), the chain
// that comes with them and whether to check the CRL.
struct validate_request {
  std::vector<std::optional<std::string>> subjects;
  std::vector<std::string> chain;
  bool check_crl = false;
};

// The request, or the log line of why it is a protocol error.
std::variant<validate_request, std::string> read_request(const wbxml::element* root) {
  if (root == nullptr || root->tag != tag("ValidateCert:ValidateCert")) return "the body is not a ValidateCert element";
  validate_request out;
  std::size_t count = 0;
  for (const auto& child : root->children) {
    if (child.tag == tag("ValidateCert:CheckCRL")) {
      out.check_crl = child.value == "1";
      continue;
    }
    const bool is_chain = child.tag == tag("ValidateCert:CertificateChain");
    if (!is_chain && child.tag != tag("ValidateCert:Certificates")) continue;
    for (const auto& c : child.children) {
      if (c.tag != tag("ValidateCert:Certificate")) continue;
      if (++count > max_validate_certificates) return "more than " + std::to_string(max_validate_certificates) + " certificates";
      auto bytes = certificate_bytes(c);
      if (is_chain) {
        if (bytes) out.chain.push_back(std::move(*bytes));
      } else {
        out.subjects.push_back(std::move(bytes));
      }
    }
  }
  if (out.subjects.empty()) return "no Certificates/Certificate element";
  return out;
}

command_reply validate(const lab_trust& trust, spdlog::logger& log, const eas_context& ctx) {
  const auto rid = ctx.request_id();
  auto parsed = read_request(ctx.body ? &*ctx.body : nullptr);
  if (const auto* why = std::get_if<std::string>(&parsed)) {
    log.info("request={} ValidateCert: {}", rid, *why);
    return protocol_error();
  }
  const auto& request = std::get<validate_request>(parsed);
  std::vector<std::string> crls;
  if (request.check_crl && trust.crl_der) crls.push_back(trust.crl_der());
  command_reply reply;
  auto& body = reply.body.emplace(tag("ValidateCert:ValidateCert"));
  body.add(tag("ValidateCert:Status"), std::to_string(status_success));
  std::size_t index = 0;
  for (const auto& subject : request.subjects) {
    ++index;
    certs::validation v;
    if (subject) {
      v = certs::validate_certificate({*subject, request.chain, request.check_crl, 0}, trust.ca_pem, crls);
    } else {
      v.result = certs::verdict::malformed;
      v.detail = "the certificate is not base64";
    }
    const int status = validate_cert_status(v.result);
    log.info("request={} ValidateCert certificate {}: status {} ({}; {} at depth {})", rid, index, status,
             certs::to_string(v.result), v.detail, v.depth);
    body.add(tag("ValidateCert:Certificate")).add(tag("ValidateCert:Status"), std::to_string(status));
  }
  return reply;
}

}  // namespace

namespace commands {

command_registration validate_cert(const command_services& s) {
  return {eas::command_id::validate_cert,
          [trust = s.trust, log = s.log](const eas_context& ctx) { return validate(trust, *log, ctx); }};
}

}  // namespace commands

}  // namespace easemu::server
