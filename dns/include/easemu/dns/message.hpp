#pragma once
// The lab DNS responder's protocol half, pure: decoding a query (RFC 1035 4.1, EDNS0 OPT of
// RFC 6891), the answer for the lab's names, and encoding the response with name compression and
// UDP truncation. No sockets, no clock, no logging: server.cpp moves the bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace easemu::dns {

// RFC 1035 4.1.1 RCODE (and RFC 6891 6.1.3's BADVERS, sent in the OPT record's upper bits).
enum class rcode : std::uint16_t {
  no_error = 0,
  format_error = 1,
  server_failure = 2,
  name_error = 3,
  not_implemented = 4,
  refused = 5,
  bad_version = 16,
};
std::string_view to_string(rcode r);

// RFC 1035 3.2.2, RFC 3596 (AAAA), RFC 2782 (SRV), RFC 6891 (OPT), RFC 1995/5936 (IXFR/AXFR).
namespace rr_type {
inline constexpr std::uint16_t a = 1;
inline constexpr std::uint16_t ns = 2;
inline constexpr std::uint16_t cname = 5;
inline constexpr std::uint16_t soa = 6;
inline constexpr std::uint16_t mx = 15;
inline constexpr std::uint16_t txt = 16;
inline constexpr std::uint16_t aaaa = 28;
inline constexpr std::uint16_t srv = 33;
inline constexpr std::uint16_t opt = 41;
inline constexpr std::uint16_t ixfr = 251;
inline constexpr std::uint16_t axfr = 252;
inline constexpr std::uint16_t any = 255;
}  // namespace rr_type
// "A", "AAAA", ... or "TYPE<n>" (RFC 3597 5).
std::string type_name(std::uint16_t type);

namespace rr_class {
inline constexpr std::uint16_t in = 1;
inline constexpr std::uint16_t any = 255;
}  // namespace rr_class

// Why a message did not decode; every error names the byte offset where it was found.
enum class decode_error {
  truncated_header = 1,
  message_too_large,
  is_response,
  question_count,
  too_many_records,
  truncated_name,
  label_too_long,
  name_too_long,
  bad_label_type,
  bad_pointer,
  too_many_pointers,
  truncated_question,
  truncated_record,
  bad_opt_record,
};
const std::error_category& decode_category();
std::error_code make_error_code(decode_error e);

// Every decoder limit. The structural bounds of RFC 1035 (labels of 63 octets, names of 255) are
// not configurable; these bound the work a message can cause.
struct limits {
  std::size_t max_message = 4096;  // bytes of one query (UDP datagram or TCP message)
  std::size_t max_records = 8;     // answer + authority + additional records of a query
  std::size_t max_pointers = 16;   // compression pointers followed within one name
};

// A name as the labels it was sent with (raw bytes, original case: the question is echoed with
// the case the client chose, RFC 4343 and resolvers' 0x20 randomization).
using name = std::vector<std::string>;
// Presentation form in lower case, no trailing dot, "." for the root; '.', '\' and bytes outside
// printable ASCII are escaped (RFC 1035 5.1), so a label holding a dot never equals two labels.
std::string to_text(const name& n);
// "mail.lab.test" -> labels; nullopt when a label is empty or longer than 63, or the name is
// longer than 255 octets in wire form. Only for names of the configuration (no escapes).
std::optional<name> from_text(std::string_view dotted);

struct question {
  name qname;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
};

struct query {
  std::uint16_t id = 0;
  std::uint8_t opcode = 0;
  bool recursion_desired = false;
  bool checking_disabled = false;
  question q;
  bool edns = false;                 // an OPT record was present
  std::uint16_t edns_udp_size = 0;   // the client's UDP payload size (RFC 6891 6.2.3)
  std::uint8_t edns_version = 0;
};

