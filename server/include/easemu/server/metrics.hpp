#pragma once
// Counters for GET /metrics in the Prometheus text format (version 0.0.4): requests by command
// and status, plus gauges the caller supplies at scrape time. Counters only: no user names, no
// device ids, nothing personal (issue 8).
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace easemu::server {

class request_metrics {
 public:
  // One answered EAS request: its command, HTTP status and EAS status (0: none).
  void count(const std::string& command, int http_status, int eas_status);

  struct gauge {
    std::string name;  // easemu_...
    std::string help;
    std::vector<std::pair<std::string, double>> samples;  // label text ("" or k="v",...) -> value
  };
  // The exposition: the request counter, then the gauges.
  std::string render(const std::vector<gauge>& gauges) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, int, int>, std::uint64_t> requests_;
};

// Resident memory of this process in bytes (Linux /proc/self/statm): the easemu_resident_bytes
// gauge and GET /api/v1/server.
std::uint64_t resident_bytes();

// A label value with \, " and newlines escaped as the text format requires.
std::string prometheus_label(const std::string& value);

}  // namespace easemu::server
