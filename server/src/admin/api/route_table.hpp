#pragma once
// The admin API's routes as data: each names its method(s), a path pattern whose `{name}`
// segments each capture one path segment, how the caller proves it may call it, and its handler.
// The table answers what no handler does: a path it does not have (404) and a method a path does
// not take (405).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easemu/server/http.hpp"

namespace easemu::server::admin {

// The `{name}` segments of a matched path, as sent (still percent-encoded).
class path_params {
 public:
  void add(std::string name, std::string raw) { values_.emplace_back(std::move(name), std::move(raw)); }
  // The segment as sent; empty when the pattern has no such name.
  std::string_view raw(std::string_view name) const;
  // The segment percent-decoded ('+' stays '+', as in a path); nullopt for a bad escape.
  std::optional<std::string> decoded(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// One call of a route's handler.
struct api_call {
  const http_request& http;
  path_params params;
};
using api_handler = std::function<http_response(const api_call&)>;

// How a caller proves it may use a route.
enum class credential {
  admin_token,   // Authorization: Bearer <admin token>, checked before the table answers anything
  event_ticket,  // the handler redeems a one-shot ticket (EventSource cannot send the header)
};

struct route {
  std::vector<std::string> methods;  // "GET", "POST", ...: compared exactly
  std::string pattern;               // "/api/v1/devices/{DeviceId}/wipe"
  api_handler handler;
  // The 405 message of the pattern when the generated one ("use GET or DELETE", from the methods
  // of every route of the pattern) says too little; the first route of a pattern that has one
  // gives it.
  std::string wrong_method = {};
  credential needs = credential::admin_token;
};

// Whether `path` fits `pattern` segment by segment: a literal segment compares exactly, a `{name}`
// segment takes one whole segment, which may be empty ("/api/v1/devices/" names the device "",
// which its handler refuses), never more than one. Nothing is decoded here.
std::optional<path_params> match_path(std::string_view pattern, std::string_view path);

class route_table {
 public:
  void add(route r) { routes_.push_back(std::move(r)); }
  const std::vector<route>& routes() const { return routes_; }

  struct found {
    const route* answering = nullptr;  // the first route whose path and method fit
    path_params params;                // its captures
    // The first route whose path fits, whatever the method: its credential applies to the path.
    const route* on_path = nullptr;
    std::string wrong_method;  // the 405 message when only the method does not fit
  };
  found find(std::string_view method, std::string_view path) const;

 private:
  std::string wrong_method_message(std::string_view path) const;

  std::vector<route> routes_;
};

}  // namespace easemu::server::admin
