// End-to-end: what the container image relies on (docker/Dockerfile): `easemu health` without
// arguments follows EASEMU_HTTP_LISTEN, EASEMU_CONFIG=/etc/easemu/lab.yaml may be absent, a
// generated admin token survives a restart on the same data dir, and docker/lab.example.yaml
// is a valid lab.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>

#include "easemu/client/http_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;

const std::string exe = EASEMU_EXE;

TEST(ContainerDefaults, HealthWithoutArgumentsFollowsEasemuHttpListen) {
  test_server server;
  const auto port = std::to_string(server.http_port);
  auto r = run("EASEMU_HTTP_LISTEN=127.0.0.1:" + port + " " + shell_quote(exe) + " health");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ready\n");
  // The container's wildcard listen address is reached on loopback.
  r = run("EASEMU_HTTP_LISTEN=0.0.0.0:" + port + " " + shell_quote(exe) + " health");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // An explicit URL still wins.
  r = run("EASEMU_HTTP_LISTEN=127.0.0.1:1 " + shell_quote(exe) + " health http://127.0.0.1:" + port);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Nothing there: exit 1 naming the URL it tried.
  r = run("EASEMU_HTTP_LISTEN=0.0.0.0:1 " + shell_quote(exe) + " health");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("http://127.0.0.1:1"), std::string::npos) << r.err;
}

TEST(ContainerDefaults, AbsentImageLabFileIsTheDemoLab) {
  if (std::filesystem::exists("/etc/easemu/lab.yaml")) GTEST_SKIP() << "/etc/easemu/lab.yaml exists on this machine";
  test_server server({"--config", "/etc/easemu/lab.yaml"});
  const auto log = server.log();
  EXPECT_NE(log.find("no lab file at /etc/easemu/lab.yaml: the demo lab"), std::string::npos) << log;
  EXPECT_NE(log.find("demo mailbox: alice@lab.test"), std::string::npos) << log;
}

TEST(ContainerDefaults, AnyOtherAbsentLabFileStopsTheStart) {
  test_server server({"--config", "/nonexistent/easemu/lab.yaml"}, false);
  EXPECT_EQ(server.stop(false), 1);
  EXPECT_NE(server.log().find("/nonexistent/easemu/lab.yaml: cannot be read"), std::string::npos) << server.log();
}

TEST(ContainerDefaults, TheExampleLabFileRuns) {
  test_server server({"--config", EASEMU_SOURCE_DIR "/docker/lab.example.yaml"});
  const auto log = server.log();
  EXPECT_NE(log.find("lab lab.test"), std::string::npos) << log;
  EXPECT_EQ(log.find("demo mailbox"), std::string::npos) << log;
  // bob@lab.test is one of its mailboxes (on its Pilot policy).
  easemu::client::client_request r;
  r.method = "OPTIONS";
  r.target = "/Microsoft-Server-ActiveSync";
  r.basic_user = "bob@lab.test";
  r.basic_password = "Passw0rd";
  const auto res = easemu::client::send(server.https_port, r);
  EXPECT_EQ(res.status, 200) << res.error;
  EXPECT_NE(res.header("MS-ASProtocolVersions"), "");
  r.basic_password = "wrong";
  EXPECT_EQ(easemu::client::send(server.https_port, r).status, 401);
}

// Starts serve without --admin-token on `data_dir` until it reports its token, then stops it.
std::string start_and_read_token(const std::filesystem::path& data_dir) {
  const auto log = data_dir.parent_path() / "serve.log";
  const auto r = run("env -u EASEMU_ADMIN_TOKEN " + shell_quote(exe) +
                     " serve --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 --data-dir " +
                     shell_quote(data_dir.string()) + " >" + shell_quote(log.string()) +
                     " 2>&1 & pid=$!; for i in $(seq 300); do grep -q 'admin token:' " + shell_quote(log.string()) +
                     " && break; sleep 0.1; done; kill $pid; wait $pid; cat " + shell_quote(log.string()));
  std::smatch m;
  const std::regex token(R"(admin token: ([0-9a-f]+) \(kept in (\S+)\))");
  if (!std::regex_search(r.out, m, token)) {
    ADD_FAILURE() << "no admin token line:\n" << r.out;
    return {};
  }
  EXPECT_EQ(m[2].str(), (data_dir / "admin-token").string());
  return m[1];
}

TEST(ContainerDefaults, AGeneratedAdminTokenIsKeptInTheDataDir) {
  temp_dir dir;
  const auto data = dir / "data";
  const auto first = start_and_read_token(data);
  ASSERT_EQ(first.size(), 32u);
  EXPECT_EQ(read_file(data / "admin-token"), first + "\n");
  struct stat st {};
  ASSERT_EQ(::stat((data / "admin-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(start_and_read_token(data), first);  // a restart keeps it
}

}  // namespace
