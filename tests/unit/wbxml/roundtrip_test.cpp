// Property tests over generated trees: encode -> decode and tree -> XML -> tree give back the
// same tree, and encoding is deterministic.
#include <gtest/gtest.h>

#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "unit/wbxml/tree_gen.hpp"

namespace {

using namespace easemu::wbxml;

constexpr int iterations = 2000;

TEST(RoundTrip, EncodeThenDecodeGivesTheSameTree) {
  std::mt19937 rng(20261125);
  easemu::test::tree_gen_options o;
  o.opaque_anywhere = true;  // WBXML carries OPAQUE in any element
  for (int i = 0; i < iterations; ++i) {
    const element tree = easemu::test::random_tree(rng, o);
    auto bytes = encode(tree);
    ASSERT_TRUE(bytes) << "iteration " << i << ": " << bytes.error().message();
    auto back = decode(*bytes);
    ASSERT_TRUE(back) << "iteration " << i << ": " << back.error().message();
    ASSERT_EQ(*back, tree) << "iteration " << i << "\n" << to_xml(tree);
    auto again = encode(*back);
    ASSERT_TRUE(again);
    ASSERT_EQ(*again, *bytes) << "iteration " << i;
  }
}

TEST(RoundTrip, XmlThenParseGivesTheSameTree) {
  std::mt19937 rng(7);
  for (int i = 0; i < iterations; ++i) {
    const element tree = easemu::test::random_tree(rng);
    const std::string xml = to_xml(tree);
    auto back = from_xml(xml);
    ASSERT_TRUE(back) << "iteration " << i << ": " << back.error().message() << "\n" << xml;
    ASSERT_EQ(*back, tree) << "iteration " << i << "\n" << xml;
    // Unindented output parses to the same tree too.
    xml_options raw;
    raw.indent = false;
    auto back_raw = from_xml(to_xml(tree, raw));
    ASSERT_TRUE(back_raw);
    ASSERT_EQ(*back_raw, tree) << "iteration " << i;
  }
}

TEST(RoundTrip, DecodedPrefixesOfValidDocumentsFailCleanly) {
  // Every proper prefix of a valid document is an error (truncated), never a crash or a tree.
  std::mt19937 rng(99);
  for (int i = 0; i < 200; ++i) {
    auto bytes = encode(easemu::test::random_tree(rng));
    ASSERT_TRUE(bytes);
    for (std::size_t n = 0; n < bytes->size(); ++n) {
      auto r = decode(std::string_view(*bytes).substr(0, n));
      ASSERT_FALSE(r) << "prefix of " << n << " bytes decoded";
    }
  }
}

}  // namespace
