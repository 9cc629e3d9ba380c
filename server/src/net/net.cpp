// The only translation unit that includes Beast and Asio (build time on 2 cores): listeners,
// TLS, sessions as C++20 coroutines, timeouts, limits, graceful shutdown.
#include "easemu/server/net.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "easemu/common/escape.hpp"
#include "easemu/server/event_stream.hpp"
#include "tls_socket.hpp"

namespace easemu::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
constexpr auto use_tuple = net::experimental::as_tuple(net::use_awaitable);

namespace {

int tls_version_constant(const std::string& v) {
  if (v == "1.0") return TLS1_VERSION;
  if (v == "1.1") return TLS1_1_VERSION;
  if (v == "1.2") return TLS1_2_VERSION;
  if (v == "1.3") return TLS1_3_VERSION;
  throw std::runtime_error("TLS minimum version must be 1.0, 1.1, 1.2 or 1.3, not " + v);
}

std::shared_ptr<net::ssl::context> make_tls_context(const tls_material& m) {
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::single_dh_use);
  SSL_CTX* native = ctx->native_handle();
  const int min = tls_version_constant(m.min_version);
  SSL_CTX_set_min_proto_version(native, min);
  if (min < TLS1_2_VERSION) {
    // OpenSSL 3 refuses TLS 1.0/1.1 and their SHA-1 cipher suites at security level 1 and up;
    // the phones this lab must accept (Windows Phone 7, Windows Mobile 6.5) speak nothing else.
    SSL_CTX_set_security_level(native, 0);
    SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0");
  }
  // Idle connections (thousands of held Pings) give their read/write buffers back.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  boost::system::error_code ec;
  ctx->use_certificate_chain(net::buffer(m.certificate_chain_pem), ec);
  if (ec) throw std::runtime_error("TLS certificate chain does not load: " + ec.message());
  ctx->use_private_key(net::buffer(m.private_key_pem), net::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("TLS private key does not load: " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("TLS private key does not match the certificate");
  }
  return ctx;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

http_response plain_error(int status, std::string_view text) {
  auto r = http_response::text(status, std::string(text) + "\n");
  r.close = true;
  return r;
}

}  // namespace

struct http_server::impl : std::enable_shared_from_this<impl> {
  impl(server_limits l, handler_fn h, std::shared_ptr<spdlog::logger> lg)
      : limits(std::move(l)), handler(std::move(h)), log(std::move(lg)) {}

  // A connection's state visible to shutdown: idle connections are closed at once.
  struct connection : std::enable_shared_from_this<connection> {
    explicit connection(net::any_io_executor e) : strand(std::move(e)) {}
    net::any_io_executor strand;
    std::function<void()> cancel;  // set and called on `strand` only
    std::atomic<bool> in_request{false};
    std::atomic<bool> streaming{false};  // an event stream: ends at once when the server stops
    // Until its first request's headers are in (TLS handshake included): what a lost or idle
    // client looks like; at the connection limit the oldest of these make room (issue 23).
    std::atomic<bool> fresh{true};
    std::atomic<bool> evicted{false};
  };
  // Clears a connection's cancel hook before the stream it refers to goes away.
  struct cancel_hook {
    connection& c;
    ~cancel_hook() { c.cancel = nullptr; }
  };

  server_limits limits;
  handler_fn handler;
  std::function<void()> stopping_hook;
  std::shared_ptr<spdlog::logger> log;
  net::io_context ioc;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
  std::vector<std::thread> threads;

  std::mutex tls_mutex;
  std::shared_ptr<net::ssl::context> tls;

  std::mutex connections_mutex;
  std::list<std::shared_ptr<connection>> connections;
  std::atomic<std::size_t> open{0};
  std::atomic<std::uint64_t> next_connection{0};
  std::atomic<std::uint64_t> next_request{0};
  std::atomic<bool> stopping{false};

  std::shared_ptr<net::ssl::context> current_tls() {
    std::lock_guard lock(tls_mutex);
    return tls;
  }

  // Closes the oldest connection that has not sent a whole request head yet; false when there
  // is none (every connection is working).
  bool evict_oldest_fresh() {
    std::shared_ptr<connection> victim;
    {
      std::lock_guard lock(connections_mutex);
      for (const auto& c : connections) {
        if (c->fresh && !c->evicted) {
          victim = c;
          break;
        }
      }
    }
    if (!victim) return false;
    victim->evicted = true;
    net::post(victim->strand, [victim] {
      if (victim->cancel) victim->cancel();
    });
    return true;
  }

