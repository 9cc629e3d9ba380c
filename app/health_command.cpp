// easemu health [URL]: exit 0 when the server answers /readyz (the container health check).
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "easemu/client/http_client.hpp"
#include "io.hpp"

namespace easemu::app {

namespace {

// Without a URL: the plain HTTP listener the environment configures for `serve` too
// (EASEMU_HTTP_LISTEN, the container's setting), a wildcard address replaced by loopback.
std::string default_health_url() {
  const char* env = std::getenv("EASEMU_HTTP_LISTEN");
  const std::string listen = env != nullptr && *env != '\0' ? env : "127.0.0.1:8080";
  host_port where;
  try {
    where = parse_host_port(listen, "EASEMU_HTTP_LISTEN");  // the same reading as serve's
  } catch (const std::runtime_error&) {
    return listen;  // not HOST:PORT: reported as not a URL
  }
  if (where.host == "0.0.0.0") where.host = "127.0.0.1";
  if (where.host == "::") where.host = "::1";
  if (where.host.find(':') != std::string::npos) where.host = "[" + where.host + "]";
  return "http://" + where.host + ":" + std::to_string(where.port);
}

}  // namespace

void add_health_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("health", "Exit 0 when a server answers /readyz with 200 (the Docker health check)");
  auto url = std::make_shared<std::string>();
  cmd->add_option("URL", *url,
                  "Base URL of the server's plain HTTP or HTTPS listener (default: http://<EASEMU_HTTP_LISTEN>, "
                  "a wildcard address as 127.0.0.1; without it http://127.0.0.1:8080)");
  cmd->callback([url, &exit_code] {
    if (url->empty()) *url = default_health_url();
    client::url_parts parts;
    if (!client::parse_url(*url, parts)) {
      std::cerr << "easemu health: '" << *url << "' is not an http:// or https:// URL\n";
      exit_code = exit_usage;
      return;
    }
    auto r = client::request_below(parts, "GET", "/readyz");
    r.timeout = std::chrono::seconds(5);
    const auto res = client::send(parts.port, r);
    if (!res.error.empty()) {
      std::cerr << "easemu health: " << *url << ": " << res.error << '\n';
      exit_code = exit_failed;
      return;
    }
    if (res.status != 200) {
      std::cerr << "easemu health: " << *url << ": /readyz answered " << res.status << '\n';
      exit_code = exit_failed;
      return;
    }
    std::cout << "ready\n";
    exit_code = exit_ok;
  });
}

}  // namespace easemu::app
