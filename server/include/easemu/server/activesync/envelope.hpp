#pragma once
// The last stage of the pipeline: what goes out for a command at a protocol version. A handler's
// reply becomes WBXML; a stage's answer puts its status in the command's response body where the
// command table and the version allow it (eas/status.hpp), else the HTTP status that stands for
// it. Either way the Status of the tree that went out is kept for the journal and the metrics.
#include <cstdint>
#include <memory>
#include <string>

#include "easemu/eas/command.hpp"
#include "easemu/server/activesync/context.hpp"

namespace spdlog {
class logger;
}

namespace easemu::server {

inline constexpr const char* wbxml_content_type = "application/vnd.ms-sync.wbxml";

struct enveloped {
  http_response http;
  int eas_status = 0;  // the Status under the response root that went out; 0: none
};

class envelope {
 public:
  envelope(std::string server_build, std::shared_ptr<spdlog::logger> log);

  enveloped answer(const eas::command_info& command, protocol_version v, const stage_answer& a) const;
  enveloped reply(const eas::command_info& command, command_reply reply, std::uint64_t request_id) const;
  const std::string& server_build() const { return server_build_; }

 private:
  std::string server_build_;
  std::shared_ptr<spdlog::logger> log_;
};

// The Status element under a response root (on the root's code page), as a number; 0 when absent.
int top_level_status(const wbxml::element& root);

}  // namespace easemu::server
