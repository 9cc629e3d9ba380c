#pragma once
// Each subcommand registers itself on the CLI; its callback stores the process exit code.
#include <CLI/CLI.hpp>

namespace easemu::app {

// Exit codes of every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;  // the operation failed (bad input, refused, error shown)
inline constexpr int exit_usage = 2;   // usage error

void add_wbxml_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_health_command(CLI::App& app, int& exit_code);
void add_ca_command(CLI::App& app, int& exit_code);
void add_exchange_command(CLI::App& app, int& exit_code);
void add_inject_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);

}  // namespace easemu::app
