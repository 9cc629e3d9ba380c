#include "easemu/client/http_client.hpp"

#include <poll.h>
#include <strings.h>
#include <sys/socket.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <tuple>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "easemu/common/base64.hpp"

namespace easemu::client {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::string client_response::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (::strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return {};
}

namespace {

template <class Stream>
client_response exchange(Stream& stream, const client_request& r) {
  http::request<http::string_body> req{http::string_to_verb(r.method), r.target, 11};
  req.set(http::field::host, r.host);
  for (const auto& [k, v] : r.headers) req.set(k, v);
  if (!r.basic_user.empty()) {
    req.set(http::field::authorization,
            "Basic " + common::base64_encode(r.basic_user + ":" + r.basic_password));
  }
  req.body() = r.body;
  if (!r.body.empty() || r.method == "POST") req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);
  if (r.method == "HEAD") parser.skip(true);
  http::read(stream, buffer, parser);
  client_response out;
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& f : parser.get()) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = parser.get().body();
  return out;
}

// The blocking socket calls ignore the stream's expiry (Beast applies it to asynchronous
// operations only), so a watchdog thread shuts the socket down when the request's time is up: the
// blocked read then fails and send() reports "timed out". Long polls (Ping) rely on it.
class watchdog {
 public:
  explicit watchdog(std::chrono::milliseconds timeout)
      : thread_([this, timeout] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, timeout, [this] { return done_; })) {
            fired_ = true;
            if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
          }
        }) {}
  ~watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
      fd_ = -1;
    }
    cv_.notify_one();
    thread_.join();
  }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;
  // The socket to shut down; -1 before it is closed, so a reused descriptor is never touched.
  void arm(int fd) {
    std::lock_guard lock(mutex_);
    fd_ = fd;
    if (fired_ && fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }
  bool fired() {
    std::lock_guard lock(mutex_);
    return fired_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  int fd_ = -1;
  std::thread thread_;
};

struct disarm {
  watchdog& dog;
  ~disarm() { dog.arm(-1); }
};

}  // namespace

// TLS client contexts by trust store and version window, kept: a simulated phone's trust store
// is the system bundle (about 150 certificates), and parsing it for every request cost 50 ms.
static std::shared_ptr<net::ssl::context> client_context(const client_request& r) {
  static std::mutex mutex;
  static std::map<std::tuple<std::string, int, int>, std::shared_ptr<net::ssl::context>> contexts;
  const auto key = std::make_tuple(r.ca_pem, r.tls_min_version, r.tls_max_version);
  std::lock_guard lock(mutex);
  if (auto it = contexts.find(key); it != contexts.end()) return it->second;
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
  if (r.tls_min_version != 0) SSL_CTX_set_min_proto_version(ctx->native_handle(), r.tls_min_version);
  if (r.tls_max_version != 0) SSL_CTX_set_max_proto_version(ctx->native_handle(), r.tls_max_version);
  // OpenSSL 3 refuses TLS 1.0/1.1 above security level 0.
  if (r.tls_min_version != 0 && r.tls_min_version < TLS1_2_VERSION) {
    SSL_CTX_set_cipher_list(ctx->native_handle(), "DEFAULT@SECLEVEL=0");
  }
  if (r.ca_pem.empty()) {
    ctx->set_verify_mode(net::ssl::verify_none);
  } else {
    ctx->add_certificate_authority(net::buffer(r.ca_pem));
    ctx->set_verify_mode(net::ssl::verify_peer);
  }
  if (contexts.size() >= 16) contexts.clear();  // a handful per process in practice
  contexts.emplace(key, ctx);
  return ctx;
}

