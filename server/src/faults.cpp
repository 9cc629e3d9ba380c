#include "easemu/server/faults.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "easemu/common/text.hpp"
#include "easemu/eas/command.hpp"

namespace easemu::server {

namespace {

using common::iequals;
namespace json = boost::json;

constexpr std::array match_fields = {"user", "device_id", "device_type", "command", "protocol_version"};
// The keys that choose an action; exactly one per rule.
constexpr std::array action_kinds = {"http_status", "eas_status", "delay_ms", "drop", "corrupt_body", "truncate_body",
                                     "policy_refresh"};
constexpr std::array action_fields = {"http_status", "eas_status", "delay_ms",    "drop",       "corrupt_body",
                                      "truncate_body", "policy_refresh", "retry_after", "location"};
constexpr std::array rule_fields = {"match", "action", "probability", "count"};

constexpr int default_retry_after = 30;  // seconds
constexpr int max_delay_ms = 600'000;    // well below the server's handler timeout

template <std::size_t N>
std::string known(const std::array<const char*, N>& names) {
  std::string out;
  for (const char* n : names) out += std::string(out.empty() ? "" : ", ") + n;
  return out;
}

template <std::size_t N>
std::string unknown_key(const json::object& o, const std::array<const char*, N>& names, const std::string& where) {
  for (const auto& kv : o) {
    if (std::none_of(names.begin(), names.end(), [&](const char* n) { return kv.key() == n; })) {
      return where + std::string(kv.key()) + ": unknown field (known: " + known(names) + ")";
    }
  }
  return {};
}

// An integer in [lo, hi] (JSON numbers without a fraction); nullopt otherwise.
std::optional<std::int64_t> integer(const json::value& v, std::int64_t lo, std::int64_t hi) {
  std::int64_t n = 0;
  if (const auto* i = v.if_int64()) {
    n = *i;
  } else if (const auto* u = v.if_uint64()) {
    if (*u > static_cast<std::uint64_t>(hi)) return std::nullopt;
    n = static_cast<std::int64_t>(*u);
  } else {
    return std::nullopt;
  }
  if (n < lo || n > hi) return std::nullopt;
  return n;
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7F; });
}

json::object match_json(const fault_match& m) {
  json::object o;
  if (!m.user.empty()) o["user"] = m.user;
  if (!m.device_id.empty()) o["device_id"] = m.device_id;
  if (!m.device_type.empty()) o["device_type"] = m.device_type;
  if (!m.command.empty()) o["command"] = m.command;
  if (!m.protocol_version.empty()) o["protocol_version"] = m.protocol_version;
  return o;
}

json::object action_json(const fault_action& a) {
  json::object o;
  switch (a.kind) {
    case fault_kind::http_status:
      o["http_status"] = a.http_status;
      if (a.retry_after) o["retry_after"] = *a.retry_after;
      if (!a.location.empty()) o["location"] = a.location;
      break;
    case fault_kind::eas_status: o["eas_status"] = a.eas_status; break;
    case fault_kind::delay: o["delay_ms"] = a.delay_ms; break;
    case fault_kind::drop: o["drop"] = true; break;
    case fault_kind::corrupt_body: o["corrupt_body"] = true; break;
    case fault_kind::truncate_body: o["truncate_body"] = true; break;
    case fault_kind::policy_refresh: o["policy_refresh"] = true; break;
  }
  return o;
}

}  // namespace

bool matches(const fault_match& m, const fault_request& r) {
  if (!m.user.empty() && !iequals(m.user, r.user)) {
    // The alias alone ("alice") names the mailbox too.
    const auto at = r.user.find('@');
    if (m.user.find('@') != std::string::npos || at == std::string_view::npos || !iequals(m.user, r.user.substr(0, at))) {
      return false;
    }
  }
  if (!m.device_id.empty() && !iequals(m.device_id, r.device_id)) return false;
  if (!m.device_type.empty() && !iequals(m.device_type, r.device_type)) return false;
  if (!m.command.empty() && !iequals(m.command, r.command)) return false;
  if (!m.protocol_version.empty() && m.protocol_version != r.protocol_version) return false;
  return true;
}

