#include "easemu/server/commands/mail.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <ctime>

#include "easemu/common/base64.hpp"
#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/eas/command.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/mailbox/sync.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server {

namespace {

using wbxml::element;
using wbxml::tag;

constexpr std::size_t default_window = 100;
constexpr std::size_t max_window = 512;  // MS-ASCMD 2.2.3.199: larger windows are treated as 512

std::optional<std::size_t> number(std::string_view s) { return common::parse_decimal<std::size_t>(s); }


// MS-ASCMD 2.2.3.68.2 FilterType for mail: how far back items are synced.
std::int64_t filter_cutoff(std::string_view filter, std::int64_t now) {
  constexpr std::int64_t day = 86'400'000;
  if (filter == "1") return now - day;
  if (filter == "2") return now - 3 * day;
  if (filter == "3") return now - 7 * day;
  if (filter == "4") return now - 14 * day;
  if (filter == "5") return now - 31 * day;
  return 0;  // 0 or absent: everything
}

struct body_preference {
  int type = 1;
  std::optional<std::size_t> truncation;
  bool all_or_none = false;
  std::optional<std::size_t> preview;
};

// What a request asks for: its BodyPreferences in order, and MIMESupport (MS-ASCMD 2.2.3.110.3:
// 0 never MIME, 1 MIME for S/MIME messages only, 2 MIME for every message; 0 when absent).
struct body_request {
  std::vector<body_preference> preferences;  // the types we serve (1 plain, 2 HTML, 4 MIME; RTF 3 is skipped)
  int mime_support = 0;

  // The body one message gets: the first preference it may have (MIME only where MIMESupport
  // allows it for this message), else the first non-MIME one with the MIME preference's
  // limits turned into plain text, else plain text.
  body_preference for_message(bool smime) const {
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
};

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

void add_text(element& parent, wbxml::tag_id t, const std::string& value) {
  if (!value.empty()) parent.add(t, value);
}

// ApplicationData of an e-mail (MS-ASEMAIL 2.2.2; body per MS-ASAIRS 2.2.2.9), in Exchange's order.
element email_data(const store::item_record& item, const mailbox::message_properties& m, const body_request& request,
                   protocol_version v) {
  const auto pref = request.for_message(m.is_smime());
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
  if (!m.attachments.empty()) {
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
  data.add(tag("Email:MessageClass"), m.message_class);
  data.add(tag("Email:InternetCPID"), "65001");
  auto& flag = data.add(tag("Email:Flag"));
  if (item.flag != 0) flag.add(tag("Email:Status"), std::to_string(item.flag));
  data.add(tag("Email:ContentClass"), "urn:content-classes:message");
  data.add(tag("AirSyncBase:NativeBodyType"), m.html_body.empty() ? "1" : "2");
  if (v >= protocol_version::v14_0) {
    // MS-ASEMAIL 2.2.2.14: 16 bytes naming the conversation; the same for every message of a
    // thread (its topic), so clients can group them.
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const auto topic = common::ascii_lowercase(m.thread_topic);
    EVP_Digest(topic.data(), topic.size(), digest, &len, EVP_sha256(), nullptr);
    data.add(element::opaque(tag("Email2:ConversationId"), std::string(reinterpret_cast<char*>(digest), 16)));
  }
  return data;
}

// What a Change tells the device: the state it can change itself.
element email_change(const store::item_record& item) {
  element data(tag("AirSync:ApplicationData"));
  data.add(tag("Email:Read"), item.read ? "1" : "0");
  auto& flag = data.add(tag("Email:Flag"));
  if (item.flag != 0) flag.add(tag("Email:Status"), std::to_string(item.flag));
  return data;
}

mailbox::collection_state load_state(const store::store& s, const std::string& mailbox, const std::string& device,
                                     const std::string& collection) {
  const auto r = s.find_collection_state(mailbox, device, collection);
  if (!r) return {};
  return {static_cast<std::uint32_t>(r->key), mailbox::parse_known(r->known), static_cast<std::uint32_t>(r->previous_key),
          mailbox::parse_known(r->previous_known)};
}


}  // namespace

mail_service::mail_service(std::shared_ptr<store::store> store, folder_service& folders, std::shared_ptr<spdlog::logger> log)
    : store_(std::move(store)), folders_(folders), log_(std::move(log)) {}

std::string mail_service::next_item_id(const std::string& mailbox, const std::string& folder_id) {
  const auto key = "item_seq:" + mailbox;
  long long next = 1;
  if (const auto v = store_->get_lab_state(key)) next = std::max(next, std::atoll(v->c_str()));
  store_->set_lab_state(key, std::to_string(next + 1));
  return folder_id + ":" + std::to_string(next);
}

mail_service::delivery mail_service::deliver(const std::string& mailbox, const std::string& folder_id,
                                             const std::string& mime, bool read, std::int64_t received_ms) {
  delivery d;
  const auto parsed = mailbox::parse_message(mime);
  if (!parsed) {
    d.error = "the body is not an RFC 822 message";
    return d;
  }
  {
    std::lock_guard lock(mutex_);
    const auto folders = folders_.folders(mailbox);
    const auto it = std::find_if(folders.begin(), folders.end(), [&](const mailbox::folder& f) {
      return folder_id.empty() ? f.type == mailbox::inbox : (f.server_id == folder_id || f.display_name == folder_id);
    });
    if (it == folders.end()) {
      d.error = "no folder '" + folder_id + "' in " + mailbox;
      return d;
    }
    d.folder_id = it->server_id;
    d.item_id = next_item_id(mailbox, d.folder_id);
    store_->put_items(mailbox, {{d.item_id, d.folder_id, 1, received_ms, read, 0, mime}});
  }
  if (changed_) changed_(mailbox, d.folder_id);
  return d;
}

std::optional<element> mail_service::effective_request(const eas_context& ctx) {
  const auto key = ctx.mailbox + "\n" + ctx.query.printable_device_id();
  const element* root = ctx.body && ctx.body->tag == tag("AirSync:Sync") ? &*ctx.body : nullptr;
  const bool partial = root != nullptr && root->child(tag("AirSync:Partial")) != nullptr;
  if (root != nullptr && !partial && root->child(tag("AirSync:Collections")) != nullptr) {
    // A full request: remembered without keys and commands, used as it is.
    element cached = *root;
    if (auto* cs = cached.child(tag("AirSync:Collections"))) {
      for (auto& c : cs->children) {
        std::erase_if(c.children, [](const element& e) {
          return e.tag == tag("AirSync:SyncKey") || e.tag == tag("AirSync:Commands");
        });
      }
    }
    std::lock_guard lock(cache_mutex_);
    request_cache_[key] = std::move(cached);
    return *root;
  }
  if (ctx.version < protocol_version::v12_1 || (root != nullptr && !partial)) return ctx.body;
  std::optional<element> base;
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = request_cache_.find(key); it != request_cache_.end()) base = it->second;
  }
  if (!base) return std::nullopt;  // nothing cached: Status 13
  // The cached collections with the keys the device holds now, then the partial request's own
  // collections and settings on top.
  auto* cs = base->child(tag("AirSync:Collections"));
  for (auto& c : cs->children) {
    const auto state = load_state(*store_, ctx.mailbox, ctx.query.printable_device_id(),
                                  std::string(c.child_text(tag("AirSync:CollectionId"))));
    c.children.insert(c.children.begin(), element(tag("AirSync:SyncKey"), std::to_string(state.key)));
  }
  if (root != nullptr) {
    for (const auto& e : root->children) {
      if (e.tag == tag("AirSync:Partial")) continue;
      if (e.tag == tag("AirSync:Collections")) {
        for (const auto& c : e.children) {
          const auto id = c.child_text(tag("AirSync:CollectionId"));
          auto same = std::find_if(cs->children.begin(), cs->children.end(),
                                   [&](const element& x) { return x.child_text(tag("AirSync:CollectionId")) == id; });
          if (same != cs->children.end()) {
            *same = c;
          } else {
            cs->children.push_back(c);
          }
        }
        continue;
      }
      std::erase_if(base->children, [&](const element& x) { return x.tag == e.tag; });
      base->children.push_back(e);
    }
  }
  return base;
}

