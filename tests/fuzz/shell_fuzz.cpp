// Fuzz target for the Exchange Management Shell parsers (shell/), which read what an
// administrator pastes: the cmdlet line parser and the OPATH filter parser. Neither may crash or
// throw; an error points inside the text (line and column from 1, the line within the input's
// lines); a filter that parses prints a canonical form that parses back to the same form and
// evaluates the same on a sample object.
//
// With -DEASEMU_FUZZ=ON (clang) this is a libFuzzer target:
//   build-fuzz/tests/fuzz/shell_fuzz tests/fuzz/corpus/shell
// Otherwise it builds with replay_main.cpp as a plain program that replays the seed corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/shell/cmdlet_parser.hpp"
#include "easemu/shell/opath.hpp"

namespace {

using namespace easemu::shell;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "shell_fuzz: %s\n", what);
  std::abort();
}

// Lines as PowerShell counts them: CR LF, a lone CR and a lone LF each end one.
std::size_t lines_of(std::string_view in) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' || (in[i] == '\r' && (i + 1 == in.size() || in[i + 1] != '\n'))) ++n;
  }
  return n;
}

const std::vector<std::string> properties = {"DeviceOS", "DeviceType", "DeviceAccessState", "DeviceModel", "UserDisplayName"};

std::optional<std::string> sample(std::string_view property) {
  if (property == "DeviceOS") return std::string("Windows Phone7.0");
  if (property == "DeviceType") return std::string("WP");
  if (property == "DeviceAccessState") return std::string("Blocked");
  return std::nullopt;  // DeviceModel and UserDisplayName are null
}

void check_cmdlets(std::string_view in) {
  const auto parsed = parse_cmdlets(in);
  if (parsed) {
    for (const auto& call : *parsed) {
      if (call.name.empty()) fail("a call without a name");
      if (call.line == 0 || call.line > lines_of(in)) fail("a call's line outside the input");
    }
    return;
  }
  const auto& e = parsed.error();
  if (e.message.empty()) fail("a cmdlet error without a message");
  if (e.line == 0 || e.column == 0 || e.line > lines_of(in)) fail("a cmdlet error outside the input");
}

void check_opath(std::string_view in) {
  const auto parsed = parse_opath(in, properties);
  if (!parsed) {
    const auto& e = parsed.error();
    if (e.message.empty()) fail("a filter error without a message");
    if (e.line == 0 || e.column == 0 || e.line > lines_of(in)) fail("a filter error outside the input");
    return;
  }
  const auto canonical = parsed->to_string();
  const auto again = parse_opath(canonical, properties);
  if (!again) fail("the canonical form of a filter does not parse");
  if (again->to_string() != canonical) fail("the canonical form is not stable");
  if (again->matches(sample) != parsed->matches(sample)) fail("the canonical form evaluates differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_cmdlets(in);
  check_opath(in);
  return 0;
}

// What the shell's grammar turns on.
extern const std::string_view easemu_fuzz_alphabet = "-$@(){}'\",;#`|*\n ";
