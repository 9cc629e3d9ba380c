#include "easemu/simulator/http_client.hpp"

#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "easemu/common/base64.hpp"

namespace easemu::simulator {

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

}  // namespace

client_response send(std::uint16_t port, const client_request& r) {
  net::io_context ioc;
  try {
    beast::tcp_stream tcp(ioc);
    tcp.expires_after(r.timeout);
    tcp::resolver resolver(ioc);
    tcp.connect(resolver.resolve(r.host, std::to_string(port)));
    if (!r.tls) return exchange(tcp, r);
    net::ssl::context ctx(net::ssl::context::tls_client);
    if (r.ca_pem.empty()) {
      ctx.set_verify_mode(net::ssl::verify_none);
    } else {
      ctx.add_certificate_authority(net::buffer(r.ca_pem));
      ctx.set_verify_mode(net::ssl::verify_peer);
      ctx.set_verify_callback(net::ssl::host_name_verification(r.verify_host.empty() ? r.host : r.verify_host));
    }
    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), ctx);
    SSL_set_tlsext_host_name(tls.native_handle(), (r.verify_host.empty() ? r.host : r.verify_host).c_str());
    tls.handshake(net::ssl::stream_base::client);
    auto res = exchange(tls, r);
    beast::error_code ec;
    tls.shutdown(ec);
    return res;
  } catch (const std::exception& e) {
    client_response out;
    out.error = e.what();
    return out;
  }
}

client_request request_below(const url_parts& base, const std::string& method, const std::string& path) {
  client_request r;
  r.method = method;
  r.tls = base.tls;
  r.host = base.host;
  r.target = (base.target == "/" ? std::string() : base.target) + path;
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
  // Blocking reads with a receive timeout, so a server that never closes ends the test anyway.
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout.count() / 1000);
  tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
  ::setsockopt(tcp.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  net::write(tcp.socket(), net::buffer(bytes), ec);
  char buf[4096];
  for (;;) {
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

}  // namespace easemu::test
