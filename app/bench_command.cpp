// easemu bench: simulated devices against a running server (or one it starts), side by side with
// a bare Beast TLS server on the same machine. Reports requests per second, p50/p99 latency, the
// server's resident memory per held Ping and how fast a new message reaches every held Ping.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "easemu/certs/certs.hpp"
#include "easemu/common/base64.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/client/load.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace easemu::app {

namespace {

struct bench_cli {
  std::string server;  // https://host:port; empty: start a server
  std::string admin_url;
  std::string admin_token;
  std::string user = "alice@lab.test";
  std::string password = "Passw0rd";
  unsigned devices = 50;
  unsigned pings = 5000;
  double duration = 10;
  unsigned client_threads = 1;
  unsigned rounds = 5;  // FolderSync and the baseline alternate this many times
  unsigned server_threads = 2;  // the baseline's I/O threads: what `easemu serve` runs
  bool json = false;
  std::string soak_mailbox = "bob@lab.test";  // --soak: where mail is sent and injected
  std::string soak;           // --soak DURATION ("30m", "90s", "1h", seconds): the soak run instead
  double sample_seconds = 30;  // --soak: one sample of the server's state this often
};

// A server this command started (no --server): `easemu serve` on 127.0.0.1, any free ports.
class child_server {
 public:
  explicit child_server(const std::string& token) {
    dir_ = std::filesystem::temp_directory_path() /
           ("easemu-bench-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    const auto log = (dir_ / "serve.log").string();
    std::vector<std::string> args = {"/proc/self/exe", "serve", "--listen", "127.0.0.1:0", "--http-listen",
                                     "127.0.0.1:0", "--data-dir", (dir_ / "data").string(), "--admin-token", token};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // fork and exec rather than posix_spawn: the server must die with this process even when it
    // is killed (PR_SET_PDEATHSIG), or an interrupted benchmark leaves it running.
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) throw std::runtime_error("cannot write " + log);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      ::dup2(out, 1);
      ::dup2(out, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out);
    if (pid_ < 0) throw std::runtime_error("cannot start easemu serve");
    const std::regex listening(R"(HTTPS 127\.0\.0\.1:(\d+) .*HTTP 127\.0\.0\.1:(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      const auto s = text.str();
      std::smatch m;
      if (std::regex_search(s, m, listening)) {
        https_port = static_cast<std::uint16_t>(std::stoi(m[1]));
        http_port = static_cast<std::uint16_t>(std::stoi(m[2]));
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("easemu serve exited at start:\n" + s);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("easemu serve did not report its ports");
  }
  ~child_server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  child_server(const child_server&) = delete;
  child_server& operator=(const child_server&) = delete;

  // Empty while the server runs; else how it ended. The load phases end with every client
  // closing its connections, some in the middle of an answer: a server must survive that.
  std::string ended() {
    if (pid_ <= 0) return "not running";
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return {};
    pid_ = -1;
    if (WIFSIGNALED(status)) {
      return "killed by signal " + std::to_string(WTERMSIG(status)) + (WTERMSIG(status) == SIGPIPE ? " (SIGPIPE)" : "");
    }
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  }

  // Descriptors the server holds open now; -1 once it has ended.
  long open_descriptors() const {
    if (pid_ <= 0) return -1;
    std::error_code ec;
    long n = 0;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid_) + "/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
      ++n;
    }
    return ec ? -1 : n;
  }

  std::uint16_t https_port = 0;
  std::uint16_t http_port = 0;

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

std::string wbxml_of(const std::string& xml) {
  auto tree = wbxml::from_xml(xml);
  if (!tree) throw std::logic_error("bench document does not parse: " + xml);
  return *wbxml::encode(*tree);
}

std::string xml_of(const std::string& body) {
  auto tree = wbxml::decode(body);
  return tree ? wbxml::to_xml(*tree) : std::string();
}

bool has_element(const std::string& body, const std::string& name) {
  return std::regex_search(xml_of(body), std::regex("<(?:[A-Za-z]+:)?" + name + "[ />]"));
}

// The text of the first element with this local name in a WBXML body ("" when absent).
std::string first_text(const std::string& body, const std::string& name) {
  const auto xml = xml_of(body);
  const std::regex re("<(?:[A-Za-z]+:)?" + name + ">([^<]*)<");
  std::smatch m;
  return std::regex_search(xml, m, re) ? std::string(m[1]) : std::string();
}

struct device {
  std::string id;
  std::string policy_key;
  std::string folder_key;
  std::string inbox_key;
};

class bench {
 public:
  bench(const bench_cli& o, client::url_parts eas, client::url_parts admin)
      : o_(o), eas_(std::move(eas)), admin_(std::move(admin)) {
    const auto at = o.user.find('@');
    alias_ = at == std::string::npos ? o.user : o.user.substr(0, at);
  }

