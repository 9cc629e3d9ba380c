// GET /api/v1/server: what `easemu bench` reads, the process's memory (for the cost of a held
// Ping) and the requests waiting for a change.
#include <boost/json.hpp>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"
#include "easemu/server/metrics.hpp"

namespace easemu::server::admin {

void add_server_routes(route_table& t, std::function<std::size_t()> waiting_requests) {
  t.add({{"GET"}, "/api/v1/server", [waiting = std::move(waiting_requests)](const api_call&) {
           return admin_json::json_response(
               200, boost::json::object{{"resident_bytes", resident_bytes()}, {"waiting_requests", waiting()}});
         }});
}

}  // namespace easemu::server::admin
