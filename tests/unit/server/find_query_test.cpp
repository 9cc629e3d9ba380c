// The KQL subset of Find's FreeText (server/src/commands/find_query.hpp).
#include "commands/find_query.hpp"

#include <gtest/gtest.h>

namespace {

using easemu::server::commands::find_term;
using easemu::server::commands::matches;
using easemu::server::commands::matches_entry;
using easemu::server::commands::parse_find_query;

TEST(FindQuery, WordsPhrasesAndPropertiesAreAnded) {
  const auto q = parse_find_query("Quarterly  subject:\"Sales Report\" AND from:carol body:numbers");
  ASSERT_TRUE(q) << q.error;
  const std::vector<find_term> want = {
      {"", "quarterly"}, {"subject", "sales report"}, {"from", "carol"}, {"body", "numbers"}};
  EXPECT_EQ(q.terms, want);
  EXPECT_EQ(parse_find_query("\"two words\"").terms, (std::vector<find_term>{{"", "two words"}}));
  EXPECT_EQ(parse_find_query("CC:bob To:alice").terms, (std::vector<find_term>{{"cc", "bob"}, {"to", "alice"}}));
}

TEST(FindQuery, EverythingElseIsRefused) {
  for (const char* kql : {"", "   ", "a OR b", "NOT a", "a NEAR b", "(a)", "zebra*", "size>10", "received:2020",
                          "hasattachment:true", "-a", "+a", "\"open", "subject:", "\"\"", "\"a\"b", "x:y:z"}) {
    const auto q = parse_find_query(kql);
    EXPECT_FALSE(q) << kql;
    EXPECT_FALSE(q.error.empty()) << kql;
  }
}

TEST(FindQuery, MatchesTheMessagesProperties) {
  easemu::mailbox::message_properties m;
  m.subject = "Quarterly Sales Report";
  m.from = "Carol <carol@example.com>";
  m.to = "alice@lab.test";
  m.display_to = "Alice Lab";
  m.cc = "bob@lab.test";
  m.html_body = "<p>The <b>numbers</b> are in</p>";
  const auto yes = [&](const char* kql) { return matches(parse_find_query(kql).terms, m); };
  EXPECT_TRUE(yes("quarterly"));
  EXPECT_TRUE(yes("subject:\"sales report\" numbers"));
  EXPECT_TRUE(yes("to:alice cc:bob from:carol"));
  EXPECT_TRUE(yes("body:numbers"));
  EXPECT_FALSE(yes("body:quarterly"));
  EXPECT_FALSE(yes("subject:numbers"));
  EXPECT_FALSE(yes("quarterly missing"));
}

TEST(FindQuery, GalEntriesMatchByPrefix) {
  const auto q = [](const char* kql) { return parse_find_query(kql).terms; };
  EXPECT_TRUE(matches_entry(q("bob"), "Bob Lab", "bob@lab.test"));
  EXPECT_TRUE(matches_entry(q("la"), "Bob Lab", "bob@lab.test"));
  EXPECT_TRUE(matches_entry(q("bob lab"), "Bob Lab", "bob@lab.test"));
  EXPECT_FALSE(matches_entry(q("ob"), "Bob Lab", "bob@lab.test"));
  EXPECT_FALSE(matches_entry(q("subject:bob"), "Bob Lab", "bob@lab.test"));
}

}  // namespace