  // Complete HTTP/1.1 request bytes for the load client.
  std::string raw(const device& d, const std::string& command, const std::string& body) const {
    std::string r = "POST " + target(d.id, command) + " HTTP/1.1\r\nHost: " + eas_.host +
                    "\r\nAuthorization: Basic " + common::base64_encode(o_.user + ":" + o_.password) +
                    "\r\nMS-ASProtocolVersion: 14.1\r\nUser-Agent: easemu-bench/1.0\r\n"
                    "Content-Type: application/vnd.ms-sync.wbxml\r\n";
    if (!d.policy_key.empty()) r += "X-MS-PolicyKey: " + d.policy_key + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
  }

  client::client_response eas(const device& d, const std::string& command, const std::string& xml) const {
    auto r = client::request_below(eas_, "POST", "");
    r.target = target(d.id, command);
    r.headers = {{"MS-ASProtocolVersion", "14.1"}, {"Content-Type", "application/vnd.ms-sync.wbxml"},
                 {"User-Agent", "easemu-bench/1.0"}};
    if (!d.policy_key.empty()) r.headers.emplace_back("X-MS-PolicyKey", d.policy_key);
    r.basic_user = o_.user;
    r.basic_password = o_.password;
    r.body = wbxml_of(xml);
    return client::send(eas_.port, r);
  }

  // Provision (both phases), FolderSync and the initial Sync of the Inbox, as a phone does.
  std::optional<device> enrol(const std::string& id, std::string& error) const {
    device d{id, {}, {}, {}};
    auto r = eas(d, "Provision",
                 "<Provision xmlns=\"Provision:\" xmlns:settings=\"Settings:\"><settings:DeviceInformation>"
                 "<settings:Set><settings:Model>easemu bench</settings:Model></settings:Set>"
                 "</settings:DeviceInformation><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>"
                 "</Policy></Policies></Provision>");
    d.policy_key = first_text(r.body, "PolicyKey");
    if (r.status != 200 || d.policy_key.empty()) {
      error = "Provision: " + (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error);
      return std::nullopt;
    }
    r = eas(d, "Provision",
            "<Provision xmlns=\"Provision:\"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>"
            "<PolicyKey>" + d.policy_key + "</PolicyKey><Status>1</Status></Policy></Policies></Provision>");
    d.policy_key = first_text(r.body, "PolicyKey");
    if (r.status != 200 || d.policy_key.empty()) {
      error = "Provision acknowledgement: HTTP " + std::to_string(r.status);
      return std::nullopt;
    }
    r = eas(d, "FolderSync", "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>");
    d.folder_key = first_text(r.body, "SyncKey");
    if (r.status != 200 || d.folder_key.empty()) {
      error = "FolderSync: HTTP " + std::to_string(r.status);
      return std::nullopt;
    }
    d.inbox_key = "0";
    if (!catch_up(d, error)) return std::nullopt;
    return d;
  }

  // Syncs the Inbox until nothing more is waiting, as a phone does after a push.
  bool catch_up(device& d, std::string& error) const {
    for (int round = 0; round < 100; ++round) {
      const auto r = eas(d, "Sync", sync_xml(d.inbox_key));
      const auto next = first_text(r.body, "SyncKey");
      if (r.status != 200 || next.empty()) {
        error = "Sync: HTTP " + std::to_string(r.status);
        return false;
      }
      const bool more = d.inbox_key == "0" || has_element(r.body, "MoreAvailable");
      d.inbox_key = next;
      if (!more) return true;
    }
    error = "Sync: still more after 100 windows";
    return false;
  }

