#include "easemu/certs/validate.hpp"

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "easemu/certs/trust.hpp"
#include "ossl.hpp"

namespace easemu::certs {

using namespace detail;

namespace {

using store_ptr = std::unique_ptr<X509_STORE, deleter<X509_STORE, X509_STORE_free>>;
using store_ctx_ptr = std::unique_ptr<X509_STORE_CTX, deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using crl_ptr = std::unique_ptr<X509_CRL, deleter<X509_CRL, X509_CRL_free>>;

struct stack_deleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using stack_ptr = std::unique_ptr<STACK_OF(X509), stack_deleter>;

x509_ptr from_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  x509_ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  // Trailing bytes after the certificate are as bad as a broken one.
  if (cert && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) cert.reset();
  return cert;
}

verdict classify(int error, int depth) {
  switch (error) {
    case X509_V_OK:
      return verdict::valid;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      return verdict::bad_signature;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
      return verdict::untrusted;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return depth == 0 ? verdict::expired : verdict::chain_time_invalid;
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
    case X509_V_ERR_INVALID_EXTENSION:
      return verdict::malformed;
    case X509_V_ERR_INVALID_PURPOSE:
      return depth == 0 ? verdict::not_for_email : verdict::chain_misuse;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_INVALID_NON_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      return verdict::chain_misuse;
    case X509_V_ERR_CERT_REVOKED:
      return depth == 0 ? verdict::revoked : verdict::chain_revoked;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
      return verdict::revocation_unknown;
    default:
      return verdict::error;
  }
}

}  // namespace

const char* to_string(verdict v) {
  switch (v) {
    case verdict::valid: return "valid";
    case verdict::bad_signature: return "bad signature";
    case verdict::untrusted: return "untrusted issuer";
    case verdict::malformed: return "malformed certificate";
    case verdict::not_for_email: return "not valid for signing e-mail";
    case verdict::expired: return "expired or not yet valid";
    case verdict::chain_time_invalid: return "a CA in the chain is expired or not yet valid";
    case verdict::chain_misuse: return "a certificate in the chain cannot act as a CA";
    case verdict::revoked: return "revoked";
    case verdict::chain_revoked: return "a CA in the chain is revoked";
    case verdict::revocation_unknown: return "revocation status unknown";
    case verdict::error: return "validation error";
  }
  return "validation error";
}

validation validate_certificate(const validation_input& input, const std::string& trusted_pem,
                                const std::vector<std::string>& crls_der) {
  validation out;
  auto leaf = from_der(input.certificate_der);
  if (!leaf) {
    ERR_clear_error();
    out.result = verdict::malformed;
    out.detail = "the certificate is not DER X.509";
    return out;
  }
  stack_ptr untrusted(sk_X509_new_null());
  for (const auto& der : input.chain_der) {
    auto c = from_der(der);
    if (!c) {
      ERR_clear_error();
      out.result = verdict::malformed;
      out.depth = 1;
      out.detail = "a chain certificate is not DER X.509";
      return out;
    }
    sk_X509_push(untrusted.get(), c.release());
  }
  store_ptr store(X509_STORE_new());
  bio_ptr bio(BIO_new_mem_buf(trusted_pem.data(), static_cast<int>(trusted_pem.size())));
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store.get(), ca);
    X509_free(ca);  // the store keeps its own reference
  }
  ERR_clear_error();  // the end of the PEM input
  if (input.check_crl) {
    for (const auto& der : crls_der) {
      const auto* p = reinterpret_cast<const unsigned char*>(der.data());
      crl_ptr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
      if (crl) X509_STORE_add_crl(store.get(), crl.get());
    }
    ERR_clear_error();
    // Every certificate in the chain, the intermediates too (MS-ASCMD 2.2.1.22: the server walks
    // the chain checking each CA certificate for revocation).
    X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  }
  store_ctx_ptr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    ERR_clear_error();
    out.detail = "cannot set up the verification";
    return out;
  }
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SMIME_SIGN);
  if (input.at != 0) X509_STORE_CTX_set_time(ctx.get(), 0, input.at);
  const int ok = X509_verify_cert(ctx.get());
  out.openssl_error = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
  out.depth = ok == 1 ? 0 : X509_STORE_CTX_get_error_depth(ctx.get());
  out.result = ok == 1 ? verdict::valid : classify(out.openssl_error, out.depth);
  out.detail = X509_verify_cert_error_string(out.openssl_error);
  ERR_clear_error();
  return out;
}

validation check_server_chain(const server_chain_input& input, const std::string& trusted_pem) {
  validation out;
  if (input.chain_pem.empty()) {
    out.result = verdict::malformed;
    out.detail = "no certificate in the chain";
    return out;
  }
  std::vector<x509_ptr> chain;
  for (const auto& pem : input.chain_pem) {
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    x509_ptr c(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!c) {
      ERR_clear_error();
      out.result = verdict::malformed;
      out.depth = static_cast<int>(chain.size());
      out.detail = "a certificate does not parse";
      return out;
    }
    chain.push_back(std::move(c));
  }
  stack_ptr untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < chain.size(); ++i) {
    X509_up_ref(chain[i].get());
    sk_X509_push(untrusted.get(), chain[i].get());
  }
  store_ptr store(X509_STORE_new());
  bio_ptr bio(BIO_new_mem_buf(trusted_pem.data(), static_cast<int>(trusted_pem.size())));
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store.get(), ca);
    X509_free(ca);
  }
  ERR_clear_error();
  store_ctx_ptr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), chain.front().get(), untrusted.get()) != 1) {
    ERR_clear_error();
    out.detail = "cannot set up the verification";
    return out;
  }
  // What a TLS client checks of the server's certificate (RFC 5280 path validation, the
  // serverAuth purpose, RFC 6125 name matching).
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  if (!input.host.empty()) X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()), input.host.c_str(), 0);
  if (input.at != 0) X509_STORE_CTX_set_time(ctx.get(), 0, input.at);
  const int ok = X509_verify_cert(ctx.get());
  out.openssl_error = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
  out.depth = ok == 1 ? 0 : X509_STORE_CTX_get_error_depth(ctx.get());
  out.result = ok == 1 ? verdict::valid : classify(out.openssl_error, out.depth);
  out.detail = X509_verify_cert_error_string(out.openssl_error);
  if (ok == 1) {
    STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
    if (sk_X509_num(built) > 0) out.anchor = subject_rfc2253(to_pem(sk_X509_value(built, sk_X509_num(built) - 1)));
  }
  ERR_clear_error();
  return out;
}

}  // namespace easemu::certs
