#pragma once
// A small blocking HTTP(S) client over Beast for end-to-end tests (127.0.0.1 only).
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace easemu::test {

struct client_response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error;  // transport error, empty on success

  std::string header(const std::string& name) const;
};

struct client_request {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool tls = true;
  std::string basic_user;  // adds Authorization: Basic when not empty
  std::string basic_password;
  std::chrono::milliseconds timeout{10'000};
};

client_response send(std::uint16_t port, const client_request& request);

// Opens a TCP connection to 127.0.0.1:port, writes `bytes` and reads until the server closes or
// the timeout; returns what came back and how long until the close.
struct raw_result {
  std::string received;
  bool closed_by_server = false;
  std::chrono::milliseconds elapsed{0};
};
raw_result raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout);

}  // namespace easemu::test