std::string describe(const fault_action& a) {
  switch (a.kind) {
    case fault_kind::http_status: {
      std::string s = "http_status=" + std::to_string(a.http_status);
      if (a.http_status == 503) s += " retry_after=" + std::to_string(a.retry_after.value_or(default_retry_after));
      if (!a.location.empty()) s += " location=" + a.location;
      return s;
    }
    case fault_kind::eas_status: return "eas_status=" + std::to_string(a.eas_status);
    case fault_kind::delay: return "delay_ms=" + std::to_string(a.delay_ms);
    case fault_kind::drop: return "drop";
    case fault_kind::corrupt_body: return "corrupt_body";
    case fault_kind::truncate_body: return "truncate_body";
    case fault_kind::policy_refresh: return "policy_refresh";
  }
  return "?";
}

bool fault_applies_to(const fault_action& a, std::string_view command) {
  if (a.kind == fault_kind::policy_refresh) return !iequals(command, "Provision") && !iequals(command, "Ping");
  return true;
}

fault_parse_result parse_fault_rule(std::string_view text) {
  fault_parse_result out;
  auto error = [&](std::string message) {
    out.error = std::move(message);
    return out;
  };
  boost::system::error_code ec;
  const auto doc = json::parse(text, ec);
  if (ec) return error("the rule is not JSON: " + ec.message());
  const auto* o = doc.if_object();
  if (o == nullptr) return error("a rule is a JSON object {\"match\": {...}, \"action\": {...}, \"probability\": 1.0, \"count\": 1}");
  if (auto e = unknown_key(*o, rule_fields, ""); !e.empty()) return error(e);

  fault_rule rule;
  if (const auto* mv = o->if_contains("match"); mv != nullptr && !mv->is_null()) {
    const auto* m = mv->if_object();
    if (m == nullptr) return error("match: expected an object with " + known(match_fields));
    if (auto e = unknown_key(*m, match_fields, "match."); !e.empty()) return error(e);
    auto field = [&](const char* key, std::string& into) -> std::string {
      const auto* v = m->if_contains(key);
      if (v == nullptr || v->is_null()) return {};
      if (!v->is_string()) return std::string("match.") + key + ": expected a string";
      into = std::string(v->as_string());
      if (!printable(into) || into.size() > 256) return std::string("match.") + key + ": not a name";
      return {};
    };
    for (auto [key, into] : {std::pair{"user", &rule.match.user}, std::pair{"device_id", &rule.match.device_id},
                             std::pair{"device_type", &rule.match.device_type}, std::pair{"command", &rule.match.command},
                             std::pair{"protocol_version", &rule.match.protocol_version}}) {
      if (auto e = field(key, *into); !e.empty()) return error(e);
    }
    if (!rule.match.command.empty()) {
      const auto* c = eas::find_command(rule.match.command);
      if (c == nullptr) return error("match.command: '" + rule.match.command + "' is not an EAS command (Sync, FolderSync, Ping, ...)");
      rule.match.command = std::string(c->name);
    }
    if (!rule.match.protocol_version.empty() && !parse_protocol_version(rule.match.protocol_version)) {
      return error("match.protocol_version: '" + rule.match.protocol_version +
                   "' is not an EAS version (2.5, 12.0, 12.1, 14.0, 14.1, 16.0, 16.1)");
    }
  }

  const auto* av = o->if_contains("action");
  if (av == nullptr) return error("action: required, e.g. {\"http_status\": 503} or {\"eas_status\": 3}");
  const auto* a = av->if_object();
  if (a == nullptr) return error("action: expected an object with one of " + known(action_kinds));
  if (auto e = unknown_key(*a, action_fields, "action."); !e.empty()) return error(e);
  const char* chosen = nullptr;
  for (const char* k : action_kinds) {
    if (!a->contains(k)) continue;
    if (chosen != nullptr) return error(std::string("action.") + k + ": one action per rule (" + chosen + " is already given)");
    chosen = k;
  }
  if (chosen == nullptr) return error("action: needs one of " + known(action_kinds));
  const std::string kind = chosen;
  const auto& value = a->at(kind);
  auto& act = rule.action;
  if (kind == "http_status") {
    const auto n = integer(value, 400, 599);
    if (!n) return error("action.http_status: expected an HTTP error status 400-599 (401, 403, 449, 451, 500, 503, ...)");
    act.kind = fault_kind::http_status;
    act.http_status = static_cast<int>(*n);
  } else if (kind == "eas_status") {
    const auto n = integer(value, 1, 999);
    if (!n) return error("action.eas_status: expected an EAS status 1-999 (e.g. 3, 9, 142, 177)");
    act.kind = fault_kind::eas_status;
    act.eas_status = static_cast<int>(*n);
  } else if (kind == "delay_ms") {
    const auto n = integer(value, 1, max_delay_ms);
    if (!n) return error("action.delay_ms: expected milliseconds 1-" + std::to_string(max_delay_ms));
    act.kind = fault_kind::delay;
    act.delay_ms = static_cast<int>(*n);
  } else {
    if (!value.is_bool() || !value.as_bool()) return error("action." + kind + ": expected true");
    act.kind = kind == "drop"            ? fault_kind::drop
               : kind == "corrupt_body"  ? fault_kind::corrupt_body
               : kind == "truncate_body" ? fault_kind::truncate_body
                                         : fault_kind::policy_refresh;
  }
  if (const auto* ra = a->if_contains("retry_after")) {
    if (act.kind != fault_kind::http_status || act.http_status != 503) {
      return error("action.retry_after: goes with http_status 503 only");
    }
    const auto n = integer(*ra, 0, 86'400);
    if (!n) return error("action.retry_after: expected seconds 0-86400");
    act.retry_after = static_cast<int>(*n);
  }
  if (const auto* loc = a->if_contains("location")) {
    if (act.kind != fault_kind::http_status || act.http_status != 451) {
      return error("action.location: goes with http_status 451 only");
    }
    if (!loc->is_string()) return error("action.location: expected a URL string");
    act.location = std::string(loc->as_string());
    if (!(act.location.starts_with("https://") || act.location.starts_with("http://")) || !printable(act.location) ||
        act.location.find(' ') != std::string::npos || act.location.size() > 2048) {
      return error("action.location: expected an http:// or https:// URL, e.g. https://mail2.lab.test/Microsoft-Server-ActiveSync");
    }
  }

  if (const auto* p = o->if_contains("probability"); p != nullptr && !p->is_null()) {
    double d = -1;
    if (const auto* dp = p->if_double()) {
      d = *dp;
    } else if (const auto n = integer(*p, 0, 1)) {
      d = static_cast<double>(*n);
    }
    if (!(d >= 0.0 && d <= 1.0)) return error("probability: expected a number from 0 to 1");
    rule.probability = d;
  }
  if (const auto* c = o->if_contains("count"); c != nullptr && !c->is_null()) {
    const auto n = integer(*c, 1, std::numeric_limits<std::int64_t>::max());
    if (!n) return error("count: expected a whole number of hits, 1 or more (leave it out for unlimited)");
    rule.count = static_cast<std::uint64_t>(*n);
  }
  out.rule = std::move(rule);
  return out;
}

boost::json::object fault_rule_object(const fault_rule& r) {
  return json::object{{"id", r.id},
                      {"match", match_json(r.match)},
                      {"action", action_json(r.action)},
                      {"probability", r.probability},
                      {"count", r.count ? json::value(*r.count) : json::value(nullptr)},
                      {"hits", r.hits},
                      {"exhausted", r.exhausted()},
                      {"source", r.source}};
}

std::string fault_rule_json(const fault_rule& r) { return json::serialize(fault_rule_object(r)); }

fault_registry::fault_registry(std::uint64_t seed) : rng_(seed) {}

void fault_registry::reseed(std::uint64_t seed) {
  std::lock_guard lock(mutex_);
  rng_.seed(seed);
}

fault_rule fault_registry::add(fault_rule rule, std::string source) {
  std::lock_guard lock(mutex_);
  rule.id = "f" + std::to_string(next_id_++);
  rule.hits = 0;
  rule.source = std::move(source);
  rules_.push_back(rule);
  return rule;
}

bool fault_registry::remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  const auto it = std::find_if(rules_.begin(), rules_.end(), [&](const fault_rule& r) { return iequals(r.id, id); });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  return true;
}