void mail_service::sync_async(std::shared_ptr<const eas_context> original, std::function<void(command_reply)> done,
                              int min_heartbeat, const waiter& wait_for) {
  // Empty and partial requests (12.1+) stand for the cached one.
  auto effective = effective_request(*original);
  if (!effective) {
    command_reply r;
    // 12.1+: 13, send the full request (MS-ASCMD 2.2.3.177.17); older versions have no empty Sync.
    r.body.emplace(tag("AirSync:Sync")).add(tag("AirSync:Status"),
                                              original->version >= protocol_version::v12_1 ? "13" : "4");
    return done(std::move(r));
  }
  auto copy = std::make_shared<eas_context>(*original);
  copy->body = std::move(*effective);
  std::shared_ptr<const eas_context> ctx = copy;
  const element* root = ctx->body && ctx->body->tag == tag("AirSync:Sync") ? &*ctx->body : nullptr;
  const element* wait = root != nullptr ? root->child(tag("AirSync:Wait")) : nullptr;
  const element* heartbeat = root != nullptr ? root->child(tag("AirSync:HeartbeatInterval")) : nullptr;
  if (wait == nullptr && heartbeat == nullptr) return done(sync(*ctx));
  // MS-ASCMD 2.2.3.188 / 2.2.3.88.2: out of range is Status 14 with the nearest Limit.
  const auto value = number((wait != nullptr ? wait : heartbeat)->value);
  const std::size_t low = wait != nullptr ? 1 : static_cast<std::size_t>(min_heartbeat);
  const std::size_t high = wait != nullptr ? 59 : 3540;
  if (!value || *value < low || *value > high) {
    command_reply r;
    auto& body = r.body.emplace(tag("AirSync:Sync"));
    body.add(tag("AirSync:Status"), "14");
    body.add(tag("AirSync:Limit"), std::to_string(value && *value > high ? high : low));
    return done(std::move(r));
  }
  const int seconds = static_cast<int>(wait != nullptr ? *value * 60 : *value);
  auto reply = sync(*ctx);
  // Something to say (items, responses, an error status): answer now.
  std::vector<std::string> collections;
  bool quiet = reply.body.has_value();
  if (quiet) {
    const auto* cs = reply.body->child(tag("AirSync:Collections"));
    quiet = cs != nullptr && reply.body->child(tag("AirSync:Status")) == nullptr;
    static const std::vector<element> none;
    for (const auto& c : quiet ? cs->children : none) {  // both lvalues: the response is not copied
      if (c.child_text(tag("AirSync:Status")) != "1" || c.child(tag("AirSync:Commands")) != nullptr ||
          c.child(tag("AirSync:Responses")) != nullptr || c.child(tag("AirSync:MoreAvailable")) != nullptr) {
        quiet = false;
      }
      collections.emplace_back(c.child_text(tag("AirSync:CollectionId")));
    }
  }
  if (!quiet || collections.empty()) return done(std::move(reply));
  wait_for(ctx->mailbox, ctx->query.printable_device_id(), std::move(collections), seconds,
           [this, ctx, done = std::move(done)](bool changed) {
             // The interval ended with nothing new: an empty response (MS-ASCMD 2.2.3.88.2).
             done(changed ? sync(*ctx) : command_reply{});
           });
}

bool mail_service::has_changes(const std::string& mailbox, const std::string& device_id, const std::string& folder_id) {
  std::lock_guard lock(mutex_);
  const auto state = load_state(*store_, mailbox, device_id, folder_id);
  if (state.key == 0) return false;
  const auto items = store_->list_items(mailbox, folder_id);
  if (items.size() != state.known.size()) return true;
  return std::any_of(items.begin(), items.end(), [&](const store::item_summary& i) {
    const auto k = state.known.find(i.item_id);
    return k == state.known.end() || k->second != i.version;
  });
}

