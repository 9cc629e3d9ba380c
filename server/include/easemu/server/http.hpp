#pragma once
// HTTP request and response values as the rest of the server sees them: no Beast or Asio types,
// so the EAS pipeline, Autodiscover and the admin API compile without them.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace easemu::server {

using header_list = std::vector<std::pair<std::string, std::string>>;

class event_stream;  // event_stream.hpp

// Case-insensitive header lookup (RFC 9110 field names); nullptr when absent.
const std::string* find_header(const header_list& headers, std::string_view name);

struct http_request {
  std::string method;  // "POST", "OPTIONS", ...
  std::string target;  // path and query as sent: "/Microsoft-Server-ActiveSync?Cmd=Sync&..."
  header_list headers;
  std::string body;
  bool secure = false;  // arrived over TLS
  std::string remote_address;
  std::uint64_t connection_id = 0;
  std::uint64_t request_id = 0;

  const std::string* header(std::string_view name) const { return find_header(headers, name); }
  std::string_view path() const;   // target up to '?'
  std::string_view query() const;  // after '?', or empty
};

struct http_response {
  int status = 200;
  header_list headers;
  std::string body;
  bool close = false;  // close the connection after this response
  // Fault injection (faults.hpp): close the connection without writing this response at all.
  bool drop = false;
  // Streaming (server-sent events): the status and headers go out at once, without a
  // Content-Length and with `body` ignored; then every chunk pushed to the stream as it comes,
  // until the stream ends, the client goes away or the server stops. The connection closes after.
  std::shared_ptr<event_stream> stream;
  // What the access log line adds after the status: "user=... device=... cmd=... v=... eas=..."
  // (never credentials).
  std::string log_context;

  http_response& set(std::string name, std::string value);
  static http_response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
};

// The request target as the access log prints it: the value of every `ticket` query parameter
// (a one-shot credential of GET /api/v1/events) replaced by "(removed)".
std::string loggable_target(std::string_view target);

// Handlers answer through `respond`, now or later (a long-poll such as Ping answers when a folder
// changes or its heartbeat ends), from any thread, exactly once.
using respond_fn = std::function<void(http_response)>;
using handler_fn = std::function<void(http_request&&, respond_fn)>;

}  // namespace easemu::server
