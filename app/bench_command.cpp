// easemu bench: simulated devices against a running server (or one it starts), side by side with
// a bare Beast TLS server on the same machine. Reports requests per second, p50/p99 latency, the
// server's resident memory per held Ping and how fast a new message reaches every held Ping.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench.hpp"
#include "commands.hpp"
#include "easemu/certs/certs.hpp"

namespace easemu::app {

namespace {

using namespace bench_parts;

// The server to measure: the one --server names, or one started now (with a fresh admin token).
// False after printing a usage error.
bool connect(bench_cli& o, std::optional<child_server>& child, client::url_parts& eas, client::url_parts& admin) {
  if (o.server.empty()) {
    o.admin_token = "bench-" + std::to_string(std::random_device{}());
    child.emplace(o.admin_token);
    eas = {true, "127.0.0.1", child->https_port, "/", "", ""};
    admin = {false, "127.0.0.1", child->http_port, "/", "", ""};
    return true;
  }
  if (!client::parse_url(o.server, eas) || !eas.tls) {
    std::cerr << "easemu bench: --server must be an https:// URL\n";
    return false;
  }
  if (o.admin_url.empty() || o.admin_token.empty() || !client::parse_url(o.admin_url, admin)) {
    std::cerr << "easemu bench: with --server, give --admin-url and --admin-token (memory and Ping figures)\n";
    return false;
  }
  return true;
}

// 1. Enrols `count` devices, eight at a time; nullopt with `failure` naming the device.
std::optional<std::vector<device>> enrol_devices(const bench& b, unsigned count, std::string& failure) {
  std::vector<device> devices(count);
  std::mutex failure_mutex;
  std::atomic<unsigned> next{0};
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < 8; ++w) {
    workers.emplace_back([&] {
      for (unsigned i = next++; i < count; i = next++) {
        std::string error;
        char id[32];
        std::snprintf(id, sizeof id, "BenchDev%05u", i);
        auto d = b.enrol(id, error);
        if (!d) {
          std::lock_guard lock(failure_mutex);
          failure = std::string(id) + ": " + error;
          return;
        }
        devices[i] = std::move(*d);
      }
    });
  }
  for (auto& t : workers) t.join();
  if (!failure.empty()) return std::nullopt;
  return devices;
}

// 2. Held Pings: the server's memory per open Ping, then one message wakes them all. Returns how
//    the Pings were answered.
client::load_stats measure_held_pings(const bench& b, const bench_cli& o, const std::vector<device>& devices,
                                      boost::json::object& report, const say_fn& say) {
  const auto [rss_before, waiting_before] = b.server_state();
  std::vector<std::string> pings;
  const auto ping_body = b.ping_body();
  for (unsigned i = 0; i < o.pings; ++i) pings.push_back(b.raw(devices[i], "Ping", ping_body));
  std::uint64_t rss_held = 0, waiting_held = 0;
  const auto held = client::hold_requests(
      b.target(), pings, o.client_threads, 32, std::chrono::seconds(60), [&] {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        do {
          std::tie(rss_held, waiting_held) = b.server_state();
          if (waiting_held >= waiting_before + o.pings) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        } while (std::chrono::steady_clock::now() < deadline);
        const auto injected = std::chrono::steady_clock::now();
        if (o.pings > 0) b.inject();
        return injected;
      });
  const double per_ping = o.pings == 0 ? 0
                                       : (static_cast<double>(rss_held) - static_cast<double>(rss_before)) /
                                             static_cast<double>(o.pings);
  report["ping"] = boost::json::object{{"held", waiting_held - waiting_before},
                                       {"resident_before", rss_before},
                                       {"resident_held", rss_held},
                                       {"bytes_per_held_ping", per_ping},
                                       {"wake", figures(held)}};
  char buf[256];
  std::snprintf(buf, sizeof buf, "held Pings: %llu, server memory %.1f -> %.1f MiB: %.1f KiB per held Ping",
                static_cast<unsigned long long>(waiting_held - waiting_before), rss_before / 1048576.0,
                rss_held / 1048576.0, per_ping / 1024.0);
  say(buf);
  std::snprintf(buf, sizeof buf, "new message -> every Ping answered: p50 %.1f ms, p99 %.1f ms (%llu of %u answered)",
                held.percentile(50) / 1000.0, held.percentile(99) / 1000.0,
                static_cast<unsigned long long>(held.requests), o.pings);
  say(buf);
  return held;
}

std::string folder_sync_xml(const device& d) {
  return "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>" + d.folder_key + "</SyncKey></FolderSync>";
}

struct folder_sync_figures {
  client::load_stats folder_sync;
  client::load_stats baseline;
  double ratio = 0;  // folder_sync / baseline requests per second
  std::size_t body_bytes = 0;
};

// 3. FolderSync with no changes, then the same load on a bare Beast TLS server answering a body
//    of the same size. The two are measured in alternating slices, so that whatever else the
//    machine does at the time weighs on both alike.
folder_sync_figures measure_folder_sync(const bench& b, const bench_cli& o, const std::vector<device>& devices,
                                        std::chrono::milliseconds duration, const say_fn& say) {
  std::vector<std::string> folder_syncs;
  for (unsigned i = 0; i < o.devices; ++i) folder_syncs.push_back(b.raw(devices[i], "FolderSync", wbxml_of(folder_sync_xml(devices[i]))));
  const auto sample = b.eas(devices.front(), "FolderSync", folder_sync_xml(devices.front()));
  folder_sync_figures out;
  {
    certs::server_options so;
    so.common_name = "localhost";
    so.ip_addresses = {"127.0.0.1"};
    const auto cert = certs::self_signed_server_certificate(so);
    client::baseline_server bare(cert.certificate_pem, cert.private_key_pem, sample.body,
                                    "application/vnd.ms-sync.wbxml", o.server_threads);
    const auto slice = duration / o.rounds;
    for (unsigned round = 0; round < o.rounds; ++round) {
      add(out.folder_sync, client::run_load(b.target(), folder_syncs, o.devices, slice, o.client_threads));
      add(out.baseline, client::run_load({"127.0.0.1", bare.port()}, folder_syncs, o.devices, slice, o.client_threads));
    }
  }
  say(line("FolderSync, no changes (easemu)", out.folder_sync));
  say(line("same body, bare Beast TLS server", out.baseline));
  out.ratio = out.baseline.per_second() > 0 ? out.folder_sync.per_second() / out.baseline.per_second() : 0;
  out.body_bytes = sample.body.size();
  char buf[256];
  std::snprintf(buf, sizeof buf, "FolderSync / bare Beast: %.2f (target >= 0.50); body %zu bytes", out.ratio, out.body_bytes);
  say(buf);
  return out;
}

// 4. Sync of the Inbox with no changes.
client::load_stats measure_sync(const bench& b, const bench_cli& o, const std::vector<device>& devices,
                                std::chrono::milliseconds duration, const say_fn& say) {
  std::vector<std::string> syncs;
  for (unsigned i = 0; i < o.devices; ++i) syncs.push_back(b.raw(devices[i], "Sync", wbxml_of(bench::sync_xml(devices[i].inbox_key))));
  const auto sync = client::run_load(b.target(), syncs, o.devices, duration, o.client_threads);
  say(line("Sync of the Inbox, no changes", sync));
  return sync;
}

int run(bench_cli o) {
  const auto soak_for = parse_duration(o.soak);
  if (!o.soak.empty() && !soak_for) {
    std::cerr << "easemu bench: --soak '" << o.soak << "' is not a duration (90s, 30m, 1h or seconds)\n";
    return exit_usage;
  }
  std::optional<child_server> child;
  client::url_parts eas, admin;
  if (!connect(o, child, eas, admin)) return exit_usage;
  bench b(o, eas, admin);
  const auto duration = std::chrono::milliseconds(static_cast<long long>(o.duration * 1000));
  boost::json::object report{{"devices", o.devices}, {"held_pings", o.pings}, {"seconds", o.duration}, {"rounds", o.rounds},
                             {"client_threads", o.client_threads}};
  const say_fn say = [&](const std::string& text) {
    if (!o.json) std::cout << text << std::endl;
  };
  // Pings need devices that synced the Inbox too (a Ping wakes for changes the device has not
  // seen), so the loop devices are the first of them; in a soak they are devices of their own,
  // since a device's next request ends its held Ping.
  const unsigned enrolled = soak_for ? o.devices + o.pings : std::max(o.devices, o.pings);
  std::string failure;
  auto devices = enrol_devices(b, enrolled, failure);
  if (!devices) {
    std::cerr << "easemu bench: enrolling a device failed: " << failure << '\n';
    return exit_failed;
  }
  say("enrolled " + std::to_string(enrolled) + " devices (Provision, FolderSync, Sync of the Inbox)");
  if (soak_for) {
    const int code = soak(b, o, *devices, child ? &*child : nullptr, *soak_for, o.soak_mailbox, say);
    const std::string end = child ? child->ended() : std::string();
    if (!end.empty()) std::cerr << "easemu bench: the server it started ended during the soak: " << end << '\n';
    return end.empty() ? code : exit_failed;
  }
  const auto held = measure_held_pings(b, o, *devices, report, say);
  // The message that woke the Pings is new to the loop devices too: they fetch it first, so the
  // Sync loop measures Syncs without changes.
  for (unsigned i = 0; i < o.devices && o.pings > 0; ++i) {
    std::string error;
    if (!b.catch_up((*devices)[i], error)) {
      std::cerr << "easemu bench: " << (*devices)[i].id << ": " << error << '\n';
      return exit_failed;
    }
  }
  const auto fs = measure_folder_sync(b, o, *devices, duration, say);
  const auto sync = measure_sync(b, o, *devices, duration, say);
  report["folder_sync"] = figures(fs.folder_sync);
  report["baseline"] = figures(fs.baseline);
  report["folder_sync_vs_baseline"] = fs.ratio;
  report["response_bytes"] = fs.body_bytes;
  report["sync"] = figures(sync);
  // The server this command started must have survived every phase's clients closing.
  const std::string server_end = child ? child->ended() : std::string();
  if (child) report["server_survived"] = server_end.empty();
  if (o.json) std::cout << boost::json::serialize(report) << std::endl;
  const bool ok = only_ok(fs.folder_sync) && only_ok(fs.baseline) && only_ok(sync) && held.requests == o.pings &&
                  held.statuses.count(200) == 1 && held.statuses.size() == 1;
  if (!ok) std::cerr << "easemu bench: some requests failed or were refused (see the statuses above)\n";
  if (!server_end.empty()) std::cerr << "easemu bench: the server it started ended during the run: " << server_end << '\n';
  return ok && server_end.empty() ? exit_ok : exit_failed;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<bench_cli>();
  auto* cmd = app.add_subcommand(
      "bench", "Drive simulated devices against a server (this one started for the run, or --server) and report "
               "requests per second, p50/p99 latency and memory per held Ping, beside a bare Beast TLS server");
  cmd->add_option("--server", o->server, "EAS base URL of a running server, https://host:port (default: start one)");
  cmd->add_option("--admin-url", o->admin_url, "Its admin API base URL, http://host:port (with --server)");
  cmd->add_option("--admin-token", o->admin_token, "Its admin token (with --server)")->envname("EASEMU_ADMIN_TOKEN");
  cmd->add_option("--user", o->user, "Mailbox the devices sign in to")->capture_default_str();
  cmd->add_option("--password", o->password, "Its password")->capture_default_str();
  cmd->add_option("--devices", o->devices, "Devices in the Sync and FolderSync loops (one connection each)")
      ->check(CLI::Range(1u, 10'000u))
      ->capture_default_str();
  cmd->add_option("--pings", o->pings, "Pings held open at once")->check(CLI::Range(0u, 15'000u))->capture_default_str();
  cmd->add_option("--duration", o->duration, "Seconds per load phase")->check(CLI::Range(0.5, 3600.0))->capture_default_str();
  cmd->add_option("--client-threads", o->client_threads, "Load client threads")->check(CLI::Range(1u, 64u))->capture_default_str();
  cmd->add_option("--rounds", o->rounds, "Alternating slices of the FolderSync and baseline phases")
      ->check(CLI::Range(1u, 100u))
      ->capture_default_str();
  cmd->add_option("--soak", o->soak,
                  "Soak for this long (90s, 30m, 1h): --pings held throughout while --devices Sync, one sends mail "
                  "and mail is injected into --soak-mailbox; samples of memory, descriptors and errors");
  cmd->add_option("--sample", o->sample_seconds, "--soak: seconds between samples")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--soak-mailbox", o->soak_mailbox, "--soak: the other mailbox (not --user's, so the Pings stay held)")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->callback([o, &exit_code] {
    try {
      exit_code = run(*o);
    } catch (const std::exception& e) {
      std::cerr << "easemu bench: " << e.what() << '\n';
      exit_code = exit_failed;
    }
  });
}

}  // namespace easemu::app