std::size_t fault_registry::clear() {
  std::lock_guard lock(mutex_);
  const auto n = rules_.size();
  rules_.clear();
  return n;
}

std::vector<fault_rule> fault_registry::list() const {
  std::lock_guard lock(mutex_);
  return rules_;
}

std::optional<fault_registry::hit> fault_registry::match(const fault_request& r) {
  std::lock_guard lock(mutex_);
  for (auto& rule : rules_) {
    if (rule.exhausted() || rule.probability <= 0.0) continue;
    if (!matches(rule.match, r) || !fault_applies_to(rule.action, r.command)) continue;
    if (rule.probability < 1.0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= rule.probability) continue;
    ++rule.hits;
    return hit{rule.id, rule.action};
  }
  return std::nullopt;
}

http_response fault_http_response(const fault_action& a, std::string_view server_build, std::string_view realm) {
  http_response r;
  if (a.kind == fault_kind::drop) {
    // No status goes on the wire: the connection closes instead (net.cpp).
    r.status = 0;
    r.drop = true;
    r.close = true;
    return r;
  }
  r.status = a.http_status;
  r.set("MS-Server-ActiveSync", std::string(server_build));
  switch (a.http_status) {
    case 401:  // MS-ASHTTP 2.2.2.1.1: credentials refused; the client asks the user again
      r.set("WWW-Authenticate", "Basic realm=\"" + std::string(realm) + "\"");
      break;
    case 451:  // MS-ASHTTP 3.1.5.2.2: the mailbox is served elsewhere; X-MS-Location names the URL
      r.set("X-MS-Location", a.location);
      break;
    case 503:  // MS-ASHTTP 3.1.5.2.3: busy; Retry-After says when to come back
      r.set("Retry-After", std::to_string(a.retry_after.value_or(default_retry_after)));
      break;
    default: break;
  }
  return r;
}

void damage_body(const fault_action& a, std::string& body) {
  if (a.kind == fault_kind::corrupt_body) {
    for (auto& c : body) c = static_cast<char>(~static_cast<unsigned char>(c));
  } else if (a.kind == fault_kind::truncate_body) {
    body.resize(body.size() / 2);
  }
}

delay_timer::delay_timer() : thread_([this] { run(); }) {}

delay_timer::~delay_timer() { shutdown(); }

void delay_timer::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      pending_.emplace(std::chrono::steady_clock::now() + delay, std::move(fn));
      cv_.notify_all();
      return;
    }
  }
  fn();  // stopping: nothing waits any more
}

void delay_timer::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (pending_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto first = pending_.begin();
    if (first->first > std::chrono::steady_clock::now()) {
      cv_.wait_until(lock, first->first);
      continue;
    }
    auto fn = std::move(first->second);
    pending_.erase(first);
    lock.unlock();
    fn();
    lock.lock();
  }
}

void delay_timer::shutdown() {
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> left;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    left.swap(pending_);
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  for (auto& [when, fn] : left) fn();
}

}  // namespace easemu::server
