// End-to-end: the real `easemu serve` on 127.0.0.1 port 0, driven over TLS and plain HTTP.
#include <gtest/gtest.h>

#include <thread>

#include "easemu/client/http_client.hpp"
#include "support/process.hpp"
#include "support/raw_connection.hpp"
#include "support/test_server.hpp"
#include "support/wait.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;

client_request options_request(std::string user = "alice@lab.test", std::string password = "Passw0rd") {
  client_request r;
  r.method = "OPTIONS";
  r.target = "/Microsoft-Server-ActiveSync";
  r.basic_user = std::move(user);
  r.basic_password = std::move(password);
  return r;
}

TEST(Serve, StartsWithNoArgumentsAndAnswersOptions) {
  test_server server;
  auto r = send(server.https_port, options_request());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("MS-ASProtocolVersions"), "2.0,2.1,2.5,12.0,12.1,14.0,14.1");
  EXPECT_EQ(r.header("MS-Server-ActiveSync"), "14.1");
  EXPECT_NE(r.header("MS-ASProtocolCommands").find("FolderSync,"), std::string::npos);
  EXPECT_EQ(r.header("MS-ASProtocolCommands").find(' '), std::string::npos);
  EXPECT_EQ(r.header("Allow"), "OPTIONS,POST");
  const auto log = server.log();
  EXPECT_NE(log.find("demo mailbox: alice@lab.test password Passw0rd"), std::string::npos) << log;
  EXPECT_EQ(server.stop(), 0);
}

TEST(Serve, AcceptsEveryUserNameForm) {
  test_server server;
  for (const char* user : {"alice@lab.test", "ALICE@LAB.TEST", "LAB\\alice", "lab\\Alice", "alice"}) {
    EXPECT_EQ(send(server.https_port, options_request(user)).status, 200) << user;
  }
}

TEST(Serve, WrongOrMissingCredentialsGet401WithBasicChallenge) {
  test_server server;
  for (auto req : {options_request("alice@lab.test", "wrong"), options_request("nobody@lab.test"),
                   options_request("OTHER\\alice")}) {
    auto r = send(server.https_port, req);
    EXPECT_EQ(r.status, 401) << req.basic_user;
    EXPECT_EQ(r.header("WWW-Authenticate"), "Basic realm=\"mail.lab.test\"");
  }
  auto none = options_request();
  none.basic_user.clear();
  EXPECT_EQ(send(server.https_port, none).status, 401);
  auto garbage = options_request();
  garbage.basic_user.clear();
  garbage.headers.emplace_back("Authorization", "Basic !!!not-base64");
  EXPECT_EQ(send(server.https_port, garbage).status, 401);
  // The password never reaches the log.
  EXPECT_EQ(server.log().find("Passw0rd\""), std::string::npos);
  EXPECT_EQ(server.log().find("wrong"), std::string::npos);
}

TEST(Serve, BasicOverPlainHttpIsRefused) {
  test_server server;
  auto req = options_request();
  req.tls = false;
  EXPECT_EQ(send(server.http_port, req).status, 403);
}

TEST(Serve, HealthReadinessAndLandingPageOnBothListeners) {
  test_server server;
  for (bool tls : {true, false}) {
    const auto port = tls ? server.https_port : server.http_port;
    client_request h;
    h.tls = tls;
    h.target = "/healthz";
    EXPECT_EQ(send(port, h).status, 200);
    h.target = "/readyz";
    EXPECT_EQ(send(port, h).status, 200);
    h.target = "/";
    auto landing = send(port, h);
    EXPECT_EQ(landing.status, 200);
    EXPECT_NE(landing.body.find("/certsrv/"), std::string::npos);
    // The dashboard, which exists on both listeners.
    EXPECT_NE(landing.body.find("href=\"/ui/\""), std::string::npos);
    h.target = "/ui/";
    EXPECT_EQ(send(port, h).status, 200);
    h.target = "/nope";
    EXPECT_EQ(send(port, h).status, 404);
  }
}

