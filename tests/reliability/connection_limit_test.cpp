// Reliability: idle sockets and a low descriptor limit never lock healthy phones out (issue 23,
// findings 1 and 7). With `ulimit -n 200` and the default --max-connections 10000 the server
// lowers its limit at start and says so; at the limit the oldest connections that never sent a
// request make room instead of the newcomer being refused; accept failures and the limit are
// logged once per interval, not once per connection.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <regex>

#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/process.hpp"
#include "support/raw_connection.hpp"
#include "support/test_server.hpp"
#include "reliability_lab.hpp"
#include "support/wait.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;

constexpr const char* lab_yaml = reliability_lab_yaml;

// A plain TCP connection to `port` that never says anything (not even a TLS ClientHello).
int idle_socket(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

struct idle_sockets {
  std::vector<int> fds;
  ~idle_sockets() {
    for (int fd : fds) ::close(fd);
  }
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A healthy phone's FolderSync (SyncKey 0) over TLS: its HTTP status and FolderSync Status.
std::pair<int, std::string> folder_sync(const test_server& s, const std::string& device) {
  easemu::client::client_request r;
  r.method = "POST";
  r.target = "/Microsoft-Server-ActiveSync?Cmd=FolderSync&User=alice&DeviceId=" + device + "&DeviceType=iPhone";
  r.headers.emplace_back("MS-ASProtocolVersion", "14.1");
  r.headers.emplace_back("Content-Type", "application/vnd.ms-sync.wbxml");
  r.body = *wbxml::encode(*wbxml::from_xml(R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)"));
  r.basic_user = "alice@lab.test";
  r.basic_password = "Passw0rd";
  const auto res = easemu::client::send(s.https_port, r);
  const auto tree = wbxml::decode(res.body);
  return {res.status, tree ? std::string(tree->child_text(wbxml::tag("FolderHierarchy:Status"))) : res.error};
}

// `prlimit --nofile=N:N` in front of the server: its soft and hard descriptor limits are N.
std::vector<std::string> with_nofile(int n) {
  return {"/usr/bin/prlimit", "--nofile=" + std::to_string(n) + ":" + std::to_string(n)};
}

class ConnectionLimit : public ::testing::Test {
 protected:
  void SetUp() override { write_file(dir_ / "lab.yaml", lab_yaml); }
  std::vector<std::string> args(std::vector<std::string> extra = {}) {
    std::vector<std::string> a{"--config", (dir_ / "lab.yaml").string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  temp_dir dir_;
};

TEST_F(ConnectionLimit, IdleSocketsAtTheLimitMakeRoomForAHealthyPhone) {
  test_server server(args({"--max-connections", "20"}));
  idle_sockets idle;
  for (int i = 0; i < 60; ++i) idle.fds.push_back(idle_socket(server.https_port));
  ASSERT_TRUE(server.logged("connection limit 20 reached"));
  const auto [status, eas] = folder_sync(server, "HEALTHY1");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(eas, "1");
  const auto log = server.log();
  EXPECT_LE(count(log, "connection limit 20 reached"), 2u) << "logged per connection";
}

TEST_F(ConnectionLimit, ALowDescriptorLimitLowersTheConnectionLimitAndNothingSpins) {
  test_server server(args(), true, with_nofile(200));
  ASSERT_TRUE(server.logged("--max-connections 10000 lowered to 136"));
  idle_sockets idle;
  for (int i = 0; i < 300; ++i) idle.fds.push_back(idle_socket(server.https_port));
  ASSERT_TRUE(server.logged("connection limit 136 reached"));
  const auto [status, eas] = folder_sync(server, "HEALTHY2");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(eas, "1");
  const auto log = server.log();
  EXPECT_LE(count(log, "accept failed"), 2u);
  EXPECT_LE(count(log, "connection limit 136 reached"), 2u);
}

}  // namespace
