#include "mail_common.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"

namespace easemu::server::mail_common {

namespace {

using wbxml::element;
using wbxml::tag;

void add_text(element& parent, wbxml::tag_id t, const std::string& value) {
  if (!value.empty()) parent.add(t, value);
}

void add_attachments(element& data, const store::item_record& item, const mailbox::message_properties& m) {
  if (m.attachments.empty()) return;
  auto& list = data.add(tag("AirSyncBase:Attachments"));
  for (std::size_t i = 0; i < m.attachments.size(); ++i) {
    const auto& a = m.attachments[i];
    auto& e = list.add(tag("AirSyncBase:Attachment"));
    e.add(tag("AirSyncBase:DisplayName"), a.file_name);
    e.add(tag("AirSyncBase:FileReference"), item.item_id + ":" + std::to_string(i));
    e.add(tag("AirSyncBase:Method"), "1");  // normal attachment
    e.add(tag("AirSyncBase:EstimatedDataSize"), std::to_string(a.size));
    add_text(e, tag("AirSyncBase:ContentId"), a.content_id);
    if (a.is_inline) e.add(tag("AirSyncBase:IsInline"), "1");
  }
}

void add_body(element& data, const store::item_record& item, const mailbox::message_properties& m,
              const body_preference& pref, const std::string& text, protocol_version v) {
  std::string full;
  switch (pref.type) {
    case 2: full = m.html_body.empty() ? mailbox::text_to_html(m.text_body) : m.html_body; break;
    case 4: full = item.mime; break;
    default: full = text;
  }
  auto& body = data.add(tag("AirSyncBase:Body"));
  body.add(tag("AirSyncBase:Type"), std::to_string(pref.type));
  body.add(tag("AirSyncBase:EstimatedDataSize"), std::to_string(full.size()));
  const bool truncated = pref.truncation && full.size() > *pref.truncation;
  body.add(tag("AirSyncBase:Truncated"), truncated ? "1" : "0");
  // AllOrNone: a body that does not fit is not sent at all (MS-ASAIRS 2.2.2.3).
  if (!(truncated && pref.all_or_none)) {
    const auto sent = truncated ? mailbox::truncate_utf8(full, *pref.truncation) : full;
    if (!sent.empty()) body.add(tag("AirSyncBase:Data"), sent);
  }
  if (pref.preview && v >= protocol_version::v14_0) add_text(body, tag("AirSyncBase:Preview"), mailbox::preview(m, *pref.preview));
}

// MS-ASEMAIL 2.2.2.14: 16 bytes naming the conversation; the same for every message of a thread
// (its topic), so clients can group them.
element conversation_id(const mailbox::message_properties& m) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const auto topic = common::ascii_lowercase(m.thread_topic);
  EVP_Digest(topic.data(), topic.size(), digest, &len, EVP_sha256(), nullptr);
  return element::opaque(tag("Email2:ConversationId"), std::string(reinterpret_cast<char*>(digest), 16));
}

void add_flag(element& data, const store::item_record& item) {
  auto& flag = data.add(tag("Email:Flag"));
  if (item.flag != 0) flag.add(tag("Email:Status"), std::to_string(item.flag));
}

}  // namespace

std::optional<std::size_t> number(std::string_view s) { return common::parse_decimal<std::size_t>(s); }

std::optional<std::pair<std::size_t, std::size_t>> parse_range(std::string_view text) {
  if (text.empty()) return std::pair<std::size_t, std::size_t>{0, 99};
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto a = number(text.substr(0, dash));
  const auto b = number(text.substr(dash + 1));
  if (!a || !b || *b < *a) return std::nullopt;
  return std::pair{*a, *b};
}

const wbxml::element* request_root(const eas_context& ctx, wbxml::tag_id root) {
  return ctx.body && ctx.body->tag == root ? &*ctx.body : nullptr;
}

std::int64_t filter_cutoff(std::string_view filter, std::int64_t now) {
  constexpr std::int64_t day = 86'400'000;
  if (filter == "1") return now - day;
  if (filter == "2") return now - 3 * day;
  if (filter == "3") return now - 7 * day;
  if (filter == "4") return now - 14 * day;
  if (filter == "5") return now - 31 * day;
  return 0;  // 0 or absent: everything
}

body_preference body_request::for_message(bool smime) const {
  const bool mime_allowed = mime_support == 2 || (mime_support == 1 && smime);
  for (const auto& p : preferences) {
    if (p.type != 4 || mime_allowed) return p;
  }
  body_preference fallback;
  if (!preferences.empty()) {
    fallback = preferences.front();
    fallback.type = 1;
  }
  return fallback;
}

