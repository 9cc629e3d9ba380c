#pragma once
// A small blocking HTTP(S) client over Beast: the transport of the simulated phones, the admin
// clients (easemu health, exchange, inject) and the end-to-end tests.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace easemu::client {

struct client_response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error;  // transport error, empty on success
  // Where a transport error happened: "resolve", "connect", "tls" (the handshake) or "http".
  std::string error_stage;
  // OpenSSL's verify result of the handshake (X509_V_OK = 0; e.g. 20 unknown issuer, 10 expired,
  // 62 host name mismatch) when the server was verified.
  long verify_result = 0;

  std::string header(const std::string& name) const;
};

struct client_request {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool tls = true;
  std::string host = "127.0.0.1";  // connect address and Host header
  // When set: the address to connect to, while `host` still names the server (Host, SNI and
  // verification), as a hosts-file entry would (`easemu device --resolve`).
  std::string connect_address;
  // TLS protocol window as wire versions (0x0301 TLS 1.0 ... 0x0304 TLS 1.3); 0: the library's
  // default. A window below TLS 1.2 also lowers OpenSSL's security level, as old phones need.
  std::uint16_t tls_min_version = 0;
  std::uint16_t tls_max_version = 0;
  // PEM CA certificates to verify the server with; empty: no verification (the certificate
  // checks of a simulated phone are made by the caller with its own trust store).
  std::string ca_pem;
  std::string verify_host;  // expected server name when ca_pem is set
  std::string basic_user;  // adds Authorization: Basic when not empty
  std::string basic_password;
  std::chrono::milliseconds timeout{10'000};
};

client_response send(std::uint16_t port, const client_request& request);

// Splits "http://host:port/path" / "https://..." into its parts; false when it is not such a URL.
struct url_parts {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string target = "/";
  // PEM CA certificates to verify an https:// server with (the admin clients' --ca); empty: no
  // verification.
  std::string ca_pem;
  std::string connect_address;  // as client_request's (a --resolve entry); empty: host
};
bool parse_url(const std::string& url, url_parts& out);
// A request for `path` below a base URL (its scheme, host and path prefix): what the admin API
// clients (`easemu health`, `exchange`, `inject`) send.
client_request request_below(const url_parts& base, const std::string& method, const std::string& path);

// Opens a TCP connection to 127.0.0.1:port (tests), writes `bytes` and reads until the server closes or
// the timeout; returns what came back and how long until the close.
struct raw_result {
  std::string received;
  bool closed_by_server = false;
  std::chrono::milliseconds elapsed{0};
};
raw_result raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout);

}  // namespace easemu::client
