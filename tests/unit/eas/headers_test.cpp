#include "easemu/eas/headers.hpp"

#include <gtest/gtest.h>

#include "easemu/common/base64.hpp"

namespace {

using namespace easemu;
using namespace easemu::eas;

TEST(ProtocolVersionHeader, EveryVersion) {
  for (auto v : all_protocol_versions) {
    auto r = parse_protocol_version_header(to_string(v));
    ASSERT_TRUE(r) << to_string(v);
    EXPECT_EQ(*r, v);
  }
  EXPECT_EQ(*parse_protocol_version_header(" 14.1\t"), protocol_version::v14_1);
}

TEST(ProtocolVersionHeader, RejectsOthers) {
  for (const char* bad :
       {"", "14", "14.2", "2.0", "1.0", "14.10", "v14.1", "14,1", "141", "14.1,16.0"}) {
    auto r = parse_protocol_version_header(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, errc::unknown_protocol_version) << bad;
  }
}

TEST(PolicyKeyHeader, DecimalUint32) {
  const std::pair<const char*, std::uint32_t> good[] = {
      {"0", 0u},     {"1", 1u},   {"3942919513", 3942919513u}, {"4294967295", 4294967295u},
      {" 42 ", 42u}, {"007", 7u},
  };
  for (const auto& [text, key] : good) {
    auto r = parse_policy_key_header(text);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(*r, key) << text;
  }
}

TEST(PolicyKeyHeader, RejectsJunk) {
  const std::pair<const char*, std::size_t> bad[] = {
      {"", 0},    {"   ", 3},        {"-1", 0},
      {"+1", 0},  {"12a", 2},        {"0x10", 1},
      {"1 2", 1}, {"4294967296", 9}, {"99999999999999999999", 9},
      {"1.0", 1},
  };
  for (const auto& [text, offset] : bad) {
    auto r = parse_policy_key_header(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, errc::invalid_policy_key) << text;
    EXPECT_EQ(r.error().offset, offset) << text;
  }
}

TEST(AcceptMultiPartHeader, TrueFalseOrError) {
  EXPECT_TRUE(*parse_accept_multipart_header("T"));
  EXPECT_TRUE(*parse_accept_multipart_header(" t "));
  EXPECT_FALSE(*parse_accept_multipart_header("F"));
  for (const char* bad : {"", "1", "true", "TRUE", "TF"}) {
    auto r = parse_accept_multipart_header(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, errc::invalid_accept_multipart);
  }
}

std::string basic(std::string_view credentials) {
  return "Basic " + common::base64_encode(credentials);
}

TEST(BasicAuthorization, SplitsAtTheFirstColon) {
  auto r = parse_basic_authorization(basic("CONTOSO\\jdoe:pa:ss word"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->user, "CONTOSO\\jdoe");
  EXPECT_EQ(r->password, "pa:ss word");

  r = parse_basic_authorization(basic("jdoe@contoso.com:"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user, "jdoe@contoso.com");
  EXPECT_EQ(r->password, "");

  // RFC 7617: the scheme is case-insensitive; extra spaces are tolerated.
  r = parse_basic_authorization("bAsIc   " + common::base64_encode("u:p") + "  ");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (basic_credentials{"u", "p"}));

  // UTF-8 passes through as bytes.
  r = parse_basic_authorization(basic("j\xc3\xb6rg:p\xc3\xa4ss"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user, "j\xc3\xb6rg");
}

TEST(BasicAuthorization, EachErrorIsDistinct) {
  const std::pair<std::string, errc> bad[] = {
      {"Bearer eyJ0eXAiOiJKV1QifQ", errc::auth_not_basic},
      {"", errc::auth_not_basic},
      {"BasicdTpw", errc::auth_not_basic},
      {"Digest username=\"u\"", errc::auth_not_basic},
      {"Basic", errc::auth_malformed},
      {"Basic   ", errc::auth_malformed},
      {"Basic dTpw dTpw", errc::auth_malformed},
      {"Basic dTp!", errc::auth_bad_base64},
      {"Basic dTp", errc::auth_bad_base64},
      {basic("nocolon"), errc::auth_missing_colon},
      {basic(":password"), errc::auth_empty_user},
      {"Basic " + std::string(9000, 'A'), errc::field_too_long},
  };
  for (const auto& [header, code] : bad) {
    auto r = parse_basic_authorization(header);
    ASSERT_FALSE(r) << header;
    EXPECT_EQ(r.error().code, code) << header << ": " << r.error().message();
  }
}

struct user_case {
  const char* name;
  user_name_form form;
  const char* user;
  const char* domain;
};

class SplitUserName : public ::testing::TestWithParam<user_case> {};

TEST_P(SplitUserName, FormAndParts) {
  const auto& c = GetParam();
  auto r = split_user_name(c.name);
  ASSERT_TRUE(r) << c.name << ": " << r.error().message();
  EXPECT_EQ(r->form, c.form);
  EXPECT_EQ(r->user, c.user);
  EXPECT_EQ(r->domain, c.domain);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, SplitUserName,
    ::testing::Values(user_case{"jdoe", user_name_form::bare, "jdoe", ""},
                      user_case{"jdoe@contoso.com", user_name_form::upn, "jdoe", "contoso.com"},
                      user_case{"\"a@b\"@contoso.com", user_name_form::upn, "\"a@b\"",
                                "contoso.com"},
                      user_case{"CONTOSO\\jdoe", user_name_form::down_level, "jdoe", "CONTOSO"},
                      user_case{"contoso.com\\jdoe@contoso.com", user_name_form::down_level,
                                "jdoe@contoso.com", "contoso.com"},
                      user_case{"j doe", user_name_form::bare, "j doe", ""}));

TEST(SplitUserName, RejectsEmptyParts) {
  const std::pair<const char*, std::size_t> bad[] = {
      {"", 0}, {"\\jdoe", 0}, {"CONTOSO\\", 7}, {"@contoso.com", 0}, {"jdoe@", 4}, {"A\\B\\c", 3},
  };
  for (const auto& [name, offset] : bad) {
    auto r = split_user_name(name);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, errc::invalid_user_name) << name;
    EXPECT_EQ(r.error().offset, offset) << name;
  }
}

}  // namespace
