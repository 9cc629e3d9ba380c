// The lab DNS responder's sockets: plain POSIX sockets and poll(2) on one thread (a lab gets a
// handful of queries a second; no Asio here keeps the build light). Every answer is decided by
// the pure dns::respond().
#include "easemu/dns/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <list>
#include <stdexcept>
#include <thread>
#include <vector>

namespace easemu::dns {

namespace {

using clock = std::chrono::steady_clock;

std::string peer_text(const sockaddr_storage& a) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (a.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a);
  inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
  return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port));
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

struct tcp_connection {
  int fd = -1;
  std::string peer;
  std::vector<std::uint8_t> in;
  std::vector<std::uint8_t> out;
  std::size_t sent = 0;
  bool close_after_write = false;
  clock::time_point deadline;
};

}  // namespace

struct server::impl {
  impl(dns::zone z, std::shared_ptr<spdlog::logger> l, server_limits lim)
      : zone(std::move(z)), log(std::move(l)), limits(lim) {}

  dns::zone zone;
  std::shared_ptr<spdlog::logger> log;
  server_limits limits;
  int udp = -1;
  int tcp = -1;
  int wake[2] = {-1, -1};
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::list<tcp_connection> connections;

  ~impl() {
    for (auto& c : connections) close_fd(c.fd);
    close_fd(udp);
    close_fd(tcp);
    close_fd(wake[0]);
    close_fd(wake[1]);
  }

  // Malformed messages: the first few of each interval are written, the rest counted and told
  // with the next one written; random datagrams on port 53 (a scanner, a misdirected tool) must
  // not flood the log.
  static constexpr std::size_t malformed_burst = 5;
  clock::time_point malformed_since{};
  std::size_t malformed_logged = 0;
  std::size_t malformed_quiet = 0;

  void note(const char* proto, const std::string& peer, const dns::outcome& o) {
    if (o.malformed) {
      const auto now = clock::now();
      if (now - malformed_since >= std::chrono::seconds(10)) {
        malformed_since = now;
        malformed_logged = 0;
      }
      if (malformed_logged >= malformed_burst) {
        ++malformed_quiet;
        return;
      }
      ++malformed_logged;
      if (malformed_quiet > 0) {
        log->warn("dns {} {}: {} ({} malformed message(s) before it not logged)", proto, peer, o.summary, malformed_quiet);
        malformed_quiet = 0;
      } else {
        log->warn("dns {} {}: {}", proto, peer, o.summary);
      }
    } else {
      log->info("dns {} {}: {}", proto, peer, o.summary);
    }
  }

  void on_udp() {
    std::vector<std::uint8_t> buf(limits.message.max_message + 1);  // one more: a larger datagram shows
    for (int i = 0; i < 64; ++i) {  // then let TCP have a turn
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      const auto n = ::recvfrom(udp, buf.data(), buf.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 0) return;  // EAGAIN: drained
      const auto size = std::min(static_cast<std::size_t>(n), buf.size());
      const auto o = dns::respond(std::span(buf.data(), size), zone, dns::transport::udp, limits.message);
      note("udp", peer_text(from), o);
      if (o.reply) {
        ::sendto(udp, o.reply->data(), o.reply->size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&from), from_len);
      }
    }
  }

  void on_accept() {
    while (connections.size() < limits.max_tcp_connections) {
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      const int fd = ::accept4(tcp, reinterpret_cast<sockaddr*>(&from), &from_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      tcp_connection c;
      c.fd = fd;
      c.peer = peer_text(from);
      c.deadline = clock::now() + std::chrono::milliseconds(limits.tcp_idle_ms);
      connections.push_back(std::move(c));
    }
  }

  // Reads what is there; answers every complete message. False: close the connection now.
  bool on_readable(tcp_connection& c) {
    const std::size_t cap = 2 + limits.message.max_message;
    bool eof = false;  // a client may half-close after its query and still read the answer
    while (c.in.size() < cap) {
      std::uint8_t buf[4096];
      const auto n = ::recv(c.fd, buf, std::min(sizeof buf, cap - c.in.size()), 0);
      if (n == 0) {
        eof = true;
        break;
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return false;
      }
      c.in.insert(c.in.end(), buf, buf + n);
    }
    c.deadline = clock::now() + std::chrono::milliseconds(limits.tcp_idle_ms);
    // RFC 1035 4.2.2: each message is prefixed by its length in two bytes.
    std::size_t used = 0;
    while (!c.close_after_write && c.in.size() - used >= 2) {
      const std::size_t len = (std::size_t{c.in[used]} << 8) | c.in[used + 1];
      if (len == 0 || len > limits.message.max_message) {
        log->warn("dns tcp {}: message of {} bytes (limit {}): closing the connection", c.peer, len,
                  limits.message.max_message);
        return false;
      }
      if (c.in.size() - used < 2 + len) break;
      const auto o = dns::respond(std::span(c.in.data() + used + 2, len), zone, dns::transport::tcp, limits.message);
      note("tcp", c.peer, o);
      used += 2 + len;
      if (!o.reply) {
        c.close_after_write = true;  // nothing to answer: the stream cannot go on in step
        break;
      }
      c.out.push_back(static_cast<std::uint8_t>(o.reply->size() >> 8));
      c.out.push_back(static_cast<std::uint8_t>(o.reply->size()));
      c.out.insert(c.out.end(), o.reply->begin(), o.reply->end());
    }
    c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(used));
    if (eof) c.close_after_write = true;
    return !(c.close_after_write && c.out.size() == c.sent);
  }

  // False: close the connection now.
  bool on_writable(tcp_connection& c) {
    while (c.sent < c.out.size()) {
      const auto n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
      c.sent += static_cast<std::size_t>(n);
    }
    c.out.clear();
    c.sent = 0;
    c.deadline = clock::now() + std::chrono::milliseconds(limits.tcp_idle_ms);
    return !c.close_after_write;
  }

  void run() {
    std::vector<pollfd> fds;
    while (!stopping.load()) {
      fds.clear();
      fds.push_back({wake[0], POLLIN, 0});
      fds.push_back({udp, POLLIN, 0});
      fds.push_back({connections.size() < limits.max_tcp_connections ? tcp : -1, POLLIN, 0});
      auto timeout = std::chrono::milliseconds(1000);
      const auto now = clock::now();
      for (const auto& c : connections) {
        // A client that does not read its answers gets no more until it does.
        fds.push_back({c.fd, static_cast<short>(c.out.empty() ? POLLIN : POLLOUT), 0});
        timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::max(c.deadline - now, clock::duration::zero())));
      }
      if (::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()) + 1) < 0) {
        if (errno == EINTR) continue;
        log->error("dns: poll: {}", std::strerror(errno));
        return;
      }
      if (fds[0].revents != 0) return;
      if (fds[1].revents != 0) on_udp();
      std::size_t i = 3;
      const auto later = clock::now();
      for (auto it = connections.begin(); it != connections.end(); ++i) {
        const auto revents = fds[i].revents;
        bool keep = true;
        if ((revents & POLLOUT) != 0) {
          keep = on_writable(*it);
        } else if ((revents & POLLIN) != 0) {
          keep = on_readable(*it);
          if (keep && !it->out.empty()) keep = on_writable(*it);
        } else if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
          keep = false;
        } else if (later >= it->deadline) {
          log->debug("dns tcp {}: idle for {} ms: closing", it->peer, limits.tcp_idle_ms);
          keep = false;
        }
        if (keep) {
          ++it;
        } else {
          close_fd(it->fd);
          it = connections.erase(it);
        }
      }
      if (fds[2].revents != 0) on_accept();  // after the loop above: fds[3..] match `connections`
    }
  }
};

