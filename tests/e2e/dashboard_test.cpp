// End-to-end: the server side of the web dashboard against the real server. The static files at
// /ui/ (embedded, or EASEMU_UI_DIR with traversal refused), the live feed (one-shot tickets,
// server-sent events of journal entries and device changes), the journal by id, after an id and
// as summaries, mailbox contents, policies with each built-in phone's verdict, and the device
// list's statistics.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "easemu/simulator/device_flow.hpp"
#include "easemu/client/http_client.hpp"
#include "easemu/phone/profile.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"
#include "support/wait.hpp"

namespace {

using namespace easemu::test;
using namespace easemu::client;
using namespace easemu::simulator;
namespace phone = easemu::phone;
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* const csp =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'";

json::object admin_json(const test_server& s, const std::string& target, int status = 200) {
  const auto res = admin(s, "GET", target);
  EXPECT_EQ(res.status, status) << target << ": " << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json") << target;
  return json::parse(res.body).as_object();
}

client_response get(std::uint16_t port, const std::string& target, bool tls = false, const std::string& method = "GET") {
  client_request r;
  r.tls = tls;
  r.method = method;
  r.target = target;
  return send(port, r);
}

// A Windows Phone's first FolderSync.
client_response folder_sync(const test_server& s, const std::string& device_id, const std::string& user = "alice") {
  return eas_client{.port = s.https_port, .user = user, .device_id = device_id, .device_type = "WP", .version = "14.0",
                    .user_agent = "MSFT-WP/7.0.7004"}
      .post("FolderSync", R"(<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>)");
}

std::string ticket(const test_server& s) {
  const auto res = admin(s, "POST", "/api/v1/events/ticket");
  EXPECT_EQ(res.status, 201) << res.body;
  return std::string(json::parse(res.body).at("ticket").as_string());
}

// A client of the event stream on plain sockets: it reads as the bytes come, for as long as the
// test says.
class sse_client {
 public:
  sse_client(std::uint16_t port, const std::string& target) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
    connected_ = ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size());
  }
  ~sse_client() {
    if (fd_ >= 0) ::close(fd_);
  }
  sse_client(const sse_client&) = delete;
  sse_client& operator=(const sse_client&) = delete;

  // Reads until `text` is in what came so far, the server closes, or the timeout.
  bool read_until(const std::string& text, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received.find(text) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (!connected_ || closed || left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed = true;
      } else {
        received.append(buf, static_cast<std::size_t>(n));
      }
    }
    return true;
  }
  // Waits for the server to close the connection.
  bool wait_closed(std::chrono::milliseconds timeout) {
    read_until(std::string(1, '\0') + "never", timeout);
    return closed;
  }

  std::string received;
  bool closed = false;

 private:
  int fd_ = -1;
  bool connected_ = false;
};

struct sse_event {
  std::string name, id, data;
};

// The events of a stream's body, in order.
std::vector<sse_event> events_of(const std::string& received) {
  std::vector<sse_event> out;
  const auto body_at = received.find("\r\n\r\n");
  if (body_at == std::string::npos) return out;
  std::string body = received.substr(body_at + 4);
  std::size_t pos = 0;
  for (auto end = body.find("\n\n", pos); end != std::string::npos; pos = end + 2, end = body.find("\n\n", pos)) {
    sse_event e;
    std::size_t line_at = pos;
    while (line_at < end) {
      auto nl = body.find('\n', line_at);
      if (nl == std::string::npos || nl > end) nl = end;
      const auto line = body.substr(line_at, nl - line_at);
      if (line.starts_with("event: ")) e.name = line.substr(7);
      if (line.starts_with("id: ")) e.id = line.substr(4);
      if (line.starts_with("data: ")) e.data += line.substr(6);
      line_at = nl + 1;
    }
    if (!e.name.empty()) out.push_back(e);
  }
  return out;
}

// ---- static files ----

