#pragma once
// Whole-file input and output for the command-line tools ("-" is stdin/stdout).
#include <cstddef>
#include <optional>
#include <string>

#include "easemu/simulator/http_client.hpp"

namespace easemu::app {

// Reads a file, or stdin when `path` is empty or "-". On failure returns nullopt and sets `error`.
std::optional<std::string> read_input(const std::string& path, std::size_t max_bytes,
                                      std::string& error);

// Writes to a file, or stdout when `path` is empty or "-".
bool write_output(const std::string& path, const std::string& data, std::string& error);

// The admin clients' --ca: the PEM file's text becomes parts.ca_pem (nothing when `file` is
// empty). False, with the reason printed as "easemu <command>: ...", when it cannot be read.
bool apply_ca_option(const std::string& file, simulator::url_parts& parts, const char* command);

}  // namespace easemu::app
