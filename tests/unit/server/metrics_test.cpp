// GET /metrics: the Prometheus text format, counters per command and status, escaped labels.
#include <gtest/gtest.h>

#include "easemu/server/metrics.hpp"

namespace {

using easemu::server::prometheus_label;
using easemu::server::request_metrics;

TEST(Metrics, RequestsAreCountedPerCommandAndStatus) {
  request_metrics m;
  m.count("Sync", 200, 1);
  m.count("Sync", 200, 1);
  m.count("FolderSync", 200, 144);
  const auto text = m.render({});
  EXPECT_NE(text.find("# TYPE easemu_eas_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("easemu_eas_requests_total{command=\"Sync\",http_status=\"200\",eas_status=\"1\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("easemu_eas_requests_total{command=\"FolderSync\",http_status=\"200\",eas_status=\"144\"} 1\n"),
            std::string::npos);
}

TEST(Metrics, GaugesWithAndWithoutLabels) {
  request_metrics m;
  const auto text = m.render({{"easemu_devices", "Devices.", {{"access_state=\"Blocked\"", 2}}},
                              {"easemu_resident_bytes", "Memory.", {{"", 1048576}}}});
  EXPECT_NE(text.find("# TYPE easemu_devices gauge\neasemu_devices{access_state=\"Blocked\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("easemu_resident_bytes 1048576\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
