#pragma once
// Calendar, contact, task and note items (MS-ASCAL, MS-ASCNTC, MS-ASTASK, MS-ASNOTE): one shared
// path for the four classes, driven by the property table (pim_properties.def) and the code
// page table's versions. An item is kept as its properties in one version-neutral form (an
// AirSync:ApplicationData tree: the body always as AirSyncBase:Body with Type and Data, the
// location always as AirSyncBase:Location); reading a phone's ApplicationData and writing one for
// a phone convert at the edge, per protocol version. Pure.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/wbxml/element.hpp"

namespace easemu::mailbox::pim {

enum class item_class : std::uint8_t { calendar, contacts, tasks, notes };

// The class a folder type holds (default and user-created folders), or nullopt for mail folders.
std::optional<item_class> class_of(int folder_type);
// The AirSync:Class spelling ("Calendar", "Contacts", "Tasks", "Notes").
std::string_view class_name(item_class c);
// Notes exist from 14.0 (MS-ASNOTE 1.7); the others from 2.5.
protocol_version first_version(item_class c);

enum class property_kind : std::uint8_t {
  text,
  list,
  container,
  body,
  legacy_body,
  ignored,
  picture,
  timezone,
  location,
  legacy_location,
};

struct property {
  item_class cls;
  wbxml::tag_id tag;
  property_kind kind;
  std::optional<wbxml::tag_id> item;  // the repeated element of a list
};
std::span<const property> properties();
const property* find_property(item_class c, wbxml::tag_id tag);
// By the tag's name without its page ("Subject", "Email1Address"), the kept form only (no legacy
// or ignored spellings): the admin API's JSON names.
const property* find_property(item_class c, std::string_view name);

// MS-ASCNTC 2.2.2.58: a Picture holds at most 48 KB of base64 text.
inline constexpr std::size_t max_picture_base64 = 48 * 1024;
// MS-ASDTYPE 2.7.6: the TIME_ZONE_INFORMATION blob is 172 bytes.
inline constexpr std::size_t timezone_blob_size = 172;

// A phone's ApplicationData (Sync Add or Change at version v) as kept properties, or why the
// class cannot hold it (the Responses Status 6, MS-ASCMD 2.2.3.177.17).
struct read_result {
  std::optional<wbxml::element> properties;
  std::string error;
};
read_result from_device(item_class c, const wbxml::element& application_data, protocol_version v);

// The properties a phone's Supported element names (MS-ASCMD 2.2.3.179), as kept tags.
std::vector<wbxml::tag_id> supported_tags(item_class c, const wbxml::element& supported);

// A Change's properties applied to the kept ones. Properties absent from the Change are kept
// ("ghosted") when the phone cannot name them: calendar items at 16.0+ (MS-ASCAL 3.1.5.3), those
// outside the Supported list the phone sent with SyncKey 0 (contacts and calendar, MS-ASCMD
// 2.2.3.179), and those its protocol version does not have. Otherwise an absent property is removed.
wbxml::element merge_change(item_class c, const wbxml::element& kept, const wbxml::element& change, protocol_version v,
                            const std::optional<std::vector<wbxml::tag_id>>& supported);

// The body a phone asked for (its first AirSyncBase:BodyPreference): 1 plain, 2 HTML.
struct body_options {
  int type = 1;
  std::optional<std::size_t> truncation;
};
// The ApplicationData a phone at version v is sent: tags its version has, the body as its version
// writes it (the class's own Body element at 2.5, AirSyncBase:Body from 12.0), the location as
// Calendar:Location up to 14.1 and AirSyncBase:Location from 16.0.
wbxml::element to_device(item_class c, const wbxml::element& kept, protocol_version v, const body_options& body = {});

// Kept properties as bytes for the store (WBXML of the tree) and back; nullopt when they do not decode.
std::string serialize(const wbxml::element& properties);
std::optional<wbxml::element> parse(std::string_view bytes);

}  // namespace easemu::mailbox::pim