TEST(DashboardFiles, EveryFileOfServerUiIsServedWithItsTypeAndTheSecurityHeaders) {
  test_server server;
  const fs::path dir = EASEMU_SOURCE_DIR "/server/ui";
  std::size_t served = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const auto rel = fs::relative(entry.path(), dir).generic_string();
    if (rel.starts_with('.') || rel.find("/.") != std::string::npos) continue;
    for (bool tls : {false, true}) {
      const auto res = get(tls ? server.https_port : server.http_port, "/ui/" + rel, tls);
      ASSERT_EQ(res.status, 200) << rel;
      EXPECT_TRUE(res.body == read_file(entry.path())) << rel << " is not served as it is in server/ui";
      EXPECT_EQ(res.header("Content-Security-Policy"), csp);
      EXPECT_EQ(res.header("X-Content-Type-Options"), "nosniff");
      EXPECT_EQ(res.header("Cache-Control"), "no-cache");
      EXPECT_EQ(res.header("Referrer-Policy"), "no-referrer");
    }
    ++served;
  }
  EXPECT_GE(served, 1u);
  const auto index = get(server.http_port, "/ui/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(index.body == read_file(dir / "index.html"));
}

TEST(DashboardFiles, RedirectHeadNotFoundAndTheLandingPageLink) {
  test_server server;
  for (const auto& method : {"GET", "HEAD"}) {
    const auto moved = get(server.http_port, "/ui", false, method);
    EXPECT_EQ(moved.status, 301) << method;
    EXPECT_EQ(moved.header("Location"), "/ui/");
  }
  const auto head = get(server.http_port, "/ui/index.html", false, "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.header("Content-Length"), std::to_string(get(server.http_port, "/ui/index.html").body.size()));
  const auto missing = get(server.http_port, "/ui/no-such-file.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("Content-Security-Policy"), csp);
  EXPECT_EQ(get(server.http_port, "/ui/%2e%2e/README.md").status, 400);
  EXPECT_EQ(get(server.http_port, "/ui/a//b.js").status, 400);
  EXPECT_EQ(get(server.http_port, "/ui/%zz").status, 400);
  client_request post;
  post.tls = false;
  post.method = "POST";
  post.target = "/ui/index.html";
  EXPECT_EQ(send(server.http_port, post).status, 405);
  const auto landing = get(server.http_port, "/");
  EXPECT_NE(landing.body.find("href=\"/ui/\""), std::string::npos) << landing.body;
}

// EASEMU_UI_DIR for one server start.
class ui_dir_env {
 public:
  explicit ui_dir_env(const fs::path& dir) { ::setenv("EASEMU_UI_DIR", dir.c_str(), 1); }
  ~ui_dir_env() { ::unsetenv("EASEMU_UI_DIR"); }
};

TEST(DashboardFiles, DevelopmentDirectoryIsReadAtEachRequestAndTraversalIsRefused) {
  temp_dir root;
  const auto ui = root.path() / "ui";
  fs::create_directories(ui / "css");
  write_file(ui / "index.html", "<!doctype html><title>dev</title>first");
  write_file(ui / "css" / "site.css", "body{}");
  write_file(root.path() / "secret.txt", "TOP SECRET");
  fs::create_symlink(root.path() / "secret.txt", ui / "link.txt");
  std::unique_ptr<test_server> server;
  {
    ui_dir_env env(ui);
    server = std::make_unique<test_server>();
  }
  EXPECT_NE(server->log().find("EASEMU_UI_DIR"), std::string::npos);
  EXPECT_NE(get(server->http_port, "/ui/").body.find("first"), std::string::npos);
  write_file(ui / "index.html", "<!doctype html><title>dev</title>second");  // no rebuild, no restart
  EXPECT_NE(get(server->http_port, "/ui/").body.find("second"), std::string::npos);
  const auto css = get(server->http_port, "/ui/css/site.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(css.body, "body{}");
  for (const std::string target : {"/ui/../secret.txt", "/ui/%2e%2e/secret.txt", "/ui/..%2fsecret.txt",
                                   "/ui/css/../../secret.txt", "/ui/link.txt", "/ui/%2fetc%2fpasswd",
                                   "/ui//etc/passwd", "/ui/..%5csecret.txt"}) {
    const auto res = get(server->http_port, target);
    EXPECT_TRUE(res.status == 400 || res.status == 404) << target << " -> " << res.status;
    EXPECT_EQ(res.body.find("TOP SECRET"), std::string::npos) << target;
  }
  // The raw bytes, in case a client library tidies the path up.
  const auto raw = raw_exchange(server->http_port, "GET /ui/../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5s);
  EXPECT_EQ(raw.received.find("TOP SECRET"), std::string::npos);
  EXPECT_NE(raw.received.find("HTTP/1.1 400"), std::string::npos) << raw.received;
}

// ---- the live feed ----

TEST(DashboardEvents, TheStreamNeedsAOneShotTicket) {
  test_server server;
  EXPECT_EQ(get(server.http_port, "/api/v1/events").status, 401);
  const auto bogus = get(server.http_port, "/api/v1/events?ticket=0123456789abcdef0123456789abcdef");
  EXPECT_EQ(bogus.status, 401);
  EXPECT_NE(bogus.body.find("\"error\""), std::string::npos);
  client_request no_token;
  no_token.tls = false;
  no_token.method = "POST";
  no_token.target = "/api/v1/events/ticket";
  EXPECT_EQ(send(server.http_port, no_token).status, 401);

  const auto issued = admin(server, "POST", "/api/v1/events/ticket");
  ASSERT_EQ(issued.status, 201);
  const auto body = json::parse(issued.body).as_object();
  const std::string t(body.at("ticket").as_string());
  EXPECT_TRUE(std::regex_match(t, std::regex("[0-9a-f]{32}"))) << t;
  EXPECT_EQ(body.at("expires_in").as_int64(), 30);
  EXPECT_EQ(admin(server, "GET", "/api/v1/events/ticket").status, 405);

  sse_client stream(server.http_port, "/api/v1/events?ticket=" + t);
  ASSERT_TRUE(stream.read_until("retry: 3000\n\n")) << stream.received;
  EXPECT_TRUE(stream.received.starts_with("HTTP/1.1 200")) << stream.received;
  EXPECT_NE(stream.received.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(stream.received.find("Cache-Control: no-cache"), std::string::npos);
  EXPECT_EQ(stream.received.find("Content-Length"), std::string::npos);
  // retry comes first
  EXPECT_EQ(stream.received.substr(stream.received.find("\r\n\r\n") + 4, 13), "retry: 3000\n\n");

  const auto again = get(server.http_port, "/api/v1/events?ticket=" + t);  // spent
  EXPECT_EQ(again.status, 401);
  EXPECT_EQ(again.header("Content-Type"), "application/json");
  // The access log never shows a ticket.
  server.stop();
  const auto log = server.log();
  EXPECT_EQ(log.find(t), std::string::npos);
  EXPECT_EQ(log.find("0123456789abcdef0123456789abcdef"), std::string::npos);
  EXPECT_NE(log.find("/api/v1/events?ticket=(removed)"), std::string::npos);
  EXPECT_EQ(log.find(server.admin_token), std::string::npos);
}

TEST(DashboardEvents, AJournalEventArrivesForEachRequestWithTheListFields) {
  test_server server;
  sse_client stream(server.http_port, "/api/v1/events?ticket=" + ticket(server));
  ASSERT_TRUE(stream.read_until("retry: 3000\n\n"));
  ASSERT_EQ(folder_sync(server, "LIVEPHONE01").status, 200);
  ASSERT_TRUE(stream.read_until("event: journal\n")) << stream.received;
  ASSERT_TRUE(stream.read_until("\n\n", 2s));
  // A fault makes the next one stand out.
  const auto rule = admin(server, "POST", "/api/v1/faults",
                          R"({"match": {"device_id": "LIVEPHONE01", "command": "FolderSync"}, "action": {"http_status": 503}})");
  ASSERT_EQ(rule.status, 201) << rule.body;
  const std::string rule_id(json::parse(rule.body).at("id").as_string());
  EXPECT_EQ(folder_sync(server, "LIVEPHONE01").status, 503);
  ASSERT_TRUE(stream.read_until("\"fault\"")) << stream.received;
  ASSERT_TRUE(stream.read_until("}\n\n", 2s));

  const auto events = events_of(stream.received);
  std::vector<sse_event> journal, device;
  for (const auto& e : events) (e.name == "journal" ? journal : device).push_back(e);
  ASSERT_EQ(journal.size(), 2u) << stream.received;
  const auto first = json::parse(journal[0].data).as_object();
  EXPECT_EQ(std::to_string(first.at("id").as_int64()), journal[0].id);
  EXPECT_EQ(first.at("user").as_string(), "alice@lab.test");
  EXPECT_EQ(first.at("device_id").as_string(), "LIVEPHONE01");
  EXPECT_EQ(first.at("device_type").as_string(), "WP");
  EXPECT_EQ(first.at("command").as_string(), "FolderSync");
  EXPECT_EQ(first.at("protocol_version").as_string(), "14.0");
  EXPECT_EQ(first.at("http_status").as_int64(), 200);
  EXPECT_TRUE(first.at("eas_status").is_int64());
  EXPECT_TRUE(first.at("duration_ms").is_int64());
  EXPECT_TRUE(std::regex_match(std::string(first.at("time").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_FALSE(first.contains("request_xml"));
  EXPECT_FALSE(first.contains("response_xml"));
  EXPECT_FALSE(first.contains("fault"));
  const auto second = json::parse(journal[1].data).as_object();
  EXPECT_GT(second.at("id").as_int64(), first.at("id").as_int64());
  EXPECT_EQ(second.at("http_status").as_int64(), 503);
  EXPECT_TRUE(std::string(second.at("fault").as_string()).starts_with(rule_id + ": ")) << journal[1].data;

  // The event carries what the list shows for the same entry, minus the bodies.
  const auto listed = admin_json(server, "/api/v1/journal?device=LIVEPHONE01").at("entries").as_array();
  ASSERT_EQ(listed.size(), 2u);
  auto without_bodies = listed[1].as_object();
  without_bodies.erase("request_xml");
  without_bodies.erase("response_xml");
  EXPECT_EQ(without_bodies, first);

  // The new partnership is a device event.
  ASSERT_FALSE(device.empty()) << stream.received;
  const auto d = json::parse(device[0].data).as_object();
  EXPECT_EQ(d.at("device_id").as_string(), "LIVEPHONE01");
  EXPECT_EQ(d.at("mailbox").as_string(), "alice@lab.test");
  EXPECT_TRUE(device[0].id.empty());
}

TEST(DashboardEvents, AdminChangesToADeviceAreDeviceEvents) {
  test_server server;
  ASSERT_EQ(folder_sync(server, "BLOCKME01").status, 200);
  sse_client stream(server.http_port, "/api/v1/events?ticket=" + ticket(server));
  ASSERT_TRUE(stream.read_until("retry: 3000\n\n"));
  const auto wipe = admin(server, "POST", "/api/v1/devices/BLOCKME01/wipe", "{}", "application/json");
  ASSERT_EQ(wipe.status, 200) << wipe.body;
  ASSERT_TRUE(stream.read_until("event: device\n")) << stream.received;
  ASSERT_TRUE(stream.read_until("}\n\n", 2s));
  const auto events = events_of(stream.received);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(json::parse(events[0].data), json::parse(R"({"device_id":"BLOCKME01","mailbox":"alice@lab.test"})"));
}

TEST(DashboardEvents, AtMost32StreamsAndStopEndsThemAtOnce) {
  test_server server;
  std::vector<std::unique_ptr<sse_client>> streams;
  for (int i = 0; i < 32; ++i) {
    streams.push_back(std::make_unique<sse_client>(server.http_port, "/api/v1/events?ticket=" + ticket(server)));
    ASSERT_TRUE(streams.back()->read_until("retry: 3000\n\n")) << i;
  }
  const auto full = get(server.http_port, "/api/v1/events?ticket=" + ticket(server));
  EXPECT_EQ(full.status, 503);
  EXPECT_NE(full.body.find("\"error\""), std::string::npos);
  // A client that goes away frees its slot at once.
  streams.pop_back();
  std::unique_ptr<sse_client> replacement;
  ASSERT_TRUE(wait_until("the server to give the freed slot to a new stream", [&] {
    auto c = std::make_unique<sse_client>(server.http_port, "/api/v1/events?ticket=" + ticket(server));
    if (!c->read_until("retry: 3000\n\n", 2s)) return false;
    replacement = std::move(c);
    return true;
  }));
  streams.push_back(std::move(replacement));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);  // the grace period is 5 s
  for (auto& s : streams) EXPECT_TRUE(s->wait_closed(2s));
}

// ---- the journal ----

TEST(DashboardJournal, OneEntryByIdNewerThanAnIdAndSummaries) {
  test_server server;
  ASSERT_EQ(admin(server, "POST", "/api/v1/exchange", "Set-CASMailbox alice -ActiveSyncDebugLogging $true", "text/plain").status, 200);
  ASSERT_EQ(folder_sync(server, "JOURNAL01").status, 200);
  ASSERT_EQ(folder_sync(server, "JOURNAL01").status, 200);
  ASSERT_EQ(folder_sync(server, "JOURNAL02", "bob").status, 200);
  const auto all = admin_json(server, "/api/v1/journal").at("entries").as_array();
  ASSERT_EQ(all.size(), 3u);
  const auto newest = all[0].as_object().at("id").as_int64();
  const auto oldest = all[2].as_object().at("id").as_int64();

  const auto one = admin_json(server, "/api/v1/journal/" + std::to_string(oldest));
  EXPECT_EQ(one.at("id").as_int64(), oldest);
  EXPECT_EQ(one.at("device_id").as_string(), "JOURNAL01");
  EXPECT_NE(std::string(one.at("request_xml").as_string()).find("<FolderSync"), std::string::npos);
  EXPECT_NE(std::string(one.at("response_xml").as_string()).find("<Status>"), std::string::npos);
  // ActiveSyncDebugLogging recorded the headers, credentials blanked.
  const std::string headers(one.at("request_headers").as_string());
  EXPECT_NE(headers.find("MS-ASProtocolVersion: 14.0"), std::string::npos);
  EXPECT_NE(headers.find("Authorization: (removed)"), std::string::npos);
  EXPECT_NE(std::string(one.at("response_headers").as_string()).find("HTTP 200"), std::string::npos);
  const auto bob = admin_json(server, "/api/v1/journal/" + std::to_string(newest));
  EXPECT_FALSE(bob.contains("request_headers"));  // bob's mailbox log is off

  EXPECT_NE(admin(server, "GET", "/api/v1/journal/" + std::to_string(newest + 100)).body.find("\"error\""), std::string::npos);
  EXPECT_EQ(admin(server, "GET", "/api/v1/journal/" + std::to_string(newest + 100)).status, 404);
  EXPECT_EQ(admin(server, "GET", "/api/v1/journal/abc").status, 400);
  EXPECT_EQ(admin(server, "GET", "/api/v1/journal/-1").status, 400);
  EXPECT_EQ(admin(server, "DELETE", "/api/v1/journal/" + std::to_string(newest)).status, 405);

  const auto after = admin_json(server, "/api/v1/journal?after=" + std::to_string(oldest)).at("entries").as_array();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].at("id").as_int64(), newest);
  EXPECT_TRUE(admin_json(server, "/api/v1/journal?after=" + std::to_string(newest)).at("entries").as_array().empty());
  EXPECT_EQ(admin(server, "GET", "/api/v1/journal?after=x").status, 400);

  const auto summary = admin_json(server, "/api/v1/journal?summary=1&device=JOURNAL01").at("entries").as_array();
  ASSERT_EQ(summary.size(), 2u);
  for (const auto& e : summary) {
    EXPECT_FALSE(e.as_object().contains("request_xml"));
    EXPECT_FALSE(e.as_object().contains("response_xml"));
    EXPECT_EQ(e.at("command").as_string(), "FolderSync");
  }
  EXPECT_EQ(admin(server, "GET", "/api/v1/journal?summary=yes").status, 400);
  EXPECT_TRUE(admin_json(server, "/api/v1/journal").at("entries").as_array()[0].as_object().contains("request_xml"));
}

// ---- mailboxes ----

TEST(DashboardMailboxes, MailboxesFoldersAndTheNewestMessagesFirst) {
  test_server server;
  ASSERT_EQ(folder_sync(server, "MBOXPHONE1").status, 200);
  const auto list = admin_json(server, "/api/v1/mailboxes").at("mailboxes").as_array();
  ASSERT_EQ(list.size(), 2u);
  const auto& alice = list[0].as_object();
  EXPECT_EQ(alice.at("address").as_string(), "alice@lab.test");
  EXPECT_FALSE(alice.at("display_name").as_string().empty());
  EXPECT_EQ(alice.at("policy").as_string(), "Default");
  EXPECT_EQ(alice.at("devices").as_int64(), 1);
  EXPECT_EQ(list[1].at("devices").as_int64(), 0);

  auto inbox_count = [&] {
    const auto answer = admin_json(server, "/api/v1/mailboxes/alice@lab.test/folders");
    for (const auto& f : answer.at("folders").as_array()) {
      if (f.at("type").as_int64() == 2) return f.at("count").as_int64();
    }
    return std::int64_t{-1};
  };
  const auto folders = admin_json(server, "/api/v1/mailboxes/alice%40lab.test/folders").at("folders").as_array();
  ASSERT_GE(folders.size(), 5u);
  std::string inbox_id;
  for (const auto& f : folders) {
    EXPECT_TRUE(f.as_object().contains("parent_id"));
    EXPECT_TRUE(f.at("count").is_int64());
    if (f.at("type").as_int64() == 2) {
      inbox_id = std::string(f.at("id").as_string());
      EXPECT_EQ(f.at("name").as_string(), "Inbox");
    }
  }
  ASSERT_FALSE(inbox_id.empty());
  const auto before = inbox_count();

  const auto injected = inject(server, "alice@lab.test",
                               R"({"from": "Carol <carol@example.com>", "subject": "Dashboard hello", "text": "hi",
                                   "attachments": [{"name": "a.txt", "content_type": "text/plain", "content_base64": "aGk="}]})");
  ASSERT_EQ(injected.status, 201) << injected.body;
  const std::string item_id(json::parse(injected.body).at("item_id").as_string());
  EXPECT_EQ(inbox_count(), before + 1);

  for (const auto& target : std::vector<std::string>{"/api/v1/mailboxes/alice@lab.test/messages",
                                                    "/api/v1/mailboxes/alice@lab.test/messages?folder=Inbox",
                                                    "/api/v1/mailboxes/alice@lab.test/messages?folder=" + inbox_id}) {
    const auto messages = admin_json(server, target).at("messages").as_array();
    ASSERT_EQ(static_cast<std::int64_t>(messages.size()), std::min<std::int64_t>(before + 1, 100)) << target;
    const auto& m = messages[0].as_object();  // the newest
    EXPECT_EQ(m.at("item_id").as_string(), item_id);
    EXPECT_EQ(m.at("folder_id").as_string(), inbox_id);
    EXPECT_EQ(m.at("subject").as_string(), "Dashboard hello");
    EXPECT_NE(std::string(m.at("from").as_string()).find("carol@example.com"), std::string::npos);
    EXPECT_NE(std::string(m.at("to").as_string()).find("alice@lab.test"), std::string::npos);
    EXPECT_FALSE(m.at("read").as_bool());
    EXPECT_TRUE(m.at("has_attachments").as_bool());
    EXPECT_GT(m.at("size").as_int64(), 100);
    EXPECT_TRUE(std::regex_match(std::string(m.at("date").as_string()),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    if (messages.size() > 1) {
      EXPECT_NE(messages[1].at("subject").as_string(), "Dashboard hello");
    }
  }
  EXPECT_EQ(admin_json(server, "/api/v1/mailboxes/alice@lab.test/messages?limit=1").at("messages").as_array().size(), 1u);
  EXPECT_EQ(admin(server, "GET", "/api/v1/mailboxes/alice@lab.test/messages?limit=x").status, 400);
  EXPECT_EQ(admin(server, "GET", "/api/v1/mailboxes/alice@lab.test/messages?limit=0").status, 400);
  EXPECT_EQ(admin(server, "GET", "/api/v1/mailboxes/alice@lab.test/messages?folder=Nope").status, 404);
  EXPECT_EQ(admin(server, "GET", "/api/v1/mailboxes/nobody@lab.test/folders").status, 404);
  EXPECT_EQ(admin(server, "GET", "/api/v1/mailboxes/nobody@lab.test/messages").status, 404);
  EXPECT_EQ(admin(server, "POST", "/api/v1/mailboxes/alice@lab.test/folders").status, 405);
  EXPECT_EQ(get(server.http_port, "/api/v1/mailboxes").status, 401);
  // Sent Items is empty in a fresh lab.
  for (const auto& f : folders) {
    if (f.at("type").as_int64() == 5) {
      EXPECT_TRUE(admin_json(server, "/api/v1/mailboxes/alice@lab.test/messages?folder=" +
                                         std::string(f.at("id").as_string()))
                      .at("messages").as_array().empty());
    }
  }
}

// ---- policies ----

const json::object& compatibility(const json::object& policy, const std::string& profile) {
  for (const auto& c : policy.at("compatibility").as_array()) {
    if (c.at("profile").as_string() == profile) return c.as_object();
  }
  ADD_FAILURE() << "no " << profile << " in " << json::serialize(policy);
  static const json::object none;
  return none;
}

TEST(DashboardPolicies, SettingsMailboxesAndEachPhonesVerdict) {
  test_server server;
  ASSERT_EQ(admin(server, "POST", "/api/v1/exchange", "Set-CASMailbox bob -ActiveSyncMailboxPolicy Strict", "text/plain").status, 200);
  const auto list = admin_json(server, "/api/v1/policies").at("policies").as_array();
  std::map<std::string, json::object> by_name;
  for (const auto& p : list) by_name[std::string(p.at("name").as_string())] = p.as_object();
  ASSERT_EQ(by_name.size(), 3u) << json::serialize(list);
  ASSERT_TRUE(by_name.count("Default") && by_name.count("WP7") && by_name.count("Strict"));

  const auto& def = by_name["Default"];
  EXPECT_TRUE(def.at("is_default").as_bool());
  EXPECT_EQ(def.at("mailboxes"), json::parse(R"(["alice@lab.test"])"));
  EXPECT_FALSE(by_name["WP7"].at("is_default").as_bool());
  EXPECT_TRUE(by_name["WP7"].at("mailboxes").as_array().empty());
  EXPECT_EQ(by_name["Strict"].at("mailboxes"), json::parse(R"(["bob@lab.test"])"));
  // Get-MobileDeviceMailboxPolicy's names and values.
  const auto& strict = by_name["Strict"].at("settings").as_object();
  EXPECT_EQ(strict.at("RequireDeviceEncryption"), json::value("True"));
  EXPECT_TRUE(strict.contains("AllowNonProvisionableDevices"));
  EXPECT_FALSE(strict.contains("Name"));
  EXPECT_EQ(def.at("settings").at("RequireDeviceEncryption"), json::value("False"));

  // Every built-in profile is judged.
  EXPECT_EQ(by_name["Strict"].at("compatibility").as_array().size(), easemu::phone::builtin_profiles().size());
  const auto& wp7_strict = compatibility(by_name["Strict"], "wp7");
  EXPECT_EQ(wp7_strict.at("result").as_string(), "refused");
  EXPECT_FALSE(wp7_strict.at("display_name").as_string().empty());
  const auto& unsupported = wp7_strict.at("unsupported").as_array();
  EXPECT_NE(std::find(unsupported.begin(), unsupported.end(), json::value("RequireDeviceEncryption")), unsupported.end())
      << json::serialize(wp7_strict);
  EXPECT_NE(std::string(wp7_strict.at("message").as_string()).find("86000C2B"), std::string::npos)
      << json::serialize(wp7_strict);
  const auto& wp7_wp7 = compatibility(by_name["WP7"], "wp7");
  EXPECT_EQ(wp7_wp7.at("result").as_string(), "syncs") << json::serialize(wp7_wp7);
  EXPECT_TRUE(wp7_wp7.at("unsupported").as_array().empty());
  EXPECT_EQ(compatibility(def, "ios").at("result").as_string(), "syncs");

  EXPECT_EQ(admin(server, "POST", "/api/v1/policies").status, 405);
  // Edited through the cmdlet text: the page follows.
  ASSERT_EQ(admin(server, "POST", "/api/v1/exchange", "Set-MobileDeviceMailboxPolicy Strict -RequireDeviceEncryption $false",
                  "text/plain").status, 200);
  const auto after_edit = admin_json(server, "/api/v1/policies");
  for (const auto& p : after_edit.at("policies").as_array()) {
    if (p.at("name").as_string() == "Strict") {
      EXPECT_EQ(p.at("settings").at("RequireDeviceEncryption"), json::value("False"));
      EXPECT_EQ(compatibility(p.as_object(), "wp7").at("result").as_string(), "syncs");
    }
  }
}

// ---- devices ----

TEST(DashboardDevices, TheListShowsWhatGetActiveSyncDeviceStatisticsShows) {
  test_server server;
  client_request ca;
  ca.tls = false;
  ca.target = "/certsrv/ca.pem";
  flow_options f;
  f.profile = *phone::find_profile("wp7");
  f.server = "https://mail.lab.test:" + std::to_string(server.https_port);
  f.resolve = {{"mail.lab.test", "127.0.0.1"}};
  f.user = "alice@lab.test";
  f.password = "Passw0rd";
  f.device_id = "STATSPHONE01";
  f.extra_ca_pem = send(server.http_port, ca).body;
  f.ping_hold = 1s;
  const auto flow = run_device_flow(f);
  ASSERT_TRUE(flow.syncing);

  const auto devices = admin_json(server, "/api/v1/devices").at("devices").as_array();
  ASSERT_EQ(devices.size(), 1u);
  const auto& d = devices[0].as_object();
  EXPECT_EQ(d.at("mailbox").as_string(), "alice@lab.test");
  EXPECT_EQ(d.at("user").as_string(), "alice@lab.test");
  EXPECT_EQ(d.at("device_id").as_string(), "STATSPHONE01");
  EXPECT_EQ(d.at("device_type").as_string(), f.profile.device_type);
  EXPECT_EQ(d.at("model").as_string(), f.profile.model);
  EXPECT_EQ(d.at("os").as_string(), f.profile.device_os);
  EXPECT_EQ(d.at("friendly_name").as_string(), f.profile.friendly_name);
  EXPECT_EQ(d.at("user_agent").as_string(), f.profile.user_agent);
  EXPECT_EQ(d.at("access_state").as_string(), "Allowed");
  EXPECT_EQ(d.at("access_state_reason").as_string(), "Global");
  EXPECT_TRUE(d.at("access_rule").is_null());
  EXPECT_EQ(d.at("policy_name").as_string(), "Default");
  EXPECT_EQ(d.at("policy_application_status").as_string(), "AppliedInFull");
  const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  for (const char* t : {"first_sync", "last_sync_attempt", "last_success_sync"}) {
    ASSERT_TRUE(d.at(t).is_string()) << t << " in " << json::serialize(d);
    EXPECT_TRUE(std::regex_match(std::string(d.at(t).as_string()), iso)) << t;
  }
  EXPECT_LE(d.at("first_sync").as_string(), d.at("last_success_sync").as_string());
  ASSERT_TRUE(d.at("last_ping_heartbeat").is_int64()) << json::serialize(d);
  EXPECT_GT(d.at("last_ping_heartbeat").as_int64(), 0);
  EXPECT_TRUE(d.at("wipe_status").is_null());
  EXPECT_EQ(d.at("status").as_string(), "DeviceOk");
  EXPECT_GE(d.at("folders_synced").as_int64(), 1);

  // The same values as the shell's Get-ActiveSyncDeviceStatistics.
  const auto shell = admin(server, "POST", "/api/v1/exchange", "Get-ActiveSyncDeviceStatistics -Mailbox alice", "text/plain");
  const auto stats = json::parse(shell.body).at("results").at(0).at("output").at(0).as_object();
  EXPECT_EQ(stats.at("LastSuccessSync"), d.at("last_success_sync"));
  EXPECT_EQ(stats.at("LastPingHeartbeat"), d.at("last_ping_heartbeat"));
  EXPECT_EQ(stats.at("NumberOfFoldersSynced"), d.at("folders_synced"));
  EXPECT_EQ(stats.at("DevicePolicyApplicationStatus"), d.at("policy_application_status"));

  // A wipe request shows.
  ASSERT_EQ(admin(server, "POST", "/api/v1/devices/STATSPHONE01/wipe", "{}", "application/json").status, 200);
  const auto one = admin_json(server, "/api/v1/devices/STATSPHONE01");
  EXPECT_EQ(one.at("wipe_status").as_string(), "requested");
  EXPECT_EQ(one.at("status").as_string(), "DeviceWipePending");
}

}  // namespace
