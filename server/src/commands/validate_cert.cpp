#include "easemu/server/commands/validate_cert.hpp"

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

command_handler make_validate_cert_handler(lab_trust trust, std::shared_ptr<spdlog::logger> log) {
  return [trust = std::move(trust), log = std::move(log)](const eas_context& ctx) -> command_reply {
    const auto rid = ctx.http != nullptr ? ctx.http->request_id : 0;
    const wbxml::element* root = ctx.body ? &*ctx.body : nullptr;
    if (root == nullptr || root->tag != tag("ValidateCert:ValidateCert")) {
      log->info("request={} ValidateCert: the body is not a ValidateCert element", rid);
      return protocol_error();
    }
    std::vector<std::string> chain;
    std::vector<std::optional<std::string>> subjects;
    bool check_crl = false;
    std::size_t count = 0;
    for (const auto& child : root->children) {
      if (child.tag == tag("ValidateCert:CheckCRL")) {
        check_crl = child.value == "1";
        continue;
      }
      const bool is_chain = child.tag == tag("ValidateCert:CertificateChain");
      if (!is_chain && child.tag != tag("ValidateCert:Certificates")) continue;
      for (const auto& c : child.children) {
        if (c.tag != tag("ValidateCert:Certificate")) continue;
        if (++count > max_validate_certificates) {
          log->info("request={} ValidateCert: more than {} certificates", rid, max_validate_certificates);
          return protocol_error();
        }
        auto bytes = certificate_bytes(c);
        if (is_chain) {
          if (bytes) chain.push_back(std::move(*bytes));
        } else {
          subjects.push_back(std::move(bytes));
        }
      }
    }
    if (subjects.empty()) {
      log->info("request={} ValidateCert: no Certificates/Certificate element", rid);
      return protocol_error();
    }
    std::vector<std::string> crls;
    if (check_crl && trust.crl_der) crls.push_back(trust.crl_der());

    command_reply reply;
    auto& body = reply.body.emplace(tag("ValidateCert:ValidateCert"));
    body.add(tag("ValidateCert:Status"), std::to_string(status_success));
    std::size_t index = 0;
    for (const auto& subject : subjects) {
      ++index;
      certs::validation v;
      if (subject) {
        v = certs::validate_certificate({*subject, chain, check_crl, 0}, trust.ca_pem, crls);
      } else {
        v.result = certs::verdict::malformed;
        v.detail = "the certificate is not base64";
      }
      const int status = validate_cert_status(v.result);
      log->info("request={} ValidateCert certificate {}: status {} ({}; {} at depth {})", rid, index, status,
                certs::to_string(v.result), v.detail, v.depth);
      body.add(tag("ValidateCert:Certificate")).add(tag("ValidateCert:Status"), std::to_string(status));
    }
    return reply;
  };
}

}  // namespace easemu::server