command_reply mail_service::sync(const eas_context& ctx) {
  std::vector<std::string> touched;
  auto reply = sync_locked(ctx, touched);
  // Other devices' Pings hear of this device's changes (outside the lock: they ask has_changes).
  if (changed_) {
    for (const auto& f : touched) changed_(ctx.mailbox, f);
  }
  return reply;
}

command_reply mail_service::sync_locked(const eas_context& ctx, std::vector<std::string>& touched) {
  const auto device = ctx.query.printable_device_id();
  command_reply reply;
  auto& out = reply.body.emplace(tag("AirSync:Sync"));
  const element* root = ctx.body && ctx.body->tag == tag("AirSync:Sync") ? &*ctx.body : nullptr;
  const element* collections = root != nullptr ? root->child(tag("AirSync:Collections")) : nullptr;
  if (collections == nullptr) {
    out.add(tag("AirSync:Status"), "4");  // protocol error (empty requests were resolved before)
    return reply;
  }
  std::size_t top_window = default_window;
  if (auto w = number(root->child_text(tag("AirSync:WindowSize")))) top_window = *w;
  const auto now = common::now_ms();
  auto& results = out.add(tag("AirSync:Collections"));
  std::lock_guard lock(mutex_);
  const auto folders = folders_.folders(ctx.mailbox);
  for (const auto& c : collections->children) {
    if (c.tag != tag("AirSync:Collection")) continue;
    const std::string collection_id(c.child_text(tag("AirSync:CollectionId")));
    auto& res = results.add(tag("AirSync:Collection"));
    const auto* key_el = c.child(tag("AirSync:SyncKey"));
    const auto folder = std::find_if(folders.begin(), folders.end(),
                                     [&](const mailbox::folder& f) { return f.server_id == collection_id; });
    res.add(tag("AirSync:SyncKey"), key_el != nullptr ? key_el->value : std::string("0"));
    res.add(tag("AirSync:CollectionId"), collection_id);
    if (folder == folders.end()) {
      res.add(tag("AirSync:Status"), "12");  // the hierarchy changed: FolderSync first
      continue;
    }
    auto state = load_state(*store_, ctx.mailbox, device, collection_id);
    mailbox::sync_request req;
    if (key_el != nullptr) req.client_key = std::string_view(key_el->value);
    if (const auto* gc = c.child(tag("AirSync:GetChanges"))) {
      req.get_changes_given = true;
      req.get_changes = gc->value != "0";
    } else {
      req.get_changes = key_el != nullptr && key_el->value != "0";
    }
    std::size_t window = top_window;
    if (auto w = number(c.child_text(tag("AirSync:WindowSize")))) window = *w;
    req.window = window == 0 || window > max_window ? max_window : window;
    const element* options = c.child(tag("AirSync:Options"));
    const auto pref = choose_body(options);
    const auto cutoff = filter_cutoff(options != nullptr ? options->child_text(tag("AirSync:FilterType")) : "", now);
    const bool deletes_as_moves = c.child_text(tag("AirSync:DeletesAsMoves"), "1") != "0";

    // Client commands apply only under a key we issued (otherwise the answer is Status 3).
    const auto k = number(req.client_key.value_or(""));
    const bool key_ok = k && *k != 0 && state.key != 0 && (*k == state.key || *k == state.previous_key);
    element responses(tag("AirSync:Responses"));
    if (const auto* commands = c.child(tag("AirSync:Commands")); commands != nullptr && key_ok) {
      req.client_commands = true;
      for (const auto& cmd : commands->children) {
        const std::string id(cmd.child_text(tag("AirSync:ServerId")));
        auto item = id.empty() ? std::nullopt : store_->find_item(ctx.mailbox, id);
        if (item && item->folder_id != collection_id) item.reset();
        auto fail = [&](wbxml::tag_id kind, const char* status) {
          auto& r = responses.add(kind);
          r.add(tag("AirSync:ServerId"), id);
          r.add(tag("AirSync:Status"), status);
        };
        if (cmd.tag == tag("AirSync:Change")) {
          if (!item) {
            fail(tag("AirSync:Change"), "8");
            continue;
          }
          if (const auto* app = cmd.child(tag("AirSync:ApplicationData"))) {
            if (const auto* read = app->child(tag("Email:Read"))) item->read = read->value == "1";
            if (const auto* flag = app->child(tag("Email:Flag"))) {
              auto st = number(flag->child_text(tag("Email:Status")));
              item->flag = st && *st <= 2 ? static_cast<int>(*st) : 0;
            }
          }
          ++item->version;
          store_->put_items(ctx.mailbox, {*item});
          req.applied_by_client[id] = item->version;
          touched.push_back(collection_id);
        } else if (cmd.tag == tag("AirSync:Delete")) {
          if (!item) {
            fail(tag("AirSync:Delete"), "8");
            continue;
          }
          store_->delete_item(ctx.mailbox, id);
          const auto trash = std::find_if(folders.begin(), folders.end(),
                                          [](const mailbox::folder& f) { return f.type == mailbox::deleted_items; });
          if (deletes_as_moves && trash != folders.end() && trash->server_id != collection_id) {
            auto moved = *item;
            moved.item_id = next_item_id(ctx.mailbox, trash->server_id);
            moved.folder_id = trash->server_id;
            moved.version = 1;
            store_->put_items(ctx.mailbox, {moved});
            touched.push_back(trash->server_id);
          }
          req.deleted_by_client.insert(id);
          touched.push_back(collection_id);
        } else if (cmd.tag == tag("AirSync:Fetch")) {
          auto& r = responses.add(tag("AirSync:Fetch"));
          r.add(tag("AirSync:ServerId"), id);
          const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
          r.add(tag("AirSync:Status"), props ? "1" : "8");
          if (props) r.add(email_data(*item, *props, pref, ctx.version));
        } else if (cmd.tag == tag("AirSync:Add")) {
          // Creating mail on the server from a device is not part of mail folders before 16.0.
          auto& r = responses.add(tag("AirSync:Add"));
          r.add(tag("AirSync:ClientId"), std::string(cmd.child_text(tag("AirSync:ClientId"))));
          r.add(tag("AirSync:Status"), "6");
        }
      }
    }

    // A quarantined device sees the quarantine notice and nothing else (PROVISIONING.md 5.1).
    const std::string only = ctx.quarantined && quarantine_notice_ ? quarantine_notice_(ctx.mailbox, device) : std::string();
    for (const auto& s : store_->list_items(ctx.mailbox, collection_id)) {
      if (ctx.quarantined && s.item_id != only) continue;
      req.existing.insert(s.item_id);
      if (s.received_ms >= cutoff) req.current.push_back({s.item_id, s.version});
    }
    const auto r = mailbox::sync_collection(req, state);
    if (r.status != 1) {
      res.add(tag("AirSync:Status"), std::to_string(r.status));
      res.children[0].value = req.client_key ? std::string(*req.client_key) : "0";
      continue;
    }
    res.children[0].value = r.sync_key;
    res.add(tag("AirSync:Status"), "1");
    if (r.more_available) res.add(tag("AirSync:MoreAvailable"));
    element commands(tag("AirSync:Commands"));
    for (const auto& id : r.deleted) commands.add(tag("AirSync:Delete")).add(tag("AirSync:ServerId"), id);
    for (const auto& id : r.soft_deleted) commands.add(tag("AirSync:SoftDelete")).add(tag("AirSync:ServerId"), id);
    for (const auto& id : r.changed) {
      const auto item = store_->find_item(ctx.mailbox, id);
      if (!item) continue;
      auto& e = commands.add(tag("AirSync:Change"));
      e.add(tag("AirSync:ServerId"), id);
      e.add(email_change(*item));
    }
    for (const auto& id : r.added) {
      const auto item = store_->find_item(ctx.mailbox, id);
      const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
      if (!props) continue;
      auto& e = commands.add(tag("AirSync:Add"));
      e.add(tag("AirSync:ServerId"), id);
      e.add(email_data(*item, *props, pref, ctx.version));
    }
    if (!commands.children.empty()) res.add(std::move(commands));
    if (!responses.children.empty()) res.add(std::move(responses));
    store_->save_collection_state(ctx.mailbox, device, collection_id,
                                  {r.state.key, mailbox::serialize(r.state.known), r.state.previous_key,
                                   mailbox::serialize(r.state.previous_known)});
    log_->debug("Sync user={} device={} collection={} key {} -> {}: +{} ~{} -{}{}", ctx.mailbox, device, collection_id,
                req.client_key.value_or(""), r.sync_key, r.added.size(), r.changed.size(),
                r.deleted.size() + r.soft_deleted.size(), r.more_available ? " (more)" : "");
  }
  return reply;
}

