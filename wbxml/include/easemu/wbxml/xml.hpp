#pragma once
// The XML view of an element tree, as Exchange traces and libwbxml write it: namespaces are the
// code page names with a trailing colon (xmlns="AirSync:"). Binary (OPAQUE) elements hold base64
// text.
#include <cstddef>
#include <string>
#include <string_view>

#include "easemu/wbxml/element.hpp"
#include "easemu/wbxml/error.hpp"

namespace easemu::wbxml {

struct xml_options {
  bool declaration = true;  // <?xml version="1.0" encoding="utf-8"?>
  bool indent = true;       // two spaces per level; text content is never re-flowed
};

// The root's page is the default namespace; every other page used in the tree is declared on the
// root with a lower-case prefix (xmlns:airsyncbase="AirSyncBase:"). Opaque content of a binary
// element, and any content that is not valid UTF-8 XML text, is written as base64; for a
// non-binary element a comment says so.
std::string to_xml(const element& root, const xml_options& options = {});

struct xml_limits {
  std::size_t max_document_size = 64u << 20;
  std::size_t max_depth = 64;
  std::size_t max_elements = 1'000'000;
};

// Parses XML into a tree. Namespaces are accepted with or without the trailing colon, in any
// letter case, as default namespaces or with prefixes. White-space-only text between elements is
// ignored; other text is kept exactly (no line-end or white-space normalisation). A binary
// element's text is base64-decoded into opaque content. DTDs are skipped and entities other than
// XML's five and character references are never expanded. Errors carry line and column.
result<element> from_xml(std::string_view xml, const xml_limits& limits = {});

}  // namespace easemu::wbxml
