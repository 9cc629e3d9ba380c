#pragma once
// WBXML bytes <-> element tree for EAS (MS-ASWBXML; WBXML 1.3).
#include <cstddef>
#include <string>
#include <string_view>

#include "easemu/wbxml/element.hpp"
#include "easemu/wbxml/error.hpp"

namespace easemu::wbxml {

// Every input from the network is decoded with limits. The defaults fit any real EAS document
// (a SendMail with a large attachment included) and stop hostile ones early.
struct decode_limits {
  std::size_t max_document_size = 64u << 20;  // bytes of input
  std::size_t max_depth = 64;                 // nesting of elements (EAS documents use < 16)
  std::size_t max_elements = 1'000'000;
  std::size_t max_string_length = 16u << 20;  // one STR_I
  std::size_t max_opaque_length = 64u << 20;  // one OPAQUE
  std::size_t max_mb_int_bytes = 5;           // a mb_u_int32 needs at most 5 bytes
};

// Decodes one EAS WBXML document (header 03 01 6A 00 and one root element). Errors carry the
// byte offset of the offending byte. Never reads outside `bytes`; iterative, so input cannot
// drive recursion.
result<element> decode(std::string_view bytes, const decode_limits& limits = {});

// Encodes a tree: header 03 01 6A 00, SWITCH_PAGE only when the page changes, the content bit
// only for elements with content, STR_I for text, OPAQUE for opaque content. Fails for a tag
// that is not in the table, text containing NUL, or an element with both a value and children.
result<std::string> encode(const element& root);

}  // namespace easemu::wbxml
