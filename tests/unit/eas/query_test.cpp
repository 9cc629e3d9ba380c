#include "easemu/eas/query.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "easemu/common/base64.hpp"
#include "easemu/eas/url.hpp"

namespace {

using namespace easemu;
using namespace easemu::eas;

// Builds the byte string of a base64 query (MS-ASHTTP 2.2.1.1.1.1).
struct bytes {
  std::string s;
  bytes& u8(int b) {
    s.push_back(static_cast<char>(b));
    return *this;
  }
  bytes& field(std::string_view v) {  // one-byte length, then the bytes
    u8(static_cast<int>(v.size()));
    s.append(v);
    return *this;
  }
  bytes& param(int tag, std::string_view v) { return u8(tag).field(v); }
  // version, command code, locale 0x0409, DeviceId, no policy key, DeviceType
  static bytes header(int version = 141, int code = 0, std::string_view device_id = "dev1",
                      std::string_view device_type = "Phone") {
    bytes b;
    b.u8(version).u8(code).u8(0x09).u8(0x04).field(device_id).u8(0).field(device_type);
    return b;
  }
  std::string b64() const { return common::base64_encode(s); }
};

eas_query parse_ok(std::string_view q) {
  auto r = parse_query(q);
  EXPECT_TRUE(r) << q << ": " << (r ? "" : r.error().message());
  return r ? *r : eas_query{};
}

// ---- the spec example -------------------------------------------------------------------------

TEST(BaseQuery, SpecExample) {
  // MS-ASHTTP 2.2.1.1.1.1
  const eas_query q = parse_ok("jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l");
  EXPECT_TRUE(q.is_base64);
  EXPECT_EQ(q.version, protocol_version::v14_0);
  ASSERT_NE(q.command, nullptr);
  EXPECT_EQ(q.command->id, command_id::sync);
  EXPECT_EQ(q.locale, 0x0409);
  EXPECT_EQ(q.device_id, "v140Device");
  EXPECT_EQ(q.printable_device_id(), "v140Device");
  EXPECT_EQ(q.policy_key, std::nullopt);
  EXPECT_EQ(q.device_type, "SmartPhone");
  EXPECT_EQ(q.user, std::nullopt);
  EXPECT_EQ(q.params, command_params{});
  EXPECT_FALSE(q.save_in_sent);
  EXPECT_FALSE(q.accept_multipart);
}

TEST(BaseQuery, SpecExampleEqualsItsPlainTwin) {
  // The two equivalent request lines of MS-ASHTTP 2.2.1.1.1; the base64 one leaves User to the
  // Authorization header.
  eas_query plain = parse_ok("Cmd=Sync&User=rmjones&DeviceId=v140Device&DeviceType=SmartPhone");
  EXPECT_FALSE(plain.is_base64);
  EXPECT_EQ(plain.user, "rmjones");
  eas_query b = parse_ok("jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l");
  b.is_base64 = false;
  b.version.reset();
  b.locale.reset();
  plain.user.reset();
  EXPECT_EQ(plain, b);
  // And our encoder reproduces the spec bytes.
  auto again = encode_base64_query(parse_ok("jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l"));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, "jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l");
}

// ---- form detection ---------------------------------------------------------------------------

TEST(DetectQueryForm, Cases) {
  const std::pair<const char*, query_form> cases[] = {
      {"Cmd=Sync&User=u&DeviceId=d&DeviceType=t", query_form::plain},
      {"Cmd=Sync", query_form::plain},
      {"a&b", query_form::plain},
      {"x=y", query_form::plain},
      {"Cmd=Sync%26", query_form::plain},
      {"abc-def", query_form::plain},  // URL-safe alphabet is not the RFC 2045 one
      {"jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l", query_form::base64},
      {"jQAJBAp2MTQwRGV2aWNlAApTbWFydFBob25lCAR1c2Vy", query_form::base64},
      {"ab+/cd==", query_form::base64},
      {"ab%2B%2Fcd%3D%3D", query_form::base64},
      {"abc=", query_form::base64},
      {"jA==jAAJ", query_form::plain},  // '=' followed by data reads as name=value
  };
  for (const auto& [q, form] : cases) EXPECT_EQ(detect_query_form(q), form) << q;
}

