// Golden vectors (tests/golden/NAME.wbxml + NAME.xml + NAME.txt): WBXML bytes from the
// MS-AS* specifications or produced by libwbxml, never by our encoder. Decoding the .wbxml
// must give the tree of the .xml, and encoding the .xml must give the .wbxml byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "easemu/common/hex.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace easemu::wbxml;

const fs::path golden_dir = fs::path(EASEMU_SOURCE_DIR) / "tests" / "golden";

std::vector<std::string> vector_names() {
  std::vector<std::string> names;
  if (!fs::is_directory(golden_dir)) return names;
  for (const auto& e : fs::directory_iterator(golden_dir)) {
    if (e.path().extension() == ".wbxml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string first_difference(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const auto from = i < 8 ? 0 : i - 8;
  return "first difference at byte " + std::to_string(i) + "\n ours:     " +
         easemu::common::hex_encode(a.substr(from, 24), ' ') + "\n expected: " +
         easemu::common::hex_encode(b.substr(from, 24), ' ');
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, DecodeEqualsXmlAndEncodeEqualsBytes) {
  const auto name = GetParam();
  const auto wbxml = easemu::test::read_file(golden_dir / (name + ".wbxml"));
  const auto xml = easemu::test::read_file(golden_dir / (name + ".xml"));
  ASSERT_FALSE(wbxml.empty()) << name;
  ASSERT_FALSE(xml.empty()) << name << ".xml is missing";
  EXPECT_TRUE(fs::exists(golden_dir / (name + ".txt"))) << name << ": provenance note missing";

  auto decoded = decode(wbxml);
  ASSERT_TRUE(decoded) << name << ": " << decoded.error().message();
  auto parsed = from_xml(xml);
  ASSERT_TRUE(parsed) << name << ".xml: " << parsed.error().message();
  EXPECT_EQ(*decoded, *parsed) << name << ": decoded tree differs from the XML\n"
                               << to_xml(*decoded);

  auto encoded = encode(*parsed);
  ASSERT_TRUE(encoded) << name << ": " << encoded.error().message();
  EXPECT_EQ(*encoded, wbxml) << name << ": " << first_difference(*encoded, wbxml);

  // Our own XML view of the decoded tree reads back to the same tree.
  auto reparsed = from_xml(to_xml(*decoded));
  ASSERT_TRUE(reparsed) << reparsed.error().message();
  EXPECT_EQ(*reparsed, *decoded);
}

INSTANTIATE_TEST_SUITE_P(Vectors, Golden, ::testing::ValuesIn(vector_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                           return n;
                         });

TEST(GoldenSet, HasTheSpecExamplesTheIssueAsksFor) {
  const auto names = vector_names();
  auto has = [&](std::string_view part) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return n.find(part) != std::string::npos; });
  };
  EXPECT_TRUE(has("mswbxml-4-example"));
  for (const char* cmd : {"provision", "foldersync", "sync", "ping", "settings"}) {
    EXPECT_TRUE(has(cmd)) << "no golden vector for " << cmd;
  }
}

TEST(GoldenSet, SpecWorkedExampleIsByteExact) {
  // MS-ASWBXML section 4: the first bytes as the specification prints them (PROTOCOL.md 2.3).
  const auto bytes = easemu::test::read_file(golden_dir / "mswbxml-4-example.wbxml");
  const auto start = *easemu::common::hex_decode(
      "03 01 6A 00 45 5C 4F 50 03 43 6F 6E 74 61 63 74 73 00 01 4B 03 32 00 01 52 03 32 00 01 "
      "4E 03 31 00 01 56 47 4D 03 32 3A 31 00 01 5D 00 11 4A 46 03 31 00 01 4C 03 30 00 01 4D "
      "03 31 00 01 01 00 01 5E 03 46 75 6E 6B 2C 20 44 6F 6E 00 01");
  ASSERT_GE(bytes.size(), start.size());
  EXPECT_EQ(bytes.substr(0, start.size()), start);
}

}  // namespace