  // A warning that repeats under load (out of descriptors, at the connection limit) is written
  // once per interval, with how often it happened meanwhile.
  struct rate_limited_warning {
    std::mutex mutex;
    std::chrono::steady_clock::time_point last{};
    std::size_t suppressed = 0;

    // The count of occurrences to report (this one included), or 0 to stay quiet.
    std::size_t due(std::chrono::seconds interval = std::chrono::seconds(10)) {
      std::lock_guard lock(mutex);
      const auto now = std::chrono::steady_clock::now();
      if (last != std::chrono::steady_clock::time_point{} && now - last < interval) {
        ++suppressed;
        return 0;
      }
      last = now;
      const auto n = suppressed + 1;
      suppressed = 0;
      return n;
    }
  };
  rate_limited_warning accept_warning;
  rate_limited_warning limit_warning;

  awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor, bool secure) {
    auto self = shared_from_this();
    net::steady_timer backoff_timer(ioc);
    auto backoff = std::chrono::milliseconds(0);
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(net::make_strand(ioc), use_tuple);
      if (ec) {
        if (ec == net::error::operation_aborted || stopping) co_return;
        // Out of descriptors (EMFILE, ENFILE) or kernel memory: the pending connection stays
        // queued and accepting again at once fails again. Make room by closing an idle
        // newcomer, wait a little (up to 1 s), and say so once per interval, not per attempt.
        const bool exhausted = ec == net::error::no_descriptors || ec.value() == ENFILE ||
                               ec == net::error::no_buffer_space || ec == net::error::no_memory;
        const bool evicted = exhausted && evict_oldest_fresh();
        if (const auto n = accept_warning.due()) {
          log->warn("accept failed: {} ({} time(s) in the last interval){}", ec.message(), n,
                    evicted ? "; closing the oldest connection that has not sent a request" : "");
        }
        backoff = std::min(std::chrono::milliseconds(1000), std::max(std::chrono::milliseconds(10), backoff * 2));
        backoff_timer.expires_after(backoff);
        co_await backoff_timer.async_wait(use_tuple);
        continue;
      }
      backoff = std::chrono::milliseconds(0);
      if (open.load() >= limits.max_connections) {
        // Prefer connections that work: the oldest one that has not sent a request yet (an
        // idle socket, a stalled handshake) makes room; only when every connection is busy is
        // the newcomer refused (plain HTTP hears 503 with Retry-After first).
        const bool room = evict_oldest_fresh();
        if (const auto n = limit_warning.due()) {
          log->warn("connection limit {} reached ({} time(s) in the last interval): {}", limits.max_connections, n,
                    room ? "closing the oldest connection that has not sent a request"
                         : "every connection is busy; refusing new ones");
        }
        if (!room) {
          boost::system::error_code ignored;
          if (!secure) {
            static constexpr std::string_view busy =
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            socket.non_blocking(true, ignored);
            socket.send(net::buffer(busy.data(), busy.size()), 0, ignored);
          }
          socket.close(ignored);
          continue;
        }
      }
      ++open;
      boost::system::error_code nodelay_ec;
      socket.set_option(tcp::no_delay(true), nodelay_ec);  // answers leave at once, however they are split
      auto ex = socket.get_executor();
      net::co_spawn(ex, run_connection(std::move(socket), secure),
                    [self](std::exception_ptr e) {
                      --self->open;
                      if (e) {
                        try {
                          std::rethrow_exception(e);
                        } catch (const std::exception& ex) {
                          self->log->error("connection ended by an exception: {}", ex.what());
                        }
                      }
                    });
    }
  }

  awaitable<void> run_connection(tcp::socket socket, bool secure) {
    auto self = shared_from_this();
    const std::uint64_t id = ++next_connection;
    boost::system::error_code ec;
    const auto remote_ep = socket.remote_endpoint(ec);
    const std::string remote = ec ? std::string("?") : remote_ep.address().to_string();

    auto conn = std::make_shared<connection>(socket.get_executor());
    std::list<std::shared_ptr<connection>>::iterator registered;
    {
      std::lock_guard lock(connections_mutex);
      registered = connections.insert(connections.end(), conn);
    }
    struct unregister {
      impl* owner;
      std::list<std::shared_ptr<connection>>::iterator it;
      ~unregister() {
        std::lock_guard lock(owner->connections_mutex);
        owner->connections.erase(it);
      }
    } guard{this, registered};

    if (!secure) {
      beast::tcp_stream tcp_stream(std::move(socket));
      conn->cancel = [&tcp_stream] { tcp_stream.socket().close(); };
      cancel_hook hook{*conn};
      co_await serve(tcp_stream, *conn, id, remote, false);
      tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      co_return;
    }
    auto ctx = current_tls();
    if (!ctx) co_return;
    detail::tls_socket stream(std::move(socket), ctx->native_handle());
    conn->cancel = [&stream] {
      boost::system::error_code ignored;
      stream.socket().close(ignored);
    };
    cancel_hook hook{*conn};
    stream.expires_after(limits.handshake_timeout);
    if (auto hs_ec = co_await stream.handshake()) {
      log->debug("conn={} {} TLS handshake failed: {}", id, remote, hs_ec.message());
      co_return;
    }
    co_await serve(stream, *conn, id, remote, true);
    stream.expires_after(std::chrono::seconds(2));
    co_await stream.shutdown();
  }

  template <class Stream>
  awaitable<void> serve(Stream& stream, connection& conn, std::uint64_t conn_id,
                        const std::string& remote, bool secure) {
    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
      if (stopping) co_return;
      std::optional<http::request_parser<http::string_body>> parser_storage(std::in_place);
      auto& parser = *parser_storage;
      parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
      parser.body_limit(limits.max_body_bytes);
      boost::system::error_code ec;
      if (!first && buffer.size() == 0) {
        // Between keep-alive requests the connection may idle; once a request's first byte is
        // in, its headers get the same --request-timeout as a connection's first request.
        beast::get_lowest_layer(stream).expires_after(limits.idle_timeout);
        auto [iec, in] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
        buffer.commit(in);
        ec = iec;
      }
      first = false;
      if (!ec) {
        beast::get_lowest_layer(stream).expires_after(limits.header_timeout);
        auto [hec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        ec = hec;
      }
      if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
          ec == net::ssl::error::stream_truncated || ec == net::error::connection_reset ||
          ec == net::error::eof || ec == net::error::bad_descriptor) {
        co_return;
      }
      const auto started = std::chrono::steady_clock::now();
      if (ec == beast::error::timeout) {
        log->debug("conn={} {} timed out waiting for a request", conn_id, remote);
        co_return;
      }
      if (ec == http::error::body_limit) {
        co_await write(stream, plain_error(413, "request body too large"), conn_id, remote, "-", "-", started, 11);
        co_return;
      }
      if (ec == http::error::header_limit) {
        co_await write(stream, plain_error(431, "request header fields too large"), conn_id, remote, "-", "-", started, 11);
        co_return;
      }
      if (ec) {
        log->info("conn={} {} bad request: {}", conn_id, remote, ec.message());
        co_await write(stream, plain_error(400, "bad request"), conn_id, remote, "-", "-", started, 11);
        co_return;
      }
      conn.in_request = true;
      conn.fresh = false;
      auto& req = parser.get();
      if (const auto te = req[http::field::transfer_encoding]; !te.empty() && !beast::iequals(trim(te), "chunked")) {
        // RFC 9112 6.1: a transfer coding the server does not understand is 501 (Not
        // Implemented); reading the body as plain bytes would misframe the connection.
        log->info("conn={} {} unsupported Transfer-Encoding '{}'", conn_id, remote, common::escape_controls(te));
        co_await write(stream, plain_error(501, "transfer coding not supported"), conn_id, remote,
                       std::string(req.method_string()), loggable_target(req.target()), started, req.version());
        co_return;
      }
      if (beast::iequals(req[http::field::expect], "100-continue") && !parser.is_done()) {
        http::response<http::empty_body> cont{http::status::continue_, req.version()};
        beast::get_lowest_layer(stream).expires_after(limits.write_timeout);
        auto [wec, wn] = co_await http::async_write(stream, cont, use_tuple);
        if (wec) co_return;
      }
      if (!parser.is_done()) {
        beast::get_lowest_layer(stream).expires_after(limits.body_timeout);
        auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (bec == http::error::body_limit) {
          co_await write(stream, plain_error(413, "request body too large"), conn_id, remote,
                         std::string(req.method_string()), loggable_target(req.target()), started, req.version());
          co_return;
        }
        if (bec == http::error::bad_chunk || bec == http::error::bad_chunk_extension ||
            bec == http::error::bad_line_ending) {
          // A malformed chunk (size, extension, missing CRLF): the client hears why (400).
          log->info("conn={} {} bad request body: {}", conn_id, remote, bec.message());
          co_await write(stream, plain_error(400, "bad request body"), conn_id, remote,
                         std::string(req.method_string()), loggable_target(req.target()), started, req.version());
          co_return;
        }
        if (bec) {
          log->debug("conn={} {} request body not read: {}", conn_id, remote, bec.message());
          co_return;
        }
      }

      http_request r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& f : req) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      r.body = std::move(req.body());
      r.secure = secure;
      r.remote_address = remote;
      r.connection_id = conn_id;
      r.request_id = ++next_request;
      const bool keep_alive = req.keep_alive();
      const unsigned version = req.version();
      const std::string method = r.method;
      const std::string target = loggable_target(r.target);
      // A held Ping waits here for minutes: keep no parser or read buffer meanwhile.
      parser_storage.reset();
      if (buffer.size() == 0) buffer.shrink_to_fit();

      http_response response = co_await call_handler(std::move(r));
      if (response.stream && !response.drop) {
        co_await write_stream(stream, conn, std::move(response), conn_id, remote, method, target, started, version);
        co_return;
      }
      if (!keep_alive || stopping) response.close = true;
      const bool close = response.close;
      const bool ok = co_await write(stream, std::move(response), conn_id, remote, method, target, started, version);
      conn.in_request = false;
      if (!ok || close) co_return;
    }
  }

  // Calls the handler and waits (on this connection's strand) until it responds.
  awaitable<http_response> call_handler(http_request&& r) {
    struct pending {
      explicit pending(net::any_io_executor ex) : timer(ex) {}
      net::steady_timer timer;
      std::optional<http_response> response;
      std::atomic<bool> answered{false};
    };
    auto ex = co_await net::this_coro::executor;
    auto p = std::make_shared<pending>(ex);
    const auto request_id = r.request_id;
    try {
      handler(std::move(r), [p](http_response resp) {
        if (p->answered.exchange(true)) return;  // exactly once
        net::post(p->timer.get_executor(), [p, resp = std::move(resp)]() mutable {
          p->response = std::move(resp);
          p->timer.cancel();
        });
      });
    } catch (const std::exception& e) {
      log->error("request={} handler threw: {}", request_id, e.what());
      co_return plain_error(500, "internal server error");
    }
    if (!p->response) {
      p->timer.expires_after(limits.handler_timeout);
      co_await p->timer.async_wait(use_tuple);
    }
    if (!p->response) {
      log->error("request={} handler did not answer within {} ms", request_id, limits.handler_timeout.count());
      co_return plain_error(500, "internal server error");
    }
    co_return std::move(*p->response);
  }

  template <class Stream>
  awaitable<bool> write(Stream& stream, http_response r, std::uint64_t conn_id,
                        const std::string& remote, const std::string& method,
                        const std::string& target,
                        std::chrono::steady_clock::time_point started, unsigned version) {
    if (r.drop) {
      // Fault injection: no answer at all; returning false closes the connection.
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
      log->info("conn={} {} \"{} {}\" dropped{} 0B {}ms", conn_id, remote, method, target,
                r.log_context.empty() ? std::string() : " " + r.log_context, ms);
      co_return false;
    }
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    // Beast knows no reason phrase for 449 ("<unknown-status>"); this is Exchange's, as listed in
    // its "Exchange ActiveSync Errors and Events" table of HTTP response codes.
    if (r.status == 449) res.reason("Retry after sending a PROVISION command");
    res.set(http::field::server, "easemu");
    for (auto& [k, v] : r.headers) res.set(k, v);
    const std::size_t bytes = method == "HEAD" ? 0 : r.body.size();
    const std::string context = r.log_context.empty() ? std::string() : " " + r.log_context;
    res.body() = std::move(r.body);
    res.keep_alive(!r.close);
    res.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(limits.write_timeout);
    boost::system::error_code ec;
    if (method == "HEAD") {
      // RFC 9110 9.3.2: the headers a GET would get (Content-Length included), no body.
      http::response_serializer<http::string_body> sr{res};
      auto [hec, hn] = co_await http::async_write_header(stream, sr, use_tuple);
      ec = hec;
    } else {
      auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
      ec = wec;
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    // One access line per request. The target carries no secrets (EAS passwords travel only
    // in the Authorization header, which is never logged; event tickets are blanked by
    // loggable_target).
    log->info("conn={} {} \"{} {}\" {}{} {}B {}ms{}", conn_id, remote, method, target, r.status, context,
              bytes, ms, ec ? " (write failed: " + ec.message() + ")" : std::string());
    co_return !ec;
  }

  // A streaming response (server-sent events): the headers without a length, then each chunk of
  // the stream as it arrives. The request timeouts do not apply while waiting for chunks; every
  // write has the write timeout, and a client that stops reading is dropped by the stream's
  // bounded backlog. The connection closes when this returns.
  template <class Stream>
  awaitable<void> write_stream(Stream& stream, connection& conn, http_response r, std::uint64_t conn_id,
                               const std::string& remote, const std::string& method, const std::string& target,
                               std::chrono::steady_clock::time_point started, unsigned version) {
    const auto events = std::move(r.stream);
    http::response<http::empty_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "easemu");
    for (auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(false);  // the body ends with the connection
    const std::string context = r.log_context.empty() ? std::string() : " " + r.log_context;
    beast::get_lowest_layer(stream).expires_after(limits.write_timeout);
    http::response_serializer<http::empty_body> sr{res};
    auto [hec, hn] = co_await http::async_write_header(stream, sr, use_tuple);
    if (hec) {
      events->abort();
      log->info("conn={} {} \"{} {}\" {}{} event stream not started: {}", conn_id, remote, method, target, r.status,
                context, hec.message());
      co_return;
    }
    log->info("conn={} {} \"{} {}\" {}{} event stream started", conn_id, remote, method, target, r.status, context);

    // Woken (on this strand) by a push, a close or an abort; an abort also ends a write in
    // progress (the client does not read).
    auto timer = std::make_shared<net::steady_timer>(co_await net::this_coro::executor);
    std::weak_ptr<connection> weak_conn = conn.shared_from_this();
    std::weak_ptr<event_stream> weak_events = events;
    auto wake = [timer, weak_conn, weak_events] {
      net::post(timer->get_executor(), [timer, weak_conn, weak_events] {
        timer->cancel();
        const auto c = weak_conn.lock();
        const auto e = weak_events.lock();
        if (c && e && e->aborted() && c->cancel) c->cancel();
      });
    };
    // A stream client sends nothing after its request: the socket turning readable means it closed
    // the connection (or broke the protocol), so its slot frees at once, not at the next write.
    auto peer_done = std::make_shared<std::atomic<bool>>(false);
    beast::get_lowest_layer(stream).socket().async_wait(
        tcp::socket::wait_read, [timer, peer_done](const boost::system::error_code& ec) {
          if (ec) return;
          *peer_done = true;
          timer->cancel();
        });
    auto close_socket = conn.cancel;
    conn.cancel = [events, close_socket] {
      events->abort();
      if (close_socket) close_socket();
    };
    conn.streaming = true;

    const auto idle = events->settings().idle_interval;
    std::size_t bytes = 0;
    const char* end = "ended";
    for (;;) {
      if (stopping) {
        end = "ended (server stopping)";
        break;
      }
      if (*peer_done) {
        end = "ended (the client went away)";
        break;
      }
      std::string data = events->take(wake);
      if (events->aborted()) {
        end = "dropped";
        break;
      }
      if (data.empty()) {
        if (events->closed()) break;
        timer->expires_after(idle.count() > 0 ? std::chrono::steady_clock::duration(idle) : std::chrono::hours(1));
        auto [tec] = co_await timer->async_wait(use_tuple);
        if (tec || idle.count() == 0 || events->settings().idle_chunk.empty()) continue;  // woken, or nothing to say
        data = events->settings().idle_chunk;
      }
      beast::get_lowest_layer(stream).expires_after(limits.write_timeout);
      auto [wec, wn] = co_await net::async_write(stream, net::buffer(data), use_tuple);
      bytes += wn;
      if (wec) {
        end = events->aborted() ? "dropped (the client did not read)" : "ended (the client went away)";
        break;
      }
    }
    conn.cancel = close_socket;
    boost::system::error_code ignored;
    beast::get_lowest_layer(stream).socket().cancel(ignored);  // the readability wait
    (void)events->take({});  // no wake-up any more: nothing must touch this connection now
    events->abort();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    log->info("conn={} {} \"{} {}\" event stream {}: {}B {}ms", conn_id, remote, method, target, end, bytes, ms);
  }
};