body_request choose_body(const element* options) {
  body_request out;
  if (options == nullptr) return out;
  if (auto m = number(options->child_text(tag("AirSync:MIMESupport")))) out.mime_support = static_cast<int>(std::min<std::uint64_t>(*m, 2));
  for (const auto& p : options->children) {
    if (p.tag != tag("AirSyncBase:BodyPreference")) continue;
    const auto type = number(p.child_text(tag("AirSyncBase:Type")));
    if (!type || (*type != 1 && *type != 2 && *type != 4)) continue;
    body_preference pref;
    pref.type = static_cast<int>(*type);
    pref.truncation = number(p.child_text(tag("AirSyncBase:TruncationSize")));
    pref.all_or_none = p.child_text(tag("AirSyncBase:AllOrNone")) == "1";
    if (auto pv = number(p.child_text(tag("AirSyncBase:Preview")))) pref.preview = std::min<std::size_t>(*pv, 255);
    out.preferences.push_back(pref);
  }
  return out;
}

element email_data(const store::item_record& item, const mailbox::message_properties& m, const body_request& request,
                   protocol_version v, bool draft) {
  element data(tag("AirSync:ApplicationData"));
  add_text(data, tag("Email:To"), m.to);
  add_text(data, tag("Email:Cc"), m.cc);
  add_text(data, tag("Email:From"), m.from);
  data.add(tag("Email:Subject"), m.subject);
  add_text(data, tag("Email:ReplyTo"), m.reply_to);
  data.add(tag("Email:DateReceived"), common::iso8601_utc(item.received_ms));
  add_text(data, tag("Email:DisplayTo"), m.display_to);
  add_text(data, tag("Email:ThreadTopic"), m.thread_topic);
  data.add(tag("Email:Importance"), std::to_string(m.importance));
  data.add(tag("Email:Read"), item.read ? "1" : "0");
  const std::string text = m.text_body.empty() ? mailbox::html_to_text(m.html_body) : m.text_body;
  if (v < protocol_version::v12_0) {
    // EAS 2.5 has no AirSyncBase: the plain text body in Email:Body.
    data.add(tag("Email:Body"), text);
    data.add(tag("Email:BodyTruncated"), "0");
    data.add(tag("Email:MessageClass"), m.message_class);
    data.add(tag("Email:InternetCPID"), "65001");
    return data;
  }
  add_attachments(data, item, m);
  add_body(data, item, m, request.for_message(m.is_smime()), text, v);
  data.add(tag("Email:MessageClass"), m.message_class);
  data.add(tag("Email:InternetCPID"), "65001");
  add_flag(data, item);
  data.add(tag("Email:ContentClass"), "urn:content-classes:message");
  data.add(tag("AirSyncBase:NativeBodyType"), m.html_body.empty() ? "1" : "2");
  if (v >= protocol_version::v14_0) data.add(conversation_id(m));
  if (draft && v >= protocol_version::v16_0) {
    data.add(tag("Email2:IsDraft"), "1");
    add_text(data, tag("Email2:Bcc"), m.bcc);
  }
  return data;
}

element email_change(const store::item_record& item) {
  element data(tag("AirSync:ApplicationData"));
  data.add(tag("Email:Read"), item.read ? "1" : "0");
  add_flag(data, item);
  return data;
}

std::optional<std::pair<std::string, std::size_t>> split_file_reference(std::string_view ref) {
  const auto colon = ref.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const auto index = number(ref.substr(colon + 1));
  if (!index) return std::nullopt;
  return std::make_pair(std::string(ref.substr(0, colon)), *index);
}

std::vector<store::mailbox_record> gal_matches(const store::store& s, std::string_view query) {
  using common::ascii_lowercase;
  std::vector<store::mailbox_record> out;
  const auto q = ascii_lowercase(query);
  if (q.empty()) return out;
  for (const auto& m : s.list_mailboxes()) {
    std::vector<std::string> keys = {ascii_lowercase(m.address), ascii_lowercase(m.address.substr(0, m.address.find('@'))),
                                     ascii_lowercase(m.display_name)};
    const auto name = ascii_lowercase(m.display_name);
    for (std::size_t pos = name.find(' '); pos != std::string::npos; pos = name.find(' ', pos + 1)) keys.push_back(name.substr(pos + 1));
    if (std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return k.rfind(q, 0) == 0; })) out.push_back(m);
  }
  return out;
}

}  // namespace easemu::server::mail_common
