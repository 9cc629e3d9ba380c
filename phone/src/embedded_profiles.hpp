#pragma once
// The built-in profiles' YAML files (phone/profiles), embedded by cmake/embed_profiles.cmake into
// a generated source, in the order of EASEMU_BUILTIN_PROFILES (phone/CMakeLists.txt).
#include <cstddef>

namespace easemu::phone::detail {

struct embedded_profile {
  const char* file;  // "wp7.yaml"
  const unsigned char* data;
  std::size_t size;  // bytes of YAML text (a NUL follows them)
};

extern const embedded_profile embedded_profiles[];
extern const std::size_t embedded_profile_count;

}  // namespace easemu::phone::detail
