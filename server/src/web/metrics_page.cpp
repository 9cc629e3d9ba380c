#include <map>
#include <string>

#include "easemu/server/metrics.hpp"
#include "easemu/store/store.hpp"
#include "web/site.hpp"

namespace easemu::server::web {

http_response metrics_page(const request_metrics& metrics, const store::store& store, std::size_t waiting_requests) {
  std::map<std::string, double> by_state;
  for (const auto& d : store.list_devices()) by_state[d.access.state.empty() ? "Allowed" : d.access.state] += 1;
  request_metrics::gauge devices{"easemu_devices", "Device partnerships by DeviceAccessState.", {}};
  for (const auto& [state, n] : by_state) devices.samples.emplace_back("access_state=\"" + prometheus_label(state) + "\"", n);
  request_metrics::gauge waiting{"easemu_waiting_requests", "Pings and Syncs waiting for a change.",
                                 {{"", static_cast<double>(waiting_requests)}}};
  request_metrics::gauge memory{"easemu_resident_bytes", "Resident memory of the server process.",
                                {{"", static_cast<double>(resident_bytes())}}};
  return http_response::text(200, metrics.render({devices, waiting, memory}), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace easemu::server::web
