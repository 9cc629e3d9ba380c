#pragma once
// The lab file (YAML): the desired state of the lab, applied at every start.
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "easemu/common/protocol_version.hpp"

namespace easemu::app {

struct mailbox_config {
  std::string address;
  std::string password;
  std::string display_name;
  std::string policy;  // empty: the default policy
};

// Exchange parameter names and values as written (e.g. MaxInactivityTimeDeviceLock: unlimited);
// the provisioning module gives them meaning.
struct policy_config {
  std::string name;
  std::vector<std::pair<std::string, std::string>> parameters;
};

// The `tls:` section; empty values are not set (flags and defaults decide). Relative paths are
// taken from the lab file's directory.
struct tls_config {
  std::string mode;         // a TLS mode name (lab-ca, self-signed, expired, ...)
  std::string min_version;  // 1.0, 1.1, 1.2, 1.3
  std::string cert;         // PEM chain for mode provided
  std::string key;          // PEM key for mode provided
  std::vector<std::string> san;  // extra names and addresses for the server certificate
};

struct lab_config {
  std::string domain = "lab.test";
  std::string hostname;          // default mail.<domain>
  std::string netbios_domain;    // default: the domain's first label, upper case
  std::string exchange_version = "2010SP1";
  std::vector<protocol_version> protocol_versions;  // empty: what exchange_version advertises
  std::vector<mailbox_config> mailboxes;            // empty: the demo mailboxes
  std::vector<policy_config> policies;
  std::string exchange_commands;
  tls_config tls;
  // The `faults:` list: each rule as JSON, the shape POST /api/v1/faults takes (validated).
  std::vector<std::string> faults;
};

// Where the file is wrong: "lab.yaml:12:5: mailboxes[1].address: 'bob' is not an e-mail address"
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses and validates a lab file; throws config_error naming file, line and the problem.
lab_config load_lab_file(const std::string& path);
lab_config parse_lab_yaml(const std::string& text, const std::string& name);

// Fills defaults: hostname, NetBIOS domain, the demo mailboxes when none are defined, and
// Exchange's built-in "Default" policy when no policy is the default.
void complete_lab(lab_config& lab);

}  // namespace easemu::app