command_reply mail_service::get_item_estimate(const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("GetItemEstimate:GetItemEstimate"));
  const element* root = ctx.body && ctx.body->tag == tag("GetItemEstimate:GetItemEstimate") ? &*ctx.body : nullptr;
  const element* collections = root != nullptr ? root->child(tag("GetItemEstimate:Collections")) : nullptr;
  if (collections == nullptr) {
    out.add(tag("GetItemEstimate:Response")).add(tag("GetItemEstimate:Status"), "2");
    return reply;
  }
  const auto device = ctx.query.printable_device_id();
  const auto now = common::now_ms();
  std::lock_guard lock(mutex_);
  const auto folders = folders_.folders(ctx.mailbox);
  for (const auto& c : collections->children) {
    if (c.tag != tag("GetItemEstimate:Collection")) continue;
    const std::string id(c.child_text(tag("GetItemEstimate:CollectionId")));
    // 14.0+ put SyncKey and FilterType under AirSync elements; 12.1 and older directly too.
    std::string key(c.child_text(tag("AirSync:SyncKey")));
    std::string filter(c.child_text(tag("AirSync:FilterType")));
    if (const auto* options = c.child(tag("AirSync:Options"))) filter = options->child_text(tag("AirSync:FilterType"));
    auto& response = out.add(tag("GetItemEstimate:Response"));
    const bool exists = std::any_of(folders.begin(), folders.end(), [&](const mailbox::folder& f) { return f.server_id == id; });
    const auto state = load_state(*store_, ctx.mailbox, device, id);
    const auto k = number(key);
    int status = 1;
    if (!exists) status = 2;                          // invalid collection
    else if (state.key == 0 || !k || *k == 0) status = 3;  // not primed: no Sync 0 yet
    else if (*k != state.key && *k != state.previous_key) status = 4;
    response.add(tag("GetItemEstimate:Status"), std::to_string(status));
    if (status != 1) continue;
    mailbox::sync_request req;
    req.client_key = key;
    req.window = SIZE_MAX;
    const auto cutoff = filter_cutoff(filter, now);
    for (const auto& item : store_->list_items(ctx.mailbox, id)) {
      req.existing.insert(item.item_id);
      if (item.received_ms >= cutoff) req.current.push_back({item.item_id, item.version});
    }
    const auto r = mailbox::sync_collection(req, state);  // not stored: the key does not advance
    auto& col = response.add(tag("GetItemEstimate:Collection"));
    col.add(tag("GetItemEstimate:CollectionId"), id);
    col.add(tag("GetItemEstimate:Estimate"),
            std::to_string(r.added.size() + r.changed.size() + r.deleted.size() + r.soft_deleted.size()));
  }
  return reply;
}

