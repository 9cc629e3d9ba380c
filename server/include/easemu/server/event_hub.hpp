#pragma once
// The live feed of the dashboard (GET /api/v1/events, server-sent events): subscribers each get an
// event_stream; publishing formats an event once and queues it on every open stream. publish is
// cheap when nobody listens (one atomic load): callers check listening() before building an
// event. The one-shot tickets stand in for the admin token, which EventSource cannot send as a
// header and which must not travel in a URL.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/server/event_stream.hpp"

namespace easemu::server {

class event_hub {
 public:
  struct limits {
    std::size_t max_streams = 32;
    std::size_t max_backlog = 1u << 20;               // per stream (event_stream::options)
    std::chrono::milliseconds keep_alive{15'000};     // ": keep-alive" after this long without events
    std::int64_t ticket_lifetime_ms = 30'000;
    std::size_t max_tickets = 256;                    // unredeemed tickets kept; the oldest go first
    int retry_ms = 3000;                              // the client's reconnection delay ("retry:")
  };

  event_hub() : event_hub(limits{}) {}
  explicit event_hub(limits l) : limits_(l) {}
  event_hub(const event_hub&) = delete;
  event_hub& operator=(const event_hub&) = delete;

  // A new subscriber; its stream starts with "retry: <retry_ms>". nullptr when max_streams are
  // open, or when the hub is closed (the server stops).
  std::shared_ptr<event_stream> subscribe();
  bool listening() const noexcept { return open_.load(std::memory_order_relaxed) > 0; }
  std::size_t subscribers() const;

  // One event to every subscriber: "event: <name>\n[id: <id>\n]data: <line>\n...\n\n" (a data
  // line per line of `data`).
  void publish(std::string_view name, std::string_view id, std::string_view data);
  // The server stops: every stream ends and no new one starts.
  void close_all();

  // A ticket of 32 hex digits, valid for one subscription within ticket_lifetime_ms.
  std::string issue_ticket(std::int64_t now_ms);
  // true once for a ticket issued and not expired; the ticket is spent either way.
  bool redeem_ticket(std::string_view ticket, std::int64_t now_ms);

  const limits& settings() const { return limits_; }

 private:
  void prune();  // with mutex_ held: drops ended streams

  const limits limits_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<event_stream>> streams_;
  std::atomic<std::size_t> open_{0};
  bool closed_ = false;
  struct ticket {
    std::string value;
    std::int64_t expires_ms;
  };
  std::vector<ticket> tickets_;
};

// The SSE text of one event (event_hub::publish's format).
std::string format_event(std::string_view name, std::string_view id, std::string_view data);

}  // namespace easemu::server
