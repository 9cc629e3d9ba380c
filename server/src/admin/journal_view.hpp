#pragma once
// A request journal entry as the admin API and the live feed show it.
#include <boost/json/object.hpp>

namespace easemu::store {
struct journal_entry;
}

namespace easemu::server::admin {

enum class journal_detail {
  summary,  // no bodies (the live feed, ?summary=1)
  list,     // with the decoded bodies (GET /api/v1/journal)
  entry,    // bodies and, when recorded, the HTTP headers (GET /api/v1/journal/{entry})
};

boost::json::object journal_json(const store::journal_entry& e, journal_detail detail);

}  // namespace easemu::server::admin
