// End-to-end: `easemu serve --dns-listen 127.0.0.1:0` answers the lab's names over UDP and TCP.
#include <gtest/gtest.h>

#include <regex>

#include "support/dns_wire.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"
#include "support/wait.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::test::dns;

// The DNS port serve printed ("listening: DNS 127.0.0.1:<port> ...").
std::uint16_t dns_port(const test_server& s) {
  const std::regex line(R"(listening: DNS 127\.0\.0\.1:(\d+) )");
  std::uint16_t port = 0;
  const auto found = eventually([&] {
    std::smatch m;
    const auto text = s.log();
    if (!std::regex_search(text, m, line)) return false;
    port = static_cast<std::uint16_t>(std::stoi(m[1]));
    return true;
  });
  if (!found) ADD_FAILURE() << "no DNS port in the log:\n" << s.log();
  return port;
}

std::vector<std::string> lab_args() {
  return {"--dns-listen", "127.0.0.1:0", "--dns-address", "192.0.2.10,2001:db8::10", "--hostname", "mail.lab.test",
          "--public-url", "https://mail.lab.test"};
}

TEST(Dns, UdpAnswersTheLabNames) {
  test_server server(lab_args());
  const auto port = dns_port(server);
  ASSERT_NE(port, 0);

  auto reply = udp_exchange(port, make_query("mail.lab.test", 1, 101));
  ASSERT_TRUE(reply);
  auto p = parse(*reply);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.id, 101);
  EXPECT_TRUE(p.aa());
  ASSERT_EQ(p.answers.size(), 1u);
  EXPECT_EQ(address_text(p.answers[0]), "192.0.2.10");

  reply = udp_exchange(port, make_query("Autodiscover.Lab.Test", 28, 102));
  ASSERT_TRUE(reply);
  p = parse(*reply);
  ASSERT_EQ(p.answers.size(), 1u);
  EXPECT_EQ(address_text(p.answers[0]), "2001:db8::10");

  reply = udp_exchange(port, make_query("_autodiscover._tcp.lab.test", 33, 103, edns_opt{}));
  ASSERT_TRUE(reply);
  p = parse(*reply);
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.answers.size(), 1u);
  const auto srv = srv_of(*reply, p.answers[0]);
  EXPECT_EQ(srv.port, 443);  // the public URL's
  EXPECT_EQ(srv.target, "mail.lab.test");
  EXPECT_NE(p.opt(), nullptr);

  reply = udp_exchange(port, make_query("www.example.com", 1, 104));
  ASSERT_TRUE(reply);
  p = parse(*reply);
  EXPECT_EQ(p.rcode(), 5);  // REFUSED
  EXPECT_FALSE(p.aa());

  reply = udp_exchange(port, make_query("lab.test", 15, 105));  // MX of ours: no data
  ASSERT_TRUE(reply);
  p = parse(*reply);
  EXPECT_EQ(p.rcode(), 0);
  EXPECT_TRUE(p.answers.empty());
}

TEST(Dns, GarbageGetsFormerrOrNothingAndTheServerGoesOn) {
  test_server server(lab_args());
  const auto port = dns_port(server);
  ASSERT_NE(port, 0);
  // Not even a header: nothing to answer.
  EXPECT_FALSE(udp_exchange(port, {'h', 'e', 'l', 'l', 'o'}, 500));
  // A header, then a compression pointer to itself.
  const bytes loop = {0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1};
  auto reply = udp_exchange(port, loop);
  ASSERT_TRUE(reply);
  auto p = parse(*reply);
  EXPECT_EQ(p.id, 0xABCD);
  EXPECT_EQ(p.rcode(), 1);  // FORMERR
  // Random bytes with a header.
  bytes noise(300);
  for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<std::uint8_t>(i * 37 + 11);
  noise[2] = 0x01;  // a query
  (void)udp_exchange(port, noise, 300);
  // Still answering, and the log says what happened.
  reply = udp_exchange(port, make_query("mail.lab.test", 1));
  ASSERT_TRUE(reply);
  EXPECT_EQ(parse(*reply).answers.size(), 1u);
  EXPECT_TRUE(server.logged("dns udp 127.0.0.1:")) << server.log();
  EXPECT_TRUE(server.logged("dropped: shorter than the 12-byte header at byte 5")) << server.log();
  EXPECT_TRUE(server.logged("malformed (compression pointer does not point back before the name at byte 12): FORMERR"))
      << server.log();
  EXPECT_TRUE(server.logged("A mail.lab.test: NOERROR, 1 answer")) << server.log();
}

