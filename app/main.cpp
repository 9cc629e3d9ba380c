#include <CLI/CLI.hpp>

#include <string>

#include "commands.hpp"
#include "easemu/common/socket_bio.hpp"
#include "easemu/version.hpp"

int main(int argc, char** argv) {
  // A peer that closes a socket mid-write must fail that write, never end the process (issue 16):
  // the server, the simulated phones and the bench clients all write to sockets.
  easemu::common::ignore_sigpipe();
  CLI::App app{"easemu: an Exchange ActiveSync server emulator for device testing"};
  app.set_version_flag("--version", std::string("easemu ") + easemu::version_string);
  app.require_subcommand(1);
  int exit_code = easemu::app::exit_ok;
  easemu::app::add_serve_command(app, exit_code);
  easemu::app::add_wbxml_command(app, exit_code);
  easemu::app::add_health_command(app, exit_code);
  easemu::app::add_ca_command(app, exit_code);
  easemu::app::add_exchange_command(app, exit_code);
  easemu::app::add_inject_command(app, exit_code);
  easemu::app::add_fault_command(app, exit_code);
  easemu::app::add_bench_command(app, exit_code);
  easemu::app::add_device_command(app, exit_code);
  easemu::app::add_matrix_command(app, exit_code);
  easemu::app::add_policy_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; every real parse error is a usage error.
    return app.exit(e) == 0 ? easemu::app::exit_ok : easemu::app::exit_usage;
  }
  return exit_code;
}
