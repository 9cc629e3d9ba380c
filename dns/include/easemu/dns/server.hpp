#pragma once
// The lab DNS responder's sockets: UDP and TCP (RFC 1035 4.2) on one address and port, one
// thread, poll(2). The answers come from message.hpp.
#include <cstdint>
#include <memory>
#include <string>

#include "easemu/dns/message.hpp"

namespace spdlog {
class logger;
}

namespace easemu::dns {

struct server_limits {
  limits message;
  std::size_t max_tcp_connections = 64;  // more wait in the kernel's backlog
  int tcp_idle_ms = 10'000;              // a TCP client silent for this long is closed (RFC 7766 6.2.3)
};

class server {
 public:
  server(zone zone, std::shared_ptr<spdlog::logger> log, server_limits limits = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds UDP and TCP on `host` (an IPv4 or IPv6 address) and `port`; port 0 picks a port free
  // for both. Returns the port. Throws std::runtime_error naming the address and the reason.
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  // Answers on a background thread until stop() or destruction.
  void start();
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace easemu::dns
