#include "sync_request.hpp"

#include <algorithm>

#include "easemu/server/mail_service.hpp"

namespace easemu::server::commands {

namespace {

using namespace mail_common;
using wbxml::element;
using wbxml::tag;

constexpr std::size_t default_window = 100;
constexpr std::size_t max_window = 512;  // MS-ASCMD 2.2.3.199: larger windows are treated as 512

collection_request read_collection(const element& c, std::size_t top_window, std::int64_t now) {
  collection_request out;
  out.id = c.child_text(tag("AirSync:CollectionId"));
  if (const auto* key = c.child(tag("AirSync:SyncKey"))) out.client_key = key->value;
  if (const auto* gc = c.child(tag("AirSync:GetChanges"))) out.get_changes = gc->value != "0";
  const auto window = number(c.child_text(tag("AirSync:WindowSize"))).value_or(top_window);
  out.window = window == 0 || window > max_window ? max_window : window;
  const element* options = c.child(tag("AirSync:Options"));
  out.body = choose_body(options);
  out.cutoff = filter_cutoff(options != nullptr ? options->child_text(tag("AirSync:FilterType")) : "", now);
  out.deletes_as_moves = c.child_text(tag("AirSync:DeletesAsMoves"), "1") != "0";
  out.commands = c.child(tag("AirSync:Commands"));
  out.supported = c.child(tag("AirSync:Supported"));
  return out;
}

// A partial request's collections and settings on top of the remembered request, whose
// collections get the keys the device holds now.
void merge(element& base, const element* partial, const eas_context& ctx, const mail_service& mail) {
  auto* cs = base.child(tag("AirSync:Collections"));
  for (auto& c : cs->children) {
    const auto state = mail.collection_state(ctx.mailbox, ctx.query.printable_device_id(),
                                             std::string(c.child_text(tag("AirSync:CollectionId"))));
    c.children.insert(c.children.begin(), element(tag("AirSync:SyncKey"), std::to_string(state.key)));
  }
  if (partial == nullptr) return;
  for (const auto& e : partial->children) {
    if (e.tag == tag("AirSync:Partial")) continue;
    if (e.tag != tag("AirSync:Collections")) {
      std::erase_if(base.children, [&](const element& x) { return x.tag == e.tag; });
      base.children.push_back(e);
      continue;
    }
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
  }
}

}  // namespace

std::vector<collection_request> read_collections(const element& sync, std::int64_t now) {
  const auto top_window = number(sync.child_text(tag("AirSync:WindowSize"))).value_or(default_window);
  std::vector<collection_request> out;
  if (const auto* collections = sync.child(tag("AirSync:Collections"))) {
    for (const auto& c : collections->children) {
      if (c.tag == tag("AirSync:Collection")) out.push_back(read_collection(c, top_window, now));
    }
  }
  return out;
}

mailbox::sync_request engine_request(const collection_request& c) {
  mailbox::sync_request req;
  if (c.client_key) req.client_key = std::string_view(*c.client_key);
  req.get_changes_given = c.get_changes.has_value();
  req.get_changes = c.get_changes.value_or(c.client_key && *c.client_key != "0");
  req.window = c.window;
  return req;
}

bool key_accepted(const collection_request& c, const mailbox::collection_state& state) {
  const auto k = number(c.client_key.value_or(""));
  return k && *k != 0 && state.key != 0 && (*k == state.key || *k == state.previous_key);
}

wait_request read_wait(const eas_context& ctx, int min_heartbeat) {
  const element* root = request_root(ctx, tag("AirSync:Sync"));
  const element* wait = root != nullptr ? root->child(tag("AirSync:Wait")) : nullptr;
  const element* heartbeat = root != nullptr ? root->child(tag("AirSync:HeartbeatInterval")) : nullptr;
  if (wait == nullptr && heartbeat == nullptr) return {};
  const auto value = number((wait != nullptr ? wait : heartbeat)->value);
  const std::size_t low = wait != nullptr ? 1 : static_cast<std::size_t>(min_heartbeat);
  const std::size_t high = wait != nullptr ? 59 : 3540;
  if (value && *value >= low && *value <= high) return {static_cast<int>(wait != nullptr ? *value * 60 : *value), {}};
  command_reply r;
  auto& body = r.body.emplace(tag("AirSync:Sync"));
  body.add(tag("AirSync:Status"), "14");
  body.add(tag("AirSync:Limit"), std::to_string(value && *value > high ? high : low));
  return {0, std::move(r)};
}

void request_cache::remember(const std::string& key, const element& full) {
  element kept = full;
  if (auto* cs = kept.child(tag("AirSync:Collections"))) {
    for (auto& c : cs->children) {
      std::erase_if(c.children, [](const element& e) {
        return e.tag == tag("AirSync:SyncKey") || e.tag == tag("AirSync:Commands");
      });
    }
  }
  std::lock_guard lock(mutex_);
  requests_[key] = std::move(kept);
}

std::optional<element> request_cache::effective(const eas_context& ctx, const mail_service& mail) {
  const auto key = ctx.mailbox + "\n" + ctx.query.printable_device_id();
  const element* root = request_root(ctx, tag("AirSync:Sync"));
  const bool partial = root != nullptr && root->child(tag("AirSync:Partial")) != nullptr;
  if (root != nullptr && !partial && root->child(tag("AirSync:Collections")) != nullptr) {
    remember(key, *root);  // a full request: used as it is
    return *root;
  }
  if (ctx.version < protocol_version::v12_1 || (root != nullptr && !partial)) return ctx.body;
  std::optional<element> base;
  {
    std::lock_guard lock(mutex_);
    if (auto it = requests_.find(key); it != requests_.end()) base = it->second;
  }
  if (base) merge(*base, root, ctx, mail);
  return base;  // nullopt: nothing remembered, Status 13
}

}  // namespace easemu::server::commands
