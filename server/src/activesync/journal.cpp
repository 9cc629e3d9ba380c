#include "easemu/server/activesync/journal.hpp"

#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/exchange_shell.hpp"
#include "easemu/server/metrics.hpp"
#include "easemu/store/journal_writer.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace easemu::server {

namespace {

using common::iequals;

// The journal's XML view of a body, with secrets blanked: passwords that ItemOperations, Search
// and Settings requests can carry.
std::string journal_xml(wbxml::element tree) {
  std::vector<wbxml::element*> todo{&tree};
  while (!todo.empty()) {
    auto* e = todo.back();
    todo.pop_back();
    const auto name = e->name();
    if ((name == "Password" || name == "DevicePassword") && e->kind != wbxml::content_kind::none) {
      e->kind = wbxml::content_kind::text;
      e->value = "***";
    }
    for (auto& c : e->children) todo.push_back(&c);
  }
  wbxml::xml_options o;
  o.declaration = false;
  return wbxml::to_xml(tree, o);
}

// Mailbox logging (Set-CASMailbox -ActiveSyncDebugLogging $true) adds the headers, with the
// credentials blanked: they never reach the journal or the log.
void add_headers(store::journal_entry& e, const http_request& request, const http_response& response) {
  for (const auto& [name, value] : request.headers) {
    const bool secret = iequals(name, "Authorization") || iequals(name, "Cookie") || iequals(name, "Proxy-Authorization");
    e.request_headers += name + ": " + (secret ? std::string("(removed)") : value) + "\n";
  }
  e.response_headers = "HTTP " + std::to_string(response.status) + "\n";
  for (const auto& [name, value] : response.headers) e.response_headers += name + ": " + value + "\n";
}

}  // namespace

journal_observer journal_recorder(std::shared_ptr<store::store> store, store::journal_writer& writer,
                                  request_metrics& metrics) {
  return [store = std::move(store), &writer, &metrics](const eas_context& ctx, const http_response& response,
                                                       int eas_status, std::int64_t ms) {
    store::journal_entry e;
    e.time_ms = common::now_ms();
    e.user = ctx.mailbox;
    e.device_id = ctx.query.printable_device_id();
    e.device_type = ctx.query.device_type;
    e.command = std::string(ctx.query.command->name);
    e.protocol_version = std::string(to_string(ctx.version));
    e.http_status = response.status;
    e.eas_status = eas_status;
    e.duration_ms = ms;
    if (ctx.body) e.request_xml = journal_xml(*ctx.body);
    const auto* type = find_header(response.headers, "Content-Type");
    if (type != nullptr && type->starts_with("application/vnd.ms-sync.wbxml") && !response.body.empty()) {
      if (auto tree = wbxml::decode(response.body)) e.response_xml = journal_xml(*tree);
    }
    // A fault's hit shows in the journal as a comment before the response (docs/faults.md).
    if (ctx.fault) {
      e.response_xml = std::string(store::journal_fault_comment) + ctx.fault->rule_id + ": " +
                       describe(ctx.fault->action) + " -->" + (e.response_xml.empty() ? "" : "\n" + e.response_xml);
    }
    metrics.count(e.command, e.http_status, e.eas_status);
    if (exchange_shell::debug_logging(*store, ctx.mailbox)) add_headers(e, *ctx.http, response);
    writer.push(std::move(e));
  };
}

}  // namespace easemu::server
