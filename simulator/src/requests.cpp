#include "easemu/simulator/requests.hpp"

#include "easemu/mailbox/message.hpp"
#include "easemu/wbxml/codec.hpp"

namespace easemu::simulator {

namespace {

using wbxml::element;
using wbxml::tag;
using wbxml::tag_id;
using enum protocol_version;

// A leaf with a value from elsewhere (the server's keys and ids): an empty value is an empty
// element, not an empty string, as `<SyncKey></SyncKey>` always was.
element leaf(tag_id t, std::string_view value) {
  return value.empty() ? element(t) : element(t, std::string(value));
}

// Provision/Policies/Policy, the part the download and the acknowledgement share.
element& policy_of(element& provision) {
  return provision.add(tag("Provision:Policies")).add(tag("Provision:Policy"));
}

}  // namespace

element folder_sync_request(std::string_view sync_key) {
  element root(tag("FolderHierarchy:FolderSync"));
  root.add(leaf(tag("FolderHierarchy:SyncKey"), sync_key));
  return root;
}

element sync_request(std::string_view collection_id, std::string_view sync_key, bool get_changes,
                     protocol_version version) {
  element root(tag("AirSync:Sync"));
  auto& collection = root.add(tag("AirSync:Collections")).add(tag("AirSync:Collection"));
  if (version <= v12_1) collection.add(tag("AirSync:Class"), "Email");
  collection.add(leaf(tag("AirSync:SyncKey"), sync_key));
  collection.add(leaf(tag("AirSync:CollectionId"), collection_id));
  if (get_changes) {
    collection.add(tag("AirSync:DeletesAsMoves"), "1");
    collection.add(tag("AirSync:GetChanges"), "1");
    collection.add(tag("AirSync:WindowSize"), "25");
  }
  return root;
}

element ping_request(std::string_view folder_id) {
  element root(tag("Ping:Ping"));
  root.add(tag("Ping:HeartbeatInterval"), std::to_string(ping_heartbeat_seconds));
  auto& folder = root.add(tag("Ping:Folders")).add(tag("Ping:Folder"));
  folder.add(leaf(tag("Ping:Id"), folder_id));
  folder.add(tag("Ping:Class"), "Email");
  return root;
}

element device_information(const phone::device_profile& profile, protocol_version version) {
  element info(tag("Settings:DeviceInformation"));
  auto& set = info.add(tag("Settings:Set"));
  const auto add = [&](tag_id t, const std::string& value) {
    if (!value.empty()) set.add(t, value);
  };
  add(tag("Settings:Model"), profile.model);
  add(tag("Settings:FriendlyName"), profile.friendly_name);
  add(tag("Settings:OS"), profile.device_os);
  add(tag("Settings:OSLanguage"), profile.os_language);
  if (version >= v12_1) add(tag("Settings:UserAgent"), profile.user_agent);
  if (version >= v14_0) add(tag("Settings:MobileOperator"), profile.mobile_operator);
  return info;
}

element settings_request(const phone::device_profile& profile, protocol_version version) {
  element root(tag("Settings:Settings"));
  root.add(device_information(profile, version));
  return root;
}

std::string_view policy_type(protocol_version version) {
  return version == v2_5 ? "MS-WAP-Provisioning-XML" : "MS-EAS-Provisioning-WBXML";
}

element provision_download_request(protocol_version version, const element* device_information) {
  element root(tag("Provision:Provision"));
  if (device_information != nullptr) root.add(*device_information);
  policy_of(root).add(tag("Provision:PolicyType"), std::string(policy_type(version)));
  return root;
}

element provision_acknowledge_request(protocol_version version, std::string_view temporary_key, int status) {
  element root(tag("Provision:Provision"));
  auto& policy = policy_of(root);
  policy.add(tag("Provision:PolicyType"), std::string(policy_type(version)));
  policy.add(leaf(tag("Provision:PolicyKey"), temporary_key));
  policy.add(tag("Provision:Status"), std::to_string(status));
  return root;
}

element wipe_acknowledge_request(bool account_only, int status) {
  element root(tag("Provision:Provision"));
  root.add(account_only ? tag("Provision:AccountOnlyRemoteWipe") : tag("Provision:RemoteWipe"))
      .add(tag("Provision:Status"), std::to_string(status));
  return root;
}

std::string mime_of(const outgoing_mail& m) {
  mailbox::new_message n;
  n.from = m.from;
  n.to = m.to;
  n.subject = m.subject;
  n.text = m.body;
  if (!m.attachment_name.empty()) n.attachments.push_back({m.attachment_name, "application/octet-stream", m.attachment});
  return mailbox::compose_message(n);
}

element send_mail_request(std::string_view client_id, const std::string& mime) {
  element root(tag("ComposeMail:SendMail"));
  root.add(tag("ComposeMail:ClientId"), std::string(client_id));
  root.add(tag("ComposeMail:SaveInSentItems"));
  root.add(element::opaque(tag("ComposeMail:Mime"), mime));
  return root;
}

namespace {

// Sync of Drafts with one command in it.
element& drafts_command(element& root, std::string_view drafts_id, std::string_view sync_key, tag_id command) {
  auto& collection = root.add(tag("AirSync:Collections")).add(tag("AirSync:Collection"));
  collection.add(leaf(tag("AirSync:SyncKey"), sync_key));
  collection.add(leaf(tag("AirSync:CollectionId"), drafts_id));
  return collection.add(tag("AirSync:Commands")).add(command);
}

}  // namespace

element draft_add_request(std::string_view drafts_id, std::string_view sync_key, std::string_view client_id,
                          const outgoing_mail& m) {
  element root(tag("AirSync:Sync"));
  auto& add = drafts_command(root, drafts_id, sync_key, tag("AirSync:Add"));
  add.add(tag("AirSync:ClientId"), std::string(client_id));
  auto& data = add.add(tag("AirSync:ApplicationData"));
  if (!m.to.empty()) data.add(tag("Email:To"), m.to);
  data.add(tag("Email:Subject"), m.subject);
  auto& body = data.add(tag("AirSyncBase:Body"));
  body.add(tag("AirSyncBase:Type"), "1");
  body.add(tag("AirSyncBase:Data"), m.body);
  if (!m.attachment_name.empty()) {
    auto& a = data.add(tag("AirSyncBase:Attachments")).add(tag("AirSyncBase:Add"));
    a.add(tag("AirSyncBase:ClientId"), std::string(client_id) + "-1");
    a.add(tag("AirSyncBase:DisplayName"), m.attachment_name);
    a.add(tag("AirSyncBase:Method"), "1");  // normal attachment (MS-ASAIRS 2.2.2.31)
    a.add(tag("AirSyncBase:ContentType"), "application/octet-stream");
    a.add(element::opaque(tag("AirSyncBase:Content"), m.attachment));  // bytes (MS-ASAIRS 2.2.2.16)
  }
  return root;
}

element draft_send_request(std::string_view drafts_id, std::string_view sync_key, std::string_view server_id) {
  element root(tag("AirSync:Sync"));
  auto& change = drafts_command(root, drafts_id, sync_key, tag("AirSync:Change"));
  change.add(leaf(tag("AirSync:ServerId"), server_id));
  change.add(tag("Email2:Send"));
  return root;
}

element find_request(std::string_view search_id, std::string_view free_text, int max_results) {
  element root(tag("Find:Find"));
  root.add(tag("Find:SearchId"), std::string(search_id));
  auto& criterion = root.add(tag("Find:ExecuteSearch")).add(tag("Find:MailBoxSearchCriterion"));
  auto& query = criterion.add(tag("Find:Query"));
  query.add(tag("AirSync:Class"), "Email");
  query.add(tag("Find:FreeText"), std::string(free_text));
  criterion.add(tag("Find:Options")).add(tag("Find:Range"), "0-" + std::to_string(max_results - 1));
  return root;
}

element search_request(std::string_view free_text, int max_results) {
  element root(tag("Search:Search"));
  auto& store = root.add(tag("Search:Store"));
  store.add(tag("Search:Name"), "Mailbox");
  auto& conditions = store.add(tag("Search:Query")).add(tag("Search:And"));
  conditions.add(tag("AirSync:Class"), "Email");
  conditions.add(tag("Search:FreeText"), std::string(free_text));
  store.add(tag("Search:Options")).add(tag("Search:Range"), "0-" + std::to_string(max_results - 1));
  return root;
}

common::result<std::string, request_error> encode_request(const element& request) {
  auto bytes = wbxml::encode(request);
  if (!bytes) {
    return request_error{"the WBXML encoder refused the " + std::string(request.name()) + " request: " + bytes.error().message()};
  }
  return std::move(*bytes);
}

}  // namespace easemu::simulator
