#pragma once
// A few threads for the commands that can take CPU seconds (MIME of SendMail, SmartReply and
// SmartForward, ItemOperations, Search, GetAttachment): they run here, not on the two I/O
// threads, so a slow request never delays a Ping answer or a FolderSync (issue 23). No Asio:
// a queue, a condition variable and plain threads. Tasks queued when it is destroyed still run.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace easemu::server {

class worker_pool {
 public:
  explicit worker_pool(unsigned threads);
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  void post(std::function<void()> task);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace easemu::server
