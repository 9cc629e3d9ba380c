#include "easemu/server/mailbox_logging.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"

namespace easemu::server::mailbox_logging {

namespace {

constexpr std::size_t periods_kept = 50;

// The same key Set-CASMailbox -ActiveSyncDebugLogging always used.
std::string key_of(const std::string& mailbox) { return "debug_logging:" + common::ascii_lowercase(mailbox); }

std::optional<std::int64_t> number(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// A value under its name, every line indented by a tab, as Exchange's log lays them out.
std::string field(std::string_view name, std::string_view value) {
  std::string out = std::string(name) + " : \n";
  std::istringstream lines{std::string(value)};
  bool any = false;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out += "\t" + line + "\n";
    any = true;
  }
  if (!any) out += "\t\n";
  return out;
}

std::string reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 449: return "Retry After Sending Provisioning Info";  // MS-ASHTTP 2.2.2.1.1
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

// The journal keeps the header lines without the request line; the log shows the request line
// the EAS URL form gives (MS-ASHTTP 2.2.1.1.1) with the journal's command, user and device.
std::string request_header(const store::journal_entry& e) {
  std::string out = "POST /Microsoft-Server-ActiveSync/default.eas?Cmd=" + e.command + "&User=" + e.user +
                    "&DeviceId=" + e.device_id + "&DeviceType=" + e.device_type + " HTTP/1.1\n";
  return out + e.request_headers;
}

std::string response_header(const store::journal_entry& e) {
  // The journal's first line is "HTTP <status>".
  std::string rest = e.response_headers;
  if (rest.starts_with("HTTP ")) rest.erase(0, rest.find('\n') == std::string::npos ? rest.size() : rest.find('\n') + 1);
  const auto phrase = reason_phrase(e.http_status);
  return "HTTP/1.1 " + std::to_string(e.http_status) + (phrase.empty() ? "" : " " + phrase) + "\n" + rest;
}

std::string identifier(const store::journal_entry& e) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08llX", static_cast<unsigned long long>(e.id) & 0xFFFFFFFFull);
  return buf;
}

}  // namespace

std::vector<period> parse(const std::string& text) {
  std::vector<period> out;
  if (text == "1") return {period{0, std::nullopt}};
  std::size_t at = 0;
  while (at < text.size()) {
    auto next = text.find(';', at);
    if (next == std::string::npos) next = text.size();
    const std::string_view item(text.data() + at, next - at);
    const auto dash = item.find('-');
    if (dash != std::string_view::npos) {
      const auto start = number(item.substr(0, dash));
      const auto end_text = item.substr(dash + 1);
      const auto end = end_text.empty() ? std::nullopt : number(end_text);
      if (start && (end_text.empty() || end)) out.push_back({*start, end});
    }
    at = next + 1;
  }
  return out;
}

std::string format(const std::vector<period>& periods) {
  std::string out;
  for (const auto& p : periods) {
    if (!out.empty()) out += ';';
    out += std::to_string(p.start_ms) + "-" + (p.end_ms ? std::to_string(*p.end_ms) : std::string());
  }
  return out;
}

std::vector<period> as_of(std::vector<period> periods, std::int64_t now_ms) {
  for (auto& p : periods) {
    // The old "on" (start 0) predates the limit and stays on until turned off.
    if (!p.end_ms && p.start_ms > 0 && now_ms - p.start_ms >= auto_off_ms) p.end_ms = p.start_ms + auto_off_ms;
  }
  return periods;
}

bool is_on(const std::vector<period>& periods, std::int64_t now_ms) {
  const auto current = as_of(periods, now_ms);
  return std::any_of(current.begin(), current.end(), [](const period& p) { return !p.end_ms; });
}

bool covers(const std::vector<period>& periods, std::int64_t time_ms, std::int64_t now_ms) {
  for (const auto& p : as_of(periods, now_ms)) {
    if (time_ms >= p.start_ms && time_ms <= p.end_ms.value_or(now_ms)) return true;
  }
  return false;
}

std::vector<period> periods(const store::store& db, const std::string& mailbox, std::int64_t now_ms) {
  return as_of(parse(db.get_lab_state(key_of(mailbox)).value_or("")), now_ms);
}

bool is_on(const store::store& db, const std::string& mailbox, std::int64_t now_ms) {
  return is_on(periods(db, mailbox, now_ms), now_ms);
}

void set(store::store& db, const std::string& mailbox, bool on, std::int64_t now_ms) {
  auto current = periods(db, mailbox, now_ms);
  const bool was_on = is_on(current, now_ms);
  if (on == was_on) return;
  if (on) {
    current.push_back({now_ms, std::nullopt});
  } else {
    for (auto& p : current) {
      if (!p.end_ms) p.end_ms = now_ms;
    }
  }
  if (current.size() > periods_kept) current.erase(current.begin(), current.end() - periods_kept);
  db.set_lab_state(key_of(mailbox), format(current));
}

std::string device_log(const std::vector<store::journal_entry>& entries, const std::vector<period>& periods,
                       std::int64_t now_ms, const log_source& source) {
  std::vector<const store::journal_entry*> logged;
  for (const auto& e : entries) {
    if (covers(periods, e.time_ms, now_ms)) logged.push_back(&e);
  }
  std::sort(logged.begin(), logged.end(), [](const auto* a, const auto* b) {
    return a->time_ms != b->time_ms ? a->time_ms < b->time_ms : a->id < b->id;
  });
  std::string out;
  int n = 0;
  for (const auto* e : logged) {
    out += "Log Entry: " + std::to_string(++n) + "\n";
    out += field("RequestTime", common::iso8601_utc(e->time_ms - e->duration_ms));
    out += field("ServerName", source.server_name);
    out += field("AssemblyVersion", source.assembly_version);
    out += field("Identifier", identifier(*e));
    out += field("RequestHeader", request_header(*e));
    out += field("RequestBody", e->request_xml);
    out += field("ResponseHeader", response_header(*e));
    out += field("ResponseBody", e->response_xml);
    out += field("ResponseTime", common::iso8601_utc(e->time_ms));
    out += "------------------------------------------------------------\n";
  }
  return out;
}

}  // namespace easemu::server::mailbox_logging