command_reply mail_service::move_items(const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("Move:MoveItems"));
  const element* root = ctx.body && ctx.body->tag == tag("Move:MoveItems") ? &*ctx.body : nullptr;
  if (root == nullptr) {
    out.add(tag("Move:Status"), "5");
    return reply;
  }
  std::vector<std::string> touched;
  {
    std::lock_guard lock(mutex_);
    const auto folders = folders_.folders(ctx.mailbox);
    auto folder_exists = [&](std::string_view id) {
      return std::any_of(folders.begin(), folders.end(), [&](const mailbox::folder& f) { return f.server_id == id; });
    };
    for (const auto& m : root->children) {
      if (m.tag != tag("Move:Move")) continue;
      const std::string src(m.child_text(tag("Move:SrcMsgId")));
      const std::string src_folder(m.child_text(tag("Move:SrcFldId")));
      const std::string dst_folder(m.child_text(tag("Move:DstFldId")));
      auto& r = out.add(tag("Move:Response"));
      r.add(tag("Move:SrcMsgId"), src);
      auto item = store_->find_item(ctx.mailbox, src);
      // MS-ASCMD 2.2.3.177.9: 1 invalid source, 2 invalid destination, 3 success, 4 same folder.
      int status = 3;
      if (!item || item->folder_id != src_folder || !folder_exists(src_folder)) status = 1;
      else if (!folder_exists(dst_folder)) status = 2;
      else if (src_folder == dst_folder) status = 4;
      r.add(tag("Move:Status"), std::to_string(status));
      if (status != 3) continue;
      store_->delete_item(ctx.mailbox, src);
      item->item_id = next_item_id(ctx.mailbox, dst_folder);
      item->folder_id = dst_folder;
      item->version = 1;
      store_->put_items(ctx.mailbox, {*item});
      r.add(tag("Move:DstMsgId"), item->item_id);
      touched.push_back(src_folder);
      touched.push_back(dst_folder);
    }
  }
  if (changed_) {
    for (const auto& f : touched) changed_(ctx.mailbox, f);
  }
  return reply;
}

namespace {

// "<item id>:<index>", as Sync's FileReference writes it.
std::optional<std::pair<std::string, std::size_t>> split_file_reference(std::string_view ref) {
  const auto colon = ref.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const auto index = number(ref.substr(colon + 1));
  if (!index) return std::nullopt;
  return std::make_pair(std::string(ref.substr(0, colon)), *index);
}

// MS-ASCMD 2.2.2.10.1 multipart response: part count, (offset, length) per part, then the
// parts; part 0 is the WBXML response.
std::string multipart(const std::vector<std::string>& parts) {
  auto le32 = [](std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  std::string out;
  le32(out, static_cast<std::uint32_t>(parts.size()));
  std::uint32_t offset = static_cast<std::uint32_t>(4 + 8 * parts.size());
  for (const auto& p : parts) {
    le32(out, offset);
    le32(out, static_cast<std::uint32_t>(p.size()));
    offset += static_cast<std::uint32_t>(p.size());
  }
  for (const auto& p : parts) out += p;
  return out;
}

}  // namespace

command_reply mail_service::get_attachment(const eas_context& ctx) {
  command_reply r;
  const auto ref = split_file_reference(ctx.query.params.attachment_name.value_or(""));
  const auto item = ref ? store_->find_item(ctx.mailbox, ref->first) : std::nullopt;
  const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
  auto content = props && ref->second < props->attachments.size() ? mailbox::attachment_content(item->mime, ref->second)
                                                                    : std::nullopt;
  if (!content) {
    r.http_status = 500;  // Exchange's answer to a GetAttachment it cannot serve
    return r;
  }
  r.raw_body = std::move(*content);
  r.content_type = props->attachments[ref->second].content_type;
  return r;
}

command_reply mail_service::item_operations(const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("ItemOperations:ItemOperations"));
  const element* root = ctx.body && ctx.body->tag == tag("ItemOperations:ItemOperations") ? &*ctx.body : nullptr;
  if (root == nullptr) {
    out.add(tag("ItemOperations:Status"), "2");
    return reply;
  }
  bool multi = ctx.query.accept_multipart;
  if (const auto* h = ctx.http != nullptr ? ctx.http->header("MS-ASAcceptMultiPart") : nullptr) multi = multi || *h == "T";
  std::vector<std::string> parts(1);  // part 0: the WBXML, filled last
  out.add(tag("ItemOperations:Status"), "1");
  auto& responses = out.add(tag("ItemOperations:Response"));
  std::vector<std::string> touched;
  for (const auto& op : root->children) {
    if (op.tag == tag("ItemOperations:Fetch")) {
      auto& f = responses.add(tag("ItemOperations:Fetch"));
      const auto* options = op.child(tag("ItemOperations:Options"));
      // Document libraries (UNC, SharePoint) are not part of the lab: Status 9, store not supported.
      if (const auto store = op.child_text(tag("ItemOperations:Store"), "Mailbox"); store != "Mailbox") {
        f.add(tag("ItemOperations:Status"), "9");
        continue;
      }
      if (const auto* ref_el = op.child(tag("AirSyncBase:FileReference"))) {
        const auto ref = split_file_reference(ref_el->value);
        const auto item = ref ? store_->find_item(ctx.mailbox, ref->first) : std::nullopt;
        const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
        auto content = props && ref->second < props->attachments.size()
                           ? mailbox::attachment_content(item->mime, ref->second)
                           : std::nullopt;
        f.add(tag("ItemOperations:Status"), content ? "1" : "15");  // 15: attachment not found
        f.add(tag("AirSyncBase:FileReference"), ref_el->value);
        if (!content) continue;
        auto& p = f.add(tag("ItemOperations:Properties"));
        p.add(tag("AirSyncBase:ContentType"), props->attachments[ref->second].content_type);
        if (multi) {
          parts.push_back(std::move(*content));
          p.add(tag("ItemOperations:Part"), std::to_string(parts.size() - 1));
        } else {
          p.add(tag("ItemOperations:Data"), common::base64_encode(*content));
        }
        continue;
      }
      const std::string collection(op.child_text(tag("AirSync:CollectionId")));
      const std::string id(op.child_text(tag("AirSync:ServerId")));
      const auto item = id.empty() ? std::nullopt : store_->find_item(ctx.mailbox, id);
      const auto props = item && (collection.empty() || item->folder_id == collection) ? mailbox::parse_message(item->mime)
                                                                                         : std::nullopt;
      f.add(tag("ItemOperations:Status"), props ? "1" : "6");  // 6: object not found
      if (!collection.empty()) f.add(tag("AirSync:CollectionId"), collection);
      f.add(tag("AirSync:ServerId"), id);
      if (!props) continue;
      f.add(tag("AirSync:Class"), "Email");
      auto data = email_data(*item, *props, choose_body(options), ctx.version);
      auto& p = f.add(tag("ItemOperations:Properties"));
      for (auto& child : data.children) p.add(std::move(child));
    } else if (op.tag == tag("ItemOperations:EmptyFolderContents")) {
      const std::string collection(op.child_text(tag("AirSync:CollectionId")));
      auto& e = responses.add(tag("ItemOperations:EmptyFolderContents"));
      std::lock_guard lock(mutex_);
      const auto folders = folders_.folders(ctx.mailbox);
      const bool exists = std::any_of(folders.begin(), folders.end(), [&](const mailbox::folder& f) { return f.server_id == collection; });
      e.add(tag("ItemOperations:Status"), exists ? "1" : "6");
      e.add(tag("AirSync:CollectionId"), collection);
      if (!exists) continue;
      for (const auto& i : store_->list_items(ctx.mailbox, collection)) store_->delete_item(ctx.mailbox, i.item_id);
      touched.push_back(collection);
    } else {
      responses.add(op.tag).add(tag("ItemOperations:Status"), "2");  // Move and others: not offered
    }
  }
  if (changed_) {
    for (const auto& f : touched) changed_(ctx.mailbox, f);
  }
  if (multi) {
    auto bytes = wbxml::encode(*reply.body);
    parts[0] = bytes ? std::move(*bytes) : std::string();
    reply.body.reset();
    reply.raw_body = multipart(parts);
    reply.content_type = "application/vnd.ms-sync.multipart";
  }
  return reply;
}

