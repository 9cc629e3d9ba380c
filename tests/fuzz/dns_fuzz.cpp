// Fuzz target for the lab DNS responder's codec (dns/message.hpp): every datagram or TCP message
// goes through respond() as the responder would handle it. It must not crash; an answer is a
// response (QR set) with the query's id, no larger than the transport allows (512 bytes over UDP
// without EDNS, the client's EDNS size otherwise, RFC 1035 4.2.1 and RFC 6891 6.2.3); a decoded
// query's question name reads back through the name decoder.
//
// With -DEASEMU_FUZZ=ON (clang) this is a libFuzzer target:
//   build-fuzz/tests/fuzz/dns_fuzz tests/fuzz/corpus/dns
// Otherwise it builds with replay_main.cpp as a plain program that replays the seed corpus.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "easemu/dns/message.hpp"

namespace {

using namespace easemu::dns;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "dns_fuzz: %s\n", what);
  std::abort();
}

zone lab_zone() {
  zone z;
  z.domain = "lab.test";
  z.hostname = "mail.lab.test";
  z.extra_hosts = {"autodiscover.lab.test"};
  z.ipv4 = {{127, 0, 0, 1}};
  z.ipv6 = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
  z.srv_port = 8443;
  return z;
}

std::uint16_t u16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

void check(std::span<const std::uint8_t> in, const zone& z, transport t) {
  const auto out = respond(in, z, t);
  const auto decoded = decode_query(in);
  if (decoded.value) {
    const auto n = decode_name(in, 12);
    if (!n.value) fail("a decoded query whose question name does not decode");
  }
  if (!out.reply) return;
  const auto& r = *out.reply;
  if (r.size() < 12) fail("an answer shorter than a DNS header");
  if (!decoded.header_read) fail("an answer to a message without a header");
  if (u16(r, 0) != decoded.id) fail("an answer with another id than the query's");
  if ((r[2] & 0x80) == 0) fail("an answer without QR");
  if (t == transport::udp) {
    const std::size_t limit = decoded.value && decoded.value->edns ? std::max<std::size_t>(512, decoded.value->edns_udp_size) : 512;
    if (r.size() > limit) fail("a UDP answer larger than the client can take");
  } else if (r.size() > 65535) {
    fail("a TCP answer larger than its length prefix can say");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const zone z = lab_zone();
  const std::span<const std::uint8_t> in(data, size);
  check(in, z, transport::udp);
  check(in, z, transport::tcp);
  return 0;
}

// Compression pointers, label lengths, the flag and count bytes.
extern const std::string_view easemu_fuzz_alphabet = std::string_view("\xc0\x0c\x3f\x40\x00\x01\x29\x80\x21\x1c\xff", 11);
