// easemu bench --soak: held Pings for a long run under Sync, SendMail and injection load, with
// samples of the server's memory, descriptors and errors (docs/reliability.md).
#include <cstdio>
#include <iostream>

#include "bench.hpp"
#include "commands.hpp"

namespace easemu::app::bench_parts {

namespace {

// One sample of the soak: the server's state and what the load met since the previous one.
struct soak_sample {
  double at_seconds = 0;
  std::uint64_t resident = 0;
  std::uint64_t waiting = 0;
  long descriptors = -1;
  std::uint64_t requests = 0;  // Sync, SendMail and injections since the previous sample
  std::uint64_t errors = 0;    // of those: transport failures and answers other than 200/201
};

}  // namespace

std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const auto unit = text.substr(used);
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
  if (scale < 0 || value <= 0) return std::nullopt;
  return std::chrono::seconds(static_cast<long long>(value * scale));
}

// The soak run (issue 23): `pings` Pings held for the whole duration (heartbeat 3540 s, so none
// ends by itself) while, in slices, the loop devices Sync, one sends mail with SendMail and mail
// is injected into another mailbox (so the held Pings stay held); every sample_seconds the
// server's memory, descriptors and held requests are read. At the end one message to the
// Pings' mailbox must answer every one of them.
int soak(const bench& b, const bench_cli& o, const std::vector<device>& devices, const child_server* child,
         std::chrono::seconds duration, const std::string& other_mailbox, const say_fn& say) {
  const auto [rss_start, waiting_start] = b.server_state();
  std::vector<std::string> pings;
  const auto ping_body = b.ping_body(3540);
  for (unsigned i = 0; i < o.pings; ++i) pings.push_back(b.raw(devices[i], "Ping", ping_body));
  std::vector<std::string> syncs;
  for (unsigned i = 0; i < o.devices; ++i) {
    syncs.push_back(b.raw(devices[o.pings + i], "Sync", wbxml_of(bench::sync_xml(devices[o.pings + i].inbox_key))));
  }
  std::vector<soak_sample> samples;
  std::uint64_t total_requests = 0, total_errors = 0;
  const auto began = std::chrono::steady_clock::now();
  const auto sample = [&](std::uint64_t requests, std::uint64_t errors) {
    soak_sample s;
    s.at_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    std::tie(s.resident, s.waiting) = b.server_state();
    s.descriptors = child != nullptr ? child->open_descriptors() : -1;
    s.requests = requests;
    s.errors = errors;
    samples.push_back(s);
    char buf[200];
    std::snprintf(buf, sizeof buf, "%7.0f s  held %6llu  RSS %7.1f MiB  fds %6ld  requests %8llu  errors %llu", s.at_seconds,
                  static_cast<unsigned long long>(s.waiting), s.resident / 1048576.0, s.descriptors,
                  static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(s.errors));
    say(buf);
  };
  const auto slice = std::chrono::milliseconds(static_cast<long long>(std::min(o.sample_seconds, 10.0) * 1000));
  const auto woke = client::hold_requests(b.target(), pings, o.client_threads, 32, std::chrono::seconds(120), [&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::get<1>(b.server_state()) < waiting_start + o.pings && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    sample(0, 0);
    const auto end = began + duration;
    auto next_sample = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long long>(o.sample_seconds * 1000));
    std::uint64_t requests = 0, errors = 0;
    for (unsigned n = 0; std::chrono::steady_clock::now() < end; ++n) {
      const auto sync = client::run_load(b.target(), syncs, o.devices, slice, o.client_threads);
      requests += sync.requests + sync.failures;
      errors += sync.failures + (sync.requests - (sync.statuses.count(200) ? sync.statuses.at(200) : 0));
      const auto sent = b.eas(devices[o.pings], "SendMail",
                              "<SendMail xmlns=\"ComposeMail:\"><ClientId>soak-" + std::to_string(n) +
                                  "</ClientId><SaveInSentItems/><Mime>" +
                                  common::base64_encode("From: " + o.user + "\r\nTo: " + other_mailbox +
                                                        "\r\nSubject: soak " + std::to_string(n) + "\r\n\r\nsoak\r\n") +
                                  "</Mime></SendMail>");
      ++requests;
      if (sent.status != 200) ++errors;
      ++requests;
      try {
        b.inject_to(other_mailbox);
      } catch (const std::exception&) {
        ++errors;
      }
      if (std::chrono::steady_clock::now() >= next_sample) {
        sample(requests, errors);
        total_requests += requests;
        total_errors += errors;
        requests = errors = 0;
        next_sample += std::chrono::milliseconds(static_cast<long long>(o.sample_seconds * 1000));
      }
    }
    if (requests > 0) sample(requests, errors);  // what the last slice did, unless just sampled
    total_requests += requests;
    total_errors += errors;
    const auto injected = std::chrono::steady_clock::now();
    if (o.pings > 0) b.inject();
    return injected;
  });
  const bool pings_ok = woke.requests == o.pings && woke.statuses.size() == 1 && woke.statuses.count(200) == 1;
  char buf[300];
  const auto& last = samples.back();
  std::snprintf(buf, sizeof buf,
                "soak: %llu requests, %llu errors; RSS %.1f -> %.1f MiB; held %llu -> %llu; then one message answered "
                "%llu of %u Pings (p99 %.1f ms)",
                static_cast<unsigned long long>(total_requests), static_cast<unsigned long long>(total_errors),
                rss_start / 1048576.0, last.resident / 1048576.0, static_cast<unsigned long long>(samples.front().waiting),
                static_cast<unsigned long long>(last.waiting), static_cast<unsigned long long>(woke.requests), o.pings,
                woke.percentile(99) / 1000.0);
  say(buf);
  if (o.json) {
    boost::json::array rows;
    for (const auto& s : samples) {
      rows.push_back(boost::json::object{{"seconds", s.at_seconds}, {"resident_bytes", s.resident}, {"held", s.waiting},
                                         {"descriptors", s.descriptors}, {"requests", s.requests}, {"errors", s.errors}});
    }
    std::cout << boost::json::serialize(boost::json::object{{"soak_seconds", duration.count()},
                                                            {"held_pings", o.pings},
                                                            {"devices", o.devices},
                                                            {"requests", total_requests},
                                                            {"errors", total_errors},
                                                            {"samples", std::move(rows)},
                                                            {"wake", figures(woke)}})
              << std::endl;
  }
  return pings_ok && total_errors == 0 ? exit_ok : exit_failed;
}

}  // namespace easemu::app::bench_parts