namespace {

using common::ascii_lowercase;

// The lab's mailboxes that match a GAL query: a prefix of the address, alias, display name or
// one of its words (as Exchange's ambiguous name resolution does), case-insensitively.
std::vector<store::mailbox_record> gal_matches(const store::store& s, std::string_view query) {
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

// "first-last" of an Options Range (MS-ASCMD 2.2.3.142); default 0-99.
std::pair<std::size_t, std::size_t> parse_range(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return {0, 99};
  const auto a = number(text.substr(0, dash));
  const auto b = number(text.substr(dash + 1));
  if (!a || !b || *b < *a) return {0, 99};
  return {*a, *b};
}

}  // namespace

command_reply mail_service::search(const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("Search:Search"));
  const element* root = ctx.body && ctx.body->tag == tag("Search:Search") ? &*ctx.body : nullptr;
  const element* store_el = root != nullptr ? root->child(tag("Search:Store")) : nullptr;
  if (store_el == nullptr) {
    out.add(tag("Search:Status"), "2");
    return reply;
  }
  const std::string name(store_el->child_text(tag("Search:Name")));
  const element* options = store_el->child(tag("Search:Options"));
  const auto [first, last] = parse_range(options != nullptr ? options->child_text(tag("Search:Range")) : "");
  out.add(tag("Search:Status"), "1");
  auto& result_store = out.add(tag("Search:Response")).add(tag("Search:Store"));
  std::vector<element> results;
  if (ascii_lowercase(name) == "gal") {
    for (const auto& m : gal_matches(*store_, store_el->child_text(tag("Search:Query")))) {
      element r(tag("Search:Result"));
      auto& p = r.add(tag("Search:Properties"));
      const auto display = m.display_name.empty() ? m.address : m.display_name;
      p.add(tag("GAL:DisplayName"), display);
      p.add(tag("GAL:Alias"), m.address.substr(0, m.address.find('@')));
      if (const auto space = display.find(' '); space != std::string::npos) {
        p.add(tag("GAL:FirstName"), display.substr(0, space));
        p.add(tag("GAL:LastName"), display.substr(space + 1));
      }
      p.add(tag("GAL:EmailAddress"), m.address);
      results.push_back(std::move(r));
    }
  } else if (ascii_lowercase(name) == "mailbox") {
    // Query: And{[airsync:CollectionId]*, [airsync:Class], FreeText} (MS-ASCMD 2.2.3.139).
    const element* query = store_el->child(tag("Search:Query"));
    const element* conditions = query != nullptr ? query->child(tag("Search:And")) : nullptr;
    if (conditions == nullptr) conditions = query;
    std::vector<std::string> collections;
    std::string text;
    if (conditions != nullptr) {
      for (const auto& c : conditions->children) {
        if (c.tag == tag("AirSync:CollectionId")) collections.push_back(c.value);
        if (c.tag == tag("Search:FreeText")) text = ascii_lowercase(c.value);
      }
    }
    if (text.empty()) {
      result_store.add(tag("Search:Status"), "2");  // nothing to look for: invalid request
      return reply;
    }
    const auto pref = choose_body(options);
    std::lock_guard lock(mutex_);
    for (const auto& f : folders_.folders(ctx.mailbox)) {
      if (!collections.empty() && std::find(collections.begin(), collections.end(), f.server_id) == collections.end()) continue;
      for (const auto& summary : store_->list_items(ctx.mailbox, f.server_id)) {
        const auto item = store_->find_item(ctx.mailbox, summary.item_id);
        const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
        if (!props) continue;
        const auto haystack = ascii_lowercase(props->subject + "\n" + props->text_body + "\n" + mailbox::html_to_text(props->html_body));
        if (haystack.find(text) == std::string::npos) continue;
        element r(tag("Search:Result"));
        r.add(tag("AirSync:Class"), "Email");
        r.add(tag("Search:LongId"), item->item_id);
        r.add(tag("AirSync:CollectionId"), item->folder_id);
        auto data = email_data(*item, *props, pref, ctx.version);
        auto& p = r.add(tag("Search:Properties"));
        for (auto& child : data.children) p.add(std::move(child));
        results.push_back(std::move(r));
      }
    }
  } else {
    result_store.add(tag("Search:Status"), "3");  // document libraries are not in the lab
    return reply;
  }
  result_store.add(tag("Search:Status"), "1");
  const auto total = results.size();
  std::size_t shown = 0;
  for (std::size_t i = first; i < results.size() && i <= last; ++i, ++shown) result_store.add(std::move(results[i]));
  if (shown == 0) result_store.add(tag("Search:Result"));  // MS-ASCMD 2.2.3.147.1: an empty Result when none match
  if (shown > 0) result_store.add(tag("Search:Range"), std::to_string(first) + "-" + std::to_string(first + shown - 1));
  result_store.add(tag("Search:Total"), std::to_string(total));
  return reply;
}

