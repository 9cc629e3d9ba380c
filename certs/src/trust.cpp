#include "easemu/certs/trust.hpp"

#include <openssl/pkcs7.h>

#include "easemu/common/text.hpp"
#include "ossl.hpp"

namespace easemu::certs {

using namespace detail;

namespace {

using pkcs7_ptr = std::unique_ptr<PKCS7, deleter<PKCS7, PKCS7_free>>;

// PEM of every certificate a PKCS#7 SignedData carries.
void append_pkcs7(PKCS7* p7, std::vector<std::string>& out) {
  if (p7 == nullptr || PKCS7_type_is_signed(p7) == 0 || p7->d.sign == nullptr) return;
  STACK_OF(X509)* certs = p7->d.sign->cert;
  for (int i = 0; i < sk_X509_num(certs); ++i) out.push_back(to_pem(sk_X509_value(certs, i)));
}

std::vector<std::string> read_pem(const std::string& text) {
  std::vector<std::string> out;
  bio_ptr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  // Certificates first; a file with none may hold a PEM PKCS7 block (a .p7b saved as text).
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    x509_ptr owned(c);
    out.push_back(to_pem(c));
  }
  ERR_clear_error();
  if (!out.empty()) return out;
  bio_ptr again(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  pkcs7_ptr p7(PEM_read_bio_PKCS7(again.get(), nullptr, nullptr, nullptr));
  append_pkcs7(p7.get(), out);
  ERR_clear_error();
  return out;
}

}  // namespace

std::vector<std::string> read_certificates(const std::string& bytes) {
  try {
    if (bytes.find("-----BEGIN ") != std::string::npos) return read_pem(bytes);
    std::vector<std::string> out;
    const auto* begin = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = begin + bytes.size();
    const auto* p = begin;
    x509_ptr cert(d2i_X509(nullptr, &p, static_cast<long>(bytes.size())));
    if (cert && p == end) {
      out.push_back(to_pem(cert.get()));
      return out;
    }
    p = begin;
    pkcs7_ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(bytes.size())));
    if (p7 && p == end) append_pkcs7(p7.get(), out);
    ERR_clear_error();
    return out;
  } catch (const std::exception&) {
    ERR_clear_error();
    return {};
  }
}

std::string subject_rfc2253(const std::string& pem) {
  bio_ptr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  x509_ptr cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    return {};
  }
  bio_ptr out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string select_by_subject(const std::string& bundle_pem, const std::vector<std::string>& subjects) {
  std::string out;
  for (const auto& pem : read_pem(bundle_pem)) {
    const auto subject = subject_rfc2253(pem);
    for (const auto& wanted : subjects) {
      if (common::iequals(subject, wanted)) {
        out += pem;
        break;
      }
    }
  }
  return out;
}

}  // namespace easemu::certs
