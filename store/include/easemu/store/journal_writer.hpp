#pragma once
// Writes journal entries off the request path: push() never blocks on the database; a background
// thread writes batches in one transaction each. A full queue drops entries (and counts them)
// rather than slow requests down.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "easemu/store/store.hpp"

namespace easemu::store {

class journal_writer {
 public:
  explicit journal_writer(std::shared_ptr<store> target, std::size_t max_queue = 10'000);
  ~journal_writer();  // writes what is queued
  journal_writer(const journal_writer&) = delete;
  journal_writer& operator=(const journal_writer&) = delete;

  void push(journal_entry entry);
  // Blocks until everything pushed so far is written (tests, shutdown).
  void flush();
  std::uint64_t dropped() const;

 private:
  void run();

  std::shared_ptr<store> target_;
  std::size_t max_queue_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::deque<journal_entry> queue_;
  std::uint64_t pushed_ = 0;
  std::uint64_t done_ = 0;
  std::uint64_t dropped_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace easemu::store
