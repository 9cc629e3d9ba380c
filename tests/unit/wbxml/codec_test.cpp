#include "easemu/wbxml/codec.hpp"

#include <gtest/gtest.h>

#include <string>

#include "easemu/common/hex.hpp"

namespace {

using namespace easemu::wbxml;

std::string bytes(std::string_view hex) {
  auto b = easemu::common::hex_decode(hex);
  EXPECT_TRUE(b) << hex;
  return b.value_or("");
}

std::string hex(const std::string& b) { return easemu::common::hex_encode(b, ' '); }

constexpr std::string_view header = "03 01 6A 00 ";

// --- encoder -----------------------------------------------------------------------------

TEST(Encode, EmptyElementHasNoContentBit) {
  // <Sync><Collections><Collection><GetChanges/></Collection></Collections></Sync>
  element sync(tag("AirSync:Sync"));
  sync.add(tag("AirSync:Collections")).add(tag("AirSync:Collection")).add(tag("AirSync:GetChanges"));
  auto out = encode(sync);
  ASSERT_TRUE(out);
  EXPECT_EQ(hex(*out), "03 01 6a 00 45 5c 4f 13 01 01 01");
}

TEST(Encode, SwitchesPageOnlyWhenItChanges) {
  // Two AirSyncBase children in a row need one SWITCH_PAGE; coming back to AirSync needs one.
  element coll(tag("AirSync:Collection"));
  auto& opts = coll.add(tag("AirSync:Options"));
  auto& pref = opts.add(tag("AirSyncBase:BodyPreference"));
  pref.add(tag("AirSyncBase:Type"), "2");
  pref.add(tag("AirSyncBase:TruncationSize"), "5120");
  opts.add(tag("AirSync:MIMESupport"), "0");
  auto out = encode(coll);
  ASSERT_TRUE(out);
  EXPECT_EQ(hex(*out),
            "03 01 6a 00 4f 57 00 11 45 46 03 32 00 01 47 03 35 31 32 30 00 01 01 "
            "00 00 62 03 30 00 01 01 01");
}

TEST(Encode, OpaqueUsesMultiByteLength) {
  // 512 bytes of MIME: OPAQUE length 512 is the mb_u_int32 84 00 (WBXML 1.3 section 5.1).
  element mail(tag("ComposeMail:SendMail"));
  mail.add(element::opaque(tag("ComposeMail:Mime"), std::string(512, 'x')));
  auto out = encode(mail);
  ASSERT_TRUE(out);
  EXPECT_EQ(hex(out->substr(0, 11)), "03 01 6a 00 00 15 45 50 c3 84 00");
  EXPECT_EQ(out->size(), 11u + 512u + 2u);
  EXPECT_EQ(out->substr(out->size() - 2), std::string("\x01\x01", 2));
}

TEST(Encode, EmptyTextKeepsItsStrI) {
  element e(tag("AirSync:SyncKey"), "");
  auto out = encode(e);
  ASSERT_TRUE(out);
  EXPECT_EQ(hex(*out), "03 01 6a 00 4b 03 00 01");
  auto back = decode(*out);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, e);
}

TEST(Encode, EmptyOpaqueKeepsItsLength) {
  element e = element::opaque(tag("ComposeMail:Mime"), "");
  auto out = encode(e);
  ASSERT_TRUE(out);
  EXPECT_EQ(hex(*out), "03 01 6a 00 00 15 50 c3 00 01");
  auto back = decode(*out);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, e);
}

TEST(Encode, RejectsInvalidTreesWithAReason) {
  element bad_tag(tag_id{0, 0x3F});  // no such tag on AirSync
  EXPECT_EQ(encode(bad_tag).error().code, errc::invalid_tag);
  element page_26(tag_id{26, 0x05});
  EXPECT_EQ(encode(page_26).error().code, errc::invalid_tag);
  element nul(tag("AirSync:SyncKey"), std::string("a\0b", 3));
  EXPECT_EQ(encode(nul).error().code, errc::nul_in_text);
  element mixed(tag("AirSync:Sync"), "text");
  mixed.add(tag("AirSync:Status"), "1");
  EXPECT_EQ(encode(mixed).error().code, errc::mixed_content);
}

// --- decoder: what it accepts --------------------------------------------------------------