namespace {

// Descriptors kept aside for everything that is not a client connection: the listeners, the
// database and its WAL, the log, the DNS responder, certificates read at run time.
constexpr std::size_t reserved_descriptors = 64;

// Raises the soft RLIMIT_NOFILE to the hard limit and lowers the connection limit to what the
// process can hold, saying so: a limit above the descriptors ends in EMFILE instead of a refusal.
server_limits fit_descriptor_limit(server_limits limits, spdlog::logger& log) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return limits;
  if (rl.rlim_cur != rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      log.info("open file limit raised from {} to {}", rl.rlim_cur, rl.rlim_max);
      rl = raised;
    }
  }
  if (rl.rlim_cur == RLIM_INFINITY) return limits;
  const auto fds = static_cast<std::size_t>(rl.rlim_cur);
  const std::size_t capacity = fds > 2 * reserved_descriptors ? fds - reserved_descriptors : fds / 2;
  if (limits.max_connections > capacity) {
    log.warn("--max-connections {} lowered to {}: the process may hold {} open files (ulimit -n)",
             limits.max_connections, capacity, fds);
    limits.max_connections = capacity;
  }
  return limits;
}

}  // namespace

http_server::http_server(server_limits limits, handler_fn handler, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_shared<impl>(fit_descriptor_limit(std::move(limits), *log), std::move(handler), log)) {}

