#pragma once
// Test-only DNS helpers: build a query, read a response (independently of the encoder under
// test, except for names, which use the tested decode_name), and exchange messages with a server
// on 127.0.0.1 over UDP and TCP with plain POSIX sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "easemu/dns/message.hpp"

namespace easemu::test::dns {

using bytes = std::vector<std::uint8_t>;

inline void put16(bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

inline void put_name(bytes& b, const std::string& dotted) {
  std::size_t start = 0;
  while (start < dotted.size()) {
    auto dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    b.push_back(static_cast<std::uint8_t>(dot - start));
    b.insert(b.end(), dotted.begin() + static_cast<std::ptrdiff_t>(start), dotted.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  b.push_back(0);
}

struct edns_opt {
  std::uint16_t udp_size = 4096;
  std::uint8_t version = 0;
};

inline bytes make_query(const std::string& name, std::uint16_t type, std::uint16_t id = 0x1234,
                        std::optional<edns_opt> edns = std::nullopt, std::uint16_t qclass = 1,
                        std::uint16_t flags = 0x0100 /* RD */) {
  bytes b;
  put16(b, id);
  put16(b, flags);
  put16(b, 1);
  put16(b, 0);
  put16(b, 0);
  put16(b, edns ? 1 : 0);
  put_name(b, name);
  put16(b, type);
  put16(b, qclass);
  if (edns) {
    b.push_back(0);
    put16(b, 41);
    put16(b, edns->udp_size);
    b.push_back(0);
    b.push_back(edns->version);
    put16(b, 0);
    put16(b, 0);
  }
  return b;
}

struct rr {
  std::string owner;  // presentation form, lower case
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  bytes rdata;
  std::size_t rdata_offset = 0;  // in the message (names in rdata may point back)
};

struct parsed {
  bool ok = false;
  std::string error;
  std::uint16_t id = 0;
  std::uint16_t flags = 0;
  std::uint16_t qdcount = 0;
  std::string qname_raw;  // as sent, original case
  std::uint16_t qtype = 0;
  std::vector<rr> answers, authority, additional;

  bool qr() const { return (flags & 0x8000) != 0; }
  bool aa() const { return (flags & 0x0400) != 0; }
  bool tc() const { return (flags & 0x0200) != 0; }
  bool rd() const { return (flags & 0x0100) != 0; }
  int rcode() const { return flags & 0xF; }
  const rr* opt() const {
    for (const auto& r : additional) {
      if (r.type == 41) return &r;
    }
    return nullptr;
  }
};

inline parsed parse(const bytes& m) {
  parsed p;
  auto u16 = [&](std::size_t at) { return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]); };
  if (m.size() < 12) {
    p.error = "short header";
    return p;
  }
  p.id = u16(0);
  p.flags = u16(2);
  p.qdcount = u16(4);
  const std::size_t counts[3] = {u16(6), u16(8), u16(10)};
  std::size_t pos = 12;
  const std::span<const std::uint8_t> view(m);
  for (std::size_t i = 0; i < p.qdcount; ++i) {
    auto n = ::easemu::dns::decode_name(view, pos);
    if (n.error || n.end + 4 > m.size()) {
      p.error = "bad question";
      return p;
    }
    for (std::size_t l = 0; l < n.value->size(); ++l) p.qname_raw += (l ? "." : "") + (*n.value)[l];
    p.qtype = u16(n.end);
    pos = n.end + 4;
  }
  std::vector<rr>* sections[3] = {&p.answers, &p.authority, &p.additional};
  for (int s = 0; s < 3; ++s) {
    for (std::size_t i = 0; i < counts[s]; ++i) {
      auto n = ::easemu::dns::decode_name(view, pos);
      if (n.error || n.end + 10 > m.size()) {
        p.error = "bad record";
        return p;
      }
      rr r;
      r.owner = easemu::dns::to_text(*n.value);
      r.type = u16(n.end);
      r.klass = u16(n.end + 2);
      r.ttl = (std::uint32_t{u16(n.end + 4)} << 16) | u16(n.end + 6);
      const std::size_t len = u16(n.end + 8);
      r.rdata_offset = n.end + 10;
      if (r.rdata_offset + len > m.size()) {
        p.error = "bad rdata";
        return p;
      }
      r.rdata.assign(m.begin() + static_cast<std::ptrdiff_t>(r.rdata_offset),
                     m.begin() + static_cast<std::ptrdiff_t>(r.rdata_offset + len));
      pos = r.rdata_offset + len;
      sections[s]->push_back(std::move(r));
    }
  }
  if (pos != m.size()) {
    p.error = "trailing bytes";
    return p;
  }
  p.ok = true;
  return p;
}

inline std::string address_text(const rr& r) {
  char text[INET6_ADDRSTRLEN] = "";
  if (r.rdata.size() == 4) inet_ntop(AF_INET, r.rdata.data(), text, sizeof text);
  if (r.rdata.size() == 16) inet_ntop(AF_INET6, r.rdata.data(), text, sizeof text);
  return text;
}

struct srv_fields {
  std::uint16_t priority = 0, weight = 0, port = 0;
  std::string target;
};
inline srv_fields srv_of(const bytes& message, const rr& r) {
  srv_fields s;
  if (r.rdata.size() < 7) return s;
  s.priority = static_cast<std::uint16_t>((r.rdata[0] << 8) | r.rdata[1]);
  s.weight = static_cast<std::uint16_t>((r.rdata[2] << 8) | r.rdata[3]);
  s.port = static_cast<std::uint16_t>((r.rdata[4] << 8) | r.rdata[5]);
  auto n = ::easemu::dns::decode_name(std::span<const std::uint8_t>(message), r.rdata_offset + 6);
  if (n.value) s.target = easemu::dns::to_text(*n.value);
  return s;
}

// ---- sockets, 127.0.0.1 only ----
inline sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

inline bool wait_readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

// One datagram out, one back (nullopt when nothing comes within the timeout).
inline std::optional<bytes> udp_exchange(std::uint16_t port, const bytes& query, int timeout_ms = 2000) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return std::nullopt;
  const auto to = loopback(port);
  ::sendto(fd, query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  std::optional<bytes> out;
  if (wait_readable(fd, timeout_ms)) {
    bytes buf(65536);
    const auto n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n >= 0) {
      buf.resize(static_cast<std::size_t>(n));
      out = std::move(buf);
    }
  }
  ::close(fd);
  return out;
}

// A TCP connection to 127.0.0.1:port.
class tcp_client {
 public:
  explicit tcp_client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const auto to = loopback(port);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~tcp_client() {
    if (fd_ >= 0) ::close(fd_);
  }
  tcp_client(const tcp_client&) = delete;
  tcp_client& operator=(const tcp_client&) = delete;
  bool connected() const { return fd_ >= 0; }

