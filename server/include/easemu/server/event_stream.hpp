#pragma once
// A one-way stream of bytes from the server to one client (server-sent events): producers on any
// thread push chunks, the connection (net.cpp) takes them and writes them as they come. No Asio
// here: the connection hands in a wake-up function. The backlog is bounded, so a client that
// stops reading is dropped instead of buffered without end.
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace easemu::server {

class event_stream {
 public:
  struct options {
    // Bytes queued and not yet taken by the connection; a push past it aborts the stream.
    std::size_t max_backlog = 1u << 20;
    // Written by the connection after `idle_interval` without data (": keep-alive\n\n"), which
    // also notices a client that went away. Nothing when empty or the interval is zero.
    std::string idle_chunk;
    std::chrono::milliseconds idle_interval{0};
  };

  event_stream() : event_stream(options{}) {}
  explicit event_stream(options o) : options_(std::move(o)) {}
  event_stream(const event_stream&) = delete;
  event_stream& operator=(const event_stream&) = delete;

  // Queues a chunk. false when the stream is closed, or when the chunk would take the backlog past
  // max_backlog: the stream is then aborted (the connection drops the client at once).
  bool push(std::string_view chunk);
  // No more chunks: the connection writes what is queued, then closes.
  void close();
  // Ends the stream at once: the client went away, stalled, or the server stops. Nothing more is
  // written.
  void abort();

  bool closed() const;   // closed or aborted: pushes fail
  bool aborted() const;
  std::size_t backlog() const;
  const options& settings() const { return options_; }

  // The connection's side: takes everything queued. While the stream is open, `wake` is kept and
  // called once, from whichever thread, at the next push, close or abort (the connection then
  // takes again). A later take replaces it.
  std::string take(std::function<void()> wake);

 private:
  std::function<void()> release_wake();  // with mutex_ held

  const options options_;
  mutable std::mutex mutex_;
  std::string queued_;
  std::function<void()> wake_;
  bool closed_ = false;
  bool aborted_ = false;
};

}  // namespace easemu::server
