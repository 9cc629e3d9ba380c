#pragma once
// A mailbox's ActiveSync logging (Set-CASMailbox -ActiveSyncDebugLogging, or the user's Start and
// Stop Logging in the Mobile Phones page) as the periods it was on, and the mailbox log of one
// device in Exchange's text format: only what happened while logging was on. Exchange turns
// logging off by itself 72 hours after it was started (Microsoft's CSS-Exchange
// Get-EASMailboxLogs.ps1 re-enables it in a loop for that reason); the periods close themselves
// when read, by the server's clock (common::now_ms, which the test clock moves).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "easemu/store/store.hpp"

namespace easemu::server::mailbox_logging {

inline constexpr std::int64_t auto_off_ms = 72LL * 3600 * 1000;

struct period {
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> end_ms;  // none: still on

  bool operator==(const period&) const = default;
};

// The stored text <-> periods ("start-end;start-"; the old "1" reads as on since the epoch,
// without the 72-hour limit, as it was stored before periods were).
std::vector<period> parse(const std::string& text);
std::string format(const std::vector<period>& periods);
// The periods as of `now_ms`: an open one started 72 hours or more ago ends at start + 72 hours.
std::vector<period> as_of(std::vector<period> periods, std::int64_t now_ms);
bool is_on(const std::vector<period>& periods, std::int64_t now_ms);
// Whether a time falls in one of the periods (a still open one counts up to now_ms).
bool covers(const std::vector<period>& periods, std::int64_t time_ms, std::int64_t now_ms);

// The store's side, keyed by mailbox address.
std::vector<period> periods(const store::store& db, const std::string& mailbox, std::int64_t now_ms);
bool is_on(const store::store& db, const std::string& mailbox, std::int64_t now_ms);
// Start (a no-op while on) or stop (a no-op while off). Keeps the latest 50 periods.
void set(store::store& db, const std::string& mailbox, bool on, std::int64_t now_ms);

// What the log's header names.
struct log_source {
  std::string server_name;       // the lab's host name
  std::string assembly_version;  // the Exchange build the server claims
};

// The device's requests while logging was on, oldest first, as Exchange writes its mailbox log:
// "Log Entry: n" sections with RequestTime, ServerName, AssemblyVersion, Identifier,
// RequestHeader, RequestBody, ResponseHeader, ResponseBody, ResponseTime, each value on indented
// lines under its name. Credentials never reach the journal (Authorization reads "(removed)").
std::string device_log(const std::vector<store::journal_entry>& entries, const std::vector<period>& periods,
                       std::int64_t now_ms, const log_source& source);

}  // namespace easemu::server::mailbox_logging
