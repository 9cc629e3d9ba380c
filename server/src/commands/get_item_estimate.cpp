// GetItemEstimate (MS-ASCMD 2.2.1.9): how many changes the next Sync of each collection would
// bring; the engine runs without storing anything, so no key advances.
#include <algorithm>

#include "easemu/common/time.hpp"
#include "easemu/mailbox/pim.hpp"
#include "easemu/server/commands/commands.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "mail_common.hpp"

namespace easemu::server::commands {

namespace {

using namespace mail_common;
using wbxml::element;
using wbxml::tag;

// MS-ASCMD 2.2.3.177.8: 1 success, 2 invalid collection, 3 not primed (no Sync 0 yet), 4 bad key.
int estimate_status(bool exists, const mailbox::collection_state& state, std::string_view key) {
  const auto k = number(key);
  if (!exists) return 2;
  if (state.key == 0 || !k || *k == 0) return 3;
  if (*k != state.key && *k != state.previous_key) return 4;
  return 1;
}

std::size_t estimate(const command_services& s, const std::string& mailbox, const std::string& id,
                     const std::string& key, std::int64_t cutoff, const mailbox::collection_state& state) {
  mailbox::sync_request req;
  req.client_key = key;
  req.window = SIZE_MAX;
  for (const auto& item : s.store->list_items(mailbox, id)) {
    req.existing.insert(item.item_id);
    if (item.received_ms >= cutoff) req.current.push_back({item.item_id, item.version});
  }
  const auto r = mailbox::sync_collection(req, state);  // not stored: the key does not advance
  return r.added.size() + r.changed.size() + r.deleted.size() + r.soft_deleted.size();
}

command_reply handle(const command_services& s, const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("GetItemEstimate:GetItemEstimate"));
  const element* root = request_root(ctx, tag("GetItemEstimate:GetItemEstimate"));
  const element* collections = root != nullptr ? root->child(tag("GetItemEstimate:Collections")) : nullptr;
  if (collections == nullptr) {
    out.add(tag("GetItemEstimate:Response")).add(tag("GetItemEstimate:Status"), "2");
    return reply;
  }
  const auto device = ctx.query.printable_device_id();
  const auto now = common::now_ms();
  auto lock = s.mail.lock_items();
  const auto folders = s.folders.folders(ctx.mailbox);
  for (const auto& c : collections->children) {
    if (c.tag != tag("GetItemEstimate:Collection")) continue;
    const std::string id(c.child_text(tag("GetItemEstimate:CollectionId")));
    // 14.0+ put SyncKey and FilterType under AirSync elements; 12.1 and older directly too.
    const std::string key(c.child_text(tag("AirSync:SyncKey")));
    std::string filter(c.child_text(tag("AirSync:FilterType")));
    if (const auto* options = c.child(tag("AirSync:Options"))) filter = options->child_text(tag("AirSync:FilterType"));
    auto& response = out.add(tag("GetItemEstimate:Response"));
    const auto folder = std::find_if(folders.begin(), folders.end(), [&](const mailbox::folder& f) { return f.server_id == id; });
    const bool exists = folder != folders.end();
    // The mail FilterType (received time) does not apply to calendar, contacts, tasks and notes,
    // as in Sync.
    const bool mail = exists && !mailbox::pim::class_of(folder->type);
    const auto state = s.mail.collection_state(ctx.mailbox, device, id);
    const int status = estimate_status(exists, state, key);
    response.add(tag("GetItemEstimate:Status"), std::to_string(status));
    if (status != 1) continue;
    auto& col = response.add(tag("GetItemEstimate:Collection"));
    col.add(tag("GetItemEstimate:CollectionId"), id);
    col.add(tag("GetItemEstimate:Estimate"),
            std::to_string(estimate(s, ctx.mailbox, id, key, mail ? filter_cutoff(filter, now) : 0, state)));
  }
  return reply;
}

}  // namespace

command_registration get_item_estimate(const command_services& s) {
  return {eas::command_id::get_item_estimate,
          [s](const eas_context& ctx) { return handle(s, ctx); }};
}

}  // namespace easemu::server::commands