  static std::string sync_xml(const std::string& key) {
    return "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>" + key +
           "</SyncKey><CollectionId>1</CollectionId>" + (key == "0" ? "" : "<GetChanges/><WindowSize>512</WindowSize>") +
           "</Collection></Collections></Sync>";
  }

  // The admin API's view of the server: resident bytes and requests waiting for changes.
  std::pair<std::uint64_t, std::uint64_t> server_state() const {
    auto r = client::request_below(admin_, "GET", "/api/v1/server");
    r.headers.emplace_back("Authorization", "Bearer " + o_.admin_token);
    const auto res = client::send(admin_.port, r);
    if (res.status != 200) throw std::runtime_error("GET /api/v1/server: " + (res.error.empty() ? std::to_string(res.status) : res.error));
    const auto v = boost::json::parse(res.body).as_object();
    return {v.at("resident_bytes").to_number<std::uint64_t>(), v.at("waiting_requests").to_number<std::uint64_t>()};
  }

  void inject() const { inject_to(o_.user); }

  void inject_to(const std::string& address) const {
    auto r = client::request_below(admin_, "POST", "/api/v1/mailboxes/" + address + "/messages");
    r.headers = {{"Authorization", "Bearer " + o_.admin_token}, {"Content-Type", "application/json"}};
    r.body = R"({"subject":"bench: wake every Ping","text":"hello"})";
    const auto res = client::send(admin_.port, r);
    if (res.status != 201) throw std::runtime_error("injecting a message failed: " + std::to_string(res.status));
  }

  // `heartbeat` seconds: Exchange takes 60 to 3540 (MS-ASCMD 2.2.3.79.1).
  std::string ping_body(int heartbeat = 900) const {
    return wbxml_of("<Ping xmlns=\"Ping:\"><HeartbeatInterval>" + std::to_string(heartbeat) +
                    "</HeartbeatInterval><Folders><Folder><Id>1</Id><Class>Email</Class></Folder></Folders></Ping>");
  }

  client::load_target target() const { return {eas_.host, eas_.port}; }

 private:
  std::string target(const std::string& device, const std::string& command) const {
    return "/Microsoft-Server-ActiveSync?Cmd=" + command + "&User=" + alias_ + "&DeviceId=" + device +
           "&DeviceType=Bench";
  }

  const bench_cli& o_;
  client::url_parts eas_;
  client::url_parts admin_;
  std::string alias_;
};

boost::json::object figures(const client::load_stats& s) {
  boost::json::object statuses;
  for (const auto& [k, v] : s.statuses) statuses[std::to_string(k)] = v;
  return {{"requests", s.requests},       {"failures", s.failures},
          {"per_second", s.per_second()}, {"p50_us", s.percentile(50)},
          {"p99_us", s.percentile(99)},   {"statuses", std::move(statuses)}};
}

std::string line(const std::string& name, const client::load_stats& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-34s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%llu answered, %llu failed)",
                name.c_str(), s.per_second(), s.percentile(50) / 1000.0, s.percentile(99) / 1000.0,
                static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(s.failures));
  return buf;
}

// Adds one measurement slice to the total of a phase.
void add(client::load_stats& total, const client::load_stats& slice) {
  total.requests += slice.requests;
  total.failures += slice.failures;
  total.seconds += slice.seconds;
  total.latency_us.insert(total.latency_us.end(), slice.latency_us.begin(), slice.latency_us.end());
  for (const auto& [status, n] : slice.statuses) total.statuses[status] += n;
}

bool only_ok(const client::load_stats& s) {
  return s.failures == 0 && s.statuses.size() == 1 && s.statuses.count(200) == 1;
}

using say_fn = std::function<void(const std::string&)>;

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


// ---- --soak ----

// "30m", "90s", "2h" or plain seconds; nullopt when it is none of these.
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

// One sample of the soak: the server's state and what the load met since the previous one.
struct soak_sample {
  double at_seconds = 0;
  std::uint64_t resident = 0;
  std::uint64_t waiting = 0;
  long descriptors = -1;
  std::uint64_t requests = 0;  // Sync, SendMail and injections since the previous sample
  std::uint64_t errors = 0;    // of those: transport failures and answers other than 200/201
};

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
