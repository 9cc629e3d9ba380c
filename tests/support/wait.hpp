#pragma once
// Waiting on what the server shows instead of sleeping and hoping: poll a condition until it
// holds, within a bound. Test-only.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace easemu::test {

// Polls `condition` every `every` until it holds (true) or `timeout` has passed (false).
template <class Condition>
bool eventually(Condition&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                std::chrono::milliseconds every = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

// The same as an assertion, naming what did not happen:
//   ASSERT_TRUE(wait_until("the journal to list the Sync", [&] { return ...; }));
template <class Condition>
[[nodiscard]] ::testing::AssertionResult wait_until(const std::string& what, Condition&& condition,
                                                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  if (eventually(condition, timeout)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "waited " << timeout.count() << " ms for " << what << ", in vain";
}

}  // namespace easemu::test
