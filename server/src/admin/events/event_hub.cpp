#include "easemu/server/event_hub.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "easemu/common/hex.hpp"

namespace easemu::server {

std::string format_event(std::string_view name, std::string_view id, std::string_view data) {
  std::string out;
  out.reserve(data.size() + name.size() + id.size() + 32);
  out.append("event: ").append(name).append("\n");
  if (!id.empty()) out.append("id: ").append(id).append("\n");
  // A line break inside the data would end the field: each line is a data line of its own.
  for (std::size_t pos = 0;;) {
    const auto nl = data.find('\n', pos);
    auto line = data.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.append("data: ").append(line).append("\n");
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  out.append("\n");
  return out;
}

void event_hub::prune() {
  std::erase_if(streams_, [](const std::shared_ptr<event_stream>& s) { return s->closed(); });
  open_.store(streams_.size(), std::memory_order_relaxed);
}

std::shared_ptr<event_stream> event_hub::subscribe() {
  std::lock_guard lock(mutex_);
  if (closed_) return nullptr;
  prune();
  if (streams_.size() >= limits_.max_streams) return nullptr;
  event_stream::options o;
  o.max_backlog = limits_.max_backlog;
  o.idle_chunk = ": keep-alive\n\n";
  o.idle_interval = limits_.keep_alive;
  auto s = std::make_shared<event_stream>(std::move(o));
  s->push("retry: " + std::to_string(limits_.retry_ms) + "\n\n");
  streams_.push_back(s);
  open_.store(streams_.size(), std::memory_order_relaxed);
  return s;
}

std::size_t event_hub::subscribers() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(streams_.begin(), streams_.end(), [](const auto& s) { return !s->closed(); }));
}

void event_hub::publish(std::string_view name, std::string_view id, std::string_view data) {
  if (!listening()) return;
  const auto text = format_event(name, id, data);
  std::lock_guard lock(mutex_);
  bool ended = false;
  for (const auto& s : streams_) {
    if (!s->push(text)) ended = true;
  }
  if (ended) prune();
}

void event_hub::close_all() {
  std::vector<std::shared_ptr<event_stream>> streams;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    streams.swap(streams_);
    open_.store(0, std::memory_order_relaxed);
  }
  for (const auto& s : streams) s->close();
}

std::string event_hub::issue_ticket(std::int64_t now_ms) {
  auto value = common::random_hex(16);
  std::lock_guard lock(mutex_);
  std::erase_if(tickets_, [&](const ticket& t) { return t.expires_ms <= now_ms; });
  if (tickets_.size() >= limits_.max_tickets) tickets_.erase(tickets_.begin());
  tickets_.push_back({value, now_ms + limits_.ticket_lifetime_ms});
  return value;
}

bool event_hub::redeem_ticket(std::string_view value, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  for (auto it = tickets_.begin(); it != tickets_.end(); ++it) {
    if (it->value.size() == value.size() && CRYPTO_memcmp(it->value.data(), value.data(), value.size()) == 0) {
      const bool valid = it->expires_ms > now_ms;
      tickets_.erase(it);
      return valid;
    }
  }
  return false;
}

}  // namespace easemu::server