struct decode_result {
  std::optional<query> value;
  std::error_code error;
  std::size_t offset = 0;  // where the error was found
  // Set when the 12-byte header was read, even if the rest failed: a FORMERR can still answer.
  bool header_read = false;
  std::uint16_t id = 0;
  std::uint16_t flags = 0;
};

// Decodes a query. Answer, authority and additional records are walked (within limits) for the
// one OPT record; their contents are otherwise ignored. Bytes after the last record are ignored.
[[nodiscard]] decode_result decode_query(std::span<const std::uint8_t> bytes, const limits& lim = {});

// A decoded name at `offset` (compression pointers followed within limits); `end` is the offset
// after the name where it was read. Exposed for tests.
struct name_result {
  std::optional<name> value;
  std::error_code error;
  std::size_t offset = 0;
  std::size_t end = 0;
};
[[nodiscard]] name_result decode_name(std::span<const std::uint8_t> message, std::size_t offset,
                                      const limits& lim = {});

// ---- records and responses ----
struct soa_data {
  name mname;
  name rname;
  std::uint32_t serial = 1;
  std::uint32_t refresh = 3600;
  std::uint32_t retry = 600;
  std::uint32_t expire = 86400;
  std::uint32_t minimum = 60;  // the negative-caching TTL (RFC 2308 4)
};
struct srv_data {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  name target;
};
using rdata = std::variant<std::array<std::uint8_t, 4>, std::array<std::uint8_t, 16>, srv_data, soa_data>;

struct record {
  name owner;
  std::uint32_t ttl = 0;
  rdata data;
};
std::uint16_t type_of(const rdata& d);

struct response {
  std::uint16_t id = 0;
  std::uint8_t opcode = 0;
  bool authoritative = false;
  bool recursion_desired = false;
  bool checking_disabled = false;
  rcode code = rcode::no_error;
  std::optional<question> q;
  std::vector<record> answers;
  std::vector<record> authority;
  std::vector<record> additional;
  bool edns = false;  // append an OPT record (the query had one)
  std::uint16_t edns_udp_size = 1232;
};

struct encoded {
  std::vector<std::uint8_t> bytes;
  bool truncated = false;          // TC set, records left out
  bool additional_dropped = false; // glue left out to fit (no TC, RFC 2181 9)
};
// Encodes with name compression. Larger than `max_size`: first without the additional records,
// then with the question only and TC set (RFC 1035 4.2.1, RFC 2181 9).
[[nodiscard]] encoded encode(const response& r, std::size_t max_size);

// ---- the lab's names ----
struct zone {
  std::string domain;                  // lab.test: the apex (SOA)
  std::string hostname;                // mail.lab.test: the SRV target
  std::vector<std::string> extra_hosts;  // more names with the server's addresses (the public URL's host)
  std::vector<std::array<std::uint8_t, 4>> ipv4;
  std::vector<std::array<std::uint8_t, 16>> ipv6;
  std::uint16_t srv_port = 443;  // the HTTPS port phones reach
  std::uint32_t ttl = 60;
};
// Empty when every name is a valid DNS name; else what is wrong.
std::string check_zone(const zone& z);
// The names answered for, in presentation form: the address names, then the SRV name.
std::vector<std::string> address_names(const zone& z);
std::string srv_name(const zone& z);

enum class transport { udp, tcp };

// What happened to one message, for the log line.
struct outcome {
  std::optional<std::vector<std::uint8_t>> reply;  // nullopt: drop it (no answer is possible or wise)
  std::string summary;   // "A mail.lab.test: NOERROR, 1 answer" or "dropped: ..."
  bool malformed = false;
};

// The whole responder for one message: decode, decide, encode. Our names get authoritative
// answers (AA), other names REFUSED, malformed queries FORMERR (or nothing when not even the
// header was there, or the message is itself a response).
[[nodiscard]] outcome respond(std::span<const std::uint8_t> message, const zone& z, transport t,
                              const limits& lim = {});

}  // namespace easemu::dns

template <>
struct std::is_error_code_enum<easemu::dns::decode_error> : std::true_type {};
