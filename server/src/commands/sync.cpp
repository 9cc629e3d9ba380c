// Sync for e-mail folders (MS-ASCMD 2.2.1.21 with MS-ASEMAIL and MS-ASAIRS ApplicationData): read
// the request, apply the device's own commands, let the pure engine (mailbox/sync.hpp) decide
// what the device hears next, encode. A Sync with Wait or HeartbeatInterval that has nothing to
// say waits for a change (its result says so; MS-ASCMD 2.2.3.188, 2.2.3.88.2).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "easemu/common/time.hpp"
#include "easemu/server/access_service.hpp"
#include "easemu/server/commands/commands.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "drafts.hpp"
#include "mail_common.hpp"
#include "pim_sync.hpp"
#include "submit.hpp"
#include "sync_request.hpp"

namespace easemu::server::commands {

namespace {

using namespace mail_common;
using wbxml::element;
using wbxml::tag;

// What a Sync answers, and whether it may wait instead: no top-level Status, and every
// collection Status 1 with no Commands, Responses or MoreAvailable.
struct sync_result {
  command_reply reply;
  bool quiet = false;
  std::vector<std::string> collections;  // what a wait watches
};

// One collection's answer and the folders the device's own commands changed.
struct collection_result {
  element response{tag("AirSync:Collection")};
  bool quiet = false;
  std::vector<std::string> touched;
  std::vector<std::string> outgoing;  // drafts sent with email2:Send, submitted after the lock
};

// What applying a device's commands works on.
struct device_changes {
  const eas_context& ctx;
  const collection_request& c;
  mailbox::sync_request& req;
  element& responses;
  std::vector<std::string>& touched;
  std::vector<std::string>& outgoing;
  const std::optional<pim_sync::collection_view>& pim;  // a calendar, contact, task or note folder
};

void not_found(element& responses, wbxml::tag_id kind, const std::string& id);
void absorb(device_changes& d, drafts::outcome o);
bool writes_drafts(const eas_context& ctx, const std::vector<mailbox::folder>& folders, const std::string& id);

class sync_command {
 public:
  explicit sync_command(const command_services& s) : s_(s), cache_() {}
  void handle(std::shared_ptr<const eas_context> ctx, reply_fn done);

 private:
  sync_result run(const eas_context& ctx);
  collection_result sync_one(const eas_context& ctx, const std::vector<mailbox::folder>& folders,
                             const collection_request& c);
  element apply_commands(const eas_context& ctx, const std::vector<mailbox::folder>& folders,
                         const collection_request& c, const std::optional<pim_sync::collection_view>& pim,
                         mailbox::sync_request& req, collection_result& out);
  void apply_pim(device_changes& d, const element& cmd, const std::string& id, std::optional<store::item_record> item);
  void add_draft(device_changes& d, const std::vector<mailbox::folder>& folders, const element& cmd);
  void change_item(device_changes& d, const element& cmd, const std::string& id, std::optional<store::item_record> item);
  void delete_item(device_changes& d, const std::vector<mailbox::folder>& folders, const std::string& id,
                   std::optional<store::item_record> item);
  void add_items(const eas_context& ctx, const collection_request& c, bool filtered, mailbox::sync_request& req);
  bool encode(const eas_context& ctx, const collection_request& c, const std::optional<pim_sync::collection_view>& pim,
              const mailbox::sync_result& r, element& res);

