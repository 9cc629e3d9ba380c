#pragma once
// What the mail commands share: reading numbers and body preferences from a request, an e-mail's
// ApplicationData (MS-ASEMAIL 2.2.2, MS-ASAIRS 2.2.2.9), FilterType cut-offs, file references and
// the GAL. Private to server/src/commands.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/mailbox/message.hpp"
#include "easemu/server/activesync/context.hpp"
#include "easemu/store/store.hpp"
#include "easemu/wbxml/element.hpp"

namespace easemu::server::mail_common {

std::optional<std::size_t> number(std::string_view s);
// An Options Range "first-last" of Search and Find (MS-ASCMD 2.2.3.142, 2.2.3.143.1): 0-99 when
// absent, nullopt when malformed or backwards (each command answers that its own way).
std::optional<std::pair<std::size_t, std::size_t>> parse_range(std::string_view text);

// The request's root when it is `root`, else nullptr (a malformed or missing body).
const wbxml::element* request_root(const eas_context& ctx, wbxml::tag_id root);

// MS-ASCMD 2.2.3.68.2 FilterType for mail: the oldest received time a sync includes (0: all).
std::int64_t filter_cutoff(std::string_view filter, std::int64_t now_ms);

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
  body_preference for_message(bool smime) const;
};
// From an Options element (Sync, ItemOperations, Search); nullptr: the defaults.
body_request choose_body(const wbxml::element* options);

// ApplicationData of an e-mail (MS-ASEMAIL 2.2.2; body per MS-ASAIRS 2.2.2.9), in Exchange's order.
// A draft (an item of Drafts, 16.0+) also carries email2:IsDraft (2.2.2.42) and email2:Bcc.
wbxml::element email_data(const store::item_record& item, const mailbox::message_properties& m,
                          const body_request& request, protocol_version v, bool draft = false);
// What a Change tells the device: the state it can change itself (Read, Flag).
wbxml::element email_change(const store::item_record& item);

// "<item id>:<index>", as Sync's FileReference writes it.
std::optional<std::pair<std::string, std::size_t>> split_file_reference(std::string_view ref);

// The lab's mailboxes that match a GAL query: a prefix of the address, alias, display name or
// one of its words (as Exchange's ambiguous name resolution does), case-insensitively.
std::vector<store::mailbox_record> gal_matches(const store::store& s, std::string_view query);

}  // namespace easemu::server::mail_common
