#pragma once
// What the dashboard's live feed publishes: the journal's new entries (summaries) and device
// changes. Nothing is built while nobody listens (one atomic load).
#include <string>
#include <vector>

namespace easemu::store {
struct journal_entry;
}

namespace easemu::server {
class event_hub;
}

namespace easemu::server::admin {

// event: journal, id: the entry's id, data: its summary (journal_view's).
void publish_journal(event_hub& events, const std::vector<store::journal_entry>& written);
// event: device, data: {"device_id": ..., "mailbox": ...}
void publish_device(event_hub& events, const std::string& mailbox, const std::string& device_id);

}  // namespace easemu::server::admin
