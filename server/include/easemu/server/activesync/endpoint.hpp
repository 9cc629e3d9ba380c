#pragma once
// The EAS endpoint's pipeline, built from the server's parts: the stages over the services, the
// journal recorder, and every command registered through the command table. The router only
// routes /Microsoft-Server-ActiveSync here.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "easemu/server/activesync/pipeline.hpp"
#include "easemu/server/commands/commands.hpp"

namespace easemu::store {
class journal_writer;
}

namespace easemu::server {

class fault_registry;
class delay_timer;
class request_metrics;

struct eas_parts {
  command_services commands;
  fault_registry& faults;
  delay_timer& fault_timer;
  store::journal_writer& journal;
  request_metrics& metrics;
};

struct eas_settings {
  std::vector<protocol_version> versions;   // advertised
  std::string server_build;                 // MS-Server-ActiveSync
  std::string realm;                        // the Basic realm (the lab's hostname)
  std::function<std::string()> public_url;  // https://host[:port], known once the port is bound
};

std::unique_ptr<eas_pipeline> make_eas_pipeline(const eas_parts& parts, eas_settings settings,
                                                std::shared_ptr<spdlog::logger> log);

}  // namespace easemu::server