client_response send(std::uint16_t port, const client_request& r) {
  net::io_context ioc;
  std::string stage = "resolve";
  watchdog dog(r.timeout);
  try {
    beast::tcp_stream tcp(ioc);
    tcp.expires_after(r.timeout);
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(r.connect_address.empty() ? r.host : r.connect_address, std::to_string(port));
    stage = "connect";
    tcp.connect(endpoints);
    // The request's header and body go out as separate writes: without this, Nagle's algorithm
    // and the peer's delayed ACK hold the second one for 40 ms.
    tcp.socket().set_option(tcp::no_delay(true));
    dog.arm(tcp.socket().native_handle());
    const disarm tcp_guard{dog};
    stage = "http";
    if (!r.tls) return exchange(tcp, r);
    stage = "tls";
    const auto ctx_ptr = client_context(r);
    auto& ctx = *ctx_ptr;
    const std::string& name = r.verify_host.empty() ? r.host : r.verify_host;
    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), ctx);
    const disarm tls_guard{dog};  // before `tls` closes the socket
    SSL* ssl = tls.native_handle();
    if (!r.ca_pem.empty()) {
      // OpenSSL's own name check, so a mismatch shows as X509_V_ERR_HOSTNAME_MISMATCH /
      // X509_V_ERR_IP_ADDRESS_MISMATCH in the verify result.
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      beast::error_code ec;
      net::ip::make_address(name, ec);
      if (!ec) {
        X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
      }
    }
    SSL_set_tlsext_host_name(ssl, name.c_str());
    beast::error_code handshake_error;
    tls.handshake(net::ssl::stream_base::client, handshake_error);
    if (handshake_error) {
      client_response out;
      out.error = (dog.fired() ? "timed out: handshake: " : "handshake: ") + handshake_error.message();
      out.error_stage = stage;
      if (!r.ca_pem.empty()) out.verify_result = SSL_get_verify_result(ssl);
      return out;
    }
    stage = "http";
    auto res = exchange(tls, r);
    beast::error_code ec;
    tls.shutdown(ec);
    return res;
  } catch (const std::exception& e) {
    client_response out;
    out.error = dog.fired() ? std::string("timed out: ") + e.what() : std::string(e.what());
    out.error_stage = stage;
    return out;
  }
}

client_request request_below(const url_parts& base, const std::string& method, const std::string& path) {
  client_request r;
  r.method = method;
  r.tls = base.tls;
  r.host = base.host;
  r.target = (base.target == "/" ? std::string() : base.target) + path;
  r.ca_pem = base.ca_pem;
  r.connect_address = base.connect_address;
  return r;
}

bool parse_url(const std::string& url, url_parts& out) {
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    out.tls = false;
    rest = url.substr(7);
  } else {
    return false;
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return false;
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return false;
  if (port.empty()) {
    out.port = out.tls ? 443 : 80;
  } else {
    if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5) return false;
    const int p = std::stoi(port);
    if (p <= 0 || p > 65535) return false;
    out.port = static_cast<std::uint16_t>(p);
  }
  return true;
}

raw_result raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  net::io_context ioc;
  raw_result out;
  const auto start = std::chrono::steady_clock::now();
  beast::tcp_stream tcp(ioc);
  tcp.expires_after(timeout);
  beast::error_code ec;
  tcp.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return out;
  net::write(tcp.socket(), net::buffer(bytes), ec);
  char buf[4096];
  for (;;) {
    // Wait for bytes at most until the deadline, so a server that keeps the connection open (a
    // keep-alive answer) ends the exchange at `timeout`. SO_RCVTIMEO would not: Asio's blocking
    // read polls without a timeout.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timeout - (std::chrono::steady_clock::now() - start));
    pollfd ready{tcp.socket().native_handle(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&ready, 1, static_cast<int>(left.count())) <= 0) break;
    const auto n = tcp.socket().read_some(net::buffer(buf), ec);
    out.received.append(buf, n);
    if (ec) {
      out.closed_by_server = ec == net::error::eof || ec == net::error::connection_reset;
      break;
    }
    if (std::chrono::steady_clock::now() - start > timeout) break;
  }
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return out;
}

}  // namespace easemu::client
