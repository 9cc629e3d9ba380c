#pragma once
// The HTTP(S) server: listeners, TLS, per-connection timeouts and limits, keep-alive, graceful
// shutdown. Beast and Asio live only in net.cpp.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "easemu/server/http.hpp"

namespace spdlog {
class logger;
}

namespace easemu::server {

struct server_limits {
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds header_timeout{30'000};  // first byte to end of headers
  std::chrono::milliseconds body_timeout{60'000};
  std::chrono::milliseconds write_timeout{60'000};
  std::chrono::milliseconds idle_timeout{120'000};  // keep-alive between requests
  // A handler that has not answered by then gets 500; long-polls answer well before (Ping's
  // heartbeat is at most 3540 s).
  std::chrono::milliseconds handler_timeout{3'600'000};
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64u << 20;
  std::size_t max_connections = 10'000;
  std::chrono::milliseconds shutdown_grace{5'000};
};

// PEM text of the certificate chain (leaf first) and its private key.
struct tls_material {
  std::string certificate_chain_pem;
  std::string private_key_pem;
  // "1.0" .. "1.3": the lowest TLS version accepted. 1.0 with the legacy cipher list lets
  // Windows Phone 7 and Windows Mobile 6.5 connect.
  std::string min_version = "1.0";
};

struct listen_endpoint {
  std::string host;    // "0.0.0.0", "127.0.0.1", "::"
  std::uint16_t port;  // 0 picks a free port
  bool tls;
};

class http_server {
 public:
  http_server(server_limits limits, handler_fn handler, std::shared_ptr<spdlog::logger> log);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // Replaces the TLS certificate for new connections (existing ones keep theirs). Throws
  // std::runtime_error when the material does not load.
  void set_tls(const tls_material& tls);

  // Binds and starts accepting; returns the bound port. Throws std::runtime_error naming the
  // address and the reason on failure.
  std::uint16_t listen(const listen_endpoint& endpoint);

  // Runs the I/O threads in the background.
  void start(unsigned threads);
  // Blocks until SIGINT or SIGTERM, then shuts down gracefully.
  void wait_for_signal();
  // Stops accepting, lets requests in flight finish within the grace period, then stops.
  void stop();
  // Called first when stopping: long-polls (Ping) answer now instead of running into the grace
  // period.
  void on_stopping(std::function<void()> hook);

  std::size_t open_connections() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace easemu::server
