// The lab DNS responder's pure half: names, compression, malformed input, the answers.
#include "easemu/dns/message.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <random>

#include "support/dns_wire.hpp"

namespace {

namespace dns = easemu::dns;
using namespace easemu::test::dns;

dns::zone lab_zone() {
  dns::zone z;
  z.domain = "lab.test";
  z.hostname = "mail.lab.test";
  z.ipv4 = {{192, 0, 2, 10}};
  z.ipv6 = {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}};
  z.srv_port = 443;
  return z;
}

// A 12-byte query header with the given counts, then `body`.
bytes with_header(std::uint16_t qd, std::uint16_t an, std::uint16_t ns, std::uint16_t ar, const bytes& body,
                  std::uint16_t flags = 0x0100) {
  bytes b;
  put16(b, 0xBEEF);
  put16(b, flags);
  put16(b, qd);
  put16(b, an);
  put16(b, ns);
  put16(b, ar);
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

bytes name_bytes(const std::string& dotted) {
  bytes b;
  put_name(b, dotted);
  return b;
}

bytes question(const std::string& dotted, std::uint16_t type = 1) {
  auto b = name_bytes(dotted);
  put16(b, type);
  put16(b, 1);
  return b;
}

parsed ask(const bytes& query, dns::transport t = dns::transport::udp, const dns::zone& z = lab_zone()) {
  const auto o = dns::respond(query, z, t);
  if (!o.reply) return {};
  return parse(*o.reply);
}

// ---- names ----

TEST(DnsName, FromTextChecksLabelsAndLength) {
  EXPECT_EQ(dns::from_text("mail.lab.test"), (dns::name{"mail", "lab", "test"}));
  EXPECT_EQ(dns::from_text("mail.lab.test."), (dns::name{"mail", "lab", "test"}));
  EXPECT_EQ(dns::from_text(""), dns::name{});
  EXPECT_FALSE(dns::from_text("a..b"));
  EXPECT_TRUE(dns::from_text(std::string(63, 'a') + ".test"));
  EXPECT_FALSE(dns::from_text(std::string(64, 'a') + ".test"));
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(63, 'a') + ".";
  long_name += "abc";  // 4 * 64 + 4 + 1 = 261 octets in wire form
  EXPECT_FALSE(dns::from_text(long_name));
}

TEST(DnsName, ToTextLowersAndEscapes) {
  EXPECT_EQ(dns::to_text({"MaIl", "LAB", "test"}), "mail.lab.test");
  EXPECT_EQ(dns::to_text({}), ".");
  // A label holding a dot is not two labels.
  EXPECT_EQ(dns::to_text({"autodiscover.lab", "test"}), "autodiscover\\.lab.test");
  EXPECT_EQ(dns::to_text({std::string("a\0b", 3), "x y"}), "a\\000b.x\\032y");
}

TEST(DnsName, DecodesPlainAndCompressedNames) {
  // "mail.lab.test" at 12, then "autodiscover" + pointer to "lab.test" (offset 17).
  auto m = with_header(1, 0, 0, 0, name_bytes("mail.lab.test"));
  const std::size_t second = m.size();
  m.push_back(12);
  const std::string label = "autodiscover";
  m.insert(m.end(), label.begin(), label.end());
  m.push_back(0xC0);
  m.push_back(17);
  auto first = dns::decode_name(m, 12);
  ASSERT_FALSE(first.error) << first.error.message();
  EXPECT_EQ(dns::to_text(*first.value), "mail.lab.test");
  EXPECT_EQ(first.end, second);
  auto r = dns::decode_name(m, second);
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(dns::to_text(*r.value), "autodiscover.lab.test");
  EXPECT_EQ(r.end, m.size());  // after the pointer, not where it led
}

struct name_case {
  const char* what;
  bytes body;  // placed at offset 12
  dns::decode_error error;
  std::size_t offset;
};

class DnsBadName : public ::testing::TestWithParam<name_case> {};

TEST_P(DnsBadName, IsRejectedWithItsOffset) {
  const auto& c = GetParam();
  const auto m = with_header(1, 0, 0, 0, c.body);
  const auto r = dns::decode_name(m, 12);
  ASSERT_TRUE(r.error) << c.what;
  EXPECT_EQ(r.error, c.error) << c.what << ": " << r.error.message();
  EXPECT_EQ(r.offset, c.offset) << c.what;
  EXPECT_FALSE(r.value);
}

bytes long_name_body() {
  bytes b;
  for (int i = 0; i < 5; ++i) {
    b.push_back(63);
    b.insert(b.end(), 63, 'a');
  }
  b.push_back(0);
  return b;
}

INSTANTIATE_TEST_SUITE_P(
    Table, DnsBadName,
    ::testing::Values(
        name_case{"empty", {}, dns::decode_error::truncated_name, 12},
        name_case{"label past the end", {5, 'a', 'b'}, dns::decode_error::truncated_name, 12},
        name_case{"no root label", {1, 'a'}, dns::decode_error::truncated_name, 14},
        name_case{"label of 64", {64, 'a'}, dns::decode_error::label_too_long, 12},
        name_case{"label type 0x80", {0x80, 'a'}, dns::decode_error::bad_label_type, 12},
        name_case{"pointer to itself", {0xC0, 12}, dns::decode_error::bad_pointer, 12},
        name_case{"pointer loop through a label", {1, 'a', 0xC0, 12}, dns::decode_error::bad_pointer, 14},
        name_case{"forward pointer", {0xC0, 14, 0}, dns::decode_error::bad_pointer, 12},
        name_case{"pointer into the header", {0xC0, 2}, dns::decode_error::bad_pointer, 12},
        name_case{"half a pointer", {0xC0}, dns::decode_error::truncated_name, 12},
        name_case{"name of 321 octets", long_name_body(), dns::decode_error::name_too_long, 12 + 3 * 64}),
    [](const auto& info) {
      std::string n = info.param.what;
      for (auto& ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

TEST(DnsName, LongBackwardPointerChainsStopAtTheLimit) {
  // A root name at 12, then pointers each to the one before: every hop points backwards, so
  // only the hop limit stops a long chain.
  bytes body = {0};
  for (int i = 0; i < 30; ++i) {
    const std::size_t target = 12 + (i == 0 ? 0 : 1 + 2 * (i - 1));
    body.push_back(0xC0);
    body.push_back(static_cast<std::uint8_t>(target));
  }
  const auto m = with_header(1, 0, 0, 0, body);
  EXPECT_FALSE(dns::decode_name(m, 13 + 2 * 10).error);  // 11 hops
  const auto r = dns::decode_name(m, 13 + 2 * 29);        // 30 hops
  EXPECT_EQ(r.error, dns::decode_error::too_many_pointers);
}

// ---- malformed queries: never a crash, FORMERR when an answer is possible, else nothing ----

struct query_case {
  const char* what;
  bytes message;
  dns::decode_error error;
  bool answered;  // FORMERR (or NOTIMP) comes back; else dropped
};

class DnsMalformedQuery : public ::testing::TestWithParam<query_case> {};

TEST_P(DnsMalformedQuery, GetsFormerrOrIsDropped) {
  const auto& c = GetParam();
  const auto d = dns::decode_query(c.message);
  EXPECT_EQ(d.error, c.error) << c.what << ": " << d.error.message();
  const auto o = dns::respond(c.message, lab_zone(), dns::transport::udp);
  EXPECT_TRUE(o.malformed) << c.what;
  EXPECT_NE(o.summary.find(d.error.message()), std::string::npos) << o.summary;
  ASSERT_EQ(o.reply.has_value(), c.answered) << c.what;
  if (o.reply) {
    const auto p = parse(*o.reply);
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.id, 0xBEEF);
    EXPECT_TRUE(p.qr());
    EXPECT_FALSE(p.aa());
    EXPECT_EQ(p.rcode(), 1);  // FORMERR
    EXPECT_EQ(p.qdcount, 0);
  }
}

bytes opt_record(std::uint8_t owner_len = 0) {
  bytes b;
  if (owner_len != 0) {
    b.push_back(owner_len);
    b.insert(b.end(), owner_len, 'x');
  }
  b.push_back(0);
  put16(b, 41);
  put16(b, 4096);
  put16(b, 0);
  put16(b, 0);
  put16(b, 0);
  return b;
}

bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Table, DnsMalformedQuery,
    ::testing::Values(
        query_case{"empty", {}, dns::decode_error::truncated_header, false},
        query_case{"eleven bytes", bytes(11, 0), dns::decode_error::truncated_header, false},
        query_case{"a response", with_header(1, 0, 0, 0, question("mail.lab.test"), 0x8100), dns::decode_error::is_response, false},
        query_case{"larger than the limit", bytes(5000, 0), dns::decode_error::message_too_large, false},
        query_case{"no question", with_header(0, 0, 0, 0, {}), dns::decode_error::question_count, true},
        query_case{"two questions", with_header(2, 0, 0, 0, concat({question("a.test"), question("b.test")})),
                   dns::decode_error::question_count, true},
        query_case{"header only", with_header(1, 0, 0, 0, {}), dns::decode_error::truncated_name, true},
        query_case{"question without type", with_header(1, 0, 0, 0, name_bytes("mail.lab.test")),
                   dns::decode_error::truncated_question, true},
        query_case{"label of 64", with_header(1, 0, 0, 0, {64, 'a', 0, 0, 1, 0, 1}), dns::decode_error::label_too_long, true},
        query_case{"pointer loop", with_header(1, 0, 0, 0, {1, 'a', 0xC0, 12, 0, 1, 0, 1}), dns::decode_error::bad_pointer, true},
        query_case{"records over the limit", with_header(1, 0, 0, 9, question("mail.lab.test")),
                   dns::decode_error::too_many_records, true},
        query_case{"announced OPT missing", with_header(1, 0, 0, 1, question("mail.lab.test")),
                   dns::decode_error::truncated_name, true},
        query_case{"OPT cut short", with_header(1, 0, 0, 1, concat({question("mail.lab.test"), {0, 0, 41, 0x10}})),
                   dns::decode_error::truncated_record, true},
        query_case{"two OPTs", with_header(1, 0, 0, 2, concat({question("mail.lab.test"), opt_record(), opt_record()})),
                   dns::decode_error::bad_opt_record, true},
        query_case{"OPT not at the root", with_header(1, 0, 0, 1, concat({question("mail.lab.test"), opt_record(3)})),
                   dns::decode_error::bad_opt_record, true},
        query_case{"OPT in the answer section", with_header(1, 1, 0, 0, concat({question("mail.lab.test"), opt_record()})),
                   dns::decode_error::bad_opt_record, true}),
    [](const auto& info) {
      std::string n = info.param.what;
      for (auto& ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

TEST(DnsQuery, OtherOpcodesGetNotimp) {
  auto q = make_query("mail.lab.test", 1, 7, std::nullopt, 1, 0x2000 /* opcode 4, NOTIFY */);
  const auto o = dns::respond(q, lab_zone(), dns::transport::udp);
  ASSERT_TRUE(o.reply);
  const auto p = parse(*o.reply);
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.rcode(), 4);
  EXPECT_EQ((p.flags >> 11) & 0xF, 4);
  EXPECT_FALSE(o.malformed);
}

TEST(DnsQuery, RandomDamageNeverCrashesAndAnswersStayWellFormed) {
  std::mt19937 rng(20240601);
  const std::vector<bytes> seeds = {make_query("mail.lab.test", 1), make_query("_autodiscover._tcp.lab.test", 33, 9, edns_opt{}),
                                    make_query("autodiscover.lab.test", 255)};
  for (const auto& seed : seeds) {
    for (std::size_t cut = 0; cut <= seed.size(); ++cut) {  // every truncation
      const bytes m(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(cut));
      const auto o = dns::respond(m, lab_zone(), dns::transport::udp);
      if (o.reply) {
        EXPECT_TRUE(parse(*o.reply).ok) << cut;
        EXPECT_LE(o.reply->size(), 512u);
      }
    }
    for (int round = 0; round < 3000; ++round) {  // random byte changes
      bytes m = seed;
      const int changes = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < changes; ++i) m[rng() % m.size()] = static_cast<std::uint8_t>(rng());
      const auto o = dns::respond(m, lab_zone(), dns::transport::udp);
      if (o.reply) {
        const auto p = parse(*o.reply);
        EXPECT_TRUE(p.ok) << p.error;
        EXPECT_LE(o.reply->size(), 1232u);
      }
    }
  }
  for (int round = 0; round < 3000; ++round) {  // noise
    bytes m(rng() % 600);
    for (auto& b : m) b = static_cast<std::uint8_t>(rng());
    (void)dns::respond(m, lab_zone(), dns::transport::tcp);
  }
}

// ---- answers ----

TEST(DnsAnswer, AddressOfTheHostnameCaseInsensitive) {
  const auto q = make_query("MaIl.LaB.TeSt", 1, 0x4242);
  const auto o = dns::respond(q, lab_zone(), dns::transport::udp);
  ASSERT_TRUE(o.reply);
  EXPECT_EQ(o.summary, "A mail.lab.test: NOERROR, 1 answer");
  const auto p = parse(*o.reply);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.id, 0x4242);
  EXPECT_TRUE(p.qr());
  EXPECT_TRUE(p.aa());
  EXPECT_TRUE(p.rd());  // copied
  EXPECT_FALSE(p.tc());
  EXPECT_EQ(p.rcode(), 0);
  EXPECT_EQ(p.qname_raw, "MaIl.LaB.TeSt");  // echoed with the client's case (0x20 randomization)
  ASSERT_EQ(p.answers.size(), 1u);
  EXPECT_EQ(p.answers[0].owner, "mail.lab.test");
  EXPECT_EQ(p.answers[0].type, 1);
  EXPECT_EQ(p.answers[0].klass, 1);
  EXPECT_EQ(p.answers[0].ttl, 60u);
  EXPECT_EQ(address_text(p.answers[0]), "192.0.2.10");
  // The answer's owner is a pointer to the question's name.
  EXPECT_EQ((*o.reply)[12 + 15 + 4], 0xC0);
  EXPECT_EQ((*o.reply)[12 + 15 + 5], 12);
}

TEST(DnsAnswer, EveryLabNameHasTheAddresses) {
  for (const char* name : {"lab.test", "autodiscover.lab.test", "mail.lab.test", "AUTODISCOVER.LAB.TEST"}) {
    const auto a = ask(make_query(name, 1));
    ASSERT_EQ(a.answers.size(), 1u) << name;
    EXPECT_EQ(address_text(a.answers[0]), "192.0.2.10");
    const auto aaaa = ask(make_query(name, 28));
    ASSERT_EQ(aaaa.answers.size(), 1u) << name;
    EXPECT_EQ(address_text(aaaa.answers[0]), "2001:db8::10");
    EXPECT_TRUE(aaaa.aa());
  }
}

TEST(DnsAnswer, ExtraHostsAreAnswered) {
  auto z = lab_zone();
  z.extra_hosts = {"eas.example.org"};
  const auto p = ask(make_query("eas.example.org", 1), dns::transport::udp, z);
  ASSERT_EQ(p.answers.size(), 1u);
  EXPECT_TRUE(p.aa());
  EXPECT_TRUE(p.authority.empty());  // not below the lab domain: no SOA of ours
}

TEST(DnsAnswer, SrvPointsAtTheHostnameWithGlue) {
  auto z = lab_zone();
  z.srv_port = 8443;
  const auto q = make_query("_autodiscover._tcp.lab.test", 33);
  const auto o = dns::respond(q, z, dns::transport::udp);
  ASSERT_TRUE(o.reply);
  const auto p = parse(*o.reply);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(p.aa());
  ASSERT_EQ(p.answers.size(), 1u);
  EXPECT_EQ(p.answers[0].type, 33);
  const auto srv = srv_of(*o.reply, p.answers[0]);
  EXPECT_EQ(srv.priority, 0);
  EXPECT_EQ(srv.weight, 0);
  EXPECT_EQ(srv.port, 8443);
  EXPECT_EQ(srv.target, "mail.lab.test");
  // RFC 2782: the target is not compressed: 6 bytes of fields + 15 of name.
  EXPECT_EQ(p.answers[0].rdata.size(), 6u + 15u);
  ASSERT_EQ(p.additional.size(), 2u);
  EXPECT_EQ(p.additional[0].owner, "mail.lab.test");
  EXPECT_EQ(address_text(p.additional[0]), "192.0.2.10");
  EXPECT_EQ(address_text(p.additional[1]), "2001:db8::10");
}

TEST(DnsAnswer, OtherTypesOfOurNamesAreEmptyWithTheSoa) {
  for (const auto& [name, type] : std::vector<std::pair<std::string, std::uint16_t>>{
           {"mail.lab.test", 15}, {"lab.test", 16}, {"_autodiscover._tcp.lab.test", 1}, {"mail.lab.test", 33}}) {
    const auto p = ask(make_query(name, type));
    ASSERT_TRUE(p.ok) << name;
    EXPECT_EQ(p.rcode(), 0) << name;
    EXPECT_TRUE(p.aa()) << name;
    EXPECT_TRUE(p.answers.empty()) << name;
    ASSERT_EQ(p.authority.size(), 1u) << name;
    EXPECT_EQ(p.authority[0].type, 6);
    EXPECT_EQ(p.authority[0].owner, "lab.test");
  }
}

TEST(DnsAnswer, NoAddressOfAFamilyIsNoData) {
  auto z = lab_zone();
  z.ipv6.clear();
  const auto p = ask(make_query("mail.lab.test", 28), dns::transport::udp, z);
  EXPECT_EQ(p.rcode(), 0);
  EXPECT_TRUE(p.answers.empty());
  EXPECT_EQ(p.authority.size(), 1u);
  const auto any = ask(make_query("mail.lab.test", 255), dns::transport::udp, z);
  ASSERT_EQ(any.answers.size(), 1u);
  EXPECT_EQ(any.answers[0].type, 1);
}

TEST(DnsAnswer, SoaAtTheApex) {
  const auto q = make_query("lab.test", 6);
  const auto o = dns::respond(q, lab_zone(), dns::transport::udp);
  const auto p = parse(*o.reply);
  ASSERT_EQ(p.answers.size(), 1u);
  EXPECT_EQ(p.answers[0].type, 6);
  auto mname = dns::decode_name(std::span<const std::uint8_t>(*o.reply), p.answers[0].rdata_offset);
  ASSERT_TRUE(mname.value);
  EXPECT_EQ(dns::to_text(*mname.value), "mail.lab.test");
  auto rname = dns::decode_name(std::span<const std::uint8_t>(*o.reply), mname.end);
  ASSERT_TRUE(rname.value);
  EXPECT_EQ(dns::to_text(*rname.value), "hostmaster.lab.test");
}

TEST(DnsAnswer, OtherNamesAreRefused) {
  for (const char* name : {"www.example.com", "other.lab.test", "test", "mail.lab.test.evil", "_ldap._tcp.lab.test"}) {
    const auto p = ask(make_query(name, 1));
    ASSERT_TRUE(p.ok) << name;
    EXPECT_EQ(p.rcode(), 5) << name;
    EXPECT_FALSE(p.aa()) << name;
    EXPECT_TRUE(p.answers.empty());
    EXPECT_EQ(p.qdcount, 1);
  }
  // A label that holds the dot is not "autodiscover.lab" + "test".
  bytes body = {16};
  const std::string label = "autodiscover.lab";
  body.insert(body.end(), label.begin(), label.end());
  const auto rest = question("test");
  body.insert(body.end(), rest.begin(), rest.end());
  EXPECT_EQ(ask(with_header(1, 0, 0, 0, body)).rcode(), 5);
}

TEST(DnsAnswer, ZoneTransfersAndOtherClassesAreRefused) {
  EXPECT_EQ(ask(make_query("lab.test", 252)).rcode(), 5);
  EXPECT_EQ(ask(make_query("lab.test", 251)).rcode(), 5);
  EXPECT_EQ(ask(make_query("version.bind", 16, 1, std::nullopt, 3)).rcode(), 5);  // CHAOS
  EXPECT_EQ(ask(make_query("mail.lab.test", 1, 1, std::nullopt, 3)).rcode(), 5);
  EXPECT_EQ(ask(make_query("mail.lab.test", 1, 1, std::nullopt, 255)).answers.size(), 1u);  // class ANY
}

TEST(DnsEdns, OptIsAnsweredWithOurs) {
  const auto p = ask(make_query("mail.lab.test", 1, 3, edns_opt{4096, 0}));
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.answers.size(), 1u);
  const auto* opt = p.opt();
  ASSERT_NE(opt, nullptr);
  EXPECT_EQ(opt->owner, ".");
  EXPECT_EQ(opt->klass, 1232);
  EXPECT_EQ(opt->ttl, 0u);
}

TEST(DnsEdns, UnknownVersionIsBadvers) {
  const auto p = ask(make_query("mail.lab.test", 1, 3, edns_opt{4096, 1}));
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.rcode(), 0);  // the low four bits of 16
  const auto* opt = p.opt();
  ASSERT_NE(opt, nullptr);
  EXPECT_EQ(opt->ttl >> 24, 1u);  // extended RCODE 1 << 4 = 16 (BADVERS)
  EXPECT_TRUE(p.answers.empty());
}

