#pragma once
// Load generation for `easemu bench`: many simulated devices on keep-alive TLS connections, held
// long-polls, and the bare Beast TLS server the figures are compared with. Asio lives only in
// src/load.cpp.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace easemu::client {

struct load_target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

struct load_stats {
  std::uint64_t requests = 0;  // answered
  std::uint64_t failures = 0;  // transport errors (connect, TLS, read, write)
  double seconds = 0;
  std::vector<std::uint32_t> latency_us;  // one per answered request
  std::map<int, std::uint64_t> statuses;  // HTTP status -> count

  double per_second() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
  // p in [0, 100]; 0 when nothing was measured.
  std::uint32_t percentile(double p) const;
};

// Keeps `connections` TLS connections busy for `duration`: connection c sends requests[c %
// requests.size()] (complete HTTP/1.1 requests, keep-alive) again and again, each after the
// previous answer. Runs its own I/O threads.
load_stats run_load(const load_target& target, const std::vector<std::string>& requests, unsigned connections,
                    std::chrono::milliseconds duration, unsigned threads);

// Opens one TLS connection per request (at most `opening` handshakes at a time) and sends it;
// calls while_held() once every request is written, then waits up to `timeout` for the answers.
// while_held returns the instant the answers are measured from (say, when it caused them):
// latency_us holds, per answered request, the time from then to its answer (0 if before).
load_stats hold_requests(const load_target& target, const std::vector<std::string>& requests, unsigned threads,
                         unsigned opening, std::chrono::milliseconds timeout,
                         const std::function<std::chrono::steady_clock::time_point()>& while_held);

// A bare Beast TLS keep-alive server on 127.0.0.1 (any free port) answering every request with
// 200 and the same body: the baseline the server's figures are compared with.
class baseline_server {
 public:
  baseline_server(const std::string& certificate_pem, const std::string& key_pem, std::string body,
                  std::string content_type, unsigned threads);
  ~baseline_server();
  baseline_server(const baseline_server&) = delete;
  baseline_server& operator=(const baseline_server&) = delete;
  std::uint16_t port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace easemu::client
