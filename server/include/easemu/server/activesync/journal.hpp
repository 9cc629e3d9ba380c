#pragma once
// The request journal's side of the pipeline: every answered EAS request becomes a journal entry
// (the mailbox log, the dashboard, the admin API) and a count in the metrics. The entry keeps the
// WBXML that travelled and the Status of the reply tree; its XML is rendered only when it is read
// (store/journal_view.hpp, with render_journal_body).
#include <memory>
#include <string>
#include <string_view>

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

// A journal body's WBXML as XML without a declaration, passwords blanked (the journal's
// renderer, store::journal_renderer); a note when it does not decode (a body cut at
// store::journal_wbxml_cap).
std::string render_journal_body(std::string_view wbxml);

}  // namespace easemu::server