command_reply mail_service::resolve_recipients(const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("ResolveRecipients:ResolveRecipients"));
  const element* root = ctx.body && ctx.body->tag == tag("ResolveRecipients:ResolveRecipients") ? &*ctx.body : nullptr;
  if (root == nullptr || root->child(tag("ResolveRecipients:To")) == nullptr) {
    out.add(tag("ResolveRecipients:Status"), "5");  // protocol error
    return reply;
  }
  std::size_t max_ambiguous = 19;  // Exchange's default MaxAmbiguousRecipients
  if (const auto* o = root->child(tag("ResolveRecipients:Options"))) {
    if (auto m = number(o->child_text(tag("ResolveRecipients:MaxAmbiguousRecipients")))) max_ambiguous = *m;
  }
  out.add(tag("ResolveRecipients:Status"), "1");
  for (const auto& to : root->children) {
    if (to.tag != tag("ResolveRecipients:To")) continue;
    auto matches = gal_matches(*store_, to.value);
    // An exact address resolves to that mailbox alone.
    const auto exact = std::find_if(matches.begin(), matches.end(), [&](const store::mailbox_record& m) { return common::iequals(m.address, to.value); });
    if (exact != matches.end()) matches = {*exact};
    auto& r = out.add(tag("ResolveRecipients:Response"));
    r.add(tag("ResolveRecipients:To"), to.value);
    // MS-ASCMD 2.2.3.177.13: 1 resolved, 2 ambiguous, 4 not resolved.
    r.add(tag("ResolveRecipients:Status"), matches.empty() ? "4" : matches.size() == 1 ? "1" : "2");
    const auto count = std::min(matches.size(), max_ambiguous);
    r.add(tag("ResolveRecipients:RecipientCount"), std::to_string(count));
    for (std::size_t i = 0; i < count; ++i) {
      auto& rec = r.add(tag("ResolveRecipients:Recipient"));
      rec.add(tag("ResolveRecipients:Type"), "1");  // from the GAL
      rec.add(tag("ResolveRecipients:DisplayName"), matches[i].display_name.empty() ? matches[i].address : matches[i].display_name);
      rec.add(tag("ResolveRecipients:EmailAddress"), matches[i].address);
    }
  }
  return reply;
}

std::vector<mail_service::outbound_message> mail_service::outbound() const {
  std::lock_guard lock(outbound_mutex_);
  return outbound_;
}

