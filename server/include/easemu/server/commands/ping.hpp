#pragma once
// The Ping command (MS-ASCMD 2.2.1.13): a device names folders and a heartbeat; the answer comes
// when one of them changes (Status 2) or the heartbeat ends (Status 1). Waiting Pings cost a
// map entry each, not a thread: one timer thread serves them all.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "easemu/server/activesync/context.hpp"

namespace spdlog {
class logger;
}

namespace easemu::server {

class folder_service;
class mail_service;

struct ping_limits {
  int min_heartbeat = 60;    // seconds; Exchange's default lower bound
  int max_heartbeat = 3540;  // MS-ASCMD 2.2.3.88.1 (Exchange never goes above)
  std::size_t max_folders = 300;
};

class ping_service {
 public:
  ping_service(folder_service& folders, mail_service& mail, ping_limits limits, std::shared_ptr<spdlog::logger> log);
  ~ping_service();
  ping_service(const ping_service&) = delete;
  ping_service& operator=(const ping_service&) = delete;

  void ping(std::shared_ptr<const eas_context> ctx, std::function<void(command_reply)> done);
  // Waits until one of `folders` changes for the device (done gets the changed ones) or
  // `seconds` pass (done gets none). A newer wait of the same device ends this one (none).
  using watch_done = std::function<void(const std::vector<std::string>& changed)>;
  void watch(const std::string& mailbox, const std::string& device, std::vector<std::string> folders, int seconds,
             watch_done done);
  // A folder of a mailbox changed: the Pings watching it answer now.
  void notify(const std::string& mailbox, const std::string& folder_id);
  // Ends the waits of every mailbox for which `keep` is false (answered as if the heartbeat
  // ended): a mailbox removed from the lab.
  void end_waits_unless(const std::function<bool(const std::string& mailbox)>& keep);
  // Requests waiting for a change now (Ping, and Sync with Wait or HeartbeatInterval).
  std::size_t waiting() const;
  // The HeartbeatInterval of the device's last complete Ping (LastPingHeartbeat), 0 when none.
  int last_heartbeat(const std::string& mailbox, const std::string& device_id) const;
  // Answers every waiting Ping (Status 1) and stops the timer thread: server shutdown.
  void shutdown();

 private:
  struct waiter {
    std::string mailbox;
    std::string device;
    std::vector<std::string> folders;
    std::chrono::steady_clock::time_point deadline;
    watch_done done;
  };
  struct cached {
    int heartbeat = 0;
    std::vector<std::string> folders;
  };

  void run_timers();
  void end_waits(const std::string& mailbox, const std::string& device);
  static command_reply answer(int status, const std::vector<std::string>& folders = {});

  folder_service& folders_;
  mail_service& mail_;
  ping_limits limits_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::uint64_t, waiter> waiting_;
  std::map<std::string, cached> cache_;  // "mailbox\ndevice": the last complete request
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread timer_;
};

}  // namespace easemu::server
