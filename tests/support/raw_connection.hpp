#pragma once
// A raw client connection for reliability tests: plain TCP or TLS (OpenSSL, no verification) on
// 127.0.0.1, with the byte-level control a normal client hides: write any bytes in one go, read
// exactly N bytes of the answer, and end with a TCP reset (SO_LINGER 0) instead of a close.
// Blocking sockets with a receive timeout; writes never raise SIGPIPE. Test-only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "easemu/common/socket_bio.hpp"

namespace easemu::test {

class raw_connection {
 public:
  raw_connection(std::uint16_t port, bool tls, int timeout_ms = 10'000) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect() failed");
    }
    if (!tls) return;
    ctx_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(ctx_);
    BIO* bio = common::new_socket_bio(fd_);
    SSL_set_bio(ssl_, bio, bio);
    if (SSL_connect(ssl_) != 1) {
      ERR_clear_error();
      throw std::runtime_error("TLS handshake failed");
    }
  }
  ~raw_connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool write(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      std::size_t n = 0;
      if (ssl_ != nullptr) {
        if (SSL_write_ex(ssl_, bytes.data() + done, bytes.size() - done, &n) != 1) return false;
      } else {
        const auto r = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (r <= 0) return false;
        n = static_cast<std::size_t>(r);
      }
      done += n;
    }
    return true;
  }

  // Up to `max` bytes (fewer when the peer closes or the timeout passes).
  std::string read(std::size_t max) {
    std::string out;
    char buf[16 * 1024];
    while (out.size() < max) {
      const std::size_t want = std::min(sizeof buf, max - out.size());
      std::size_t n = 0;
      if (ssl_ != nullptr) {
        if (SSL_read_ex(ssl_, buf, want, &n) != 1) break;
      } else {
        const auto r = ::recv(fd_, buf, want, 0);
        if (r <= 0) break;
        n = static_cast<std::size_t>(r);
      }
      out.append(buf, n);
    }
    ERR_clear_error();
    return out;
  }

  // One whole HTTP/1.1 response with a Content-Length body (what easemu sends outside event
  // streams); empty when the connection ends first.
  std::string read_response() {
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
      auto c = read(1);
      if (c.empty()) return {};
      head += c;
    }
    std::size_t length = 0;
    const auto at = lower(head).find("\r\ncontent-length:");
    if (at != std::string::npos) length = std::stoul(head.substr(at + 17));
    auto body = read(length);
    if (body.size() != length) return {};
    return head + body;
  }

  // Ends the connection with a TCP RST: no close_notify, no FIN.
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd_);
    fd_ = -1;
  }

 private:
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace easemu::test
