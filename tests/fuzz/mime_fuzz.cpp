// Fuzz target for MIME intake (mailbox/message.hpp), what SendMail, SmartReply/Forward, drafts
// and injections run on a message from outside: the structure check, then GMime's parse, the
// attachments, the preview and the text/HTML conversions. Nothing may crash; a message over the
// structure limits is never parsed; a parsed message has at most max_parts attachments, each of
// which can be read back; the preview stays within its limit (MS-ASAIRS 2.2.2.37: 255).
//
// With -DEASEMU_FUZZ=ON (clang) this is a libFuzzer target:
//   build-fuzz/tests/fuzz/mime_fuzz tests/fuzz/corpus/mime
// Otherwise it builds with replay_main.cpp as a plain program that replays the seed corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "easemu/mailbox/message.hpp"

namespace {

using namespace easemu::mailbox;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "mime_fuzz: %s\n", what);
  std::abort();
}

// Small limits, so that the fuzzer reaches them.
constexpr mime_limits small{8, 64, 4096};

std::size_t utf8_characters(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)mime_structure_error(in, small);
  const bool over = mime_structure_error(in).has_value();
  const auto m = parse_message(in);
  if (over && m) fail("a message over the structure limits was parsed");
  if (!m) return 0;
  if (m->attachments.size() > mime_limits{}.max_parts) fail("more attachments than parts allowed");
  for (std::size_t i = 0; i < m->attachments.size(); ++i) {
    if (!attachment_content(in, i)) fail("a listed attachment cannot be read");
  }
  if (attachment_content(in, m->attachments.size())) fail("an attachment past the last one");
  if (utf8_characters(preview(*m, 255)) > 255) fail("a preview over 255 characters");
  if (truncate_utf8(m->text_body, 100).size() > 100) fail("truncate_utf8 over its limit");
  (void)html_to_text(m->html_body);
  (void)text_to_html(m->text_body);
  (void)without_bcc(in);
  (void)with_original(in, in, true);
  (void)address_list(m->to);
  return 0;
}

// The bytes MIME structure turns on.
extern const std::string_view easemu_fuzz_alphabet = "-:;=\"\r\n \t=?";