dns::zone many_addresses(int n) {
  auto z = lab_zone();
  z.ipv6.clear();
  for (int i = 0; i < n; ++i) {
    std::array<std::uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8};
    a[15] = static_cast<std::uint8_t>(i);
    z.ipv6.push_back(a);
  }
  return z;
}

TEST(DnsTruncation, UdpWithoutEdnsStopsAt512WithTc) {
  const auto z = many_addresses(40);  // 40 * 28 bytes of records
  const auto q = make_query("mail.lab.test", 28);
  const auto o = dns::respond(q, z, dns::transport::udp);
  ASSERT_TRUE(o.reply);
  EXPECT_LE(o.reply->size(), 512u);
  const auto p = parse(*o.reply);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(p.tc());
  EXPECT_TRUE(p.answers.empty());
  EXPECT_EQ(p.qname_raw, "mail.lab.test");
  EXPECT_NE(o.summary.find("truncated"), std::string::npos);

  const auto tcp = ask(q, dns::transport::tcp, z);
  EXPECT_FALSE(tcp.tc());
  EXPECT_EQ(tcp.answers.size(), 40u);

  // EDNS raises the limit to what the client offers, at most 1232.
  const auto edns = ask(make_query("mail.lab.test", 28, 1, edns_opt{4096, 0}), dns::transport::udp, z);
  EXPECT_FALSE(edns.tc());
  EXPECT_EQ(edns.answers.size(), 40u);
  const auto small = ask(make_query("mail.lab.test", 28, 1, edns_opt{256, 0}), dns::transport::udp, z);
  EXPECT_TRUE(small.tc());  // below 512 counts as 512 (RFC 6891 6.2.5)
  const auto big = ask(make_query("mail.lab.test", 28, 1, edns_opt{65000, 0}), dns::transport::udp, many_addresses(60));
  EXPECT_TRUE(big.tc());  // 60 * 28 > 1232
}

