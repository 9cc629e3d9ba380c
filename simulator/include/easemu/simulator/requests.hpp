#pragma once
// The EAS requests a simulated phone sends during account setup, as WBXML element trees (built
// with the compile-time tag("Page:Name") ids, so a misspelt element does not compile), and their
// encoding. Pure: no I/O.
#include <string>
#include <string_view>

#include "easemu/common/protocol_version.hpp"
#include "easemu/common/result.hpp"
#include "easemu/phone/profile.hpp"
#include "easemu/wbxml/element.hpp"

namespace easemu::simulator {

// What Windows Phone 7 and Android use for Ping (Exchange accepts 60 ... 3540 seconds).
inline constexpr int ping_heartbeat_seconds = 480;

// FolderSync with a SyncKey (MS-ASCMD 2.2.1.5); "0" asks for the whole hierarchy.
wbxml::element folder_sync_request(std::string_view sync_key);

// Sync of one mail folder (MS-ASCMD 2.2.1.21): the initial Sync (key "0"), or a GetChanges Sync
// of up to 25 items. Class is part of the request up to 12.1 only (2.2.3.27.5).
wbxml::element sync_request(std::string_view collection_id, std::string_view sync_key, bool get_changes,
                            protocol_version version);

// Ping of one mail folder with ping_heartbeat_seconds (MS-ASCMD 2.2.1.13).
wbxml::element ping_request(std::string_view folder_id);

// settings:DeviceInformation/Set with the profile's values (MS-ASCMD 2.2.3.52): UserAgent from
// 12.1, MobileOperator from 14.0; empty values are left out.
wbxml::element device_information(const phone::device_profile& profile, protocol_version version);

// The Settings command carrying DeviceInformation (MS-ASCMD 2.2.1.18), below 14.1.
wbxml::element settings_request(const phone::device_profile& profile, protocol_version version);

// The PolicyType a version asks for (MS-ASPROV 2.2.2.43): the WAP XML document in 2.5, the
// EASProvisionDoc from 12.0.
std::string_view policy_type(protocol_version version);

// The Provision download (MS-ASPROV 3.1.5.1.1), with DeviceInformation in front when the phone
// sends it there (14.1 and later, MS-ASPROV 2.2.2.53).
wbxml::element provision_download_request(protocol_version version, const wbxml::element* device_information);

// The acknowledgement of a downloaded policy (MS-ASPROV 3.1.5.1.2.1): its temporary key and the
// Status the phone reports (1 applied, 2 partly, 3 not at all; 2.2.2.54.1).
wbxml::element provision_acknowledge_request(protocol_version version, std::string_view temporary_key, int status);

// The acknowledgement of a RemoteWipe or AccountOnlyRemoteWipe directive (MS-ASPROV
// 3.1.5.1.2.2-3): Status 1 wiped, 2 failed.
wbxml::element wipe_acknowledge_request(bool account_only, int status);

// A message the phone's user writes (`easemu device --send-to`).
struct outgoing_mail {
  std::string from;  // the account's address
  std::string to;
  std::string subject;
  std::string body;             // plain text
  std::string attachment_name;  // "" for none
  std::string attachment;       // its bytes
};

// The message as RFC 5322 text (SendMail's Mime, MS-ASCMD 2.2.3.102.2): text, and the attachment
// as a second part.
std::string mime_of(const outgoing_mail& m);

// SendMail from 14.0 (MS-ASCMD 2.2.1.17): ClientId, SaveInSentItems and the message as Mime
// (opaque). Below 14.0 the message is the request body itself (message/rfc822).
wbxml::element send_mail_request(std::string_view client_id, const std::string& mime);

// A draft written into Drafts, 16.0 and later (MS-ASCMD 2.2.3.7.2 Add): To, Subject, the
// AirSyncBase body as plain text (MS-ASAIRS 2.2.2.9) and the attachment added inline
// (MS-ASAIRS 2.2.2.2: ClientId, DisplayName, Method 1, Content). IsDraft is left to the server
// (MS-ASEMAIL 2.2.2.42).
wbxml::element draft_add_request(std::string_view drafts_id, std::string_view sync_key, std::string_view client_id,
                                 const outgoing_mail& m);

// Sending a draft: a Sync Change carrying email2:Send (MS-ASEMAIL 2.2.2.69).
wbxml::element draft_send_request(std::string_view drafts_id, std::string_view sync_key, std::string_view server_id);

// Find in the mailbox at 16.1 (MS-ASCMD 2.2.1.2): FreeText over the Email class, results
// 0 to max_results - 1 (Options Range, 2.2.3.143.1).
wbxml::element find_request(std::string_view search_id, std::string_view free_text, int max_results);

// Search of the mailbox (MS-ASCMD 2.2.1.16, Store Name "Mailbox"): Class Email and FreeText
// inside And (2.2.3.10), Range 0 to max_results - 1.
wbxml::element search_request(std::string_view free_text, int max_results);

// Why a request could not be built, as one line for the flow's report.
struct request_error {
  std::string message;
};

// The WBXML bytes of a request, or why the encoder refused it (a value the server sent that
// cannot travel back, such as text with a NUL byte).
common::result<std::string, request_error> encode_request(const wbxml::element& request);

}  // namespace easemu::simulator
