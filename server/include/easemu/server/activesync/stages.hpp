#pragma once
// The pipeline's stages that work on the server's parts (pipeline.hpp: pipeline_stages): the
// device list and fault injection. Access and the provisioning gate are their services' own
// (access_service::check, provisioning_service::check).
#include <functional>
#include <memory>
#include <string>

#include "easemu/server/activesync/context.hpp"
#include "easemu/server/faults.hpp"

namespace spdlog {
class logger;
}
namespace easemu::store {
class store;
}

namespace easemu::server {

// Every device that reaches an authenticated command joins the device list (its last contact,
// user agent and protocol version); a store failure answers the command's server error.
std::function<stage_result(const eas_context&)> device_list_stage(std::shared_ptr<store::store> store,
                                                          std::shared_ptr<spdlog::logger> log);

// The fault rule a request hits (faults.hpp), with the lab's own defaults filled in (a 451's
// X-MS-Location is the server's EAS URL). The kinds that replace the answer answer here; delay
// and the damaged bodies only mark the context.
struct fault_stage_settings {
  std::string server_build;
  std::string realm;                        // the Basic realm of a 401
  std::function<std::string()> public_url;  // https://host[:port], known once the port is bound
};
std::function<stage_result(eas_context&)> fault_stage(fault_registry& rules, fault_stage_settings settings);

}  // namespace easemu::server
