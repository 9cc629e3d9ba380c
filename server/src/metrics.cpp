#include "easemu/server/metrics.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <tuple>

namespace easemu::server {

std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");  // size, resident, ... in pages
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

void request_metrics::count(const std::string& command, int http_status, int eas_status) {
  std::lock_guard lock(mutex_);
  ++requests_[{command, http_status, eas_status}];
}

std::string prometheus_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string number(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string request_metrics::render(const std::vector<gauge>& gauges) const {
  std::string out =
      "# HELP easemu_eas_requests_total EAS requests answered, by command, HTTP status and EAS status (0: none).\n"
      "# TYPE easemu_eas_requests_total counter\n";
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, n] : requests_) {
      const auto& [command, http, eas] = key;
      out += "easemu_eas_requests_total{command=\"" + prometheus_label(command) + "\",http_status=\"" +
             std::to_string(http) + "\",eas_status=\"" + std::to_string(eas) + "\"} " + std::to_string(n) + "\n";
    }
  }
  for (const auto& g : gauges) {
    out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n";
    for (const auto& [labels, value] : g.samples) {
      out += g.name + (labels.empty() ? "" : "{" + labels + "}") + " " + number(value) + "\n";
    }
  }
  return out;
}

}  // namespace easemu::server
