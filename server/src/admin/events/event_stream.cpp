#include "easemu/server/event_stream.hpp"

#include <utility>

namespace easemu::server {

std::function<void()> event_stream::release_wake() {
  std::function<void()> w;
  w.swap(wake_);
  return w;
}

bool event_stream::push(std::string_view chunk) {
  std::function<void()> wake;
  bool ok = true;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    if (queued_.size() + chunk.size() > options_.max_backlog) {
      // A client that does not read: drop it rather than hold its events.
      closed_ = aborted_ = true;
      queued_.clear();
      queued_.shrink_to_fit();
      ok = false;
    } else {
      queued_.append(chunk);
    }
    wake = release_wake();
  }
  if (wake) wake();
  return ok;
}

void event_stream::close() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    wake = release_wake();
  }
  if (wake) wake();
}

void event_stream::abort() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (aborted_) return;
    closed_ = aborted_ = true;
    queued_.clear();
    wake = release_wake();
  }
  if (wake) wake();
}

bool event_stream::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool event_stream::aborted() const {
  std::lock_guard lock(mutex_);
  return aborted_;
}

std::size_t event_stream::backlog() const {
  std::lock_guard lock(mutex_);
  return queued_.size();
}

std::string event_stream::take(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  std::string out;
  out.swap(queued_);
  if (!closed_) wake_ = std::move(wake);
  return out;
}

}  // namespace easemu::server
