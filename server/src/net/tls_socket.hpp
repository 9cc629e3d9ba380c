#pragma once
// A TLS stream for Beast that lets OpenSSL read and write the socket itself (a socket BIO on a
// non-blocking socket, Asio only waits for readiness). Included by net.cpp only.
//
// Why not asio::ssl::stream: its engine puts a BIO pair of two 17 KiB buffers between OpenSSL
// and the socket for the whole life of a connection, which alone is half the memory budget of a
// held Ping (issue 6: at most 64 KiB per open Ping). Here nothing is buffered outside OpenSSL,
// and with SSL_MODE_RELEASE_BUFFERS an idle connection keeps no record buffers either.
//
// Timeouts work like beast::tcp_stream's: expires_after() arms a deadline for the operations
// that follow; when it passes, pending and later operations fail with beast::error::timeout.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>

#include "easemu/common/socket_bio.hpp"

namespace easemu::server::detail {

namespace net = boost::asio;
using error_code = boost::system::error_code;

class tls_socket {
 public:
  using executor_type = net::any_io_executor;

  tls_socket(net::ip::tcp::socket socket, SSL_CTX* ctx)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), ssl_(SSL_new(ctx)) {
    if (ssl_ == nullptr) throw std::runtime_error("SSL_new failed");
    error_code ec;
    socket_.non_blocking(true, ec);
    // Not SSL_set_fd: its BIO writes with write(2), and a peer that reset the connection would
    // end the process with SIGPIPE; ours sends with MSG_NOSIGNAL (issue 16).
    BIO* bio = common::new_socket_bio(static_cast<int>(socket_.native_handle()));
    if (bio == nullptr) {
      SSL_free(ssl_);
      throw std::runtime_error("socket BIO allocation failed");
    }
    SSL_set_bio(ssl_, bio, bio);
    // Beast's writes are write_some: one record at a time is fine, and a retry after
    // WANT_WRITE may come from a moved buffer object.
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                           SSL_MODE_RELEASE_BUFFERS);
  }
  ~tls_socket() { SSL_free(ssl_); }
  tls_socket(const tls_socket&) = delete;
  tls_socket& operator=(const tls_socket&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  net::ip::tcp::socket& socket() noexcept { return socket_; }
  SSL* native_handle() noexcept { return ssl_; }

  void expires_after(std::chrono::steady_clock::duration d) {
    timed_out_ = false;
    timer_.expires_after(d);
    timer_.async_wait([alive = std::weak_ptr<int>(alive_), this](const error_code& ec) {
      if (ec || alive.expired()) return;
      timed_out_ = true;
      error_code ignored;
      socket_.cancel(ignored);
    });
  }

  // Server side of the handshake.
  net::awaitable<error_code> handshake() {
    for (;;) {
      if (timed_out_) co_return boost::beast::error::timeout;
      ERR_clear_error();
      const int r = SSL_accept(ssl_);
      if (r == 1) co_return error_code{};
      error_code ec;
      const auto wait = wait_for(r, ec);
      if (ec) co_return ec;
      auto [wec] = co_await socket_.async_wait(wait, net::experimental::as_tuple(net::use_awaitable));
      if (wec) co_return translate(wec);
    }
  }

  // Sends close_notify (once, without waiting for the peer's).
  net::awaitable<void> shutdown() {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (timed_out_) co_return;
      ERR_clear_error();
      const int r = SSL_shutdown(ssl_);
      if (r >= 0) co_return;
      error_code ec;
      const auto wait = wait_for(r, ec);
      if (ec) co_return;
      auto [wec] = co_await socket_.async_wait(wait, net::experimental::as_tuple(net::use_awaitable));
      if (wec) co_return;
    }
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return net::async_compose<Token, void(error_code, std::size_t)>(
        io_op{this, first_buffer(net::buffer_sequence_begin(buffers), net::buffer_sequence_end(buffers)), {},
              false},
        token, socket_);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    // Small pieces (Beast writes the header and the body as separate buffers) go out as one
    // record: gather up to one record's worth into the operation's own copy.
    io_op op{this, {}, {}, true};
    const auto count = net::buffer_size(buffers);
    const auto begin = net::buffer_sequence_begin(buffers);
    const auto end = net::buffer_sequence_end(buffers);
    if (std::next(begin) == end || count == 0) {
      const net::const_buffer b = *begin;
      op.write = b;
    } else {
      op.copy.resize(std::min<std::size_t>(count, max_record));
      net::buffer_copy(net::buffer(op.copy), buffers);
    }
    return net::async_compose<Token, void(error_code, std::size_t)>(std::move(op), token, socket_);
  }

 private:
  static constexpr std::size_t max_record = 16 * 1024;

  template <class It>
  static net::mutable_buffer first_buffer(It begin, It end) {
    for (; begin != end; ++begin) {
      net::mutable_buffer b = *begin;
      if (b.size() > 0) return b;
    }
    return {};
  }

  // What to wait for after a non-fatal SSL result; sets ec for a fatal one.
  net::socket_base::wait_type wait_for(int result, error_code& ec) {
    switch (SSL_get_error(ssl_, result)) {
      case SSL_ERROR_WANT_READ:
        return net::socket_base::wait_read;
      case SSL_ERROR_WANT_WRITE:
        return net::socket_base::wait_write;
      case SSL_ERROR_ZERO_RETURN:
        ec = net::error::eof;
        break;
      case SSL_ERROR_SYSCALL:
        // errno 0: the peer closed without close_notify.
        ec = errno != 0 ? error_code(errno, boost::system::system_category())
                        : error_code(net::ssl::error::stream_truncated);
        break;
      default: {
        const unsigned long e = ERR_get_error();
        if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
          ec = net::ssl::error::stream_truncated;
        } else {
          ec = error_code(static_cast<int>(e), net::error::get_ssl_category());
        }
        ERR_clear_error();
      }
    }
    return net::socket_base::wait_read;
  }

  error_code translate(const error_code& ec) const {
    if (timed_out_ && ec == net::error::operation_aborted) return boost::beast::error::timeout;
    return ec;
  }

  // One read_some or write_some: try OpenSSL, wait for readiness while it wants more, repeat.
  struct io_op {
    tls_socket* s;
    net::mutable_buffer read;
    std::string copy;  // gathered write data (when the caller gave several buffers)
    bool writing;
    net::const_buffer write{};
    bool started = false;
    error_code result{};
    std::size_t transferred = 0;
    bool done = false;

    template <class Self>
    void operator()(Self& self, error_code ec = {}) {
      if (done) {
        self.complete(result, transferred);
        return;
      }
      if (ec) {
        self.complete(s->translate(ec), 0);
        return;
      }
      if (s->timed_out_) {
        finish(self, boost::beast::error::timeout, 0);
        return;
      }
      const net::const_buffer out = copy.empty() ? write : net::const_buffer(copy.data(), copy.size());
      if (writing ? out.size() == 0 : read.size() == 0) {
        finish(self, {}, 0);
        return;
      }
      ERR_clear_error();
      std::size_t n = 0;
      const int r = writing ? SSL_write_ex(s->ssl_, out.data(), out.size(), &n)
                            : SSL_read_ex(s->ssl_, read.data(), read.size(), &n);
      if (r == 1) {
        finish(self, {}, n);
        return;
      }
      error_code fatal;
      const auto wait = s->wait_for(r, fatal);
      if (fatal) {
        finish(self, fatal, 0);
        return;
      }
      started = true;
      s->socket_.async_wait(wait, std::move(self));
    }

    // Completes now when already suspended once; from inside the initiating call, completes
    // through the executor instead (a composed operation must not call its handler inline).
    template <class Self>
    void finish(Self& self, error_code ec, std::size_t n) {
      if (started) {
        self.complete(ec, n);
        return;
      }
      done = true;
      result = ec;
      transferred = n;
      auto ex = s->get_executor();
      net::post(ex, std::move(self));
    }
  };

  net::ip::tcp::socket socket_;
  net::steady_timer timer_;
  SSL* ssl_;
  bool timed_out_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace easemu::server::detail
