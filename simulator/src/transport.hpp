#pragma once
// The simulated phone's side of a connection: its TLS window, its trust store, the names pinned
// with --resolve and its credentials; the certificate check it notes at the first contact with
// each host; what a transport failure means to it (PROVISIONING.md 6, docs/device-profiles.md).
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "easemu/client/http_client.hpp"
#include "easemu/phone/presentation.hpp"
#include "easemu/simulator/device_flow.hpp"

namespace easemu::simulator::detail {

// Whether the client gave up waiting (resolve, connect, handshake or answer).
bool timed_out(const client::client_response& r);

// Asio's messages end in " [system:111 at file:line in function ...]": keep what a person reads.
std::string short_error(const std::string& e);

// A transport failure as the phone experiences it.
phone::outcome transport_outcome(const client::client_response& r);

class transport {
 public:
  // `trust_pem`: the phone's trust store as PEM text (trust_pem()).
  transport(const flow_options& options, std::string trust_pem);

  struct exchange {
    client::client_response response;
    std::int64_t ms = 0;
    bool answered = false;                 // some server answered (HTTP, or a TLS handshake)
    std::optional<flow_step> certificate;  // the check at the first contact with this host
  };

  // Sends `r` to `u` as this phone.
  exchange send(const client::url_parts& u, client::client_request r);

 private:
  std::string address_of(const std::string& host) const;
  std::optional<flow_step> certificate_step(const client::url_parts& u, const client::client_response& resp);

  const flow_options& o_;
  std::string trust_;
  std::set<std::string> checked_hosts_;
};

}  // namespace easemu::simulator::detail
