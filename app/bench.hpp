#pragma once
// The parts of `easemu bench` its phases share (bench_command.cpp: the run, the load phases and
// the command line; bench_soak.cpp: --soak): the options, the server it starts, one simulated
// device's keys, the bench client and the figures. Blocking, over client/; no Asio here.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "easemu/common/base64.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/client/load.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

namespace easemu::app::bench_parts {

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

inline std::string wbxml_of(const std::string& xml) {
  auto tree = wbxml::from_xml(xml);
  if (!tree) throw std::logic_error("bench document does not parse: " + xml);
  return *wbxml::encode(*tree);
}

inline std::string xml_of(const std::string& body) {
  auto tree = wbxml::decode(body);
  return tree ? wbxml::to_xml(*tree) : std::string();
}

inline bool has_element(const std::string& body, const std::string& name) {
  return std::regex_search(xml_of(body), std::regex("<(?:[A-Za-z]+:)?" + name + "[ />]"));
}

// The text of the first element with this local name in a WBXML body ("" when absent).
inline std::string first_text(const std::string& body, const std::string& name) {
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

inline boost::json::object figures(const client::load_stats& s) {
  boost::json::object statuses;
  for (const auto& [k, v] : s.statuses) statuses[std::to_string(k)] = v;
  return {{"requests", s.requests},       {"failures", s.failures},
          {"per_second", s.per_second()}, {"p50_us", s.percentile(50)},
          {"p99_us", s.percentile(99)},   {"statuses", std::move(statuses)}};
}

inline std::string line(const std::string& name, const client::load_stats& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-34s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%llu answered, %llu failed)",
                name.c_str(), s.per_second(), s.percentile(50) / 1000.0, s.percentile(99) / 1000.0,
                static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(s.failures));
  return buf;
}

// Adds one measurement slice to the total of a phase.
inline void add(client::load_stats& total, const client::load_stats& slice) {
  total.requests += slice.requests;
  total.failures += slice.failures;
  total.seconds += slice.seconds;
  total.latency_us.insert(total.latency_us.end(), slice.latency_us.begin(), slice.latency_us.end());
  for (const auto& [status, n] : slice.statuses) total.statuses[status] += n;
}

inline bool only_ok(const client::load_stats& s) {
  return s.failures == 0 && s.statuses.size() == 1 && s.statuses.count(200) == 1;
}

using say_fn = std::function<void(const std::string&)>;

// --soak (bench_soak.cpp): "30m", "90s", "2h" or plain seconds; nullopt when it is none of these.
std::optional<std::chrono::seconds> parse_duration(const std::string& text);

// The soak run: the exit code (0 when nothing failed and the last message answered every Ping).
int soak(const bench& b, const bench_cli& o, const std::vector<device>& devices, const child_server* child,
         std::chrono::seconds duration, const std::string& other_mailbox, const say_fn& say);

}  // namespace easemu::app::bench_parts
