#include "easemu/server/commands/ping.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "easemu/common/text.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/commands/commands.hpp"
#include "easemu/server/mail_service.hpp"

namespace easemu::server {

namespace {

using wbxml::element;
using wbxml::tag;

std::optional<int> number(std::string_view s) { return common::parse_decimal<int>(s); }

}  // namespace

ping_service::ping_service(folder_service& folders, mail_service& mail, ping_limits limits,
                           std::shared_ptr<spdlog::logger> log)
    : folders_(folders), mail_(mail), limits_(limits), log_(std::move(log)), timer_([this] { run_timers(); }) {}

ping_service::~ping_service() { shutdown(); }

command_reply ping_service::answer(int status, const std::vector<std::string>& folders) {
  command_reply r;
  auto& root = r.body.emplace(tag("Ping:Ping"));
  root.add(tag("Ping:Status"), std::to_string(status));
  if (!folders.empty()) {
    auto& list = root.add(tag("Ping:Folders"));
    for (const auto& f : folders) list.add(tag("Ping:Folder"), f);  // the id as text (MS-ASCMD 2.2.3.71.2)
  }
  return r;
}

void ping_service::ping(std::shared_ptr<const eas_context> ctx, std::function<void(command_reply)> done) {
  const auto device = ctx->query.printable_device_id();
  const auto cache_key = ctx->mailbox + "\n" + device;
  const element* root = ctx->body && ctx->body->tag == tag("Ping:Ping") ? &*ctx->body : nullptr;
  if (ctx->body && root == nullptr) return done(answer(4));  // not a Ping element: syntax error

  // Missing parts come from the device's last complete Ping (MS-ASCMD 2.2.1.13).
  cached request;
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(cache_key); it != cache_.end()) request = it->second;
  }
  if (root != nullptr) {
    if (const auto* hb = root->child(tag("Ping:HeartbeatInterval"))) {
      const auto v = number(hb->value);
      if (!v) return done(answer(4));
      request.heartbeat = *v;
    }
    if (const auto* list = root->child(tag("Ping:Folders"))) {
      request.folders.clear();
      for (const auto& f : list->children) {
        if (f.tag == tag("Ping:Folder")) request.folders.emplace_back(f.child_text(tag("Ping:Id")));
      }
    }
  }
  if (request.heartbeat == 0 || request.folders.empty()) return done(answer(3));  // nothing to go on
  if (request.heartbeat < limits_.min_heartbeat || request.heartbeat > limits_.max_heartbeat) {
    // Status 5 with the nearest allowed interval.
    auto r = answer(5);
    r.body->add(tag("Ping:HeartbeatInterval"),
                std::to_string(request.heartbeat < limits_.min_heartbeat ? limits_.min_heartbeat : limits_.max_heartbeat));
    return done(std::move(r));
  }
  if (request.folders.size() > limits_.max_folders) {
    auto r = answer(6);
    r.body->add(tag("Ping:MaxFolders"), std::to_string(limits_.max_folders));
    return done(std::move(r));
  }
  const auto folders = folders_.folders(ctx->mailbox);
  for (const auto& id : request.folders) {
    if (std::none_of(folders.begin(), folders.end(), [&](const mailbox::folder& f) { return f.server_id == id; })) {
      return done(answer(7));  // a folder it names is gone: FolderSync first
    }
  }
  // Already changed since the device last synced: answer at once.
  std::vector<std::string> changed;
  for (const auto& id : request.folders) {
    if (mail_.has_changes(ctx->mailbox, device, id)) changed.push_back(id);
  }
  {
    std::lock_guard lock(mutex_);
    cache_[cache_key] = request;
  }
  if (!changed.empty()) {
    end_waits(ctx->mailbox, device);
    return done(answer(2, changed));
  }
  watch(ctx->mailbox, device, request.folders, request.heartbeat,
        [done = std::move(done)](const std::vector<std::string>& changed_now) {
          done(changed_now.empty() ? answer(1) : answer(2, changed_now));
        });
}

void ping_service::end_waits(const std::string& mailbox, const std::string& device) {
  std::vector<watch_done> ended;
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (it->second.mailbox == mailbox && it->second.device == device) {
        ended.push_back(std::move(it->second.done));
        it = waiting_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& d : ended) d({});
}

void ping_service::end_waits_unless(const std::function<bool(const std::string& mailbox)>& keep) {
  std::vector<std::string> mailboxes;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, w] : waiting_) mailboxes.push_back(w.mailbox);
  }
  std::erase_if(mailboxes, [&](const std::string& m) { return keep(m); });  // outside the lock: it may read the store
  std::vector<watch_done> ended;
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (std::find(mailboxes.begin(), mailboxes.end(), it->second.mailbox) != mailboxes.end()) {
        ended.push_back(std::move(it->second.done));
        it = waiting_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& d : ended) d({});
}

void ping_service::watch(const std::string& mailbox, const std::string& device, std::vector<std::string> folders,
                         int seconds, watch_done done) {
  // A newer request from the same device ends the older one (answered as if nothing changed).
  end_waits(mailbox, device);
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      waiting_[next_id_++] = waiter{mailbox, device, std::move(folders),
                                    std::chrono::steady_clock::now() + std::chrono::seconds(seconds), std::move(done)};
      cv_.notify_all();
      return;
    }
  }
  done({});  // stopping: answer at once
}

void ping_service::notify(const std::string& mailbox, const std::string& folder_id) {
  // Which waiting devices watch the folder; then, outside the lock, which of them have not seen
  // the change yet (a device's own Sync changes do not wake its own Ping).
  std::vector<std::pair<std::uint64_t, std::string>> watching;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, w] : waiting_) {
      if (w.mailbox == mailbox && std::find(w.folders.begin(), w.folders.end(), folder_id) != w.folders.end()) {
        watching.emplace_back(id, w.device);
      }
    }
  }
  std::vector<watch_done> ready;
  for (const auto& [id, device] : watching) {
    if (!mail_.has_changes(mailbox, device, folder_id)) continue;
    std::lock_guard lock(mutex_);
    if (auto it = waiting_.find(id); it != waiting_.end()) {
      ready.push_back(std::move(it->second.done));
      waiting_.erase(it);
    }
  }
  for (auto& done : ready) done({folder_id});
}

void ping_service::run_timers() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<watch_done> expired;
    auto next = now + std::chrono::hours(1);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second.done));
        it = waiting_.erase(it);
      } else {
        next = std::min(next, it->second.deadline);
        ++it;
      }
    }
    if (!expired.empty()) {
      lock.unlock();
      for (auto& d : expired) d({});  // the heartbeat ended without changes
      lock.lock();
      continue;
    }
    cv_.wait_until(lock, next);
  }
}

int ping_service::last_heartbeat(const std::string& mailbox, const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  const auto it = cache_.find(mailbox + "\n" + device_id);
  return it == cache_.end() ? 0 : it->second.heartbeat;
}

std::size_t ping_service::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

void ping_service::shutdown() {
  std::vector<watch_done> all;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [id, w] : waiting_) all.push_back(std::move(w.done));
    waiting_.clear();
    cv_.notify_all();
  }
  if (timer_.joinable()) timer_.join();
  for (auto& d : all) d({});
}

namespace commands {

command_registration ping(const command_services& s) {
  return {eas::command_id::ping, waiting_command_handler([&p = s.ping](std::shared_ptr<const eas_context> ctx, reply_fn done) {
            p.ping(std::move(ctx), std::move(done));
          })};
}

}  // namespace commands

}  // namespace easemu::server
