#pragma once
// Sync of calendar, contact, task and note folders (MS-ASCMD 2.2.1.21 with MS-ASCAL, MS-ASCNTC,
// MS-ASTASK and MS-ASNOTE ApplicationData): the device's Add, Change, Delete and Fetch, and the
// ApplicationData it is sent, for all four classes on one path (mailbox/pim.hpp). Called by
// sync.cpp under the mail lock. Private to server/src/commands.
#include <optional>
#include <string>
#include <vector>

#include "easemu/mailbox/pim.hpp"
#include "easemu/server/commands/commands.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/element.hpp"
#include "sync_request.hpp"

namespace easemu::server::commands::pim_sync {

// What Sync knows of a calendar, contact, task or note collection for this device.
struct collection_view {
  mailbox::pim::item_class cls;
  // The properties the device named in Supported with SyncKey 0 (MS-ASCMD 2.2.3.179); nullopt: none.
  std::optional<std::vector<wbxml::tag_id>> supported;
};

// With SyncKey 0 the device's Supported element is remembered (or forgotten when it sends none);
// with any other key the remembered one is read.
collection_view open(const command_services& s, const eas_context& ctx, const collection_request& c,
                     mailbox::pim::item_class cls);

struct outcome {
  wbxml::element response;                 // the entry for Responses
  bool answer = false;                     // whether Responses gets it
  std::optional<store::item_record> kept;  // the item as stored now
  bool deleted = false;
};

// An Add: Status 1 with the new ServerId, or 6 for data the class cannot hold (nothing stored).
outcome add(const command_services& s, const eas_context& ctx, const collection_view& view, const std::string& folder_id,
            const wbxml::element& cmd);
// A Change of `item` (nullopt: not in the collection, Status 8); 6 changes nothing.
outcome change(const command_services& s, const eas_context& ctx, const collection_view& view,
               std::optional<store::item_record> item, const wbxml::element& cmd);
// A Delete: the item is gone (Status 8 when it was not there).
outcome remove(const command_services& s, const eas_context& ctx, std::optional<store::item_record> item, const std::string& id);
// A Fetch: the item's ApplicationData, or Status 8.
wbxml::element fetch(const eas_context& ctx, const collection_view& view, const std::optional<store::item_record>& item,
                     const std::string& id, const mail_common::body_request& body);

// The ApplicationData a device at the request's version gets for an item; nullopt when the item
// holds no properties (a mail item moved here).
std::optional<wbxml::element> application_data(const store::item_record& item, mailbox::pim::item_class cls,
                                               protocol_version v, const mail_common::body_request& body);

}  // namespace easemu::server::commands::pim_sync
