#include "easemu/mailbox/pim.hpp"

#include <algorithm>

#include "easemu/common/base64.hpp"
#include "easemu/mailbox/folders.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/wbxml/codec.hpp"

namespace easemu::mailbox::pim {

namespace {

using wbxml::element;
using wbxml::tag;
using wbxml::tag_id;

consteval std::optional<tag_id> item_of(std::string_view name) {
  if (name.empty()) return std::nullopt;
  return tag(name);
}

constexpr property table[] = {
#define EASEMU_PIM_PROPERTY(cls, name, kind, item) \
  property{item_class::cls, tag(name), property_kind::kind, item_of(item)},
#include "easemu/mailbox/pim_properties.def"
#undef EASEMU_PIM_PROPERTY
};

// The page of each class's own elements (lists' and containers' children live there, except
// the AirSyncBase ones of an exception, MS-ASCAL 2.2.2.21).
std::uint8_t page_of(item_class c) {
  switch (c) {
    case item_class::calendar: return tag("Calendar:Subject").page;
    case item_class::contacts: return tag("Contacts:FileAs").page;
    case item_class::tasks: return tag("Tasks:Subject").page;
    case item_class::notes: return tag("Notes:Subject").page;
  }
  return 0;
}

bool in_version(tag_id t, protocol_version v) {
  const auto* info = wbxml::find_tag(t);
  return info != nullptr && info->in_version(v);
}

std::string name_of(tag_id t) {
  const auto* info = wbxml::find_tag(t);
  const auto* page = wbxml::find_page(t.page);
  if (info == nullptr || page == nullptr) return "an unknown element";
  return std::string(page->name) + ":" + std::string(info->name);
}

const property* property_of_kind(item_class c, property_kind k) {
  for (const auto& p : table) {
    if (p.cls == c && p.kind == k) return &p;
  }
  return nullptr;
}

// Children of a list item or container: elements of the class's page (and AirSyncBase inside a
// calendar exception) that the version has, holding text or further elements of the same kind.
std::string check_nested(item_class c, const element& e, protocol_version v, int depth) {
  for (const auto& child : e.children) {
    const bool own_page = child.tag.page == page_of(c) ||
                          (c == item_class::calendar && child.tag.page == tag("AirSyncBase:Body").page);
    if (!own_page || !in_version(child.tag, v)) {
      return name_of(child.tag) + " cannot be in " + name_of(e.tag) + " at " + std::string(to_string(v));
    }
    if (!child.children.empty()) {
      if (depth >= 3) return name_of(child.tag) + " is nested too deep";
      if (auto error = check_nested(c, child, v, depth + 1); !error.empty()) return error;
    }
  }
  return {};
}

element body_element(int type, std::string data) {
  element body(tag("AirSyncBase:Body"));
  body.add(tag("AirSyncBase:Type"), std::to_string(type));
  body.add(tag("AirSyncBase:Data"), std::move(data));
  return body;
}

// Replaces the element with the same tag, or appends.
void put(element& into, element e) {
  const auto same = std::find_if(into.children.begin(), into.children.end(), [&](const element& x) { return x.tag == e.tag; });
  if (same != into.children.end()) {
    *same = std::move(e);
  } else {
    into.children.push_back(std::move(e));
  }
}

// A copy with the nested elements the version does not have left out.
element for_version(const element& e, protocol_version v) {
  element out(e.tag);
  out.kind = e.kind;
  out.value = e.value;
  for (const auto& child : e.children) {
    if (in_version(child.tag, v)) out.children.push_back(for_version(child, v));
  }
  return out;
}

// The kept tag a phone's element stands for (its legacy body and location are the kept ones).
tag_id kept_tag(item_class c, tag_id device_tag) {
  const auto* p = find_property(c, device_tag);
  if (p == nullptr) return device_tag;
  if (p->kind == property_kind::legacy_body) return tag("AirSyncBase:Body");
  if (p->kind == property_kind::legacy_location) return tag("AirSyncBase:Location");
  return device_tag;
}

// Can a phone at this version name the kept property at all?
bool visible(item_class c, tag_id kept, protocol_version v) {
  if (kept == tag("AirSyncBase:Body")) return v >= protocol_version::v12_0 || property_of_kind(c, property_kind::legacy_body) != nullptr;
  if (kept == tag("AirSyncBase:Location")) return true;  // Calendar:Location up to 14.1
  return in_version(kept, v);
}

}  // namespace

std::optional<item_class> class_of(int folder_type) {
  switch (folder_type) {
    case calendar:
    case user_calendar: return item_class::calendar;
    case contacts:
    case user_contacts: return item_class::contacts;
    case tasks:
    case user_tasks: return item_class::tasks;
    case notes:
    case user_notes: return item_class::notes;
    default: return std::nullopt;
  }
}

std::string_view class_name(item_class c) {
  switch (c) {
    case item_class::calendar: return "Calendar";
    case item_class::contacts: return "Contacts";
    case item_class::tasks: return "Tasks";
    case item_class::notes: return "Notes";
  }
  return "";
}

protocol_version first_version(item_class c) {
  return c == item_class::notes ? protocol_version::v14_0 : protocol_version::v2_5;
}

std::span<const property> properties() { return table; }

const property* find_property(item_class c, tag_id t) {
  for (const auto& p : table) {
    if (p.cls == c && p.tag == t) return &p;
  }
  return nullptr;
}

const property* find_property(item_class c, std::string_view name) {
  for (const auto& p : table) {
    if (p.cls != c || p.kind == property_kind::legacy_body || p.kind == property_kind::legacy_location ||
        p.kind == property_kind::ignored) {
      continue;
    }
    const auto* info = wbxml::find_tag(p.tag);
    if (info != nullptr && info->name == name) return &p;
  }
  return nullptr;
}

read_result from_device(item_class c, const element& data, protocol_version v) {
  read_result r;
  if (v < first_version(c)) {
    r.error = std::string(class_name(c)) + " items do not exist at " + std::string(to_string(v));
    return r;
  }
  element kept(tag("AirSync:ApplicationData"));
  for (const auto& e : data.children) {
    const auto* p = find_property(c, e.tag);
    if (p == nullptr) {
      r.error = name_of(e.tag) + " is not a property of the " + std::string(class_name(c)) + " class";
      return r;
    }
    // Versions from the code page table; the legacy bodies are 2.5's only (MS-ASCAL 2.2.2.7.2,
    // MS-ASCNTC 2.2.2.7.2, MS-ASTASK 2.2.2.3.2).
    const bool legacy = p->kind == property_kind::legacy_body;
    if (!in_version(e.tag, v) || (legacy && v != protocol_version::v2_5)) {
      r.error = name_of(e.tag) + " does not exist at " + std::string(to_string(v));
      return r;
    }
    const bool has_children = !e.children.empty();
    switch (p->kind) {
      case property_kind::ignored: break;
      case property_kind::text:
      case property_kind::picture:
      case property_kind::timezone:
      case property_kind::legacy_body:
      case property_kind::legacy_location: {
        if (has_children) {
          r.error = name_of(e.tag) + " holds a value, not elements";
          return r;
        }
        if (p->kind == property_kind::picture && e.value.size() > max_picture_base64) {
          r.error = "Contacts:Picture is larger than 48 KB";  // MS-ASCNTC 2.2.2.58
          return r;
        }
        if (p->kind == property_kind::timezone) {
          const auto blob = common::base64_decode(e.value);
          if (!blob || blob->size() != timezone_blob_size) {
            r.error = "Calendar:Timezone is not a 172-byte TIME_ZONE_INFORMATION";  // MS-ASDTYPE 2.7.6
            return r;
          }
        }
        if (p->kind == property_kind::legacy_body) {
          put(kept, body_element(1, e.value));
        } else if (p->kind == property_kind::legacy_location) {
          element loc(tag("AirSyncBase:Location"));
          loc.add(tag("AirSyncBase:DisplayName"), e.value);
          put(kept, std::move(loc));
        } else {
          put(kept, element(e.tag, e.value));
        }
        break;
      }
      case property_kind::body: {
        const auto type = e.child_text(tag("AirSyncBase:Type"), "1");
        if (type != "1" && type != "2" && type != "3") {
          r.error = "AirSyncBase:Body of type " + std::string(type) + " cannot be kept for this class";
          return r;
        }
        put(kept, body_element(type[0] - '0', std::string(e.child_text(tag("AirSyncBase:Data")))));
        break;
      }
      case property_kind::location: {
        for (const auto& child : e.children) {
          if (child.tag.page != e.tag.page || !in_version(child.tag, v) || !child.children.empty()) {
            r.error = name_of(child.tag) + " cannot be in AirSyncBase:Location";
            return r;
          }
        }
        put(kept, e);
        break;
      }
      case property_kind::list: {
        for (const auto& item : e.children) {
          if (item.tag != *p->item) {
            r.error = name_of(item.tag) + " cannot be in " + name_of(e.tag);
            return r;
          }
          if (auto error = check_nested(c, item, v, 1); !error.empty()) {
            r.error = std::move(error);
            return r;
          }
        }
        put(kept, e);
        break;
      }
      case property_kind::container: {
        if (auto error = check_nested(c, e, v, 1); !error.empty()) {
          r.error = std::move(error);
          return r;
        }
        put(kept, e);
        break;
      }
    }
  }
  // A series that ends before it starts cannot be kept (the rule for Status 6). The
  // compact date-times of MS-ASDTYPE 2.3 compare as text.
  if (const auto* rec = kept.child(tag("Calendar:Recurrence"))) {
    const auto until = rec->child_text(tag("Calendar:Until"));
    const auto start = kept.child_text(tag("Calendar:StartTime"));
    if (!until.empty() && !start.empty() && until.size() == start.size() && until < start) {
      r.error = "Calendar:Until is before Calendar:StartTime";
      return r;
    }
  }
  if (const auto* rec = kept.child(tag("Tasks:Recurrence"))) {
    const auto until = rec->child_text(tag("Tasks:Until"));
    const auto start = rec->child_text(tag("Tasks:Start"));
    if (!until.empty() && !start.empty() && until.size() == start.size() && until < start) {
      r.error = "Tasks:Until is before Tasks:Start";
      return r;
    }
  }
  r.properties = std::move(kept);
  return r;
}

std::vector<tag_id> supported_tags(item_class c, const element& supported) {
  std::vector<tag_id> out;
  for (const auto& e : supported.children) out.push_back(kept_tag(c, e.tag));
  return out;
}

element merge_change(item_class c, const element& kept, const element& change, protocol_version v,
                     const std::optional<std::vector<tag_id>>& supported) {
  const bool all_ghosted = c == item_class::calendar && v >= protocol_version::v16_0;
  const bool ghosting = supported && (c == item_class::calendar || c == item_class::contacts);
  element out(tag("AirSync:ApplicationData"));
  for (const auto& e : kept.children) {
    const bool named = std::any_of(change.children.begin(), change.children.end(), [&](const element& x) { return x.tag == e.tag; });
    if (named) continue;
    const bool ghost = all_ghosted || !visible(c, e.tag, v) ||
                       (ghosting && std::find(supported->begin(), supported->end(), e.tag) == supported->end());
    if (ghost) out.children.push_back(e);
  }
  for (const auto& e : change.children) out.children.push_back(e);
  return out;
}

element to_device(item_class c, const element& kept, protocol_version v, const body_options& body) {
  element out(tag("AirSync:ApplicationData"));
  for (const auto& e : kept.children) {
    if (e.tag == tag("AirSyncBase:Body")) {
      const auto stored = e.child_text(tag("AirSyncBase:Type"));
      const int stored_type = stored == "2" ? 2 : stored == "3" ? 3 : 1;
      std::string data(e.child_text(tag("AirSyncBase:Data")));
      if (v < protocol_version::v12_0) {
        // 2.5: the class's own Body holds plain text (MS-ASCAL 2.2.2.7.2).
        const auto* legacy = property_of_kind(c, property_kind::legacy_body);
        if (legacy == nullptr) continue;
        out.add(legacy->tag, stored_type == 2 ? html_to_text(data) : data);
        if (const auto* truncated = wbxml::find_tag(legacy->tag.page, std::string_view("BodyTruncated"))) {
          out.add(tag_id{truncated->page, truncated->token}, "0");
        }
        continue;
      }
      // RTF (a Windows Mobile phone's, base64) goes back as it came; plain and HTML convert.
      const int type = stored_type == 3 ? 3 : body.type == 2 ? 2 : 1;
      if (type != stored_type) data = type == 2 ? text_to_html(data) : html_to_text(data);
      auto& b = out.add(tag("AirSyncBase:Body"));
      b.add(tag("AirSyncBase:Type"), std::to_string(type));
      b.add(tag("AirSyncBase:EstimatedDataSize"), std::to_string(data.size()));
      if (body.truncation && data.size() > *body.truncation) {
        data = truncate_utf8(data, *body.truncation);
        b.add(tag("AirSyncBase:Truncated"), "1");
      }
      if (!data.empty()) b.add(tag("AirSyncBase:Data"), std::move(data));
      continue;
    }
    if (e.tag == tag("AirSyncBase:Location")) {
      if (v >= protocol_version::v16_0) {
        out.add(for_version(e, v));
      } else {
        out.add(tag("Calendar:Location"), std::string(e.child_text(tag("AirSyncBase:DisplayName"))));
      }
      continue;
    }
    if (in_version(e.tag, v)) out.add(for_version(e, v));
  }
  return out;
}

std::string serialize(const element& properties) {
  auto bytes = wbxml::encode(properties);
  return bytes ? std::move(*bytes) : std::string();
}

std::optional<element> parse(std::string_view bytes) {
  if (bytes.empty()) return std::nullopt;
  auto tree = wbxml::decode(bytes);
  if (!tree) return std::nullopt;
  return std::move(*tree);
}

}  // namespace easemu::mailbox::pim
