#include "easemu/server/commands/folders.hpp"

#include "easemu/server/commands/commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "easemu/store/store.hpp"

namespace easemu::server {

namespace {

using wbxml::element;
using wbxml::tag;

std::vector<mailbox::folder> to_folders(const std::vector<store::folder_record>& records) {
  std::vector<mailbox::folder> out;
  for (const auto& r : records) out.push_back({r.server_id, r.parent_id, r.display_name, r.type});
  return out;
}

std::vector<store::folder_record> to_records(const std::vector<mailbox::folder>& folders) {
  std::vector<store::folder_record> out;
  for (const auto& f : folders) out.push_back({f.server_id, f.parent_id, f.display_name, f.type});
  return out;
}

// The request's root when it is the command's own element, else nullptr (a malformed request).
const element* request_root(const eas_context& ctx, wbxml::tag_id root) {
  return ctx.body && ctx.body->tag == root ? &*ctx.body : nullptr;
}

std::optional<std::string_view> text_of(const element* root, wbxml::tag_id t) {
  if (root == nullptr) return std::nullopt;
  const auto* e = root->child(t);
  if (e == nullptr) return std::nullopt;
  return std::string_view(e->value);
}

command_reply status_only(wbxml::tag_id root, int status) {
  command_reply r;
  r.body.emplace(root).add(tag("FolderHierarchy:Status"), std::to_string(status));
  return r;
}

void add_folder(element& parent, wbxml::tag_id kind, const mailbox::folder& f) {
  auto& e = parent.add(kind);
  e.add(tag("FolderHierarchy:ServerId"), f.server_id);
  e.add(tag("FolderHierarchy:ParentId"), f.parent_id);
  e.add(tag("FolderHierarchy:DisplayName"), f.display_name);
  e.add(tag("FolderHierarchy:Type"), std::to_string(f.type));
}

}  // namespace

folder_service::folder_service(std::shared_ptr<store::store> store, std::shared_ptr<spdlog::logger> log)
    : store_(std::move(store)), log_(std::move(log)) {}

std::vector<mailbox::folder> folder_service::folders(const std::string& mailbox) {
  auto records = store_->list_folders(mailbox);
  if (records.empty()) {
    records = to_records(mailbox::default_folders());
    store_->replace_folders(mailbox, records);
  }
  return to_folders(records);
}

mailbox::hierarchy_state folder_service::state(const std::string& mailbox, const std::string& device_id) const {
  const auto r = store_->find_hierarchy_state(mailbox, device_id);
  if (!r) return {};
  return {static_cast<std::uint32_t>(r->key), mailbox::parse_folders(r->known), static_cast<std::uint32_t>(r->previous_key),
          mailbox::parse_folders(r->previous_known)};
}

void folder_service::save(const std::string& mailbox, const std::string& device_id, const mailbox::hierarchy_state& s) {
  store_->save_hierarchy_state(mailbox, device_id,
                               {s.key, mailbox::serialize(s.known), s.previous_key, mailbox::serialize(s.previous_known)});
}

std::string folder_service::next_folder_id(const std::string& mailbox) {
  // Never reused, so a device that still holds a deleted folder's id cannot confuse it with a new
  // one. Read here, advanced only when a folder is created.
  long long next = 11;  // after the ten default folders
  if (const auto v = store_->get_lab_state("folder_seq:" + mailbox)) next = std::max(next, std::atoll(v->c_str()));
  return std::to_string(next);
}

std::mutex& folder_service::stripe(const std::string& mailbox, const std::string& device) {
  std::string key = mailbox + '\n' + device;
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return device_stripes_[std::hash<std::string>{}(key) % device_stripes_.size()];
}

command_reply folder_service::folder_sync(const eas_context& ctx) {
  const auto root_tag = tag("FolderHierarchy:FolderSync");
  const auto* root = request_root(ctx, root_tag);
  const auto device = ctx.query.printable_device_id();
  std::shared_lock hierarchy(mutex_);
  std::lock_guard lock(stripe(ctx.mailbox, device));
  const auto current = folders(ctx.mailbox);
  const auto before = state(ctx.mailbox, device);
  const auto r = mailbox::folder_sync(text_of(root, tag("FolderHierarchy:SyncKey")), before, current);
  if (r.status != 1) {
    log_->debug("FolderSync user={} device={}: status {}", ctx.mailbox, device, r.status);
    return status_only(root_tag, r.status);
  }
  if (r.state != before) save(ctx.mailbox, device, r.state);  // a FolderSync without changes writes nothing
  command_reply reply;
  auto& body = reply.body.emplace(root_tag);
  body.add(tag("FolderHierarchy:Status"), "1");
  body.add(tag("FolderHierarchy:SyncKey"), r.sync_key);
  auto& changes = body.add(tag("FolderHierarchy:Changes"));
  changes.add(tag("FolderHierarchy:Count"), std::to_string(r.changes.count()));
  for (const auto& id : r.changes.deleted) changes.add(tag("FolderHierarchy:Delete")).add(tag("FolderHierarchy:ServerId"), id);
  for (const auto& f : r.changes.added) add_folder(changes, tag("FolderHierarchy:Add"), f);
  for (const auto& f : r.changes.updated) add_folder(changes, tag("FolderHierarchy:Update"), f);
  return reply;
}

// The three edit commands: decide with `edit`, store the result, answer Status, SyncKey and, for
// FolderCreate, the new ServerId.
command_reply folder_service::folder_edit(
    const eas_context& ctx, wbxml::tag_id root_tag,
    const std::function<mailbox::folder_edit_result(const element* root, const mailbox::hierarchy_state&,
                                                    const std::vector<mailbox::folder>&)>& edit) {
  const auto* root = request_root(ctx, root_tag);
  const auto device = ctx.query.printable_device_id();
  std::lock_guard lock(mutex_);
  const auto r = edit(root, state(ctx.mailbox, device), folders(ctx.mailbox));
  if (r.status != 1) return status_only(root_tag, r.status);
  if (!r.server_id.empty()) {
    store_->set_lab_state("folder_seq:" + ctx.mailbox, std::to_string(std::atoll(r.server_id.c_str()) + 1));
  }
  store_->replace_folders(ctx.mailbox, to_records(r.folders));
  save(ctx.mailbox, device, r.state);
  command_reply reply;
  auto& body = reply.body.emplace(root_tag);
  body.add(tag("FolderHierarchy:Status"), "1");
  body.add(tag("FolderHierarchy:SyncKey"), r.sync_key);
  if (!r.server_id.empty()) body.add(tag("FolderHierarchy:ServerId"), r.server_id);
  return reply;
}

command_reply folder_service::folder_create(const eas_context& ctx) {
  return folder_edit(ctx, tag("FolderHierarchy:FolderCreate"), [&](const element* root, const auto& state, const auto& current) {
    std::optional<int> type;
    if (const auto t = text_of(root, tag("FolderHierarchy:Type"))) {
      int v = 0;
      const auto [p, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
      if (ec == std::errc() && p == t->data() + t->size()) type = v;
    }
    return mailbox::create_folder(text_of(root, tag("FolderHierarchy:SyncKey")), state, current,
                                  text_of(root, tag("FolderHierarchy:ParentId")).value_or(""),
                                  text_of(root, tag("FolderHierarchy:DisplayName")).value_or(""), type,
                                  next_folder_id(ctx.mailbox));
  });
}

command_reply folder_service::folder_update(const eas_context& ctx) {
  return folder_edit(ctx, tag("FolderHierarchy:FolderUpdate"), [](const element* root, const auto& state, const auto& current) {
    return mailbox::update_folder(text_of(root, tag("FolderHierarchy:SyncKey")), state, current,
                                  text_of(root, tag("FolderHierarchy:ServerId")).value_or(""),
                                  text_of(root, tag("FolderHierarchy:ParentId")).value_or(""),
                                  text_of(root, tag("FolderHierarchy:DisplayName")).value_or(""));
  });
}

command_reply folder_service::folder_delete(const eas_context& ctx) {
  return folder_edit(ctx, tag("FolderHierarchy:FolderDelete"), [](const element* root, const auto& state, const auto& current) {
    return mailbox::delete_folder(text_of(root, tag("FolderHierarchy:SyncKey")), state, current,
                                  text_of(root, tag("FolderHierarchy:ServerId")).value_or(""));
  });
}

// GetHierarchy (2.5-12.1): the whole folder list at once, no sync state: FolderHierarchy:Folders
// with one Folder per folder (the version tables of MS-ASCMD 2.2.3.75.1 Folders and 2.2.3.71.1
// Folder; Exchange lists the command, MS-ASHTTP 4.3).
command_reply folder_service::get_hierarchy(const eas_context& ctx) {
  std::shared_lock hierarchy(mutex_);
  command_reply reply;
  auto& body = reply.body.emplace(tag("FolderHierarchy:Folders"));
  for (const auto& f : folders(ctx.mailbox)) {
    auto& e = body.add(tag("FolderHierarchy:Folder"));
    e.add(tag("FolderHierarchy:DisplayName"), f.display_name);
    e.add(tag("FolderHierarchy:ServerId"), f.server_id);
    e.add(tag("FolderHierarchy:Type"), std::to_string(f.type));
    e.add(tag("FolderHierarchy:ParentId"), f.parent_id);
  }
  return reply;
}

// CreateCollection, DeleteCollection and MoveCollection: Exchange lists them (MS-ASHTTP 4.3), but
// they are EAS 1.0's folder commands and no MS-AS* document describes their request (no URI
// parameter names a folder to create or a new parent: MS-ASHTTP 2.2.1.1.1.2.5 and the tag table
// of 2.2.1.1.1.1.3 have none). A 2.5 client uses FolderCreate, FolderDelete and FolderUpdate
// (MS-ASCMD 2.2.1.3, 2.2.1.4, 2.2.1.6); the request is answered as one the server cannot parse,
// HTTP 400 (MS-ASHTTP 2.2.2.1.1). docs/configuration.md says so.
command_reply folder_service::legacy_collection(const eas_context& ctx) {
  log_->info("{} user={} device={}: an EAS 1.0 folder command; 2.5 clients use FolderCreate/FolderDelete/FolderUpdate: HTTP 400",
             ctx.query.command->name, ctx.mailbox, ctx.query.printable_device_id());
  command_reply reply;
  reply.http_status = 400;
  return reply;
}

namespace commands {

std::vector<command_registration> folders(const command_services& s) {
  using c = eas::command_id;
  auto& f = s.folders;
  return {
      {c::folder_sync, [&f](const eas_context& ctx) { return f.folder_sync(ctx); }},
      {c::folder_create, [&f](const eas_context& ctx) { return f.folder_create(ctx); }},
      {c::folder_update, [&f](const eas_context& ctx) { return f.folder_update(ctx); }},
      {c::folder_delete, [&f](const eas_context& ctx) { return f.folder_delete(ctx); }},
      {c::get_hierarchy, [&f](const eas_context& ctx) { return f.get_hierarchy(ctx); }},
      {c::create_collection, [&f](const eas_context& ctx) { return f.legacy_collection(ctx); }},
      {c::delete_collection, [&f](const eas_context& ctx) { return f.legacy_collection(ctx); }},
      {c::move_collection, [&f](const eas_context& ctx) { return f.legacy_collection(ctx); }},
  };
}

}  // namespace commands

}  // namespace easemu::server
