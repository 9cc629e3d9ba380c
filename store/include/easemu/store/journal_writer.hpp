#pragma once
// Writes journal entries off the request path: push() never blocks on the database; a background
// thread writes batches in one transaction each. A full queue drops entries (and counts them)
// rather than slow requests down.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>
#include <mutex>
#include <thread>

#include "easemu/store/store.hpp"

namespace easemu::store {

class journal_writer {
 public:
  // `written` (optional) is called on the writer thread after each batch is stored, with the ids
  // the store assigned (the dashboard's live feed); flush() returns only after it.
  using written_fn = std::function<void(const std::vector<journal_entry>& batch)>;
  explicit journal_writer(std::shared_ptr<store> target, std::size_t max_queue = 10'000, written_fn written = {});
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
  written_fn written_fn_;
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
