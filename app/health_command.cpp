// easemu health [URL]: exit 0 when the server answers /readyz (the container health check).
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "easemu/simulator/http_client.hpp"

namespace easemu::app {

void add_health_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("health", "Exit 0 when a server answers /readyz with 200 (the Docker health check)");
  auto url = std::make_shared<std::string>("http://127.0.0.1:8080");
  cmd->add_option("URL", *url, "Base URL of the server's plain HTTP or HTTPS listener")->capture_default_str();
  cmd->callback([url, &exit_code] {
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
