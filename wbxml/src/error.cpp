#include "easemu/wbxml/error.hpp"

namespace easemu::wbxml {

namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "wbxml"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::truncated: return "truncated document";
      case errc::unsupported_version: return "unsupported WBXML version (EAS uses 1.3, 0x03)";
      case errc::unsupported_charset: return "unsupported charset (EAS uses UTF-8, 106)";
      case errc::string_table_not_empty: return "string table not allowed in EAS";
      case errc::unsupported_token: return "global token not used by EAS";
      case errc::attributes_not_supported: return "attributes are not used by EAS";
      case errc::unknown_page: return "unknown code page";
      case errc::unknown_tag: return "unknown tag";
      case errc::unexpected_end: return "END without an open element";
      case errc::text_outside_element: return "content outside the root element";
      case errc::mixed_content: return "element with both text and child elements";
      case errc::multiple_roots: return "more than one root element";
      case errc::trailing_data: return "data after the root element";
      case errc::empty_document: return "no root element";
      case errc::mb_int_too_long: return "multi-byte integer too long";
      case errc::too_deep: return "elements nested too deeply";
      case errc::too_many_elements: return "too many elements";
      case errc::string_too_long: return "string too long";
      case errc::opaque_too_long: return "opaque data too long";
      case errc::document_too_large: return "document too large";
      case errc::invalid_tag: return "element with an invalid tag";
      case errc::nul_in_text: return "text contains a NUL byte";
      case errc::xml_syntax: return "XML syntax error";
      case errc::xml_no_namespace: return "element has no EAS namespace";
      case errc::xml_unknown_namespace: return "namespace is not an EAS code page";
      case errc::xml_unknown_element: return "element is not on its code page";
      case errc::xml_attribute: return "attributes are not used by EAS";
      case errc::xml_invalid_base64: return "binary element content is not base64";
    }
    return "unknown wbxml error";
  }
};

}  // namespace

const std::error_category& wbxml_category() {
  static const category instance;
  return instance;
}

std::string codec_error::message() const {
  std::string out = code.message();
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  if (line != 0) {
    out += " at line " + std::to_string(line) + ", column " + std::to_string(column);
  } else {
    out += " at byte " + std::to_string(offset);
  }
  return out;
}

}  // namespace easemu::wbxml
