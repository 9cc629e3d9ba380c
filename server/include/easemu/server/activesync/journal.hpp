#pragma once
// The request journal's side of the pipeline: every answered EAS request becomes a journal entry
// (the mailbox log, the dashboard, the admin API) and a count in the metrics.
#include <memory>

#include "easemu/server/activesync/pipeline.hpp"

namespace easemu::store {
class store;
class journal_writer;
}

namespace easemu::server {

class request_metrics;

// The pipeline's journal observer. `store` answers whether a mailbox's debug logging is on (its
// entries then carry the HTTP headers, credentials blanked).
journal_observer journal_recorder(std::shared_ptr<store::store> store, store::journal_writer& writer,
                                  request_metrics& metrics);

}  // namespace easemu::server
