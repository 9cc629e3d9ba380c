// easemu exchange: Exchange Management Shell lines against a running server (POST
// /api/v1/exchange), printed as Exchange would list the objects.
#include <boost/json.hpp>

#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "io.hpp"
#include "easemu/client/http_client.hpp"

namespace easemu::app {

namespace {

struct exchange_cli {
  std::string server = "http://127.0.0.1:8080";
  std::string token;
  std::string ca;  // --ca: PEM CA to verify an https:// server
  std::vector<std::string> lines;
  bool json = false;
};

std::string scalar(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "";
  if (v.is_bool()) return v.as_bool() ? "True" : "False";
  if (v.is_array()) {
    std::string out = "{";
    for (const auto& item : v.as_array()) out += (out.size() > 1 ? ", " : "") + scalar(item);
    return out + "}";
  }
  return boost::json::serialize(v);
}

// Format-List, as the shell shows a Get-* result.
void print_object(const boost::json::object& o) {
  std::size_t width = 0;
  for (const auto& kv : o) width = std::max(width, kv.key().size());
  for (const auto& kv : o) {
    std::cout << std::string(kv.key()) << std::string(width - kv.key().size(), ' ') << " : " << scalar(kv.value())
              << '\n';
  }
  std::cout << '\n';
}

int run(const exchange_cli& o) {
  std::string text;
  for (const auto& l : o.lines) text += l + "\n";
  if (o.lines.empty()) text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  client::url_parts parts;
  if (!client::parse_url(o.server, parts)) {
    std::cerr << "easemu exchange: '" << o.server << "' is not an http:// or https:// URL\n";
    return exit_usage;
  }
  if (!apply_ca_option(o.ca, parts, "exchange")) return exit_usage;
  auto r = client::request_below(parts, "POST", "/api/v1/exchange");
  r.headers.emplace_back("Authorization", "Bearer " + o.token);
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = text;
  r.timeout = std::chrono::seconds(30);
  const auto res = client::send(parts.port, r);
  if (!res.error.empty()) {
    std::cerr << "easemu exchange: " << o.server << ": " << res.error << '\n';
    return exit_failed;
  }
  boost::system::error_code ec;
  const auto body = boost::json::parse(res.body, ec);
  const auto* results = ec || !body.is_object() ? nullptr : body.as_object().if_contains("results");
  if (results == nullptr || !results->is_array()) {
    std::cerr << "easemu exchange: the server answered " << res.status << ": " << res.body << '\n';
    return exit_failed;
  }
  if (o.json) {
    std::cout << boost::json::serialize(body) << '\n';
    return res.status == 200 ? exit_ok : exit_failed;
  }
  for (const auto& item : results->as_array()) {
    const auto& r1 = item.as_object();
    if (!r1.at("ok").as_bool()) {
      std::cerr << scalar(r1.at("command")) << "\n  " << scalar(r1.at("error")) << '\n';
      continue;
    }
    if (const auto* out = r1.if_contains("output"); out != nullptr && out->is_array()) {
      for (const auto& obj : out->as_array()) {
        if (obj.is_object()) print_object(obj.as_object());
      }
    }
  }
  return res.status == 200 ? exit_ok : exit_failed;
}

}  // namespace

void add_exchange_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("exchange", "Run Exchange Management Shell lines against a running server");
  auto o = std::make_shared<exchange_cli>();
  cmd->add_option("--server", o->server, "Base URL of the server (plain HTTP or HTTPS listener)")
      ->envname("EASEMU_SERVER")->capture_default_str();
  cmd->add_option("--admin-token", o->token, "The server's admin token")->envname("EASEMU_ADMIN_TOKEN")->required();
  cmd->add_option("--ca", o->ca, "CA certificate (PEM) to verify an https:// --server with (default: not verified)");
  cmd->add_flag("--json", o->json, "Print the server's JSON answer");
  cmd->add_option("LINE", o->lines, "Cmdlet lines (default: read them from stdin)");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace easemu::app