TEST(Decode, CodePageStaysAfterEnd) {
  // MS-ASWBXML section 4's pattern: after an AirSyncBase element ends, the next tag is still
  // read on AirSyncBase until a SWITCH_PAGE (END does not restore the page).
  auto r = decode(bytes("03 01 6A 00 4F 00 11 4A 46 03 31 00 01 01 4B 03 30 00 01 01"));
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->children.size(), 2u);
  EXPECT_EQ(r->children[0].tag, tag("AirSyncBase:Body"));
  EXPECT_EQ(r->children[1].tag, tag("AirSyncBase:Data"));  // 0x0B on page 17, not SyncKey
}

TEST(Decode, ReadsMultiByteHeaderIntegers) {
  // Charset 106 written with a redundant continuation byte, public id 1 likewise.
  auto r = decode(bytes("03 80 01 80 6A 00 4B 03 31 00 01"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->tag, tag("AirSync:SyncKey"));
  EXPECT_EQ(r->value, "1");
}

TEST(Decode, OpaqueOrStrIInAnyElement) {
  // Clients differ (PROTOCOL.md 2.6): OPAQUE in a text element and STR_I in a binary one.
  auto r = decode(bytes("03 01 6A 00 4B C3 02 34 32 01"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, content_kind::opaque);
  EXPECT_EQ(r->value, "42");
  auto m = decode(bytes("03 01 6A 00 00 15 50 03 61 62 00 01"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->tag, tag("ComposeMail:Mime"));
  EXPECT_EQ(m->kind, content_kind::text);
}

TEST(Decode, ConsecutiveStringsAreJoined) {
  auto r = decode(bytes("03 01 6A 00 4B 03 61 00 03 62 00 01"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "ab");
}

TEST(Decode, ContentBitWithNoContentIsAnEmptyElement) {
  auto r = decode(bytes("03 01 6A 00 45 01"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, content_kind::none);
  EXPECT_TRUE(r->children.empty());
}

TEST(Decode, LegacyTokensDecode) {
  auto r = decode(bytes("03 01 6A 00 45 5F 03 78 00 01 01"));  // AirSync 0x1F NotifyGUID
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->children.at(0).name(), "NotifyGUID");
}

// --- decoder: every error, with its offset ---------------------------------------------------

struct bad_input {
  const char* name;
  const char* hex;
  errc code;
  std::size_t offset;
};

class DecodeError : public ::testing::TestWithParam<bad_input> {};

TEST_P(DecodeError, FailsWithCodeAndOffset) {
  const auto& p = GetParam();
  auto r = decode(bytes(p.hex));
  ASSERT_FALSE(r) << "decoded: " << p.hex;
  EXPECT_EQ(r.error().code, make_error_code(p.code)) << r.error().message();
  EXPECT_EQ(r.error().offset, p.offset) << r.error().message();
  EXPECT_FALSE(r.error().message().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, DecodeError,
    ::testing::Values(
        bad_input{"empty", "", errc::truncated, 0},
        bad_input{"version_1_2", "02 01 6A 00 45 01", errc::unsupported_version, 0},
        bad_input{"header_cut", "03 01", errc::truncated, 2},
        bad_input{"charset_latin1", "03 01 04 00 45 01", errc::unsupported_charset, 2},
        bad_input{"string_table", "03 01 6A 02 61 00 45 01", errc::string_table_not_empty, 3},
        bad_input{"public_id_in_string_table", "03 00 00 6A 00 45 01", errc::string_table_not_empty, 1},
        bad_input{"mb_int_6_bytes", "03 81 81 81 81 81 01 6A 00", errc::mb_int_too_long, 1},
        bad_input{"mb_int_over_32_bits", "03 01 6A 00 4B C3 9F FF FF FF 7F", errc::mb_int_too_long, 6},
        bad_input{"no_root", "03 01 6A 00", errc::empty_document, 4},
        bad_input{"unknown_page", "03 01 6A 00 00 1A 45 01", errc::unknown_page, 5},
        bad_input{"unknown_tag", "03 01 6A 00 45 7F 01", errc::unknown_tag, 5},
        bad_input{"airnotify_tag", "03 01 6A 00 00 03 45 01", errc::unknown_tag, 6},
        bad_input{"attributes", "03 01 6A 00 C5 01 01", errc::attributes_not_supported, 4},
        bad_input{"entity", "03 01 6A 00 45 02 41 01", errc::unsupported_token, 5},
        bad_input{"literal", "03 01 6A 00 04 00", errc::unsupported_token, 4},
        bad_input{"str_t", "03 01 6A 00 45 83 00 01", errc::unsupported_token, 5},
        bad_input{"ext_i_0", "03 01 6A 00 45 40 41 00 01", errc::unsupported_token, 5},
        bad_input{"pi", "03 01 6A 00 43 01", errc::unsupported_token, 4},
        bad_input{"end_first", "03 01 6A 00 01", errc::unexpected_end, 4},
        bad_input{"text_first", "03 01 6A 00 03 61 00", errc::text_outside_element, 4},
        bad_input{"opaque_first", "03 01 6A 00 C3 01 61", errc::text_outside_element, 4},
        bad_input{"unclosed", "03 01 6A 00 45 5C", errc::truncated, 6},
        bad_input{"string_no_nul", "03 01 6A 00 4B 03 61 62", errc::truncated, 8},
        bad_input{"opaque_short", "03 01 6A 00 4B C3 05 61 62", errc::truncated, 9},
        bad_input{"switch_page_cut", "03 01 6A 00 45 00", errc::truncated, 6},
        bad_input{"text_then_child", "03 01 6A 00 45 03 61 00 0E 01", errc::mixed_content, 8},
        bad_input{"child_then_text", "03 01 6A 00 45 0E 03 61 00 01", errc::mixed_content, 6},
        bad_input{"text_and_opaque", "03 01 6A 00 4B 03 61 00 C3 01 62 01", errc::mixed_content, 8},
        bad_input{"second_root", "03 01 6A 00 45 01 45 01", errc::trailing_data, 6},
        bad_input{"second_empty_root", "03 01 6A 00 05 05", errc::trailing_data, 5},
        bad_input{"trailing_garbage", "03 01 6A 00 05 FF", errc::trailing_data, 5}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DecodeLimits, DepthIsLimited) {
  std::string doc = bytes("03 01 6A 00");
  for (int i = 0; i < 10; ++i) doc += '\x45';
  decode_limits limits;
  limits.max_depth = 9;
  auto r = decode(doc, limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::too_deep);
  EXPECT_EQ(r.error().offset, 4u + 9u);
}

TEST(DecodeLimits, HostileDepthNeverRecurses) {
  // A million nested Sync tags: an error at the default limit, no stack overflow.
  std::string doc = bytes("03 01 6A 00") + std::string(1'000'000, '\x45');
  auto r = decode(doc);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::too_deep);
}

TEST(DecodeLimits, ElementCountStringOpaqueAndSizeAreLimited) {
  decode_limits limits;
  limits.max_elements = 3;
  auto many = decode(bytes("03 01 6A 00 45 0E 0E 0E 01"), limits);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, errc::too_many_elements);
  EXPECT_EQ(many.error().offset, 7u);

  limits = {};
  limits.max_string_length = 3;
  auto str = decode(bytes("03 01 6A 00 4B 03 61 62 63 64 00 01"), limits);
  ASSERT_FALSE(str);
  EXPECT_EQ(str.error().code, errc::string_too_long);
  auto joined = decode(bytes("03 01 6A 00 4B 03 61 62 00 03 63 64 00 01"), limits);
  ASSERT_FALSE(joined);
  EXPECT_EQ(joined.error().code, errc::string_too_long);
  EXPECT_TRUE(decode(bytes("03 01 6A 00 4B 03 61 62 63 00 01"), limits));

  limits = {};
  limits.max_opaque_length = 2;
  auto opaque = decode(bytes("03 01 6A 00 4B C3 03 61 62 63 01"), limits);
  ASSERT_FALSE(opaque);
  EXPECT_EQ(opaque.error().code, errc::opaque_too_long);

  limits = {};
  limits.max_document_size = 5;
  auto size = decode(bytes("03 01 6A 00 45 01"), limits);
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().code, errc::document_too_large);
}

TEST(DecodeLimits, HugeOpaqueLengthDoesNotAllocate) {
  // A length near 4 GiB with 2 bytes present: an error, not an allocation.
  auto r = decode(bytes("03 01 6A 00 4B C3 8F FF FF FF 7F 61 62 01"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::opaque_too_long);
}

TEST(DecodeError, MessageNamesPageTokenAndOffset) {
  auto r = decode(bytes("03 01 6A 00 00 0E 45 7E 01"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "unknown tag: token 0x3E on code page 14 (Provision) at byte 7");
}

}  // namespace