TEST(Dns, TcpAnswersWithLengthPrefixes) {
  test_server server(lab_args());
  const auto port = dns_port(server);
  ASSERT_NE(port, 0);
  {
    tcp_client c(port);
    ASSERT_TRUE(c.connected());
    // Two queries in one write: two answers, in order (RFC 7766 6.2.1.1 pipelining).
    bytes both;
    for (const auto& q : {make_query("mail.lab.test", 1, 1), make_query("_autodiscover._tcp.lab.test", 33, 2)}) {
      put16(both, static_cast<std::uint16_t>(q.size()));
      both.insert(both.end(), q.begin(), q.end());
    }
    c.send_raw(both);
    auto first = c.receive();
    ASSERT_TRUE(first);
    auto p = parse(*first);
    EXPECT_EQ(p.id, 1);
    ASSERT_EQ(p.answers.size(), 1u);
    EXPECT_EQ(address_text(p.answers[0]), "192.0.2.10");
    auto second = c.receive();
    ASSERT_TRUE(second);
    p = parse(*second);
    EXPECT_EQ(p.id, 2);
    ASSERT_EQ(p.answers.size(), 1u);
    EXPECT_EQ(srv_of(*second, p.answers[0]).port, 443);
    // AAAA, refused and garbage on the same connection.
    c.send_message(make_query("mail.lab.test", 28, 3));
    auto third = c.receive();
    ASSERT_TRUE(third);
    EXPECT_EQ(address_text(parse(*third).answers.at(0)), "2001:db8::10");
    c.send_message(make_query("example.org", 1, 4));
    auto fourth = c.receive();
    ASSERT_TRUE(fourth);
    EXPECT_EQ(parse(*fourth).rcode(), 5);
    c.send_message({0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0});  // no question
    auto fifth = c.receive();
    ASSERT_TRUE(fifth);
    EXPECT_EQ(parse(*fifth).rcode(), 1);
  }
  {
    // A client that half-closes after its query still gets the answer.
    tcp_client c(port);
    c.send_message(make_query("lab.test", 1, 9));
    c.half_close();
    auto reply = c.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(parse(*reply).answers.size(), 1u);
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    // A zero length prefix cannot be answered: the connection is closed.
    tcp_client c(port);
    c.send_raw({0, 0});
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    // Shorter than a header: no answer, the connection is closed.
    tcp_client c(port);
    c.send_message({1, 2, 3});
    EXPECT_TRUE(c.closed_by_server());
  }
  EXPECT_TRUE(server.logged("dns tcp 127.0.0.1:")) << server.log();
  EXPECT_TRUE(server.logged("message of 0 bytes (limit 4096): closing the connection")) << server.log();
}

TEST(Dns, AddressesComeFromThePublicUrlWhenItIsAnIp) {
  test_server server({"--dns-listen", "127.0.0.1:0", "--public-url", "https://127.0.0.1:9443"});
  const auto port = dns_port(server);
  ASSERT_NE(port, 0);
  auto reply = udp_exchange(port, make_query("mail.lab.test", 1));
  ASSERT_TRUE(reply);
  auto p = parse(*reply);
  ASSERT_EQ(p.answers.size(), 1u);
  EXPECT_EQ(address_text(p.answers[0]), "127.0.0.1");
  reply = udp_exchange(port, make_query("mail.lab.test", 28));  // no IPv6 address known
  ASSERT_TRUE(reply);
  p = parse(*reply);
  EXPECT_EQ(p.rcode(), 0);
  EXPECT_TRUE(p.answers.empty());
  reply = udp_exchange(port, make_query("_autodiscover._tcp.lab.test", 33));
  ASSERT_TRUE(reply);
  EXPECT_EQ(srv_of(*reply, parse(*reply).answers.at(0)).port, 9443);
}

TEST(Dns, ByDefaultTheListenAddressAndThePortPhonesReach) {
  // No --public-url: the HTTPS listener's own address (127.0.0.1) and its port.
  test_server server({"--dns-listen", "127.0.0.1:0"});
  const auto port = dns_port(server);
  ASSERT_NE(port, 0);
  auto reply = udp_exchange(port, make_query("autodiscover.lab.test", 1));
  ASSERT_TRUE(reply);
  EXPECT_EQ(address_text(parse(*reply).answers.at(0)), "127.0.0.1");
  reply = udp_exchange(port, make_query("_autodiscover._tcp.lab.test", 33));
  ASSERT_TRUE(reply);
  EXPECT_EQ(srv_of(*reply, parse(*reply).answers.at(0)).port, server.https_port);
}

TEST(Dns, IsOffByDefault) {
  test_server server;
  EXPECT_EQ(server.log().find("listening: DNS"), std::string::npos) << server.log();
}

TEST(Dns, BadSettingsStopTheStart) {
  {
    test_server server({"--dns-listen", "localhost:53"}, false);
    EXPECT_EQ(server.stop(false), 1);
    EXPECT_NE(server.log().find("DNS listen address 'localhost' is not an IPv4 or IPv6 address"), std::string::npos)
        << server.log();
  }
  {
    test_server server({"--dns-listen", "127.0.0.1:0", "--dns-address", "192.0.2.300"}, false);
    EXPECT_EQ(server.stop(false), 1);
    EXPECT_NE(server.log().find("--dns-address: '192.0.2.300' is not an IPv4 or IPv6 address"), std::string::npos)
        << server.log();
  }
}

// An independent client: dig from Debian's dnsutils (scripts/install-deps.sh installs it; a
// missing dig is a failure, not a skip, so that CI cannot pass without this check).
TEST(Dns, DigAgrees) {
  ASSERT_EQ(run("command -v dig").exit_code, 0) << "dig is not installed: run scripts/install-deps.sh (dnsutils)";
  test_server server(lab_args());
  const auto port = std::to_string(dns_port(server));
  const auto a = run("dig +short +time=2 +tries=1 -p " + port + " @127.0.0.1 mail.lab.test A");
  EXPECT_EQ(a.out, "192.0.2.10\n") << a.err;
  const auto tcp = run("dig +tcp +short +time=2 +tries=1 -p " + port + " @127.0.0.1 lab.test AAAA");
  EXPECT_EQ(tcp.out, "2001:db8::10\n") << tcp.err;
  const auto srv = run("dig +short +time=2 +tries=1 -p " + port + " @127.0.0.1 _autodiscover._tcp.lab.test SRV");
  EXPECT_EQ(srv.out, "0 0 443 mail.lab.test.\n") << srv.err;
  const auto refused = run("dig +time=2 +tries=1 -p " + port + " @127.0.0.1 www.example.com A");
  EXPECT_NE(refused.out.find("status: REFUSED"), std::string::npos) << refused.out;
}

}  // namespace
