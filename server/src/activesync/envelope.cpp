#include "easemu/server/activesync/envelope.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "easemu/eas/status.hpp"
#include "easemu/wbxml/codec.hpp"

namespace easemu::server {

envelope::envelope(std::string server_build, std::shared_ptr<spdlog::logger> log)
    : server_build_(std::move(server_build)), log_(std::move(log)) {}

int top_level_status(const wbxml::element& root) {
  const auto* t = wbxml::find_tag(root.tag.page, std::string_view("Status"));
  if (t == nullptr) return 0;
  const auto text = root.child_text(wbxml::tag_id{t->page, t->token});
  return text.empty() ? 0 : std::atoi(std::string(text).c_str());
}

enveloped envelope::answer(const eas::command_info& command, protocol_version v, const stage_answer& a) const {
  if (a.response) return {*a.response, 0};
  enveloped out;
  auto& r = out.http;
  r.set("MS-Server-ActiveSync", server_build_);
  if (eas::status_in_body(command, v, a.status)) {
    wbxml::element root(command.envelope->root);
    root.add(command.envelope->status, std::to_string(a.status));
    r.status = 200;
    r.body = std::move(*wbxml::encode(root));  // a two-element tree of table tags always encodes
    r.set("Content-Type", wbxml_content_type);
    out.eas_status = a.status;
  } else {
    r.status = a.http_status;
  }
  for (const auto& [name, value] : a.headers) r.set(name, value);
  return out;
}

enveloped envelope::reply(const eas::command_info& command, command_reply reply, std::uint64_t rid) const {
  enveloped out;
  auto& r = out.http;
  r.status = reply.http_status;
  r.set("MS-Server-ActiveSync", server_build_);
  if (reply.raw_body) {
    r.body = std::move(*reply.raw_body);
    r.set("Content-Type", reply.content_type);
    return out;
  }
  if (!reply.body) return out;
  auto bytes = wbxml::encode(*reply.body);
  if (!bytes) {
    // A handler built a tree the codec refuses: a server bug, answered as one.
    log_->error("request={} cmd={} response does not encode: {}", rid, command.name, bytes.error().message());
    return {http_response::text(500, "internal error\n"), 0};
  }
  r.body = std::move(*bytes);
  r.set("Content-Type", wbxml_content_type);
  out.eas_status = top_level_status(*reply.body);
  return out;
}

}  // namespace easemu::server