server::server(dns::zone zone, std::shared_ptr<spdlog::logger> log, server_limits limits)
    : impl_(std::make_unique<impl>(std::move(zone), std::move(log), limits)) {}

server::~server() { stop(); }

std::uint16_t server::listen(const std::string& host, std::uint16_t port) {
  auto& i = *impl_;
  if (i.udp >= 0) throw std::runtime_error("the DNS responder listens on one address");
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  auto* in = reinterpret_cast<sockaddr_in*>(&addr);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    addr_len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    addr_len = sizeof(sockaddr_in6);
  } else {
    throw std::runtime_error("DNS listen address '" + host + "' is not an IPv4 or IPv6 address");
  }
  const auto where = [&](const char* proto, std::uint16_t p) {
    return "DNS " + std::string(proto) + " " + (addr.ss_family == AF_INET6 ? "[" + host + "]" : host) + ":" +
           std::to_string(p);
  };
  const auto failure = [&](const std::string& what) {
    const int e = errno;
    std::string text = what + ": " + std::strerror(e);
    if (e == EACCES) text += " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
    return std::runtime_error(text);
  };
  const auto open = [&](int type, std::uint16_t p, const char* proto) {
    const int fd = ::socket(addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw failure(where(proto, p));
    const int on = 1;
    const int off = 0;
    if (type == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (addr.ss_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);  // "::" serves IPv4 too
    if (addr.ss_family == AF_INET) {
      in->sin_port = htons(p);
    } else {
      in6->sin6_port = htons(p);
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
      auto error = failure(where(proto, p));
      ::close(fd);
      throw error;
    }
    return fd;
  };
  // Port 0: the port the kernel gives UDP, then the same for TCP; taken for TCP, try again.
  for (int attempt = 0;; ++attempt) {
    int udp = open(SOCK_DGRAM, port, "udp");
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof bound;
    ::getsockname(udp, reinterpret_cast<sockaddr*>(&bound), &bound_len);
    const std::uint16_t actual = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                                                  : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
    try {
      int tcp = open(SOCK_STREAM, actual, "tcp");
      if (::listen(tcp, 128) != 0) {
        auto error = failure(where("tcp", actual));
        ::close(tcp);
        throw error;
      }
      i.udp = udp;
      i.tcp = tcp;
      return actual;
    } catch (const std::runtime_error&) {
      ::close(udp);
      if (port != 0 || attempt >= 20) throw;
    }
  }
}

void server::start() {
  auto& i = *impl_;
  if (i.udp < 0) throw std::runtime_error("the DNS responder has no listener");
  if (::pipe2(i.wake, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("DNS: pipe: " + std::string(std::strerror(errno)));
  i.thread = std::thread([&i] { i.run(); });
}

void server::stop() {
  auto& i = *impl_;
  if (i.stopping.exchange(true)) return;
  if (i.wake[1] >= 0) {
    const char byte = 0;
    [[maybe_unused]] const auto n = ::write(i.wake[1], &byte, 1);
  }
  if (i.thread.joinable()) i.thread.join();
}

}  // namespace easemu::dns
