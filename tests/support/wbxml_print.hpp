#pragma once
// GoogleTest prints element trees as XML in failure messages.
#include <ostream>

#include "easemu/wbxml/xml.hpp"

namespace easemu::wbxml {
inline void PrintTo(const element& e, std::ostream* os) { *os << "\n" << to_xml(e); }
}  // namespace easemu::wbxml
