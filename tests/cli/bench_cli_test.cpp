// `easemu bench` end to end on a tiny scale: it starts its own server, enrols devices, holds
// Pings and runs each load phase. Figures are only checked for being measured and consistent;
// speed targets belong to the benchmark run itself, never to a test.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "support/process.hpp"

namespace {

using easemu::test::run;
using easemu::test::shell_quote;

const std::string exe = shell_quote(EASEMU_EXE);

TEST(CliBench, SmallRunMeasuresEveryPhase) {
  const auto r = run(exe + " bench --devices 3 --pings 12 --duration 0.5 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = boost::json::parse(r.out).as_object();

  const auto& ping = report.at("ping").as_object();
  EXPECT_EQ(ping.at("held").to_number<int>(), 12);
  // Holding twelve more requests costs the server some memory, and not megabytes each.
  EXPECT_GT(ping.at("resident_held").to_number<double>(), 0);
  EXPECT_LT(ping.at("bytes_per_held_ping").to_number<double>(), 1024.0 * 1024);
  // The injected message answers every held Ping, with 200.
  const auto& wake = ping.at("wake").as_object();
  EXPECT_EQ(wake.at("requests").to_number<int>(), 12);
  EXPECT_EQ(wake.at("statuses").as_object().at("200").to_number<int>(), 12);

  for (const char* phase : {"folder_sync", "baseline", "sync"}) {
    const auto& f = report.at(phase).as_object();
    SCOPED_TRACE(phase);
    EXPECT_GT(f.at("requests").to_number<int>(), 0);
    EXPECT_EQ(f.at("failures").to_number<int>(), 0);
    EXPECT_EQ(f.at("statuses").as_object().size(), 1u);
    EXPECT_EQ(f.at("statuses").as_object().at("200").to_number<int>(), f.at("requests").to_number<int>());
    EXPECT_LE(f.at("p50_us").to_number<double>(), f.at("p99_us").to_number<double>());
  }
  // The baseline answers with a body of the same size as a FolderSync without changes.
  EXPECT_GT(report.at("response_bytes").to_number<int>(), 0);
  EXPECT_GT(report.at("folder_sync_vs_baseline").to_number<double>(), 0);
  // Every phase ends with its clients closing their connections: the server it started survived.
  EXPECT_TRUE(report.at("server_survived").as_bool());
}

// The soak run (issue 23) on a tiny scale: the Pings stay held through the load, every sample reads
// the server's state, nothing fails, and one message at the end answers every Ping.
TEST(CliBench, SoakHoldsPingsThroughTheLoadAndSamples) {
  const auto r = run(exe + " bench --soak 3s --sample 1 --devices 2 --pings 10 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto report = boost::json::parse(r.out.substr(r.out.find('{'))).as_object();
  EXPECT_EQ(report.at("errors").to_number<int>(), 0);
  EXPECT_GT(report.at("requests").to_number<int>(), 0);
  const auto& samples = report.at("samples").as_array();
  ASSERT_GE(samples.size(), 3u);
  for (const auto& s : samples) {
    EXPECT_EQ(s.at("held").to_number<int>(), 10);  // no Ping ended during the load
    EXPECT_GT(s.at("resident_bytes").to_number<double>(), 0);
    EXPECT_GT(s.at("descriptors").to_number<int>(), 10);  // the held connections at least
  }
  EXPECT_EQ(report.at("wake").at("requests").to_number<int>(), 10);
  EXPECT_EQ(report.at("wake").at("statuses").at("200").to_number<int>(), 10);
}

TEST(CliBench, ASoakDurationMustBeADuration) {
  const auto r = run(exe + " bench --soak soon");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is not a duration"), std::string::npos) << r.err;
}

TEST(CliBench, AnExternalServerNeedsItsAdminApi) {
  const auto r = run(exe + " bench --server https://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--admin-url"), std::string::npos) << r.err;
}

}  // namespace
