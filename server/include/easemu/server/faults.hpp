#pragma once
// Fault injection (docs/faults.md): rules that make the EAS endpoint fail on purpose, for QA
// (toxiproxy's probabilities, WireMock's journal). A rule matches requests by user, device,
// command and protocol version and answers them with an HTTP status, a status in the command's
// body, a delay, a dropped connection, a damaged WBXML body or a forced policy refresh.
// No Asio here; the only clock is delay_timer's, the only randomness a seeded engine.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "easemu/common/protocol_version.hpp"
#include "easemu/server/http.hpp"

namespace easemu::server {

// Which requests a rule hits; an empty field matches every request. Names compare ASCII
// case-insensitively, as Exchange compares user, device and command names.
struct fault_match {
  std::string user;              // the mailbox address, or its alias ("alice")
  std::string device_id;
  std::string device_type;
  std::string command;           // spelled as MS-ASCMD spells it ("Sync"); validated
  std::string protocol_version;  // "14.1"; validated

  bool operator==(const fault_match&) const = default;
};

// The facts of one request a rule is matched against.
struct fault_request {
  std::string_view user;  // the authenticated mailbox address
  std::string_view device_id;
  std::string_view device_type;
  std::string_view command;
  std::string_view protocol_version;
};

bool matches(const fault_match& m, const fault_request& r);

enum class fault_kind { http_status, eas_status, delay, drop, corrupt_body, truncate_body, policy_refresh };

struct fault_action {
  fault_kind kind = fault_kind::http_status;
  int http_status = 0;             // http_status: 400-599
  std::optional<int> retry_after;  // 503: Retry-After seconds (default 30)
  std::string location;            // 451: X-MS-Location (empty: the server's own EAS URL)
  int eas_status = 0;              // eas_status: the MS-ASCMD status
  int delay_ms = 0;                // delay: then the normal answer

  bool operator==(const fault_action&) const = default;
};

// "http_status=503 retry_after=30", "eas_status=3", "drop", ... (logs, journal, CLI).
std::string describe(const fault_action& a);

// Whether a fault of this kind applies to a command at all: a forced policy refresh cannot hit
// Provision or Ping, which the policy-key gate does not check (PROVISIONING.md 1.1, 1.8).
bool fault_applies_to(const fault_action& a, std::string_view command);

struct fault_rule {
  std::string id;  // "f1", "f2", ...: assigned by the registry
  fault_match match;
  fault_action action;
  double probability = 1.0;            // 0..1, drawn per matching request
  std::optional<std::uint64_t> count;  // hits before the rule stops; nullopt: unlimited
  std::uint64_t hits = 0;
  std::string source;  // "lab file", "admin API"

  bool exhausted() const { return count && hits >= *count; }
};

// A rule's JSON (or the lab file's YAML made JSON):
// {"match": {...}, "action": {...}, "probability": 1.0, "count": 1}. Unknown fields are errors
// (a misspelt "probabilty" must not pass silently); `error` names the field.
struct fault_parse_result {
  std::optional<fault_rule> rule;
  std::string error;
};
fault_parse_result parse_fault_rule(std::string_view json);
// The rule as the admin API shows it (with id, hits and whether it is exhausted).
boost::json::object fault_rule_object(const fault_rule& r);
std::string fault_rule_json(const fault_rule& r);

// The rules in force; thread-safe. Randomness: a std::mt19937_64 seeded at construction
// (serve --fault-seed), so a run with probabilities can be replayed.
class fault_registry {
 public:
  explicit fault_registry(std::uint64_t seed = std::random_device{}());

  void reseed(std::uint64_t seed);
  // Assigns the id (and source); returns the stored rule.
  fault_rule add(fault_rule rule, std::string source);
  bool remove(std::string_view id);
  std::size_t clear();
  std::vector<fault_rule> list() const;

  // The first rule, in the order they were added, that matches, has hits left and wins its
  // draw; its hit is counted. One fault per request.
  struct hit {
    std::string rule_id;
    fault_action action;
  };
  std::optional<hit> match(const fault_request& r);

 private:
  mutable std::mutex mutex_;
  std::vector<fault_rule> rules_;
  std::mt19937_64 rng_;
  std::uint64_t next_id_ = 1;
};
using fault_hit = fault_registry::hit;

// The answer a fault gives instead of the command's, for the kinds that answer at once:
// http_status (with WWW-Authenticate for 401, X-MS-Location for 451, Retry-After for 503;
// MS-ASHTTP 2.2.2.1.1, 3.1.5.2) and drop. `realm` is the Basic realm of a 401.
http_response fault_http_response(const fault_action& a, std::string_view server_build, std::string_view realm);

// corrupt_body flips every bit of the body (the WBXML version byte 0x03 becomes 0xFC, so no
// decoder accepts it); truncate_body keeps the first half. Other kinds leave it alone.
void damage_body(const fault_action& a, std::string& body);

// Runs callbacks after a delay on one thread of its own, so a delayed answer holds no I/O thread.
class delay_timer {
 public:
  delay_timer();
  ~delay_timer();
  delay_timer(const delay_timer&) = delete;
  delay_timer& operator=(const delay_timer&) = delete;

  void after(std::chrono::milliseconds delay, std::function<void()> fn);
  // Runs what is pending now, and from then on runs callbacks at once: server shutdown.
  void shutdown();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace easemu::server