// ---- plain form -------------------------------------------------------------------------------

TEST(PlainQuery, AllParameters) {
  const eas_query q = parse_ok(
      "Cmd=SmartReply&User=CONTOSO%5Cjdoe&DeviceId=ABC123&DeviceType=PocketPC"
      "&CollectionId=5&ItemId=5%3A12&LongId=RgAAAA&Occurrence=2024-01-01T00%3A00%3A00.000Z"
      "&AttachmentName=att%2F1&SaveInSent=T");
  EXPECT_EQ(q.command, &info(command_id::smart_reply));
  EXPECT_EQ(q.user, "CONTOSO\\jdoe");
  EXPECT_EQ(q.device_id, "ABC123");
  EXPECT_EQ(q.device_type, "PocketPC");
  EXPECT_EQ(q.params.collection_id, "5");
  EXPECT_EQ(q.params.item_id, "5:12");
  EXPECT_EQ(q.params.long_id, "RgAAAA");
  EXPECT_EQ(q.params.occurrence, "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(q.params.attachment_name, "att/1");
  EXPECT_TRUE(q.save_in_sent);
  EXPECT_FALSE(q.is_base64);
  EXPECT_EQ(q.version, std::nullopt);
  EXPECT_EQ(q.policy_key, std::nullopt);
  EXPECT_EQ(q.locale, std::nullopt);
}

TEST(PlainQuery, NamesAndCommandIgnoreCase) {
  const eas_query a = parse_ok("cmd=foldersync&user=u&deviceid=D1&devicetype=T");
  const eas_query b = parse_ok("CMD=FOLDERSYNC&USER=u&DEVICEID=D1&DEVICETYPE=T");
  const eas_query c = parse_ok("Cmd=FolderSync&User=u&DeviceId=D1&DeviceType=T");
  EXPECT_EQ(a, c);
  EXPECT_EQ(b, c);
  EXPECT_EQ(c.command->name, "FolderSync");
  // Values keep their case.
  EXPECT_EQ(parse_ok("Cmd=Sync&DeviceId=AbC&DeviceType=iPhone").device_id, "AbC");
}

TEST(PlainQuery, PlusIsSpaceAndEncodedPlusIsPlus) {
  const eas_query q = parse_ok("Cmd=Sync&User=j+doe%2Btag%40x.com&DeviceId=d&DeviceType=My+Phone");
  EXPECT_EQ(q.user, "j doe+tag@x.com");
  EXPECT_EQ(q.device_type, "My Phone");
}

TEST(PlainQuery, OrderUnknownAndEmptySegments) {
  const eas_query q = parse_ok("&&DeviceType=T&foo=bar&DeviceId=d&&Cmd=Ping&x&User=&");
  EXPECT_EQ(q.command->id, command_id::ping);
  EXPECT_EQ(q.user, "");  // present but empty
  EXPECT_EQ(q.device_id, "d");
  EXPECT_EQ(q.device_type, "T");
  EXPECT_EQ(parse_ok("Cmd=Ping&DeviceId=d&DeviceType=T").user, std::nullopt);
  // '=' inside a value belongs to the value.
  EXPECT_EQ(parse_ok("Cmd=Ping&DeviceId=a=b&DeviceType=T").device_id, "a=b");
  // Options is base64-only: as a plain name it is just unknown.
  EXPECT_FALSE(parse_ok("Cmd=Ping&DeviceId=d&DeviceType=T&Options=3").save_in_sent);
}

TEST(PlainQuery, SaveInSent) {
  EXPECT_TRUE(parse_ok("Cmd=SendMail&DeviceId=d&DeviceType=T&SaveInSent=T").save_in_sent);
  EXPECT_TRUE(parse_ok("Cmd=SendMail&DeviceId=d&DeviceType=T&SaveInSent=t").save_in_sent);
  EXPECT_FALSE(parse_ok("Cmd=SendMail&DeviceId=d&DeviceType=T&SaveInSent=F").save_in_sent);
  EXPECT_FALSE(parse_ok("Cmd=SendMail&DeviceId=d&DeviceType=T").save_in_sent);
}

TEST(PlainQuery, LegacyCommandsParse) {
  EXPECT_EQ(parse_ok("Cmd=GetHierarchy&DeviceId=d&DeviceType=T").command->id,
            command_id::get_hierarchy);
}

TEST(PlainQuery, BinaryDeviceIdThroughPercentEscapes) {
  const eas_query q = parse_ok("Cmd=Sync&DeviceId=%00%01%FE&DeviceType=T");
  EXPECT_EQ(q.device_id, std::string("\x00\x01\xfe", 3));
  EXPECT_EQ(q.printable_device_id(), "0001fe");
}

struct error_case {
  std::string query;
  errc code;
  std::size_t offset;
};

void PrintTo(const error_case& c, std::ostream* os) { *os << c.query; }

class QueryErrors : public ::testing::TestWithParam<error_case> {};

TEST_P(QueryErrors, CodeAndOffset) {
  const auto& c = GetParam();
  auto r = parse_query(c.query);
  ASSERT_FALSE(r) << "parsed: " << c.query;
  EXPECT_EQ(r.error().code, c.code) << r.error().message();
  EXPECT_EQ(r.error().offset, c.offset) << r.error().message();
  EXPECT_LE(r.error().offset, c.query.size());
  EXPECT_FALSE(r.error().message().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Plain, QueryErrors,
    ::testing::Values(
        error_case{"", errc::empty_query, 0},
        error_case{"DeviceId=d&DeviceType=T", errc::missing_command, 0},
        error_case{"Cmd=&DeviceId=d&DeviceType=T", errc::missing_command, 0},
        error_case{"Cmd=Synk&DeviceId=d&DeviceType=T", errc::unknown_command, 4},
        error_case{"Cmd=Options&DeviceId=d&DeviceType=T", errc::unknown_command, 4},
        error_case{"Cmd=Sync&DeviceType=T", errc::missing_device_id, 0},
        error_case{"Cmd=Sync&DeviceId=&DeviceType=T", errc::empty_device_id, 18},
        error_case{"Cmd=Sync&DeviceId=d", errc::missing_device_type, 0},
        error_case{"Cmd=Sync&DeviceId=d&DeviceType=", errc::missing_device_type, 0},
        error_case{"Cmd=Sync&cmd=Ping&DeviceId=d&DeviceType=T", errc::duplicate_parameter, 9},
        error_case{"Cmd=Sync&DeviceId=d&DeviceType=T&DEVICEID=e", errc::duplicate_parameter, 33},
        error_case{"Cmd=Sync&DeviceId=d%G0&DeviceType=T", errc::bad_percent_encoding, 19},
        error_case{"Cmd=Sync&DeviceId=d&DeviceType=T&Foo%=1", errc::bad_percent_encoding, 36},
        error_case{"Cmd=Sync&DeviceId=d&DeviceType=T&x=%", errc::bad_percent_encoding, 35},
        error_case{"Cmd=SendMail&DeviceId=d&DeviceType=T&SaveInSent=Y",
                   errc::invalid_parameter_value, 48},
        error_case{"Cmd=Sync&DeviceId=" + std::string(256, 'a') + "&DeviceType=T",
                   errc::field_too_long, 18},
        error_case{"Cmd=Sync&DeviceId=d&DeviceType=T&x=" + std::string(9000, 'a'),
                   errc::query_too_long, 8192}));

INSTANTIATE_TEST_SUITE_P(
    Base64, QueryErrors,
    ::testing::Values(
        // base64 text
        error_case{"jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob", errc::bad_base64, 33},  // length % 4 == 1
        error_case{"jAAJ%20Ap2", errc::bad_base64, 4},
        error_case{"jAAJ%zzAp2", errc::bad_percent_encoding, 4},
        error_case{"jA%3D%3DjAAJ", errc::bad_base64, 8},  // padding, then data
        error_case{"jAAJB===", errc::bad_base64, 7},
        // structure; bytes::header() puts the first parameter at byte 16
        error_case{bytes{}.u8(141).b64(), errc::truncated, 1},
        error_case{bytes{}.u8(141).u8(0).b64(), errc::truncated, 2},
        error_case{bytes{}.u8(141).u8(0).u8(9).b64(), errc::truncated, 2},
        error_case{bytes{}.u8(142).u8(0).u8(9).u8(4).field("d").u8(0).field("T").b64(),
                   errc::unknown_protocol_version, 0},
        error_case{bytes{}.u8(0).b64(), errc::unknown_protocol_version, 0},
        error_case{bytes::header(25).b64(), errc::version_not_allowed_in_base64, 0},
        error_case{bytes::header(120).b64(), errc::version_not_allowed_in_base64, 0},
        error_case{bytes::header(141, 5).b64(), errc::unknown_command_code, 1},
        error_case{bytes::header(141, 8).b64(), errc::unknown_command_code, 1},
        error_case{bytes::header(141, 24).b64(), errc::unknown_command_code, 1},
        error_case{bytes{}.u8(141).u8(0).u8(9).u8(4).b64(), errc::truncated, 4},
        error_case{bytes{}.u8(141).u8(0).u8(9).u8(4).u8(0).u8(0).field("T").b64(),
                   errc::empty_device_id, 4},
        error_case{common::base64_encode(std::string("\x8d\x00\x09\x04\x05"
                                                     "abc",
                                                     8)),
                   errc::truncated, 4},
        error_case{bytes{}.u8(141).u8(0).u8(9).u8(4).field("d").b64(), errc::truncated, 6},
        error_case{bytes{}.u8(141).u8(0).u8(9).u8(4).field("d").u8(3).field("abcT").b64(),
                   errc::bad_policy_key_length, 6},
        error_case{bytes{}.u8(141).u8(0).u8(9).u8(4).field("d").u8(1).u8(1).field("T").b64(),
                   errc::bad_policy_key_length, 6},
        error_case{bytes{}.u8(141).u8(0).u8(9).u8(4).field("d").u8(4).u8(1).u8(2).b64(),
                   errc::truncated, 6},
        error_case{bytes{}.u8(141).u8(0).u8(9).u8(4).field("d").u8(0).b64(), errc::truncated, 7},
        error_case{bytes{}.u8(141).u8(0).u8(9).u8(4).field("d").u8(0).u8(0).b64(),
                   errc::missing_device_type, 7},
        error_case{bytes{}.u8(141).u8(0).u8(9).u8(4).field("d").u8(0).u8(6).u8('T').b64(),
                   errc::truncated, 7},
        error_case{bytes::header().param(2, "x").b64(), errc::unknown_parameter_tag, 16},
        error_case{bytes::header().param(5, "x").b64(), errc::unknown_parameter_tag, 16},
        error_case{bytes::header().param(9, "x").b64(), errc::unknown_parameter_tag, 16},
        error_case{bytes::header().param(255, "x").b64(), errc::unknown_parameter_tag, 16},
        error_case{bytes::header().param(1, "5").param(1, "6").b64(), errc::duplicate_parameter,
                   19},
        error_case{bytes::header().param(7, "").b64(), errc::bad_options_length, 16},
        error_case{bytes::header().param(7, "ab").b64(), errc::bad_options_length, 16},
        error_case{bytes::header().u8(8).b64(), errc::truncated, 16},
        error_case{bytes::header().u8(8).u8(3).u8('a').b64(), errc::truncated, 16}));

TEST(BaseQuery, FieldLimit) {
  query_limits limits;
  limits.max_field_length = 8;
  const std::string q = bytes::header(141, 0, "123456789").b64();
  auto r = parse_query(q, limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::field_too_long);
  EXPECT_EQ(r.error().offset, 4u);
  EXPECT_TRUE(parse_query(bytes::header(141, 0, "12345678").b64(), limits));
  r = parse_query(bytes::header().param(8, "user-name").b64(), limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::field_too_long);
}

// ---- base64 form ------------------------------------------------------------------------------

TEST(BaseQuery, EveryParameterTag) {
  const eas_query q = parse_ok(bytes::header(121, 3)
                                   .param(0, "att")
                                   .param(1, "col")
                                   .param(3, "item")
                                   .param(4, "long")
                                   .param(6, "occ")
                                   .param(7, "\x01")
                                   .param(8, "jdoe@contoso.com")
                                   .b64());
  EXPECT_EQ(q.version, protocol_version::v12_1);
  EXPECT_EQ(q.command, &info(command_id::smart_reply));
  EXPECT_EQ(q.params.attachment_name, "att");
  EXPECT_EQ(q.params.collection_id, "col");
  EXPECT_EQ(q.params.item_id, "item");
  EXPECT_EQ(q.params.long_id, "long");
  EXPECT_EQ(q.params.occurrence, "occ");
  EXPECT_EQ(q.user, "jdoe@contoso.com");
  EXPECT_TRUE(q.save_in_sent);
  EXPECT_FALSE(q.accept_multipart);
}

TEST(BaseQuery, ParametersInAnyOrder) {
  const eas_query a = parse_ok(bytes::header().param(8, "u").param(1, "c").b64());
  const eas_query b = parse_ok(bytes::header().param(1, "c").param(8, "u").b64());
  EXPECT_EQ(a, b);
}

TEST(BaseQuery, OptionsBits) {
  auto with = [](int bits) {
    return parse_ok(bytes::header(141, 19).param(7, std::string(1, static_cast<char>(bits))).b64());
  };
  EXPECT_TRUE(with(0x02).accept_multipart);
  EXPECT_FALSE(with(0x02).save_in_sent);
  EXPECT_TRUE(with(0x03).accept_multipart);
  EXPECT_TRUE(with(0x03).save_in_sent);
  // Bits we do not know are ignored.
  EXPECT_FALSE(with(0xFC).accept_multipart);
  EXPECT_FALSE(with(0xFC).save_in_sent);
  EXPECT_FALSE(with(0x00).save_in_sent);
}

TEST(BaseQuery, PolicyKeyIsLittleEndian) {
  bytes b;
  b.u8(160).u8(9).u8(0x07).u8(0x04).field("dev").u8(4).u8(0x59).u8(0x6B).u8(0x05).u8(0xEB);
  b.field("iPhone");
  const eas_query q = parse_ok(b.b64());
  EXPECT_EQ(q.version, protocol_version::v16_0);
  EXPECT_EQ(q.command, &info(command_id::folder_sync));
  EXPECT_EQ(q.locale, 0x0407);
  EXPECT_EQ(q.policy_key, 0xEB056B59u);
  // A zero key that is present is not an absent key.
  bytes z;
  z.u8(141).u8(20).u8(9).u8(4).field("dev").u8(4).u8(0).u8(0).u8(0).u8(0).field("T");
  EXPECT_EQ(parse_ok(z.b64()).policy_key, 0u);
}

TEST(BaseQuery, BinaryDeviceId) {
  // A Windows device: a 16-byte GUID.
  const std::string guid("\x9a\x01\x00\xff\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0\xc0", 16);
  const eas_query q = parse_ok(bytes::header(141, 0, guid, "WP8").b64());
  EXPECT_EQ(q.device_id, guid);
  EXPECT_EQ(q.printable_device_id(), "9a0100ff102030405060708090a0b0c0");
  // Space and DEL are not printable for this purpose either.
  eas_query p;
  p.device_id = "a b";
  EXPECT_EQ(p.printable_device_id(), "612062");
  p.device_id = "ab\x7f";
  EXPECT_EQ(p.printable_device_id(), "61627f");
  p.device_id = "Appl!~F17X";
  EXPECT_EQ(p.printable_device_id(), "Appl!~F17X");
}

TEST(BaseQuery, PercentEncodedAndUnpadded) {
  // Bytes chosen so the base64 text has '+', '/' and padding.
  const bytes b = bytes::header(141, 0, "\xfb\xff\xbf", "T").param(8, "u");
  const std::string text = b.b64();
  ASSERT_NE(text.find_first_of("+/"), std::string::npos) << text;
  ASSERT_EQ(text.back(), '=');
  const eas_query plain_text = parse_ok(text);
  EXPECT_EQ(plain_text.device_id, "\xfb\xff\xbf");
  EXPECT_EQ(parse_ok(percent_encode(text)), plain_text);
  std::string unpadded = text;
  while (unpadded.back() == '=') unpadded.pop_back();
  EXPECT_EQ(parse_ok(unpadded), plain_text);
  // Lower-case hex in the escapes works too.
  std::string lower_escapes;
  for (char c : text) {
    if (c == '+')
      lower_escapes += "%2b";
    else if (c == '/')
      lower_escapes += "%2f";
    else if (c == '=')
      lower_escapes += "%3d";
    else
      lower_escapes += c;
  }
  EXPECT_EQ(detect_query_form(lower_escapes), query_form::base64);
  EXPECT_EQ(parse_ok(lower_escapes), plain_text);
}

// ---- encoders and the equivalence of the two forms --------------------------------------------

TEST(EncodeBase64Query, Errors) {
  eas_query q;
  EXPECT_EQ(encode_base64_query(q).error().code, errc::missing_command);
  q.command = &info(command_id::get_hierarchy);
  EXPECT_EQ(encode_base64_query(q).error().code, errc::command_has_no_code);
  q.command = &info(command_id::sync);
  EXPECT_EQ(encode_base64_query(q).error().code, errc::missing_version);
  q.version = protocol_version::v12_0;
  EXPECT_EQ(encode_base64_query(q).error().code, errc::version_not_allowed_in_base64);
  q.version = protocol_version::v12_1;
  EXPECT_EQ(encode_base64_query(q).error().code, errc::empty_device_id);
  q.device_id = "d";
  EXPECT_EQ(encode_base64_query(q).error().code, errc::missing_device_type);
  q.device_type = "T";
  EXPECT_TRUE(encode_base64_query(q));
  q.user = std::string(256, 'u');
  EXPECT_EQ(encode_base64_query(q).error().code, errc::field_too_long);
  EXPECT_EQ(encode_plain_query(eas_query{}).error().code, errc::missing_command);
}

TEST(EncodeBase64Query, PercentEncodedOutputHasNoReservedCharacters) {
  eas_query q;
  q.command = &info(command_id::sync);
  q.version = protocol_version::v14_1;
  q.device_id = "\xfb\xff\xbf";
  q.device_type = "T";
  auto raw = encode_base64_query(q);
  auto encoded = encode_base64_query(q, true);
  ASSERT_TRUE(raw && encoded);
  EXPECT_EQ(encoded->find_first_of("+/="), std::string::npos);
  EXPECT_EQ(*encoded, percent_encode(*raw));
  EXPECT_EQ(parse_ok(*raw), parse_ok(*encoded));
}

// Random queries whose content both forms can carry.
class query_gen {
 public:
  explicit query_gen(unsigned seed) : rng_(seed) {}

  eas_query next() {
    eas_query q;
    std::vector<const command_info*> coded;
    for (const auto& c : commands) {
      if (c.code) coded.push_back(&c);
    }
    q.command = coded[pick(coded.size())];
    if (coin()) q.user = text(0);
    q.device_id = coin() ? binary(1) : text(1);
    q.device_type = text(1);
    for (const auto& p : query_params) {
      if (p.field != nullptr && coin()) q.params.*(p.field) = text(0);
    }
    q.save_in_sent = coin();
    return q;
  }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  bool coin() { return pick(2) == 1; }
  // Characters that matter to a query string: separators, '+', '%', '\', '@', space, UTF-8.
  std::string text(std::size_t min) {
    static const std::string alphabet = "abcXYZ019-._~ +%&=?#/\\@:;,\"'<>\x7f\xc3\xa9";
    std::string s(min + pick(24), '\0');
    for (auto& c : s) c = alphabet[pick(alphabet.size())];
    return s;
  }
  std::string binary(std::size_t min) {
    std::string s(min + pick(32), '\0');
    for (auto& c : s) c = static_cast<char>(pick(256));
    return s;
  }
  std::mt19937 rng_;
};

// What only the base64 form carries, cleared.
eas_query without_base64_only(eas_query q) {
  q.is_base64 = false;
  q.version.reset();
  q.policy_key.reset();
  q.locale.reset();
  q.accept_multipart = false;
  return q;
}

TEST(QueryForms, PlainAndBase64GiveTheSameQuery) {
  query_gen gen(20240601);
  std::mt19937 rng(5);
  for (int i = 0; i < 2000; ++i) {
    const eas_query original = gen.next();
    auto plain_text = encode_plain_query(original);
    ASSERT_TRUE(plain_text);

    eas_query with_headers = original;
    with_headers.version = all_protocol_versions[2 + rng() % 5];  // 12.1 .. 16.1
    if (rng() % 2) with_headers.policy_key = static_cast<std::uint32_t>(rng());
    with_headers.locale = static_cast<std::uint16_t>(rng());
    auto base64_text = encode_base64_query(with_headers, rng() % 2 == 0);
    ASSERT_TRUE(base64_text) << base64_text.error().message();

    ASSERT_EQ(detect_query_form(*plain_text), query_form::plain) << *plain_text;
    ASSERT_EQ(detect_query_form(*base64_text), query_form::base64) << *base64_text;
    auto from_plain = parse_query(*plain_text);
    auto from_base64 = parse_query(*base64_text);
    ASSERT_TRUE(from_plain) << *plain_text << ": " << from_plain.error().message();
    ASSERT_TRUE(from_base64) << *base64_text << ": " << from_base64.error().message();

    EXPECT_FALSE(from_plain->is_base64);
    EXPECT_TRUE(from_base64->is_base64);
    EXPECT_EQ(from_base64->version, with_headers.version);
    EXPECT_EQ(from_base64->policy_key, with_headers.policy_key);
    EXPECT_EQ(from_base64->locale, with_headers.locale);
    EXPECT_EQ(*from_plain, original) << *plain_text;
    EXPECT_EQ(without_base64_only(*from_base64), *from_plain) << *base64_text;
    EXPECT_EQ(from_plain->printable_device_id(), from_base64->printable_device_id());
  }
}

TEST(QueryForms, Base64RoundTripKeepsEverything) {
  query_gen gen(99);
  for (int i = 0; i < 500; ++i) {
    eas_query q = gen.next();
    q.version = protocol_version::v14_1;
    q.policy_key = 1234567890u + static_cast<std::uint32_t>(i);
    q.locale = 0x0409;
    q.accept_multipart = i % 2 == 0;
    q.is_base64 = true;
    auto text = encode_base64_query(q);
    ASSERT_TRUE(text);
    auto back = parse_query(*text);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, q);
  }
}

}  // namespace
