#pragma once
// An e-mail as the store keeps it (its RFC 822 source) and the properties EAS sends, parsed with
// GMime 3; bodies converted and truncated for a client's BodyPreference (MS-ASAIRS 2.2.2.9).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace easemu::mailbox {

struct attachment_info {
  std::string file_name;
  std::string content_type;
  std::string content_id;
  std::size_t size = 0;  // decoded bytes
  bool is_inline = false;
};

struct message_properties {
  std::string from, to, cc, bcc, reply_to;  // RFC 5322 address lists, decoded
  std::string display_to;              // the To names, "; "-separated (MS-ASEMAIL 2.2.2.27)
  std::string subject;
  std::string thread_topic;            // the subject without Re:/Fwd: prefixes
  std::string message_id;
  std::int64_t date_ms = 0;            // Date header (0 when missing or bad)
  int importance = 1;                  // 0 low, 1 normal, 2 high (MS-ASEMAIL 2.2.2.39)
  std::string text_body;               // UTF-8; empty when the message has none
  std::string html_body;               // UTF-8
  std::vector<attachment_info> attachments;
  // MS-ASEMAIL 2.2.2.48: "IPM.Note", or for S/MIME "IPM.Note.SMIME.MultipartSigned" (a
  // multipart/signed message) and "IPM.Note.SMIME" (an application/pkcs7-mime one).
  std::string message_class = "IPM.Note";
  bool is_smime() const { return message_class != "IPM.Note"; }
};

// How much MIME structure a message may have before it is refused unparsed (issue 23: a
// SendMail nesting 100,000 multiparts held a thread 12.7 s in GMime; 200,000 sibling parts took
// 426 MB). Real mail stays far below: a few levels and a few dozen parts.
struct mime_limits {
  std::size_t max_depth = 32;               // nested multipart (and message/rfc822) levels
  std::size_t max_parts = 2'000;            // body parts in all
  std::size_t max_header_bytes = 256 * 1024;  // one header block (the message's or a part's)
};

// Why `rfc822` exceeds `limits`, or nullopt when it does not. A linear scan of header blocks and
// boundary lines, without parsing anything else.
std::optional<std::string> mime_structure_error(std::string_view rfc822, const mime_limits& limits = {});

// Parses RFC 822 source. nullopt when it is not a message at all, or when its structure exceeds
// mime_limits; missing headers give empty values. Bad encodings are decoded as well as GMime
// can, never refused.
std::optional<message_properties> parse_message(std::string_view rfc822);

// The bytes of the `index`-th attachment (0-based, in parse order), decoded; nullopt when there
// is no such attachment.
std::optional<std::string> attachment_content(std::string_view rfc822, std::size_t index);

// Plain text from HTML: tags dropped, block elements as line breaks, entities decoded, runs of
// white space collapsed (what a text-only client gets for an HTML message).
std::string html_to_text(std::string_view html);
// HTML from plain text: escaped, line breaks kept.
std::string text_to_html(std::string_view text);

// At most `max_bytes` of UTF-8 `text`, cut on a character boundary.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

// The first `max_chars` characters of the text body, for airsyncbase:Preview (14.0+, up to 255).
std::string preview(const message_properties& m, std::size_t max_chars);

// Builds a simple message (what the admin API injects from JSON): text and/or HTML, and
// attachments, with RFC 2047/2231 encodings where needed.
struct new_message {
  std::string from, to, cc, subject, text, html;
  std::int64_t date_ms = 0;
  struct file {
    std::string name, content_type, content;
  };
  std::vector<file> attachments;
  std::string bcc{};   // kept in the message (a draft's); without_bcc strips it on delivery
  int importance = 1;  // 0 low, 1 normal (no header), 2 high: the Importance header
};
std::string compose_message(const new_message& m);

// The bare addresses of an address list ("Bob <bob@lab.test>, x@y" -> bob@lab.test, x@y).
std::vector<std::string> address_list(std::string_view list);

// What SmartReply and SmartForward send when the client leaves the original to the server
// (MS-ASCMD 2.2.1.19, 2.2.1.20, no ReplaceMime): a reply gets the original's text quoted below
// its first text part; a forward gets the original attached as message/rfc822. The Bcc header
// is removed in both. nullopt when `mime` is not a message.
std::optional<std::string> with_original(std::string_view mime, std::string_view original, bool forward);
// The message without its Bcc header (what recipients receive).
std::string without_bcc(std::string_view mime);

}  // namespace easemu::mailbox
