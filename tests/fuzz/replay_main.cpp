// main() for the fuzz targets built as plain programs: replays files and directories given on
// the command line through LLVMFuzzerTestOneInput, each seed also truncated at every length and
// with deterministic byte mutations (half of them drawn from the target's alphabet).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Bytes that matter to the target ("&=%+" for query text); each target defines it.
extern const std::string_view easemu_fuzz_alphabet;

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
  const std::string_view alphabet = easemu_fuzz_alphabet;
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.empty() ? 0 : alphabet.size() - 1);
  for (int i = 0; i < 4096; ++i) {
    std::string m = seed;
    const int edits = 1 + i % 3;
    for (int e = 0; e < edits; ++e) {
      const bool from_alphabet = !alphabet.empty() && i % 2 == 1;
      m[pos(rng)] = from_alphabet ? alphabet[pick(rng)] : static_cast<char>(byte(rng));
    }
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
        // Every file is a seed: any bytes are valid input, companions of golden vectors too.
        if (entry.is_regular_file()) files.push_back(entry.path());
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
