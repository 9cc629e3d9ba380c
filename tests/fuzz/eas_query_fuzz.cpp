// Fuzz target for the EAS request parsers: the query string (plain and base64 form) and the
// header helpers. Whatever parses must encode to both forms (when the base64 form can carry the
// command) and parse back to the same value; errors must point inside the input.
//
// With -DEASEMU_FUZZ=ON (clang) this is a libFuzzer target:
//   build-fuzz/tests/fuzz/eas_query_fuzz tests/fuzz/corpus/eas_query
// Otherwise it builds with replay_main.cpp as a plain program that replays the seed corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "easemu/eas/headers.hpp"
#include "easemu/eas/query.hpp"
#include "easemu/eas/url.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "eas_query_fuzz: %s\n", what);
  std::abort();
}

template <class T>
void check_error(const easemu::eas::result<T>& r, std::size_t size) {
  if (r) return;
  if (r.error().offset > size) fail("error offset beyond the input");
  if (r.error().message().empty()) fail("empty error message");
}

easemu::eas::eas_query without_base64_only(easemu::eas::eas_query q) {
  q.is_base64 = false;
  q.version.reset();
  q.policy_key.reset();
  q.locale.reset();
  q.accept_multipart = false;
  return q;
}

void check_query(std::string_view in) {
  using namespace easemu;
  using namespace easemu::eas;
  const auto q = parse_query(in);
  check_error(q, in.size());
  if (!q) return;
  if (q->command == nullptr) fail("parsed query without a command");
  if (q->device_id.empty() || q->device_type.empty()) fail("parsed query without a device");
  if (q->is_base64 != (detect_query_form(in) == query_form::base64)) fail("form mismatch");
  const std::string printable = q->printable_device_id();
  if (printable.empty()) fail("empty printable DeviceId");
  for (char c : printable) {
    if (c < 0x21 || c > 0x7E) fail("printable DeviceId is not printable");
  }

  // Plain form: everything but what only base64 carries.
  const auto plain = encode_plain_query(*q);
  if (!plain) fail("a parsed query does not encode as plain text");
  const auto from_plain = parse_query(*plain);
  if (!from_plain) fail("our plain encoding does not parse");
  if (!(*from_plain == without_base64_only(*q))) fail("plain round trip differs");

  // Base64 form, for commands that have a code.
  if (!q->command->code) return;
  eas_query full = *q;
  if (!full.version) full.version = protocol_version::v14_1;
  if (!full.locale) full.locale = 0x0409;
  full.is_base64 = true;
  for (bool percent : {false, true}) {
    const auto text = encode_base64_query(full, percent);
    if (!text) fail("a parsed query does not encode as base64");
    const auto back = parse_query(*text);
    if (!back) fail("our base64 encoding does not parse");
    if (!(*back == full)) fail("base64 round trip differs");
  }
}

void check_headers(std::string_view in) {
  using namespace easemu::eas;
  check_error(parse_protocol_version_header(in), in.size());
  check_error(parse_policy_key_header(in), in.size());
  check_error(parse_accept_multipart_header(in), in.size());
  const auto basic = parse_basic_authorization(in);
  check_error(basic, in.size());
  if (basic && (basic->user.empty() || basic->user.find(':') != std::string::npos)) {
    fail("Basic credentials with a bad user part");
  }
  const auto name = split_user_name(in);
  check_error(name, in.size());
  if (name) {
    if (name->user.empty()) fail("user name without a user part");
    if ((name->form == user_name_form::bare) != name->domain.empty()) fail("domain mismatch");
  }
  for (auto plus : {plus_rule::space, plus_rule::literal}) {
    const auto decoded = percent_decode(in, plus);
    check_error(decoded, in.size());
    if (!decoded) continue;
    const auto again = percent_decode(percent_encode(*decoded), plus);
    if (!again || *again != *decoded) fail("percent_encode does not round-trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_query(in);
  check_headers(in);
  return 0;
}

// Query text is mostly letters: half the replay mutations use the characters that matter.
extern const std::string_view easemu_fuzz_alphabet = "&=%+/\\@ 0aZ";