struct version_case {
  const char* exchange;
  const char* versions;
  const char* build;
};

class ServeExchangeVersion : public ::testing::TestWithParam<version_case> {};

TEST_P(ServeExchangeVersion, OptionsAdvertisesTheProfilesVersions) {
  temp_dir dir;
  write_file(dir / "lab.yaml", std::string("lab:\n  exchange_version: ") + GetParam().exchange + "\n");
  test_server server({"--config", (dir / "lab.yaml").string()});
  auto r = send(server.https_port, options_request());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("MS-ASProtocolVersions"), GetParam().versions);
  EXPECT_EQ(r.header("MS-Server-ActiveSync"), GetParam().build);
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, ServeExchangeVersion,
    ::testing::Values(version_case{"2010SP1", "2.0,2.1,2.5,12.0,12.1,14.0,14.1", "14.1"},
                      version_case{"2013", "2.0,2.1,2.5,12.0,12.1,14.0,14.1", "15.0"},
                      version_case{"2016", "2.5,12.0,12.1,14.0,14.1,16.0", "15.1"},
                      version_case{"2019", "2.5,12.0,12.1,14.0,14.1,16.0,16.1", "15.2"},
                      version_case{"online", "2.5,12.0,12.1,14.0,14.1,16.0,16.1", "15.20"}),
    [](const auto& info) { return std::string(info.param.exchange); });

TEST(Serve, LabFileMailboxesReplaceTheDemoOnes) {
  temp_dir dir;
  write_file(dir / "lab.yaml",
             "lab:\n  domain: contoso.test\nmailboxes:\n  - address: carol@contoso.test\n"
             "    password: S3cret!\n    display_name: Carol\n");
  test_server server({"--config", (dir / "lab.yaml").string()});
  EXPECT_EQ(send(server.https_port, options_request("carol@contoso.test", "S3cret!")).status, 200);
  EXPECT_EQ(send(server.https_port, options_request("CONTOSO\\carol", "S3cret!")).status, 200);
  EXPECT_EQ(send(server.https_port, options_request("alice@lab.test")).status, 401);
  EXPECT_EQ(server.log().find("S3cret!"), std::string::npos);  // not a demo password: not printed
}

TEST(Serve, InvalidLabFileStopsStartWithFileLineAndProblem) {
  temp_dir dir;
  const auto path = (dir / "lab.yaml").string();
  write_file(path, "lab:\n  exchange_version: 2007\n");
  test_server server({"--config", path}, false);
  EXPECT_EQ(server.stop(false), 1);
  EXPECT_NE(server.log().find(path + ":2:21: lab.exchange_version: '2007' is not one of"), std::string::npos)
      << server.log();
}

TEST(Serve, BodyAboveTheLimitGets413) {
  test_server server({"--max-body-size", "1000"});
  client_request r = options_request();
  r.method = "POST";
  r.target = "/Microsoft-Server-ActiveSync?Cmd=Sync&User=alice&DeviceId=abc&DeviceType=SmartPhone";
  r.body = std::string(5000, 'x');
  EXPECT_EQ(send(server.https_port, r).status, 413);
  // The server is still there for everyone else.
  EXPECT_EQ(send(server.https_port, options_request()).status, 200);
}

TEST(Serve, SlowClientIsDroppedAndOthersAreServed) {
  test_server server({"--request-timeout", "1"});
  std::thread slow([&] {
    auto r = raw_exchange(server.http_port, "GET /healthz HTTP/1.1\r\nHost: x\r\n", std::chrono::seconds(10));
    EXPECT_TRUE(r.closed_by_server);
    EXPECT_LT(r.elapsed, std::chrono::seconds(5));
  });
  client_request h;
  h.tls = false;
  h.target = "/healthz";
  EXPECT_EQ(send(server.http_port, h).status, 200);  // not blocked by the slow one
  slow.join();
}

