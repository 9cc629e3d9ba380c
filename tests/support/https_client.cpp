#include "support/https_client.hpp"

#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "easemu/common/base64.hpp"

namespace easemu::test {

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
  req.set(http::field::host, "127.0.0.1");
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
    tcp.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    if (!r.tls) return exchange(tcp, r);
    net::ssl::context ctx(net::ssl::context::tls_client);
    ctx.set_verify_mode(net::ssl::verify_none);  // trust is the certificates work's subject
    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), ctx);
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
