#include "io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>

namespace easemu::app {

std::optional<std::string> read_input(const std::string& path, std::size_t max_bytes,
                                      std::string& error) {
  const bool use_stdin = path.empty() || path == "-";
  std::ifstream file;
  if (!use_stdin) {
    file.open(path, std::ios::binary);
    if (!file) {
      error = path + ": " + std::strerror(errno);
      return std::nullopt;
    }
  }
  std::istream& in = use_stdin ? std::cin : file;
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(in.gcount()));
    if (data.size() > max_bytes) {
      error = (use_stdin ? std::string("stdin") : path) + ": input larger than " +
              std::to_string(max_bytes) + " bytes";
      return std::nullopt;
    }
  }
  if (in.bad()) {
    error = (use_stdin ? std::string("stdin") : path) + ": read error";
    return std::nullopt;
  }
  return data;
}

bool write_output(const std::string& path, const std::string& data, std::string& error) {
  if (path.empty() || path == "-") {
    std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
    std::cout.flush();
    if (!std::cout) {
      error = "stdout: write error";
      return false;
    }
    return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    error = path + ": write error";
    return false;
  }
  return true;
}

bool apply_ca_option(const std::string& file, client::url_parts& parts, const char* command) {
  if (file.empty()) return true;
  std::string error;
  auto pem = read_input(file, 1 << 20, error);
  if (!pem) {
    std::cerr << "easemu " << command << ": " << error << '\n';
    return false;
  }
  parts.ca_pem = std::move(*pem);
  return true;
}

host_port parse_host_port(const std::string& s, const char* flag) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error(std::string(flag) + ": expected HOST:PORT, got '" + s + "'");
  std::string host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  int port = -1;
  try {
    port = std::stoi(s.substr(colon + 1));
  } catch (...) {
  }
  if (port < 0 || port > 65535) throw std::runtime_error(std::string(flag) + ": bad port in '" + s + "'");
  return {host, static_cast<std::uint16_t>(port)};
}

}  // namespace easemu::app
