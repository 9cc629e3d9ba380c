#pragma once
// What readers of the journal see: request_xml and response_xml, rendered from the WBXML the
// server recorded when an entry is read, not when it is written (the request path encodes once
// and decodes nothing). The store knows no WBXML: the server installs the renderer, a store
// decorator over the store it reads (the admin API, the dashboard, the mailbox log cmdlets and the
// device statistics all read through it).
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "easemu/store/store.hpp"

namespace easemu::store {

// A body's WBXML as the XML a reader sees (secrets blanked); never throws.
using journal_renderer = std::function<std::string(std::string_view wbxml)>;

// `xml` cut at journal_xml_cap on a character boundary, with a note of its full size.
std::string capped_journal_xml(const std::string& xml);

// Fills request_xml and response_xml of an entry from its WBXML: the request's when it has
// none, the response's after the fault comment response_xml may already hold ("<!-- ... -->\n"
// then the XML). Entries without WBXML (older rows, summaries) stay as they are.
void render_journal_entry(journal_entry& entry, const journal_renderer& render);

// `inner` with every query_journal answer rendered; everything else passes through.
std::unique_ptr<store> make_rendered_journal_store(std::shared_ptr<store> inner, journal_renderer render);

}  // namespace easemu::store
