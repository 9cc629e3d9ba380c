// Reliability: clients that reset their connection at any point of a response (a phone losing
// its radio, a load tool ending its run, a load balancer's probe, a curl stopped with Ctrl-C)
// never end the server (issue 16: the TLS stream's write(2) raised SIGPIPE and the process died
// with status 141). Resets at random byte offsets of the answers, over TLS and plain HTTP, on
// keep-alive and pipelined connections; then the same process must still answer a FolderSync.
#include <gtest/gtest.h>

#include <random>

#include "easemu/client/http_client.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/process.hpp"
#include "support/raw_connection.hpp"
#include "support/test_server.hpp"
#include "reliability_lab.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;

constexpr const char* lab_yaml = reliability_lab_yaml;

std::string folder_sync_body() {
  return *wbxml::encode(*wbxml::from_xml(R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)"));
}

// One FolderSync (SyncKey 0) of device RESET<n> as raw HTTP/1.1 bytes; alice:Passw0rd in Basic.
std::string eas_request(int n) {
  const auto body = folder_sync_body();
  return "POST /Microsoft-Server-ActiveSync?Cmd=FolderSync&User=alice&DeviceId=RESET" + std::to_string(n) +
         "&DeviceType=iPhone HTTP/1.1\r\nHost: mail.lab.test\r\nAuthorization: Basic YWxpY2VAbGFiLnRlc3Q6UGFzc3cwcmQ=\r\n"
         "MS-ASProtocolVersion: 14.1\r\nContent-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Plain HTTP serves the landing page and the CA downloads (EAS needs TLS): the larger answers.
// The i-th request of every connection asks for the same page, so answers have known sizes.
std::string http_request(int i) {
  static const char* targets[] = {"/", "/certsrv/", "/certsrv/ca.pem"};
  return std::string("GET ") + targets[i % 3] + " HTTP/1.1\r\nHost: mail.lab.test\r\n\r\n";
}

struct mode {
  const char* name;
  bool tls;
  bool pipelined;
};

class ConnectionReset : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_ / "lab.yaml", lab_yaml);
    server_ = std::make_unique<test_server>(std::vector<std::string>{"--config", (dir_ / "lab.yaml").string()});
  }

  // The i-th request of connection `seq`.
  std::string request(const mode& m, int seq, int i) const { return m.tls ? eas_request(seq * 10 + i) : http_request(i); }
  std::uint16_t port(const mode& m) const { return m.tls ? server_->https_port : server_->http_port; }

  // The size of each of `count` answers on one connection, read whole (to choose offsets within).
  std::vector<std::size_t> answer_sizes(const mode& m, int count) {
    raw_connection c(port(m), m.tls);
    std::vector<std::size_t> sizes;
    for (int i = 0; i < count; ++i) c.write(request(m, 0, i));
    for (int i = 0; i < count; ++i) {
      const auto r = c.read_response();
      EXPECT_FALSE(r.empty()) << m.name << ": answer " << i << " missing";
      EXPECT_TRUE(r.starts_with("HTTP/1.1 200")) << m.name << ": " << r.substr(0, 40);
      sizes.push_back(r.size());
    }
    return sizes;
  }

  // The requests (in one write when pipelined, else each after the previous answer), then a
  // reset once `offset` bytes of the answers have been read.
  void reset_at(const mode& m, const std::vector<std::size_t>& sizes, std::size_t offset, int seq) {
    raw_connection c(port(m), m.tls);
    const int count = static_cast<int>(sizes.size());
    if (m.pipelined) {
      std::string all;
      for (int i = 0; i < count; ++i) all += request(m, seq + 1, i);
      c.write(all);
      if (offset > 0) c.read(offset);
    } else {
      std::size_t before = 0;  // bytes of the answers before request i's
      for (int i = 0; i < count; ++i) {
        if (!c.write(request(m, seq + 1, i))) break;
        if (offset <= before + sizes[i]) {
          if (offset > before) c.read(offset - before);  // part of this answer (or none of it)
          break;
        }
        if (c.read(sizes[i]).size() != sizes[i]) break;
        before += sizes[i];
      }
    }
    c.reset();
  }

  std::string ended() { return server_->ended(); }

  temp_dir dir_;
  std::unique_ptr<test_server> server_;
};

TEST_F(ConnectionReset, ThousandResetsAtRandomOffsetsLeaveTheServerServing) {
  constexpr int requests = 5;
  const mode modes[] = {{"TLS pipelined", true, true},
                        {"TLS keep-alive", true, false},
                        {"HTTP pipelined", false, true},
                        {"HTTP keep-alive", false, false}};
  std::mt19937 rng(20261207);
  int resets = 0;
  for (const auto& m : modes) {
    const auto sizes = answer_sizes(m, requests);
    std::size_t total = 0;
    for (auto n : sizes) total += n;
    ASSERT_GT(total, 0u);
    std::uniform_int_distribution<std::size_t> within(0, total);
    for (int i = 0; i < 260; ++i) {
      // Before the answer (0), after all of it (total), and at random offsets in between.
      const std::size_t offset = i == 0 ? 0 : i == 1 ? total : within(rng);
      try {
        reset_at(m, sizes, offset, i);
      } catch (const std::exception& e) {
        ADD_FAILURE() << m.name << " reset " << i << " at byte " << offset << ": " << e.what() << "\nserver: " << ended();
        return;
      }
      ++resets;
      if (i % 20 == 0) {
        ASSERT_EQ(ended(), "") << "the server ended after " << resets << " resets (" << m.name << ", byte " << offset
                               << " of " << total << ")\n" << server_->log().substr(0, 4000);
      }
    }
  }
  EXPECT_GE(resets, 1000);
  ASSERT_EQ(ended(), "") << "the server ended after " << resets << " resets";

  // The same process still serves a phone.
  easemu::client::client_request r;
  r.method = "POST";
  r.target = "/Microsoft-Server-ActiveSync?Cmd=FolderSync&User=alice&DeviceId=AFTERRESETS&DeviceType=iPhone";
  r.headers.emplace_back("MS-ASProtocolVersion", "14.1");
  r.headers.emplace_back("Content-Type", "application/vnd.ms-sync.wbxml");
  r.body = folder_sync_body();
  r.basic_user = "alice@lab.test";
  r.basic_password = "Passw0rd";
  const auto res = easemu::client::send(server_->https_port, r);
  EXPECT_EQ(res.status, 200) << res.error;
  const auto tree = wbxml::decode(res.body);
  ASSERT_TRUE(tree.has_value());
  EXPECT_EQ(tree->child_text(wbxml::tag("FolderHierarchy:Status")), "1");
  EXPECT_EQ(server_->stop(), 0) << "a clean exit on SIGTERM";
}

// The socket BIO itself: with SIGPIPE at its default action, a TLS-side write to a socket whose
// peer is gone fails with EPIPE instead of ending the process (checked in a child process).
TEST(SocketBio, WriteToAClosedPeerFailsInsteadOfRaisingSigpipe) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) ::_exit(2);
    ::close(sv[1]);
    BIO* b = easemu::common::new_socket_bio(sv[0]);
    if (b == nullptr) ::_exit(3);
    const char data[] = "hello";
    int r = 0;
    for (int i = 0; i < 3; ++i) r = BIO_write(b, data, sizeof data);  // the first may succeed into the buffer
    const int err = errno;
    BIO_free(b);
    ::_exit(r <= 0 && err == EPIPE ? 0 : 4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
