#pragma once
// Errors of the WBXML codec and the XML bridge: an error code with a std::error_category, plus
// where it happened (byte offset in the input; line and column for XML input).
#include <cstddef>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "easemu/common/result.hpp"

namespace easemu::wbxml {

enum class errc {
  // WBXML header (WBXML 1.3 section 5.4; MS-ASWBXML 2.1)
  truncated = 1,             // input ends inside a token or before the root element ends
  unsupported_version,       // first byte is not 0x03 (WBXML 1.3)
  unsupported_charset,       // charset other than 106 (UTF-8)
  string_table_not_empty,    // EAS never uses a string table
  // body
  unsupported_token,         // ENTITY, LITERAL*, EXT*, PI, STR_T: not used by EAS
  attributes_not_supported,  // tag with the attribute bit (0x80): EAS has no attributes
  unknown_page,              // SWITCH_PAGE to a page that is not an EAS code page
  unknown_tag,               // token with no tag on the current code page
  unexpected_end,            // END with no open element
  text_outside_element,      // STR_I or OPAQUE before the root element
  mixed_content,             // an element with both text and child elements
  multiple_roots,            // a second element after the root element has ended
  trailing_data,             // bytes after the root element
  empty_document,            // no root element
  mb_int_too_long,           // multi-byte integer longer than the limit
  // limits
  too_deep,
  too_many_elements,
  string_too_long,
  opaque_too_long,
  document_too_large,
  // encoder
  invalid_tag,      // element with a page/token that is not a valid EAS tag
  nul_in_text,      // STR_I cannot carry a NUL byte
  // XML bridge
  xml_syntax,            // not well-formed XML
  xml_no_namespace,      // element with no EAS namespace in scope
  xml_unknown_namespace, // namespace that names no EAS code page
  xml_unknown_element,   // element name not on its code page
  xml_attribute,         // an attribute other than xmlns declarations
  xml_invalid_base64,    // binary element whose text is not base64
};

const std::error_category& wbxml_category();
inline std::error_code make_error_code(errc e) { return {static_cast<int>(e), wbxml_category()}; }

// What went wrong and where.
struct codec_error {
  std::error_code code;
  std::size_t offset = 0;  // byte offset in the input
  std::size_t line = 0;    // 1-based line for XML input; 0 for WBXML input
  std::size_t column = 0;
  std::string detail;      // e.g. "token 0x2F on code page 14 (Provision)"

  // One line: "unknown tag: token 0x2F on code page 14 (Provision) at byte 37"
  std::string message() const;
};

// A value or a codec_error (std::expected is C++23).
template <class T>
using result = common::result<T, codec_error>;

}  // namespace easemu::wbxml

template <>
struct std::is_error_code_enum<easemu::wbxml::errc> : std::true_type {};
