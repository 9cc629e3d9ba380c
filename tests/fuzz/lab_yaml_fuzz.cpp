// Fuzz target for the lab file loader (app/lab_config.hpp), which reads a file a lab writes by
// hand or a tool generates. Whatever the text, the loader either gives a lab or throws its own
// config_error with a message (never another exception, never a crash); a lab it gives is
// completed without throwing and keeps a hostname and at least one mailbox.
//
// With -DEASEMU_FUZZ=ON (clang) this is a libFuzzer target:
//   build-fuzz/tests/fuzz/lab_yaml_fuzz tests/fuzz/corpus/lab_yaml
// Otherwise it builds with replay_main.cpp as a plain program that replays the seed corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "lab_config.hpp"

namespace {

[[noreturn]] void fail(const char* what, const char* detail = "") {
  std::fprintf(stderr, "lab_yaml_fuzz: %s %s\n", what, detail);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  easemu::app::lab_config lab;
  try {
    lab = easemu::app::parse_lab_yaml(text, "fuzz.yaml");
  } catch (const easemu::app::config_error& e) {
    if (std::string(e.what()).empty()) fail("a config_error without a message");
    return 0;
  } catch (const std::exception& e) {
    fail("an exception other than config_error:", e.what());
  }
  try {
    easemu::app::complete_lab(lab);
  } catch (const std::exception& e) {
    fail("complete_lab threw on a lab the loader accepted:", e.what());
  }
  if (lab.hostname.empty()) fail("a completed lab without a hostname");
  if (lab.mailboxes.empty()) fail("a completed lab without a mailbox");
  return 0;
}

// YAML's structure characters.
extern const std::string_view easemu_fuzz_alphabet = ":-[]{},#&*!|>'\"%@\n ";
