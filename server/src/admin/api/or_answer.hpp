#pragma once
// A value, or the HTTP answer that explains why there is none (404 for an unknown device, 400 for
// a bad query, ...): what the resources' lookups return.
#include <optional>

#include "easemu/server/http.hpp"

namespace easemu::server::admin {

template <class T>
struct or_answer {
  std::optional<T> value;
  http_response answer;  // when !value

  explicit operator bool() const { return value.has_value(); }
  T& operator*() { return *value; }
  const T& operator*() const { return *value; }
  T* operator->() { return &*value; }
  const T* operator->() const { return &*value; }
};

}  // namespace easemu::server::admin
