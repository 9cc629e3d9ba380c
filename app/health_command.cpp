// easemu health [URL]: exit 0 when the server answers /readyz (the container health check).
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "easemu/simulator/http_client.hpp"

namespace easemu::app {

namespace {

// Without a URL: the plain HTTP listener the environment configures for `serve` too
// (EASEMU_HTTP_LISTEN, the container's setting), a wildcard address replaced by loopback.
std::string default_health_url() {
  const char* env = std::getenv("EASEMU_HTTP_LISTEN");
  const std::string listen = env != nullptr && *env != '\0' ? env : "127.0.0.1:8080";
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return listen;  // not HOST:PORT: reported as not a URL
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + listen.substr(colon);
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
    simulator::url_parts parts;
    if (!simulator::parse_url(*url, parts)) {
      std::cerr << "easemu health: '" << *url << "' is not an http:// or https:// URL\n";
      exit_code = exit_usage;
      return;
    }
    auto r = simulator::request_below(parts, "GET", "/readyz");
    r.timeout = std::chrono::seconds(5);
    const auto res = simulator::send(parts.port, r);
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
