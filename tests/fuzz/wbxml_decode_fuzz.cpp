// Fuzz target for the WBXML decoder: whatever decodes must encode, and decode again to the same
// tree; the XML view of it must not fail either.
//
// With -DEASEMU_FUZZ=ON (clang) this is a libFuzzer target:
//   build-fuzz/tests/fuzz/wbxml_decode_fuzz -dict=tests/fuzz/wbxml.dict tests/fuzz/corpus/wbxml
// Otherwise it builds as a plain executable that replays files and directories given on the
// command line, each seed also truncated at every length and with deterministic byte mutations
// (ctest runs it over the seed corpus and the golden vectors).
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

#ifndef EASEMU_LIBFUZZER
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

void run_one(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

void replay(const std::string& seed, std::mt19937& rng) {
  run_one(seed);
  for (std::size_t n = 0; n < seed.size(); ++n) run_one(seed.substr(0, n));
  if (seed.empty()) return;
  std::uniform_int_distribution<std::size_t> pos(0, seed.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 256; ++i) {
    std::string m = seed;
    const int edits = 1 + i % 3;
    for (int e = 0; e < edits; ++e) m[pos(rng)] = static_cast<char>(byte(rng));
    run_one(m);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& entry : std::filesystem::directory_iterator(p)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".wbxml" || ext == ".bin" || ext.empty())) {
          files.push_back(entry.path());
        }
      }
    } else {
      files.push_back(p);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  std::mt19937 rng(1);
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string seed{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    replay(seed, rng);
  }
  std::printf("replayed %zu seeds with truncations and mutations\n", files.size());
  return 0;
}
#endif
