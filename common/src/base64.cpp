#include "easemu/common/base64.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <memory>

namespace easemu::common {

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  if (bytes.empty()) return out;
  // EVP_EncodeBlock writes no line breaks and a trailing NUL (not counted in its return).
  std::string buf(out.size() + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return std::nullopt;
  if (clean.empty()) return std::string{};
  // EVP_DecodeUpdate/Final (unlike EVP_DecodeBlock) reject bad padding and report the real
  // length instead of padding the output with zero bytes.
  std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx(EVP_ENCODE_CTX_new(),
                                                                       &EVP_ENCODE_CTX_free);
  if (!ctx) return std::nullopt;
  EVP_DecodeInit(ctx.get());
  std::string out(clean.size() / 4 * 3 + 3, '\0');
  int len = 0;
  // EVP_DecodeUpdate takes an int length; decode in bounded chunks (multiples of 4 characters).
  constexpr std::size_t chunk = 1 << 20;
  std::size_t written = 0;
  for (std::size_t pos = 0; pos < clean.size(); pos += chunk) {
    const std::size_t n = std::min(chunk, clean.size() - pos);
    if (EVP_DecodeUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data() + written), &len,
                         reinterpret_cast<const unsigned char*>(clean.data() + pos),
                         static_cast<int>(n)) < 0) {
      return std::nullopt;
    }
    written += static_cast<std::size_t>(len);
  }
  if (EVP_DecodeFinal(ctx.get(), reinterpret_cast<unsigned char*>(out.data() + written), &len) !=
      1) {
    return std::nullopt;
  }
  written += static_cast<std::size_t>(len);
  // OpenSSL stops silently at a '=' in the middle; insist the padding is only at the end.
  const auto first_pad = clean.find('=');
  if (first_pad != std::string::npos && first_pad < clean.size() - 2) return std::nullopt;
  if (first_pad == clean.size() - 2 && clean.back() != '=') return std::nullopt;
  out.resize(written);
  return out;
}

}  // namespace easemu::common