http_server::~http_server() {
  if (!impl_->threads.empty()) stop();
}

void http_server::set_tls(const tls_material& tls) {
  auto ctx = make_tls_context(tls);
  std::lock_guard lock(impl_->tls_mutex);
  impl_->tls = std::move(ctx);
}

std::uint16_t http_server::listen(const listen_endpoint& endpoint) {
  if (endpoint.tls && !impl_->current_tls()) throw std::runtime_error("TLS listener without a certificate");
  boost::system::error_code ec;
  auto address = net::ip::make_address(endpoint.host, ec);
  if (ec) throw std::runtime_error("'" + endpoint.host + "' is not an IP address to listen on");
  auto acceptor = std::make_shared<tcp::acceptor>(impl_->ioc);
  tcp::endpoint ep(address, endpoint.port);
  const auto where = endpoint.host + ":" + std::to_string(endpoint.port);
  if (acceptor->open(ep.protocol(), ec) || acceptor->set_option(net::socket_base::reuse_address(true), ec) ||
      (address.is_v6() && acceptor->set_option(net::ip::v6_only(false), ec)) || acceptor->bind(ep, ec) ||
      acceptor->listen(net::socket_base::max_listen_connections, ec)) {
    throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  }
  const auto port = acceptor->local_endpoint().port();
  impl_->acceptors.push_back(acceptor);
  net::co_spawn(impl_->ioc, impl_->accept_loop(acceptor, endpoint.tls), net::detached);
  return port;
}

