#include "easemu/server/activesync/journal.hpp"

#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/activesync/envelope.hpp"
#include "easemu/server/exchange_shell.hpp"
#include "easemu/server/metrics.hpp"
#include "easemu/store/journal_writer.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace easemu::server {

namespace {

using common::iequals;

// Elements whose text is a secret: passwords that ItemOperations, Search and Settings requests
// can carry.
bool secret(const wbxml::element& e) {
  const auto name = e.name();
  return (name == "Password" || name == "DevicePassword") && e.kind != wbxml::content_kind::none;
}

bool has_secret(const wbxml::element& tree) {
  if (secret(tree)) return true;
  for (const auto& c : tree.children) {
    if (has_secret(c)) return true;
  }
  return false;
}

void blank_secrets(wbxml::element& tree) {
  if (secret(tree)) {
    tree.kind = wbxml::content_kind::text;
    tree.value = "***";
  }
  for (auto& c : tree.children) blank_secrets(c);
}

// The request as the journal keeps it: the bytes that came, unless they carry a password, which
// never reaches the journal: then the request tree re-encoded with it blanked (or, should that
// tree not encode, its XML at once).
void record_request(store::journal_entry& e, const eas_context& ctx) {
  if (!ctx.body) return;
  if (!has_secret(*ctx.body)) {
    e.request_wbxml = ctx.http->body;
    return;
  }
  auto blanked = *ctx.body;
  blank_secrets(blanked);
  if (auto bytes = wbxml::encode(blanked)) {
    e.request_wbxml = std::move(*bytes);
  } else {
    e.request_xml = render_journal_body(ctx.http->body);
  }
}

// Mailbox logging (Set-CASMailbox -ActiveSyncDebugLogging $true) adds the headers, with the
// credentials blanked: they never reach the journal or the log.
void add_headers(store::journal_entry& e, const http_request& request, const http_response& response) {
  for (const auto& [name, value] : request.headers) {
    const bool hidden = iequals(name, "Authorization") || iequals(name, "Cookie") || iequals(name, "Proxy-Authorization");
    e.request_headers += name + ": " + (hidden ? std::string("(removed)") : value) + "\n";
  }
  e.response_headers = "HTTP " + std::to_string(response.status) + "\n";
  for (const auto& [name, value] : response.headers) e.response_headers += name + ": " + value + "\n";
}

store::journal_entry entry_of(const eas_context& ctx, const http_response& response, int eas_status, std::int64_t ms) {
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
  record_request(e, ctx);
  const auto* type = find_header(response.headers, "Content-Type");
  if (type != nullptr && type->starts_with(wbxml_content_type) && !response.body.empty()) e.response_wbxml = response.body;
  // A fault's hit shows in the journal as a comment before the response (docs/faults.md).
  if (ctx.fault) {
    e.response_xml = std::string(store::journal_fault_comment) + ctx.fault->rule_id + ": " + describe(ctx.fault->action) + " -->";
  }
  return e;
}

}  // namespace

std::string render_journal_body(std::string_view bytes) {
  auto tree = wbxml::decode(bytes);
  if (!tree) {
    return "<!-- " + std::to_string(bytes.size()) + " bytes of WBXML that do not decode: " + tree.error().message() + " -->";
  }
  blank_secrets(*tree);
  wbxml::xml_options o;
  o.declaration = false;
  return wbxml::to_xml(*tree, o);
}

journal_observer journal_recorder(std::shared_ptr<store::store> store, store::journal_writer& writer,
                                  request_metrics& metrics) {
  return [store = std::move(store), &writer, &metrics](const eas_context& ctx, const http_response& response,
                                                       int eas_status, std::int64_t ms) {
    auto e = entry_of(ctx, response, eas_status, ms);
    metrics.count(e.command, e.http_status, e.eas_status);
    if (exchange_shell::debug_logging(*store, ctx.mailbox)) add_headers(e, *ctx.http, response);
    writer.push(std::move(e));
  };
}

}  // namespace easemu::server
