// Reliability: what a slow or sloppy HTTP client gets (issue 23, findings 4 and 6). Every request
// of a keep-alive connection has --request-timeout for its headers, not only the first; a
// malformed chunk is answered 400 and a transfer coding other than chunked 501 instead of a
// silent close or a misframed body.
#include <gtest/gtest.h>

#include <chrono>

#include "support/process.hpp"
#include "support/raw_connection.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
using clock_type = std::chrono::steady_clock;

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

class HttpFraming : public ::testing::Test {
 protected:
  test_server server_{{"--request-timeout", "1"}};
};

TEST_F(HttpFraming, ASecondRequestTrickledOnAKeepAliveConnectionTimesOutLikeTheFirst) {
  raw_connection c(server_.http_port, false, 30'000);
  ASSERT_TRUE(c.write("GET /healthz HTTP/1.1\r\nHost: mail.lab.test\r\n\r\n"));
  ASSERT_EQ(status_line(c.read_response()), "HTTP/1.1 200 OK");
  // Part of a second request's head, then nothing: the server must end it after about
  // --request-timeout (1 s), not after the 120 s keep-alive idle time.
  const auto start = clock_type::now();
  ASSERT_TRUE(c.write("GET /healthz HTTP/1.1\r\nHost: ma"));
  const auto rest = c.read(1);  // empty once the server closes (or after the 30 s receive timeout)
  const auto waited = std::chrono::duration_cast<std::chrono::seconds>(clock_type::now() - start);
  EXPECT_EQ(rest, "");
  EXPECT_LT(waited.count(), 15) << "the trickled request was held " << waited.count() << " s";
}

TEST_F(HttpFraming, AnIdleKeepAliveConnectionStillServesItsNextRequest) {
  // The idle wait between requests is not the request timeout: a phone that sends its next
  // request after a pause longer than --request-timeout is served. The pause: until another
  // connection's trickled request has been ended by that timeout.
  raw_connection idle(server_.http_port, false);
  ASSERT_TRUE(idle.write("GET /healthz HTTP/1.1\r\nHost: mail.lab.test\r\n\r\n"));
  ASSERT_EQ(status_line(idle.read_response()), "HTTP/1.1 200 OK");
  raw_connection slow(server_.http_port, false, 30'000);
  ASSERT_TRUE(slow.write("GET /healthz HTTP/1.1\r\nHo"));
  ASSERT_EQ(slow.read(1), "");
  ASSERT_TRUE(idle.write("GET /healthz HTTP/1.1\r\nHost: mail.lab.test\r\n\r\n"));
  EXPECT_EQ(status_line(idle.read_response()), "HTTP/1.1 200 OK");
}

TEST_F(HttpFraming, AMalformedChunkIsAnswered400) {
  const char* bodies[] = {
      "zz\r\nhello\r\n0\r\n\r\n",      // a chunk size that is no hex number
      "5\r\nhelloXX0\r\n\r\n",         // the CRLF after the chunk data missing
      "5;\x01=x\r\nhello\r\n0\r\n\r\n",  // a chunk extension with a control character
  };
  for (const auto* body : bodies) {
    raw_connection c(server_.http_port, false);
    ASSERT_TRUE(c.write(std::string("POST /healthz HTTP/1.1\r\nHost: mail.lab.test\r\nTransfer-Encoding: chunked\r\n\r\n") + body));
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 400 Bad Request") << body;
  }
  // A good chunked body still works.
  raw_connection c(server_.http_port, false);
  ASSERT_TRUE(c.write("POST /nothing-here HTTP/1.1\r\nHost: mail.lab.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 404 Not Found");
}

TEST_F(HttpFraming, ATransferCodingOtherThanChunkedIsAnswered501) {
  // RFC 9112 6.1: a transfer coding the server does not understand is 501.
  raw_connection c(server_.http_port, false);
  ASSERT_TRUE(c.write("POST /healthz HTTP/1.1\r\nHost: mail.lab.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 501 Not Implemented");
  EXPECT_TRUE(server_.logged("unsupported Transfer-Encoding 'gzip, chunked'"));
  // Without chunked last the length is unknown (RFC 9112 6.3: 400); either way it is refused,
  // never read as a plain body.
  for (const auto* coding : {"gzip", "chunked, gzip"}) {
    raw_connection d(server_.http_port, false);
    ASSERT_TRUE(d.write(std::string("POST /healthz HTTP/1.1\r\nHost: mail.lab.test\r\nTransfer-Encoding: ") + coding +
                        "\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    const auto line = status_line(d.read_response());
    EXPECT_TRUE(line == "HTTP/1.1 400 Bad Request" || line == "HTTP/1.1 501 Not Implemented") << coding << ": " << line;
  }
}

}  // namespace