void http_server::start(unsigned threads) {
  for (unsigned i = 0; i < std::max(1u, threads); ++i) {
    impl_->threads.emplace_back([i = impl_] { i->ioc.run(); });
  }
}

void http_server::wait_for_signal() {
  std::promise<int> got;
  net::signal_set signals(impl_->ioc, SIGINT, SIGTERM);
  signals.async_wait([&got](const boost::system::error_code& ec, int sig) { got.set_value(ec ? 0 : sig); });
  const int sig = got.get_future().get();
  impl_->log->info("signal {} received; shutting down", sig);
  stop();
}

void http_server::on_stopping(std::function<void()> hook) { impl_->stopping_hook = std::move(hook); }

void http_server::stop() {
  auto& i = *impl_;
  if (!i.stopping.load() && i.stopping_hook) i.stopping_hook();
  if (i.stopping.exchange(true)) {
    for (auto& t : i.threads) {
      if (t.joinable()) t.join();
    }
    return;
  }
  net::post(i.ioc, [&i] {
    for (auto& a : i.acceptors) {
      boost::system::error_code ec;
      a->close(ec);
    }
  });
  // Idle keep-alive connections close now; requests in flight get the grace period.
  {
    std::lock_guard lock(i.connections_mutex);
    for (auto& c : i.connections) {
      if (!c->in_request || c->streaming) {
        net::post(c->strand, [c] {
          if (c->cancel) c->cancel();
        });
      }
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + i.limits.shutdown_grace;
  while (i.open.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (i.open.load() > 0) i.log->warn("{} connection(s) still open after the grace period", i.open.load());
  i.ioc.stop();
  for (auto& t : i.threads) {
    if (t.joinable()) t.join();
  }
}

std::size_t http_server::open_connections() const { return impl_->open.load(); }

}  // namespace easemu::server
