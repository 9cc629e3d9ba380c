#pragma once
#include <string>
#include <string_view>

namespace easemu::common {

// Escapes & < > " ' for HTML and XML text and attribute values (pages, plist profiles).
std::string markup_escape(std::string_view text);

}  // namespace easemu::common
