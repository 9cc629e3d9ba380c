#include "route_table.hpp"

#include <algorithm>

#include "easemu/eas/url.hpp"

namespace easemu::server::admin {

namespace {

// The next '/'-separated segment of `rest`, removed from it; nullopt when none is left.
std::optional<std::string_view> next_segment(std::string_view& rest, bool& done) {
  if (done) return std::nullopt;
  const auto slash = rest.find('/');
  const auto segment = rest.substr(0, slash);
  if (slash == std::string_view::npos) {
    done = true;
  } else {
    rest.remove_prefix(slash + 1);
  }
  return segment;
}

bool is_capture(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// "use GET", "use GET or DELETE", "use GET, POST or DELETE".
std::string use_methods(const std::vector<std::string>& methods) {
  std::string out = "use ";
  for (std::size_t i = 0; i < methods.size(); ++i) {
    if (i > 0) out += i + 1 == methods.size() ? " or " : ", ";
    out += methods[i];
  }
  return out;
}

}  // namespace

std::string_view path_params::raw(std::string_view name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return v;
  }
  return {};
}

std::optional<std::string> path_params::decoded(std::string_view name) const {
  auto v = eas::percent_decode(raw(name), eas::plus_rule::literal);
  if (!v) return std::nullopt;
  return std::move(*v);
}

std::optional<path_params> match_path(std::string_view pattern, std::string_view path) {
  path_params params;
  bool pattern_done = false;
  bool path_done = false;
  while (true) {
    const auto want = next_segment(pattern, pattern_done);
    const auto have = next_segment(path, path_done);
    if (!want || !have) {
      if (want || have) return std::nullopt;  // one has more segments than the other
      return params;
    }
    if (is_capture(*want)) {
      params.add(std::string(want->substr(1, want->size() - 2)), std::string(*have));
    } else if (*want != *have) {
      return std::nullopt;
    }
  }
}

route_table::found route_table::find(std::string_view method, std::string_view path) const {
  found out;
  for (const auto& r : routes_) {
    auto params = match_path(r.pattern, path);
    if (!params) continue;
    if (out.on_path == nullptr) out.on_path = &r;
    if (std::find(r.methods.begin(), r.methods.end(), method) != r.methods.end()) {
      out.answering = &r;
      out.params = std::move(*params);
      return out;
    }
  }
  if (out.on_path != nullptr) out.wrong_method = wrong_method_message(path);
  return out;
}

std::string route_table::wrong_method_message(std::string_view path) const {
  std::vector<std::string> methods;
  for (const auto& r : routes_) {
    if (!match_path(r.pattern, path)) continue;
    if (!r.wrong_method.empty()) return r.wrong_method;
    for (const auto& m : r.methods) {
      if (std::find(methods.begin(), methods.end(), m) == methods.end()) methods.push_back(m);
    }
  }
  return use_methods(methods);
}

}  // namespace easemu::server::admin
