// Fuzz target for the WBXML decoder: whatever decodes must encode, and decode again to the same
// tree; the XML view of it must not fail either.
//
// With -DEASEMU_FUZZ=ON (clang) this is a libFuzzer target:
//   build-fuzz/tests/fuzz/wbxml_decode_fuzz -dict=tests/fuzz/wbxml.dict tests/fuzz/corpus/wbxml
// Otherwise it builds with replay_main.cpp as a plain program that replays a seed corpus (ctest
// runs it over tests/fuzz/corpus/wbxml and the golden vectors).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "wbxml_decode_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace easemu::wbxml;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  decode_limits limits;
  limits.max_document_size = 1 << 20;
  auto tree = decode(in, limits);
  if (!tree) {
    if (tree.error().offset > size) fail("error offset beyond the input");
    return 0;
  }
  auto bytes = encode(*tree);
  if (!bytes) fail("a decoded tree does not encode");
  auto again = decode(*bytes, limits);
  if (!again) fail("our own encoding does not decode");
  if (!(*again == *tree)) fail("decode(encode(tree)) differs from tree");
  const auto xml = to_xml(*tree);
  if (xml.empty()) fail("empty XML view");
  return 0;
}

// Mutations: any byte; the interesting ones (global tokens, page switches) come up often enough.
extern const std::string_view easemu_fuzz_alphabet = "\x00\x01\x03\xc3\x45\x80";