TEST(DnsTruncation, GlueIsLeftOutBeforeTheAnswer) {
  const auto z = many_addresses(20);  // the SRV fits, its 20 glue records do not
  const auto q = make_query("_autodiscover._tcp.lab.test", 33);
  const auto e = dns::respond(q, z, dns::transport::udp);
  const auto p = parse(*e.reply);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_FALSE(p.tc());  // RFC 2181 9: not for additional data
  EXPECT_EQ(p.answers.size(), 1u);
  EXPECT_TRUE(p.additional.empty());
}

TEST(DnsEncode, CompressesRepeatedSuffixes) {
  dns::response r;
  r.id = 1;
  r.q = dns::question{{"_autodiscover", "_tcp", "lab", "test"}, 33, 1};
  r.answers.push_back({{"_autodiscover", "_tcp", "lab", "test"}, 60, dns::srv_data{0, 0, 443, {"mail", "lab", "test"}}});
  r.additional.push_back({{"mail", "lab", "test"}, 60, std::array<std::uint8_t, 4>{1, 2, 3, 4}});
  const auto e = dns::encode(r, 512);
  // header 12 + question (29 + 4) + answer (2 + 10 + 6 + 15) + additional (2 + 10 + 4)
  EXPECT_EQ(e.bytes.size(), 12u + 33u + 33u + 16u);
  const auto p = parse(e.bytes);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.additional[0].owner, "mail.lab.test");  // a pointer into the SRV target
}

TEST(DnsZone, CheckZoneRefusesBadNames) {
  EXPECT_EQ(dns::check_zone(lab_zone()), "");
  auto z = lab_zone();
  z.hostname = std::string(64, 'h') + ".lab.test";
  EXPECT_NE(dns::check_zone(z), "");
  z = lab_zone();
  z.domain.clear();
  EXPECT_NE(dns::check_zone(z), "");
  EXPECT_EQ(dns::address_names(lab_zone()), (std::vector<std::string>{"lab.test", "autodiscover.lab.test", "mail.lab.test"}));
  EXPECT_EQ(dns::srv_name(lab_zone()), "_autodiscover._tcp.lab.test");
}

}  // namespace
