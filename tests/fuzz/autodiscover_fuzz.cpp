// Fuzz target for the Autodiscover XML parsers (eas/autodiscover.hpp): the server's request
// parser and the phone's response parser. Neither may crash; an error offset stays inside the
// input; a request that parses gets an answer the phone reads back to the same URL; a response
// that parses says something usable.
//
// With -DEASEMU_FUZZ=ON (clang) this is a libFuzzer target:
//   build-fuzz/tests/fuzz/autodiscover_fuzz tests/fuzz/corpus/autodiscover
// Otherwise it builds with replay_main.cpp as a plain program that replays the seed corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "easemu/eas/autodiscover.hpp"

namespace {

using namespace easemu::eas;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "autodiscover_fuzz: %s\n", what);
  std::abort();
}

constexpr std::string_view eas_url = "https://mail.lab.test/Microsoft-Server-ActiveSync";

void check_request(std::string_view in) {
  const auto parsed = parse_autodiscover_request(in);
  if (!parsed.request) {
    if (parsed.reason.empty()) fail("request refused without a reason");
    return;
  }
  const auto& r = *parsed.request;
  const auto reply = parse_autodiscover_response(autodiscover_response({r.email_address, r.email_address}, eas_url));
  if (!reply || reply->answer != autodiscover_answer::settings || reply->eas_url != eas_url) {
    fail("the phone cannot read the answer to a request the server accepted");
  }
}

void check_response(std::string_view in) {
  const auto reply = parse_autodiscover_response(in);
  if (!reply) {
    if (reply.error().reason.empty()) fail("response refused without a reason");
    if (reply.error().offset > in.size()) fail("error offset beyond the input");
    return;
  }
  switch (reply->answer) {
    case autodiscover_answer::settings:
      if (reply->eas_url.empty()) fail("settings without a URL");
      break;
    case autodiscover_answer::redirect:
      if (reply->redirect_address.empty()) fail("redirect without an address");
      break;
    case autodiscover_answer::error: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_request(in);
  check_response(in);
  return 0;
}

// XML is mostly letters: half the replay mutations use the characters that matter.
extern const std::string_view easemu_fuzz_alphabet = "<>/&;=\"'!?[] :";