TEST(Serve, GarbageAndTruncatedHandshakesDoNotAffectOthers) {
  test_server server({"--request-timeout", "2"});
  auto garbage = raw_exchange(server.http_port, std::string("\x16\x03\x01\xff garbage\r\n\r\n", 15), std::chrono::seconds(5));
  EXPECT_TRUE(garbage.received.starts_with("HTTP/1.1 400")) << garbage.received;
  auto half_tls = raw_exchange(server.https_port, std::string("\x16\x03\x01\x00\x05\x01", 6), std::chrono::seconds(5));
  EXPECT_TRUE(half_tls.received.empty() || half_tls.closed_by_server);
  EXPECT_EQ(send(server.https_port, options_request()).status, 200);
}

}  // namespace

namespace {

TEST(Health, ExitsZeroWhenReadyAndOneWhenNothingAnswers) {
  easemu::test::test_server server;
  const std::string exe = easemu::test::shell_quote(EASEMU_EXE);
  auto ok = easemu::test::run(exe + " health http://127.0.0.1:" + std::to_string(server.http_port));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  auto tls = easemu::test::run(exe + " health https://127.0.0.1:" + std::to_string(server.https_port));
  EXPECT_EQ(tls.exit_code, 0) << tls.err;
  server.stop();
  auto down = easemu::test::run(exe + " health http://127.0.0.1:" + std::to_string(server.http_port));
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_FALSE(down.err.empty());
  EXPECT_EQ(easemu::test::run(exe + " health ftp://x").exit_code, 2);
}

}  // namespace

namespace {

using namespace easemu::test;
using namespace easemu::client;

TEST(ServeTransport, ExpectContinueIsHonoured) {
  test_server server;
  const std::string req =
      "OPTIONS /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
  // The interim 100 arrives before the body is sent.
  auto r = raw_exchange(server.http_port, req, std::chrono::milliseconds(1500));
  EXPECT_TRUE(r.received.starts_with("HTTP/1.1 100 Continue\r\n")) << r.received;
}

TEST(ServeTransport, KeepAliveServesSeveralRequestsOnOneConnection) {
  test_server server;
  const std::string one = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  auto r = raw_exchange(server.http_port, one + one + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        std::chrono::seconds(5));
  EXPECT_TRUE(r.closed_by_server);
  std::size_t count = 0;
  for (auto pos = r.received.find("HTTP/1.1 200"); pos != std::string::npos; pos = r.received.find("HTTP/1.1 200", pos + 1)) ++count;
  EXPECT_EQ(count, 3u) << r.received;
}

// At the limit the server makes room for a connection that works by closing the oldest one that
// has not sent a whole request (issue 23: idle sockets must not lock healthy phones out). It used
// to leave the newcomer unanswered.
TEST(ServeTransport, AtTheConnectionLimitTheIdleHolderMakesRoom) {
  test_server server({"--max-connections", "1", "--request-timeout", "30"});
  {
    // Holds the only slot by sending a partial request. The server accepts connections in the
    // order they arrive, so this one has the slot before the next one comes.
    raw_connection holder(server.http_port, false);
    ASSERT_TRUE(holder.write("GET /healthz HTTP/1.1\r\n"));
    // Served long before the holder's 30 s request timeout could have freed the slot.
    auto served = raw_exchange(server.http_port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", std::chrono::seconds(5));
    EXPECT_NE(served.received.find(" 200 "), std::string::npos) << served.received;
    EXPECT_TRUE(holder.read(1).empty());  // the holder was closed to make room
  }
  client_request h;
  h.tls = false;
  h.target = "/healthz";
  EXPECT_TRUE(wait_until("the slot to serve /healthz", [&] { return send(server.http_port, h).status == 200; }));
}

TEST(ServeTransport, SigtermStopsCleanlyWithExitZero) {
  test_server server;
  EXPECT_EQ(server.stop(), 0);
  EXPECT_NE(server.log().find("shutting down"), std::string::npos);
  EXPECT_NE(server.log().find("stopped"), std::string::npos);
}

}  // namespace