command_reply mail_service::send(const eas_context& ctx) {
  const auto kind = ctx.query.command->id;
  const auto root_tag = kind == eas::command_id::send_mail     ? tag("ComposeMail:SendMail")
                        : kind == eas::command_id::smart_reply ? tag("ComposeMail:SmartReply")
                                                               : tag("ComposeMail:SmartForward");
  // The failure answer: the status in the body from 14.0, HTTP 500 before (MS-ASCMD 2.2.2).
  auto fail = [&](int status, const std::string& why) {
    log_->info("request={} {} refused ({}): {}", ctx.http != nullptr ? ctx.http->request_id : 0, ctx.query.command->name,
               status, why);
    command_reply r;
    if (ctx.version < protocol_version::v14_0) {
      r.http_status = 500;
      return r;
    }
    r.body.emplace(root_tag).add(tag("ComposeMail:Status"), std::to_string(status));
    return r;
  };
  std::string mime;
  bool save = false;
  bool replace_mime = false;
  std::string source_folder, source_item;
  if (ctx.version >= protocol_version::v14_0) {
    const element* root = ctx.body && ctx.body->tag == root_tag ? &*ctx.body : nullptr;
    if (root == nullptr || root->child(tag("ComposeMail:Mime")) == nullptr) return fail(103, "no Mime element");
    mime = root->child(tag("ComposeMail:Mime"))->value;
    save = root->child(tag("ComposeMail:SaveInSentItems")) != nullptr;
    replace_mime = root->child(tag("ComposeMail:ReplaceMime")) != nullptr;
    if (const auto* src = root->child(tag("ComposeMail:Source"))) {
      source_folder = src->child_text(tag("ComposeMail:FolderId"));
      source_item = src->child_text(tag("ComposeMail:ItemId"));
    }
  } else {
    mime = ctx.http != nullptr ? ctx.http->body : std::string();
    save = ctx.query.save_in_sent;
    source_folder = ctx.query.params.collection_id.value_or("");
    source_item = ctx.query.params.item_id.value_or("");
  }
  auto props = mailbox::parse_message(mime);
  if (!props) return fail(107, "the message is not RFC 822");  // InvalidMIME
  if (kind != eas::command_id::send_mail && !replace_mime) {
    const auto original = source_item.empty() ? std::nullopt : store_->find_item(ctx.mailbox, source_item);
    if (!original || (!source_folder.empty() && original->folder_id != source_folder)) {
      return fail(150, "the source message " + source_item + " is not in folder " + source_folder);  // ItemNotFound
    }
    auto combined = mailbox::with_original(mime, original->mime, kind == eas::command_id::smart_forward);
    if (combined) mime = std::move(*combined);
  }
  std::vector<std::string> recipients;
  for (const auto* list : {&props->to, &props->cc, &props->bcc}) {
    for (auto& a : mailbox::address_list(*list)) recipients.push_back(std::move(a));
  }
  if (recipients.empty()) return fail(120, "no recipients");  // MailSubmissionFailed
  const auto delivered = mailbox::without_bcc(mime);
  const auto now = common::now_ms();
  const auto mailboxes = store_->list_mailboxes();
  std::vector<std::string> outside;
  for (const auto& r : recipients) {
    const auto lab = std::find_if(mailboxes.begin(), mailboxes.end(), [&](const store::mailbox_record& m) {
      return common::iequals(m.address, r);
    });
    if (lab != mailboxes.end()) {
      deliver(lab->address, "", delivered, false, now);
    } else {
      outside.push_back(r);
    }
  }
  if (save) {
    const auto folders = folders_.folders(ctx.mailbox);
    const auto sent = std::find_if(folders.begin(), folders.end(), [](const mailbox::folder& f) { return f.type == mailbox::sent_items; });
    if (sent != folders.end()) deliver(ctx.mailbox, sent->server_id, mime, true, now);
  }
  if (!outside.empty()) {
    std::lock_guard lock(outbound_mutex_);
    outbound_.push_back({ctx.mailbox, outside, props->subject, now});
    if (outbound_.size() > outbound_cap) outbound_.erase(outbound_.begin());
  }
  log_->info("request={} {} from {} to {} recipient(s) ({} outside the lab)", ctx.http != nullptr ? ctx.http->request_id : 0,
             ctx.query.command->name, ctx.mailbox, recipients.size(), outside.size());
  return {};  // MS-ASCMD 2.2.1.17: success is an empty 200
}

void mail_service::seed_demo_mail(const std::string& mailbox, std::int64_t now) {
  const auto key = "demo_mail_seeded:" + mailbox;
  if (store_->get_lab_state(key)) return;
  const auto user = mailbox.substr(0, mailbox.find('@'));
  const auto domain = mailbox.substr(mailbox.find('@') + 1);
  constexpr std::int64_t hour = 3'600'000;
  std::vector<std::pair<mailbox::new_message, bool>> demo;
  auto add = [&](mailbox::new_message m, std::int64_t age, bool read) {
    if (m.to.empty()) m.to = mailbox;
    m.date_ms = now - age;
    demo.emplace_back(std::move(m), read);
  };
  add({"easemu lab <postmaster@" + domain + ">", "", "", "Welcome to the easemu lab",
       "Hello " + user + ",\n\nthis mailbox lives in an Exchange ActiveSync emulator. Everything your phone shows "
       "comes from easemu: folders, mail, policies.\n\nThe lab team", "", 0, {}},
      72 * hour, true);
  add({"Lab Newsletter <news@example.test>", "", "", "This week in the lab",
       "", "<html><body><h1>This week in the lab</h1><p>New <b>test devices</b> arrived:</p><ul><li>Lumia 800</li>"
       "<li>iPhone 15</li><li>Pixel 8</li></ul><p><a href=\"https://example.test/lab\">Read more</a></p></body></html>",
       0, {}},
      48 * hour, false);
  add({"Carol Reports <carol@example.test>", "", "", "Quarterly report",
       "Hi,\n\nthe quarterly report is attached.\n\nCarol", "", 0,
       {{"report.pdf", "application/pdf", "%PDF-1.4\n% easemu demo\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"},
        {"figures.csv", "text/csv", "quarter,devices\nQ1,12\nQ2,18\nQ3,25\n"}}},
      30 * hour, false);
  add({"J\xC3\xBCrgen M\xC3\xBCller <juergen@example.test>", "", "", "Gr\xC3\xBC\xC3\x9F" "e aus M\xC3\xBCnchen \xE2\x80\x93 "
       "\xE6\x9D\xB1\xE4\xBA\xAC \xE2\x9C\x93",
       "Sch\xC3\xB6ne Gr\xC3\xBC\xC3\x9F" "e! \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF "
       "\xF0\x9F\x93\xB1", "", 0, {}},
      20 * hour, false);
  add({"Bob Lab <bob@" + domain + ">", "", "", "Lunch on Friday?", "Are you in for lunch on Friday?", "", 0, {}},
      10 * hour, true);
  add({"Alice Lab <alice@" + domain + ">", "", "", "Re: Lunch on Friday?",
       "Yes! 12:30?\n\n> Are you in for lunch on Friday?", "", 0, {}},
      9 * hour, true);
  add({"Bob Lab <bob@" + domain + ">", "", "", "Re: Re: Lunch on Friday?",
       "12:30 works.\n\n>> Are you in for lunch on Friday?\n> Yes! 12:30?", "", 0, {}},
      8 * hour, false);
  add({"IT Operations <it@example.test>", "", "", "Action required: certificate renewal",
       "The lab CA certificate must be installed on every test phone before Monday.", "", 0, {}},
      2 * hour, false);
  for (auto& [m, read] : demo) {
    auto source = mailbox::compose_message(m);
    if (m.subject.rfind("Action required", 0) == 0) source.insert(0, "Importance: High\r\n");
    deliver(mailbox, "", source, read, m.date_ms);
  }
  store_->set_lab_state(key, "1");
}

}  // namespace easemu::server