  command_services s_;
  request_cache cache_;
};

// A body that is no Sync, or Collections holding text or anything but Collection elements: not a
// request the protocol has (an empty Sync has no body at all).
static bool malformed_sync(const eas_context& ctx) {
  if (!ctx.body) return false;
  if (ctx.body->tag != tag("AirSync:Sync")) return true;
  const auto* cs = ctx.body->child(tag("AirSync:Collections"));
  if (cs == nullptr) return false;
  if (cs->kind != wbxml::content_kind::none) return true;
  return std::any_of(cs->children.begin(), cs->children.end(),
                     [](const element& c) { return c.tag != tag("AirSync:Collection"); });
}

void sync_command::handle(std::shared_ptr<const eas_context> original, reply_fn done) {
  if (malformed_sync(*original)) {
    // MS-ASCMD 2.2.3.177.17: 4, protocol error (neither 13 nor a reply without Status).
    command_reply r;
    r.body.emplace(tag("AirSync:Sync")).add(tag("AirSync:Status"), "4");
    return done(std::move(r));
  }
  // Empty and partial requests (12.1+) stand for the cached one.
  auto effective = cache_.effective(*original, s_.mail);
  if (!effective) {
    // 12.1+: 13, send the full request (MS-ASCMD 2.2.3.177.17); older versions have no empty Sync.
    command_reply r;
    r.body.emplace(tag("AirSync:Sync")).add(tag("AirSync:Status"), original->version >= protocol_version::v12_1 ? "13" : "4");
    return done(std::move(r));
  }
  auto copy = std::make_shared<eas_context>(*original);
  copy->body = std::move(*effective);
  std::shared_ptr<const eas_context> ctx = copy;
  auto wait = read_wait(*ctx, s_.limits.min_heartbeat);
  if (wait.refusal) return done(std::move(*wait.refusal));
  auto result = run(*ctx);
  if (wait.seconds == 0 || !result.quiet || result.collections.empty()) return done(std::move(result.reply));
  s_.ping.watch(ctx->mailbox, ctx->query.printable_device_id(), std::move(result.collections), wait.seconds,
                [this, ctx, done = std::move(done)](const std::vector<std::string>& changed) {
                  // The interval ended with nothing new: an empty response (MS-ASCMD 2.2.3.88.2).
                  done(!changed.empty() ? run(*ctx).reply : command_reply{});
                });
}

sync_result sync_command::run(const eas_context& ctx) {
  sync_result out;
  auto& body = out.reply.body.emplace(tag("AirSync:Sync"));
  const element* root = request_root(ctx, tag("AirSync:Sync"));
  const element* collections = root != nullptr ? root->child(tag("AirSync:Collections")) : nullptr;
  if (collections == nullptr) {
    body.add(tag("AirSync:Status"), "4");  // protocol error (empty requests were resolved before)
    return out;
  }
  const auto requests = read_collections(*root, common::now_ms());
  auto& results = body.add(tag("AirSync:Collections"));
  std::vector<std::string> touched;
  std::vector<std::string> outgoing;
  out.quiet = true;
  {
    auto lock = s_.mail.lock_items();
    const auto folders = s_.folders.folders(ctx.mailbox);
    for (const auto& c : requests) {
      auto one = sync_one(ctx, folders, c);
      out.quiet = out.quiet && one.quiet;
      out.collections.push_back(c.id);
      touched.insert(touched.end(), one.touched.begin(), one.touched.end());
      outgoing.insert(outgoing.end(), one.outgoing.begin(), one.outgoing.end());
      results.add(std::move(one.response));
    }
  }
  // Sent drafts go out as SendMail's do, with the Sent Items copy (MS-ASEMAIL 2.2.2.69).
  for (const auto& mime : outgoing) submit(s_, ctx.mailbox, mime, true, common::now_ms());
  // Other devices' Pings hear of this device's changes (outside the lock: they ask has_changes).
  s_.mail.changed(ctx.mailbox, touched);
  return out;
}

collection_result sync_command::sync_one(const eas_context& ctx, const std::vector<mailbox::folder>& folders,
                                         const collection_request& c) {
  collection_result out;
  auto& res = out.response;
  res.add(tag("AirSync:SyncKey"), c.client_key.value_or("0"));
  res.add(tag("AirSync:CollectionId"), c.id);
  const auto folder = std::find_if(folders.begin(), folders.end(), [&](const mailbox::folder& f) { return f.server_id == c.id; });
  if (folder == folders.end()) {
    res.add(tag("AirSync:Status"), "12");  // the hierarchy changed: FolderSync first
    return out;
  }
  const auto device = ctx.query.printable_device_id();
  const auto state = s_.mail.collection_state(ctx.mailbox, device, c.id);
  std::optional<pim_sync::collection_view> pim;
  if (const auto cls = mailbox::pim::class_of(folder->type)) pim = pim_sync::open(s_, ctx, c, *cls);
  auto req = engine_request(c);
  auto responses = key_accepted(c, state) ? apply_commands(ctx, folders, c, pim, req, out)
                                          : element(tag("AirSync:Responses"));
  // The mail FilterType (received time) does not apply to the other classes.
  add_items(ctx, c, !pim, req);
  const auto r = mailbox::sync_collection(req, state);
  out.quiet = encode(ctx, c, pim, r, res);
  if (r.status != 1) return out;
  if (!responses.children.empty()) {
    res.add(std::move(responses));
    out.quiet = false;
  }
  s_.store->save_collection_state(ctx.mailbox, device, c.id,
                                  {r.state.key, mailbox::serialize(r.state.known), r.state.previous_key,
                                   mailbox::serialize(r.state.previous_known)});
  s_.log->debug("Sync user={} device={} collection={} key {} -> {}: +{} ~{} -{}{}", ctx.mailbox, device, c.id,
                c.client_key.value_or(""), r.sync_key, r.added.size(), r.changed.size(),
                r.deleted.size() + r.soft_deleted.size(), r.more_available ? " (more)" : "");
  return out;
}

// The device's own Commands (Change, Delete, Fetch, Add) under an accepted key: applied to the
// store, told to the engine (not echoed back), answered in Responses where they need an answer.
element sync_command::apply_commands(const eas_context& ctx, const std::vector<mailbox::folder>& folders,
                                     const collection_request& c, const std::optional<pim_sync::collection_view>& pim,
                                     mailbox::sync_request& req, collection_result& out) {
  element responses(tag("AirSync:Responses"));
  if (c.commands == nullptr) return responses;
  req.client_commands = true;
  device_changes changes{ctx, c, req, responses, out.touched, out.outgoing, pim};
  for (const auto& cmd : c.commands->children) {
    const std::string id(cmd.child_text(tag("AirSync:ServerId")));
    auto item = id.empty() ? std::nullopt : s_.store->find_item(ctx.mailbox, id);
    if (item && item->folder_id != c.id) item.reset();
    if (pim) {
      apply_pim(changes, cmd, id, std::move(item));
    } else if (cmd.tag == tag("AirSync:Change")) {
      change_item(changes, cmd, id, std::move(item));
    } else if (cmd.tag == tag("AirSync:Delete")) {
      delete_item(changes, folders, id, std::move(item));
    } else if (cmd.tag == tag("AirSync:Fetch")) {
      auto& r = responses.add(tag("AirSync:Fetch"));
      r.add(tag("AirSync:ServerId"), id);
      const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
      r.add(tag("AirSync:Status"), props ? "1" : "8");
      if (props) r.add(email_data(*item, *props, c.body, ctx.version, writes_drafts(ctx, folders, c.id)));
    } else if (cmd.tag == tag("AirSync:Add")) {
      add_draft(changes, folders, cmd);
    }
  }
  return responses;
}

// A calendar, contact, task or note folder: the same four commands for every class (pim_sync.hpp).
void sync_command::apply_pim(device_changes& d, const element& cmd, const std::string& id,
                             std::optional<store::item_record> item) {
  pim_sync::outcome o;
  if (cmd.tag == tag("AirSync:Add")) {
    o = pim_sync::add(s_, d.ctx, *d.pim, d.c.id, cmd);
  } else if (cmd.tag == tag("AirSync:Change")) {
    o = pim_sync::change(s_, d.ctx, *d.pim, std::move(item), cmd);
  } else if (cmd.tag == tag("AirSync:Delete")) {
    o = pim_sync::remove(s_, d.ctx, std::move(item), id);
  } else if (cmd.tag == tag("AirSync:Fetch")) {
    d.responses.add(pim_sync::fetch(d.ctx, *d.pim, item, id, d.c.body));
    return;
  } else {
    return;
  }
  if (o.answer) d.responses.add(std::move(o.response));
  if (o.kept) d.req.applied_by_client[o.kept->item_id] = o.kept->version;
  if (o.deleted) d.req.deleted_by_client.insert(id);
  if (o.kept || o.deleted) d.touched.push_back(d.c.id);
}

// A Change or Delete of an item that is not in the collection: Status 8 (object not found).
void not_found(element& responses, wbxml::tag_id kind, const std::string& id) {
  auto& r = responses.add(kind);
  r.add(tag("AirSync:ServerId"), id);
  r.add(tag("AirSync:Status"), "8");
}

// Is this collection the Drafts folder, at a version where the device writes drafts (16.0+,
// MS-ASCMD 2.2.3.7.2)?
bool writes_drafts(const eas_context& ctx, const std::vector<mailbox::folder>& folders, const std::string& id) {
  if (ctx.version < protocol_version::v16_0) return false;
  return std::any_of(folders.begin(), folders.end(),
                     [&](const mailbox::folder& f) { return f.server_id == id && f.type == mailbox::drafts; });
}

// A device creates e-mail on the server only as a draft, from 16.0 (MS-ASCMD 2.2.3.7.2); any
// other Add in a mail folder is Status 6.
void sync_command::add_draft(device_changes& d, const std::vector<mailbox::folder>& folders, const element& cmd) {
  if (!writes_drafts(d.ctx, folders, d.c.id)) {
    auto& r = d.responses.add(tag("AirSync:Add"));
    r.add(tag("AirSync:ClientId"), std::string(cmd.child_text(tag("AirSync:ClientId"))));
    r.add(tag("AirSync:Status"), "6");
    return;
  }
  absorb(d, drafts::add(s_, d.ctx, d.c.id, cmd));
}

// What a draft's Add or Change leaves: its answer, the item the device now has, the sending.
void absorb(device_changes& d, drafts::outcome o) {
  if (o.answer) d.responses.add(std::move(o.response));
  if (o.kept) d.req.applied_by_client[o.kept->item_id] = o.kept->version;
  if (o.send) d.outgoing.push_back(std::move(*o.send));
  if (o.kept || o.send) d.touched.push_back(d.c.id);
}

// Read and Flag, the state a device may change of an e-mail; all of a draft's (16.0+).
void sync_command::change_item(device_changes& d, const element& cmd, const std::string& id,
                               std::optional<store::item_record> item) {
  if (!item) return not_found(d.responses, tag("AirSync:Change"), id);
  if (writes_drafts(d.ctx, s_.folders.folders(d.ctx.mailbox), d.c.id)) return absorb(d, drafts::change(s_, d.ctx, std::move(*item), cmd));
  if (const auto* app = cmd.child(tag("AirSync:ApplicationData"))) {
    if (const auto* read = app->child(tag("Email:Read"))) item->read = read->value == "1";
    if (const auto* flag = app->child(tag("Email:Flag"))) {
      auto st = number(flag->child_text(tag("Email:Status")));
      item->flag = st && *st <= 2 ? static_cast<int>(*st) : 0;
    }
  }
  ++item->version;
  s_.store->put_items(d.ctx.mailbox, {*item});
  d.req.applied_by_client[id] = item->version;
  d.touched.push_back(d.c.id);
}

// DeletesAsMoves (the default): the item goes to Deleted Items with a new ServerId.
void sync_command::delete_item(device_changes& d, const std::vector<mailbox::folder>& folders, const std::string& id,
                               std::optional<store::item_record> item) {
  if (!item) return not_found(d.responses, tag("AirSync:Delete"), id);
  const auto& mailbox = d.ctx.mailbox;
  s_.store->delete_item(mailbox, id);
  const auto trash = std::find_if(folders.begin(), folders.end(),
                                  [](const mailbox::folder& f) { return f.type == mailbox::deleted_items; });
  if (d.c.deletes_as_moves && trash != folders.end() && trash->server_id != d.c.id) {
    auto moved = *item;
    moved.item_id = s_.mail.next_item_id(mailbox, trash->server_id);
    moved.folder_id = trash->server_id;
    moved.version = 1;
    s_.store->put_items(mailbox, {moved});
    d.touched.push_back(trash->server_id);
  }
  d.req.deleted_by_client.insert(id);
  d.touched.push_back(d.c.id);
}

// Every item of the collection the device may see (a quarantined device only the quarantine
// notice, PROVISIONING.md 5.1); those inside the FilterType window are current.
void sync_command::add_items(const eas_context& ctx, const collection_request& c, bool filtered, mailbox::sync_request& req) {
  const auto only =
      ctx.quarantined ? s_.access.notice_item(ctx.mailbox, ctx.query.printable_device_id()) : std::string();
  for (const auto& s : s_.store->list_items(ctx.mailbox, c.id)) {
    if (ctx.quarantined && s.item_id != only) continue;
    req.existing.insert(s.item_id);
    if (!filtered || s.received_ms >= c.cutoff) req.current.push_back({s.item_id, s.version});
  }
}

// The collection's answer from the engine's result: the key, Status, MoreAvailable and the
// Commands; true when there is nothing to tell.
bool sync_command::encode(const eas_context& ctx, const collection_request& c,
                          const std::optional<pim_sync::collection_view>& pim, const mailbox::sync_result& r, element& res) {
  res.add(tag("AirSync:Status"), std::to_string(r.status));
  if (r.status != 1) return false;
  res.children[0].value = r.sync_key;
  if (r.more_available) res.add(tag("AirSync:MoreAvailable"));
  element commands(tag("AirSync:Commands"));
  for (const auto& id : r.deleted) commands.add(tag("AirSync:Delete")).add(tag("AirSync:ServerId"), id);
  for (const auto& id : r.soft_deleted) commands.add(tag("AirSync:SoftDelete")).add(tag("AirSync:ServerId"), id);
  for (const auto& id : r.changed) {
    const auto item = s_.store->find_item(ctx.mailbox, id);
    if (!item) continue;
    if (pim) {
      // The item's every property: what the phone has is replaced (MS-ASCMD 2.2.3.24).
      auto data = pim_sync::application_data(*item, pim->cls, ctx.version, c.body);
      if (!data) continue;
      auto& e = commands.add(tag("AirSync:Change"));
      e.add(tag("AirSync:ServerId"), id);
      e.add(std::move(*data));
      continue;
    }
    auto& e = commands.add(tag("AirSync:Change"));
    e.add(tag("AirSync:ServerId"), id);
    e.add(email_change(*item));
  }
  const bool drafts = !r.added.empty() && writes_drafts(ctx, s_.folders.folders(ctx.mailbox), c.id);
  for (const auto& id : r.added) {
    const auto item = s_.store->find_item(ctx.mailbox, id);
    if (pim) {
      auto data = item ? pim_sync::application_data(*item, pim->cls, ctx.version, c.body) : std::nullopt;
      if (!data) continue;
      auto& e = commands.add(tag("AirSync:Add"));
      e.add(tag("AirSync:ServerId"), id);
      e.add(std::move(*data));
      continue;
    }
    const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
    if (!props) continue;
    auto& e = commands.add(tag("AirSync:Add"));
    e.add(tag("AirSync:ServerId"), id);
    e.add(email_data(*item, *props, c.body, ctx.version, drafts));
  }
  const bool quiet = !r.more_available && commands.children.empty();
  if (!commands.children.empty()) res.add(std::move(commands));
  return quiet;
}

}  // namespace

command_registration sync(const command_services& s) {
  auto command = std::make_shared<sync_command>(s);
  return {eas::command_id::sync, waiting_command_handler([command](std::shared_ptr<const eas_context> ctx, reply_fn done) {
            command->handle(std::move(ctx), std::move(done));
          })};
}

}  // namespace easemu::server::commands