  void send_raw(const bytes& b) { ::send(fd_, b.data(), b.size(), MSG_NOSIGNAL); }
  // RFC 1035 4.2.2: the two-byte length, then the message.
  void send_message(const bytes& m) {
    bytes framed;
    put16(framed, static_cast<std::uint16_t>(m.size()));
    framed.insert(framed.end(), m.begin(), m.end());
    send_raw(framed);
  }
  void half_close() { ::shutdown(fd_, SHUT_WR); }

  // The next framed message; nullopt on close or timeout.
  std::optional<bytes> receive(int timeout_ms = 2000) {
    bytes len;
    if (!read_exact(len, 2, timeout_ms)) return std::nullopt;
    bytes m;
    if (!read_exact(m, static_cast<std::size_t>((len[0] << 8) | len[1]), timeout_ms)) return std::nullopt;
    return m;
  }
  // True when the server closed the connection (read returns 0) within the timeout.
  bool closed_by_server(int timeout_ms = 2000) {
    if (!wait_readable(fd_, timeout_ms)) return false;
    std::uint8_t b;
    return ::recv(fd_, &b, 1, 0) == 0;
  }

 private:
  bool read_exact(bytes& out, std::size_t n, int timeout_ms) {
    while (out.size() < n) {
      if (!wait_readable(fd_, timeout_ms)) return false;
      std::uint8_t buf[4096];
      const auto got = ::recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
      if (got <= 0) return false;
      out.insert(out.end(), buf, buf + got);
    }
    return true;
  }
  int fd_ = -1;
};

}  // namespace easemu::test::dns
