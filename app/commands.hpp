#pragma once
// Each subcommand registers itself on the CLI; its callback stores the process exit code.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "easemu/common/protocol_version.hpp"

namespace easemu::phone {
struct device_profile;
}

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
void add_fault_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_device_command(CLI::App& app, int& exit_code);
void add_matrix_command(CLI::App& app, int& exit_code);
void add_policy_command(CLI::App& app, int& exit_code);

// Shared by `device`, `matrix` and `policy check` (defined in device_command.cpp).
// Every profile: the built-ins, then (replacing a built-in of the same name) a YAML file's.
std::optional<std::vector<phone::device_profile>> load_device_profiles(const std::string& profiles_file,
                                                                                  std::string& error);
// One of them by name; `error` lists the known names when there is none.
std::optional<phone::device_profile> find_device_profile(const std::string& name,
                                                                    const std::string& profiles_file, std::string& error);
// The PEM text of the certificates in CA files (--ca: PEM, DER or PKCS#7); nullopt and `error`
// when one cannot be read or holds no certificate.
std::optional<std::string> read_ca_files(const std::vector<std::string>& files, std::string& error);
// --resolve HOST:IP entries (IPv6 addresses may be bracketed); nullopt and `error` when malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_resolve(const std::vector<std::string>& entries,
                                                                              std::string& error);

}  // namespace easemu::app
