#include "pim_sync.hpp"

#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include "easemu/common/hex.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/mail_service.hpp"

namespace easemu::server::commands::pim_sync {

namespace {

using mailbox::pim::item_class;
using wbxml::element;
using wbxml::tag;

// Supported as the store keeps it: "page:token" per property, comma-separated.
std::string encode_tags(const std::vector<wbxml::tag_id>& tags) {
  std::string out;
  for (const auto& t : tags) {
    if (!out.empty()) out += ',';
    out += std::to_string(t.page) + ":" + std::to_string(t.token);
  }
  return out;
}

std::vector<wbxml::tag_id> decode_tags(std::string_view text) {
  std::vector<wbxml::tag_id> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto one = text.substr(0, comma);
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    const auto colon = one.find(':');
    const auto page = mail_common::number(one.substr(0, colon));
    const auto token = colon == std::string_view::npos ? std::nullopt : mail_common::number(one.substr(colon + 1));
    if (page && token && *page <= 255 && *token <= 255) {
      out.push_back({static_cast<std::uint8_t>(*page), static_cast<std::uint8_t>(*token)});
    }
  }
  return out;
}

mailbox::pim::body_options body_of(const mail_common::body_request& body) {
  mailbox::pim::body_options out;
  if (!body.preferences.empty()) {
    out.type = body.preferences.front().type == 2 ? 2 : 1;
    out.truncation = body.preferences.front().truncation;
  }
  return out;
}

element status_response(wbxml::tag_id kind, const std::string& id_name_value, bool client_id, const std::string& status) {
  element r(kind);
  r.add(client_id ? tag("AirSync:ClientId") : tag("AirSync:ServerId"), id_name_value);
  r.add(tag("AirSync:Status"), status);
  return r;
}

// A calendar item without a UID gets one, as Exchange assigns one to every appointment
// (MS-ASCAL 2.2.2.46: the identity of an event or series across devices).
void give_uid(element& props, const std::string& mailbox, const std::string& item_id) {
  if (props.child(tag("Calendar:UID")) != nullptr) return;
  const std::string seed = mailbox + "\n" + item_id;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), digest);
  props.add(tag("Calendar:UID"), common::hex_encode(std::string_view(reinterpret_cast<const char*>(digest), 16)));
}

}  // namespace

collection_view open(const command_services& s, const eas_context& ctx, const collection_request& c, item_class cls) {
  collection_view view{cls, std::nullopt};
  const auto device = ctx.query.printable_device_id();
  if (c.client_key && *c.client_key == "0") {
    if (c.supported != nullptr) view.supported = mailbox::pim::supported_tags(cls, *c.supported);
    s.store->save_collection_supported(ctx.mailbox, device, c.id,
                                       view.supported ? std::optional(encode_tags(*view.supported)) : std::nullopt);
    return view;
  }
  if (const auto kept = s.store->find_collection_supported(ctx.mailbox, device, c.id)) view.supported = decode_tags(*kept);
  return view;
}

outcome add(const command_services& s, const eas_context& ctx, const collection_view& view, const std::string& folder_id,
            const element& cmd) {
  outcome out;
  out.answer = true;
  const std::string client_id(cmd.child_text(tag("AirSync:ClientId")));
  const auto* data = cmd.child(tag("AirSync:ApplicationData"));
  auto read = data != nullptr ? mailbox::pim::from_device(view.cls, *data, ctx.version)
                              : mailbox::pim::read_result{std::nullopt, "no ApplicationData"};
  if (!read.properties) {
    s.log->info("Sync user={} Add {} to {} refused (Status 6): {}", ctx.mailbox, client_id, folder_id, read.error);
    out.response = status_response(tag("AirSync:Add"), client_id, true, "6");
    return out;
  }
  store::item_record item;
  item.item_id = s.mail.next_item_id(ctx.mailbox, folder_id);
  item.folder_id = folder_id;
  item.version = 1;
  item.received_ms = common::now_ms();
  if (view.cls == item_class::calendar) give_uid(*read.properties, ctx.mailbox, item.item_id);
  item.properties = mailbox::pim::serialize(*read.properties);
  s.store->put_items(ctx.mailbox, {item});
  // MS-ASCMD 2.2.3.7.2: the ClientId with the ServerId the item has from now on.
  out.response = element(tag("AirSync:Add"));
  out.response.add(tag("AirSync:ClientId"), client_id);
  out.response.add(tag("AirSync:ServerId"), item.item_id);
  out.response.add(tag("AirSync:Status"), "1");
  out.kept = std::move(item);
  return out;
}

outcome change(const command_services& s, const eas_context& ctx, const collection_view& view,
               std::optional<store::item_record> item, const element& cmd) {
  outcome out;
  const std::string id(cmd.child_text(tag("AirSync:ServerId")));
  if (!item) {
    out.answer = true;
    out.response = status_response(tag("AirSync:Change"), id, false, "8");
    return out;
  }
  const auto kept = mailbox::pim::parse(item->properties).value_or(element(tag("AirSync:ApplicationData")));
  const auto* data = cmd.child(tag("AirSync:ApplicationData"));
  const element empty(tag("AirSync:ApplicationData"));
  auto read = mailbox::pim::from_device(view.cls, data != nullptr ? *data : empty, ctx.version);
  if (!read.properties) {
    s.log->info("Sync user={} Change of {} refused (Status 6): {}", ctx.mailbox, id, read.error);
    out.answer = true;
    out.response = status_response(tag("AirSync:Change"), id, false, "6");
    return out;
  }
  auto merged = mailbox::pim::merge_change(view.cls, kept, *read.properties, ctx.version, view.supported);
  if (view.cls == item_class::calendar) give_uid(merged, ctx.mailbox, item->item_id);
  item->properties = mailbox::pim::serialize(merged);
  ++item->version;
  s.store->put_items(ctx.mailbox, {*item});
  out.kept = std::move(item);
  return out;  // a Change that succeeds is not answered (MS-ASCMD 2.2.3.24)
}

outcome remove(const command_services& s, const eas_context& ctx, std::optional<store::item_record> item, const std::string& id) {
  outcome out;
  if (!item) {
    out.answer = true;
    out.response = status_response(tag("AirSync:Delete"), id, false, "8");
    return out;
  }
  s.store->delete_item(ctx.mailbox, id);
  out.deleted = true;
  return out;
}

element fetch(const eas_context& ctx, const collection_view& view, const std::optional<store::item_record>& item,
              const std::string& id, const mail_common::body_request& body) {
  element r(tag("AirSync:Fetch"));
  r.add(tag("AirSync:ServerId"), id);
  auto data = item ? application_data(*item, view.cls, ctx.version, body) : std::nullopt;
  r.add(tag("AirSync:Status"), data ? "1" : "8");
  if (data) r.add(std::move(*data));
  return r;
}

std::optional<element> application_data(const store::item_record& item, item_class cls, protocol_version v,
                                        const mail_common::body_request& body) {
  const auto kept = mailbox::pim::parse(item.properties);
  if (!kept) return std::nullopt;
  return mailbox::pim::to_device(cls, *kept, v, body_of(body));
}

}  // namespace easemu::server::commands::pim_sync
