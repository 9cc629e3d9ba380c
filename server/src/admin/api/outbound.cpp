// GET /api/v1/outbound: mail phones sent to addresses outside the lab (SendMail, SmartReply,
// SmartForward), oldest first.
#include <boost/json.hpp>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/mail_service.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;

http_response list_outbound(const mail_service& mail) {
  json::array list;
  for (const auto& m : mail.outbound()) {
    json::array to;
    for (const auto& r : m.recipients) to.emplace_back(r);
    list.push_back(json::object{{"from", m.from_mailbox}, {"to", std::move(to)}, {"subject", m.subject},
                                {"time", common::iso8601_utc(m.time_ms)}});
  }
  return admin_json::json_response(200, json::object{{"messages", std::move(list)}});
}

}  // namespace

void add_outbound_routes(route_table& t, mail_service& mail) {
  t.add({{"GET"}, "/api/v1/outbound", [&mail](const api_call&) { return list_outbound(mail); }});
}

}  // namespace easemu::server::admin
