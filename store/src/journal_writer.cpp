#include "easemu/store/journal_writer.hpp"

#include <chrono>
#include <vector>

namespace easemu::store {

namespace {
constexpr std::size_t batch_size = 256;
constexpr auto batch_delay = std::chrono::milliseconds(50);  // gather a burst into one transaction
}  // namespace

journal_writer::journal_writer(std::shared_ptr<store> target, std::size_t max_queue, written_fn written)
    : target_(std::move(target)), max_queue_(max_queue), written_fn_(std::move(written)), thread_([this] { run(); }) {}

journal_writer::~journal_writer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void journal_writer::push(journal_entry entry) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queue_) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(entry));
    ++pushed_;
    // The writer waits for the first entry, then for a full batch or the batch delay: waking it
    // for every request in between only costs a context switch each.
    wake = queue_.size() == 1 || queue_.size() == batch_size;
  }
  if (wake) wake_.notify_one();
}

void journal_writer::flush() {
  std::unique_lock lock(mutex_);
  const auto target = pushed_;
  wake_.notify_one();
  written_.wait(lock, [&] { return done_ >= target; });
}

std::uint64_t journal_writer::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void journal_writer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    if (!stop_ && queue_.size() < batch_size) {
      wake_.wait_for(lock, batch_delay, [&] { return stop_ || queue_.size() >= batch_size; });
    }
    std::vector<journal_entry> batch;
    while (!queue_.empty() && batch.size() < batch_size) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    try {
      const auto ids = target_->append_journal(batch);
      if (written_fn_ && ids.size() == batch.size()) {
        for (std::size_t i = 0; i < batch.size(); ++i) batch[i].id = ids[i];
        written_fn_(batch);
      }
    } catch (const std::exception&) {
      // The journal is diagnostics: a failed batch is lost, requests are never affected.
    }
    lock.lock();
    done_ += batch.size();
    written_.notify_all();
  }
}

}  // namespace easemu::store
