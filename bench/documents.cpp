#include "documents.hpp"

#include <string>

namespace easemu::bench {

using wbxml::element;
using wbxml::tag;

element sync_response_with_html_mails(int mails) {
  element sync(tag("AirSync:Sync"));
  auto& coll = sync.add(tag("AirSync:Collections")).add(tag("AirSync:Collection"));
  coll.add(tag("AirSync:SyncKey"), "1044785288");
  coll.add(tag("AirSync:CollectionId"), "5");
  coll.add(tag("AirSync:Status"), "1");
  coll.add(tag("AirSync:MoreAvailable"));
  auto& commands = coll.add(tag("AirSync:Commands"));
  std::string paragraph =
      "<p>Hello Alice,</p><p>Here are the figures for the <b>quarterly review</b>: revenue is up "
      "4.2%, costs are flat, and the new device lab is booked for Thursday. Caf&eacute; at noon?</p>\n";
  std::string html = "<html><head><meta charset=\"utf-8\"></head><body>";
  while (html.size() < 4000) html += paragraph;
  html += "</body></html>";
  for (int i = 0; i < mails; ++i) {
    auto& add = commands.add(tag("AirSync:Add"));
    add.add(tag("AirSync:ServerId"), "5:" + std::to_string(i + 1));
    auto& data = add.add(tag("AirSync:ApplicationData"));
    data.add(tag("Email:To"), "\"Alice Lab\" <alice@lab.test>");
    data.add(tag("Email:From"), "\"Bob Lab\" <bob@lab.test>");
    data.add(tag("Email:Subject"), "Quarterly review, part " + std::to_string(i + 1));
    data.add(tag("Email:DateReceived"), "2026-11-24T12:00:00.000Z");
    data.add(tag("Email:DisplayTo"), "Alice Lab");
    data.add(tag("Email:ThreadTopic"), "Quarterly review");
    data.add(tag("Email:Importance"), "1");
    data.add(tag("Email:Read"), i % 3 == 0 ? "1" : "0");
    data.add(tag("Email:MessageClass"), "IPM.Note");
    auto& body = data.add(tag("AirSyncBase:Body"));
    body.add(tag("AirSyncBase:Type"), "2");
    body.add(tag("AirSyncBase:EstimatedDataSize"), std::to_string(html.size()));
    body.add(tag("AirSyncBase:Truncated"), "0");
    body.add(tag("AirSyncBase:Data"), html);
    data.add(tag("Email:InternetCPID"), "65001");
    data.add(tag("Email:ContentClass"), "urn:content-classes:message");
    data.add(tag("AirSyncBase:NativeBodyType"), "2");
    std::string id(16, '\0');
    for (int b = 0; b < 16; ++b) id[b] = static_cast<char>((i * 31 + b * 7) & 0xFF);
    data.add(element::opaque(tag("Email2:ConversationId"), id));
    data.add(element::opaque(tag("Email2:ConversationIndex"), std::string("\x01\xcf\x64\xdf\x1e", 5)));
  }
  return sync;
}

element folder_sync_response(int folders) {
  element fs(tag("FolderHierarchy:FolderSync"));
  fs.add(tag("FolderHierarchy:Status"), "1");
  fs.add(tag("FolderHierarchy:SyncKey"), "1");
  auto& changes = fs.add(tag("FolderHierarchy:Changes"));
  changes.add(tag("FolderHierarchy:Count"), std::to_string(folders));
  for (int i = 0; i < folders; ++i) {
    auto& add = changes.add(tag("FolderHierarchy:Add"));
    add.add(tag("FolderHierarchy:ServerId"), std::to_string(i + 1));
    add.add(tag("FolderHierarchy:ParentId"), i < 10 ? "0" : std::to_string(1 + i % 10));
    add.add(tag("FolderHierarchy:DisplayName"), "Project folder " + std::to_string(i + 1));
    add.add(tag("FolderHierarchy:Type"), i < 10 ? std::to_string(2 + i % 8) : "12");
  }
  return fs;
}

element provision_response() {
  element p(tag("Provision:Provision"));
  p.add(tag("Provision:Status"), "1");
  auto& policy = p.add(tag("Provision:Policies")).add(tag("Provision:Policy"));
  policy.add(tag("Provision:PolicyType"), "MS-EAS-Provisioning-WBXML");
  policy.add(tag("Provision:Status"), "1");
  policy.add(tag("Provision:PolicyKey"), "1307199584");
  auto& doc = policy.add(tag("Provision:Data")).add(tag("Provision:EASProvisionDoc"));
  // Every 12.1+ setting of code page 14, with values a strict lab policy would send.
  for (const auto& t : wbxml::all_tags()) {
    if (t.page != 14 || t.token < 0x0E || t.legacy() || t.first_version > protocol_version::v14_1) continue;
    if (t.name == "ApplicationName" || t.name == "Hash") continue;  // children of the app lists
    if (t.name == "UnapprovedInROMApplicationList") {
      doc.add(wbxml::tag_id{t.page, t.token}).add(tag("Provision:ApplicationName"), "Contoso Notes");
    } else if (t.name == "ApprovedApplicationList") {
      doc.add(wbxml::tag_id{t.page, t.token}).add(tag("Provision:Hash"), "4F2B5E7A9C1D3E6F8A0B");
    } else {
      doc.add(wbxml::tag_id{t.page, t.token}, t.name == "MaxInactivityTimeDeviceLock" ? "900" : "1");
    }
  }
  return p;
}

}  // namespace easemu::bench
