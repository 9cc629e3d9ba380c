#pragma once
// Small pieces the command-line tools share: whole-file input and output ("-" is stdin/stdout),
// the admin clients' --ca, listen addresses.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "easemu/client/http_client.hpp"

namespace easemu::app {

// Reads a file, or stdin when `path` is empty or "-". On failure returns nullopt and sets `error`.
std::optional<std::string> read_input(const std::string& path, std::size_t max_bytes,
                                      std::string& error);

// Writes to a file, or stdout when `path` is empty or "-".
bool write_output(const std::string& path, const std::string& data, std::string& error);

// The admin clients' --ca: the PEM file's text becomes parts.ca_pem (nothing when `file` is
// empty). False, with the reason printed as "easemu <command>: ...", when it cannot be read.
bool apply_ca_option(const std::string& file, client::url_parts& parts, const char* command);

// A listen address "HOST:PORT" or "[v6]:PORT" (an empty host is 0.0.0.0), as --listen and
// EASEMU_HTTP_LISTEN write it. Throws std::runtime_error naming `flag` when it is not one.
struct host_port {
  std::string host;
  std::uint16_t port = 0;
};
host_port parse_host_port(const std::string& s, const char* flag);

}  // namespace easemu::app
