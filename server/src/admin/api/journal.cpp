// The request journal: each EAS request, decoded (GET /api/v1/journal with filters), and one entry
// with its HTTP headers when they were recorded (GET /api/v1/journal/{entry}).
#include <boost/json.hpp>

#include <algorithm>

#include "admin/api/or_answer.hpp"
#include "admin/api/resources.hpp"
#include "admin/journal_view.hpp"
#include "admin_json.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;
using admin_json::count_of;
using admin_json::json_error;
using admin_json::json_response;

// One query parameter into the filter; an error message, empty when it is good. Unknown ones
// are ignored.
std::string apply_parameter(std::string_view key, const std::string& value, store::journal_filter& f) {
  if (key == "user") {
    f.user = value;
  } else if (key == "device") {
    f.device_id = value;
  } else if (key == "command") {
    f.command = value;
  } else if (key == "summary") {
    if (value != "1" && value != "0" && value != "true" && value != "false") return "summary must be 1 or 0";
    f.summary = value == "1" || value == "true";
  } else if (key == "since" || key == "limit" || key == "after") {
    const auto n = count_of(value);
    if (!n) return std::string(key) + " must be a number";
    if (key == "since") {
      f.since_ms = *n;
    } else if (key == "after") {
      f.after_id = *n;
    } else {
      f.limit = static_cast<std::size_t>(std::min<long long>(*n, 1000));
    }
  }
  return {};
}

// ?user=&device=&command=&since=&after=&limit=&summary=1
or_answer<store::journal_filter> filter_of(std::string_view query) {
  store::journal_filter f;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto part = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    const auto key = part.substr(0, eq);
    auto value = eas::percent_decode(part.substr(eq + 1), eas::plus_rule::space);
    if (!value) return {std::nullopt, json_error(400, "bad query parameter " + std::string(key))};
    if (auto error = apply_parameter(key, *value, f); !error.empty()) return {std::nullopt, json_error(400, error)};
  }
  return {std::move(f), {}};
}

http_response list_entries(store::store& store, const flush_fn& flush_journal, const api_call& call) {
  const auto f = filter_of(call.http.query());
  if (!f) return f.answer;
  flush_journal();
  json::array entries;
  for (const auto& e : store.query_journal(*f.value)) {
    entries.push_back(journal_json(e, f->summary ? journal_detail::summary : journal_detail::list));
  }
  return json_response(200, json::object{{"entries", std::move(entries)}});
}

// The {entry} as sent: a number needs no decoding.
http_response get_entry(store::store& store, const flush_fn& flush_journal, const api_call& call) {
  const auto id = count_of(std::string(call.params.raw("entry")));
  if (!id) return json_error(400, "the journal entry id must be a number");
  flush_journal();
  store::journal_filter f;
  f.id = *id;
  f.limit = 1;
  const auto found = store.query_journal(f);
  if (found.empty()) return json_error(404, "no journal entry " + std::to_string(*id) + " (entries past --journal-keep are gone)");
  return json_response(200, journal_json(found.front(), journal_detail::entry));
}

}  // namespace

void add_journal_routes(route_table& t, std::shared_ptr<store::store> store, flush_fn flush_journal) {
  t.add({{"GET"}, "/api/v1/journal",
         [store, flush_journal](const api_call& c) { return list_entries(*store, flush_journal, c); }});
  t.add({{"GET"}, "/api/v1/journal/{entry}",
         [store, flush_journal](const api_call& c) { return get_entry(*store, flush_journal, c); }});
}

}  // namespace easemu::server::admin
