// easemu inject: put a message into a lab mailbox of a running server
// (POST /api/v1/mailboxes/{address}/messages), from flags or an RFC 822 file.
#include <boost/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "easemu/common/base64.hpp"
#include "easemu/eas/url.hpp"
#include "easemu/client/http_client.hpp"
#include "io.hpp"

namespace easemu::app {

namespace {

struct inject_cli {
  std::string server = "http://127.0.0.1:8080";
  std::string token;
  std::string ca;  // --ca: PEM CA to verify an https:// server
  std::string to;
  std::string from;
  std::string subject;
  std::string text;
  std::string html;
  std::string file;  // an RFC 822 message
  std::string folder;
  std::vector<std::string> attachments;
  int count = 1;
  bool read = false;
};

int run(const inject_cli& o) {
  client::url_parts parts;
  if (!client::parse_url(o.server, parts)) {
    std::cerr << "easemu inject: '" << o.server << "' is not an http:// or https:// URL\n";
    return exit_usage;
  }
  if (!apply_ca_option(o.ca, parts, "inject")) return exit_usage;
  auto r = client::request_below(parts, "POST",
                                   "/api/v1/mailboxes/" + eas::percent_encode(o.to) + "/messages" +
                                       (o.folder.empty() ? "" : "?folder=" + eas::percent_encode(o.folder)));
  r.headers.emplace_back("Authorization", "Bearer " + o.token);
  std::string error;
  if (!o.file.empty()) {
    auto mime = read_input(o.file, 64 << 20, error);
    if (!mime) {
      std::cerr << "easemu inject: " << error << '\n';
      return exit_failed;
    }
    r.headers.emplace_back("Content-Type", "message/rfc822");
    r.body = std::move(*mime);
  } else {
    boost::json::object m{{"subject", o.subject}, {"read", o.read}};
    if (!o.from.empty()) m["from"] = o.from;
    if (!o.text.empty()) m["text"] = o.text;
    if (!o.html.empty()) m["html"] = o.html;
    boost::json::array files;
    for (const auto& path : o.attachments) {
      auto content = read_input(path, 64 << 20, error);
      if (!content) {
        std::cerr << "easemu inject: " << error << '\n';
        return exit_failed;
      }
      files.push_back(boost::json::object{{"name", std::filesystem::path(path).filename().string()},
                                          {"content_base64", common::base64_encode(*content)}});
    }
    if (!files.empty()) m["attachments"] = std::move(files);
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = boost::json::serialize(m);
  }
  for (int i = 0; i < o.count; ++i) {
    const auto res = client::send(parts.port, r);
    if (!res.error.empty() || res.status != 201) {
      std::cerr << "easemu inject: " << o.server << ": "
                << (res.error.empty() ? std::to_string(res.status) + " " + res.body : res.error) << '\n';
      return exit_failed;
    }
    boost::system::error_code ec;
    const auto answer = boost::json::parse(res.body, ec);
    if (!ec && answer.is_object() && answer.as_object().contains("item_id")) {
      std::cout << answer.at("item_id").as_string().c_str() << '\n';
    }
  }
  return exit_ok;
}

}  // namespace

void add_inject_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("inject", "Put a message into a lab mailbox of a running server");
  auto o = std::make_shared<inject_cli>();
  cmd->add_option("--server", o->server, "Base URL of the server (plain HTTP or HTTPS listener)")
      ->envname("EASEMU_SERVER")->capture_default_str();
  cmd->add_option("--admin-token", o->token, "The server's admin token")->envname("EASEMU_ADMIN_TOKEN")->required();
  cmd->add_option("--ca", o->ca, "CA certificate (PEM) to verify an https:// --server with (default: not verified)");
  cmd->add_option("--to", o->to, "The lab mailbox")->required();
  cmd->add_option("--from", o->from, "Sender (default: the lab's postmaster)");
  cmd->add_option("--subject", o->subject, "Subject");
  cmd->add_option("--text", o->text, "Plain text body");
  cmd->add_option("--html", o->html, "HTML body");
  cmd->add_option("--file", o->file, "An RFC 822 message to deliver as it is (instead of the flags)");
  cmd->add_option("--attach", o->attachments, "A file to attach (repeatable)");
  cmd->add_option("--folder", o->folder, "Folder name or id (default: Inbox)");
  cmd->add_option("--count", o->count, "How many copies")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_flag("--read", o->read, "Mark the message read");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace easemu::app
