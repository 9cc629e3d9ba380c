#include "admin/events/feed.hpp"

#include <boost/json.hpp>

#include "admin/journal_view.hpp"
#include "easemu/server/event_hub.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server::admin {

void publish_journal(event_hub& events, const std::vector<store::journal_entry>& written) {
  if (!events.listening()) return;  // 20k requests a second: nothing to build for nobody
  for (const auto& e : written) {
    events.publish("journal", std::to_string(e.id), boost::json::serialize(journal_json(e, journal_detail::summary)));
  }
}

void publish_device(event_hub& events, const std::string& mailbox, const std::string& device_id) {
  if (!events.listening()) return;
  events.publish("device", "", boost::json::serialize(boost::json::object{{"device_id", device_id}, {"mailbox", mailbox}}));
}

}  // namespace easemu::server::admin
