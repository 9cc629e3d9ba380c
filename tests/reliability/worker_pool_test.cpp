// Reliability: CPU-heavy commands run on the worker pool, never on the I/O threads (issue 23,
// finding 2). Four ItemOperations fetches of a 12 MB attachment each hold a thread for a good
// part of a second; a FolderSync sent after them must be answered before any of them. With the
// fetches on the two I/O threads (as before the pool) the FolderSync could not even be read
// until one of them had finished, and would be answered after it.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "easemu/common/base64.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "support/admin_client.hpp"
#include "support/process.hpp"
#include "support/raw_connection.hpp"
#include "support/test_server.hpp"
#include "reliability_lab.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;

std::string request(const std::string& cmd, const std::string& device, const std::string& xml) {
  const auto body = *wbxml::encode(*wbxml::from_xml(xml));
  return "POST /Microsoft-Server-ActiveSync?Cmd=" + cmd + "&User=alice&DeviceId=" + device +
         "&DeviceType=iPhone HTTP/1.1\r\nHost: mail.lab.test\r\n"
         "Authorization: Basic YWxpY2VAbGFiLnRlc3Q6UGFzc3cwcmQ=\r\nMS-ASProtocolVersion: 14.1\r\n"
         "Content-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(WorkerPool, AFolderSyncIsAnsweredWhileHeavyFetchesRun) {
  temp_dir dir;
  write_file(dir / "lab.yaml", reliability_lab_yaml);
  test_server server({"--config", (dir / "lab.yaml").string()});

  // A message with a 12 MB attachment (a byte pattern, base64 in the MIME).
  std::string bytes(12 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131) % 251);
  std::string b64 = easemu::common::base64_encode(bytes), folded;
  for (std::size_t i = 0; i < b64.size(); i += 76) folded += b64.substr(i, 76) + "\r\n";
  const auto injected = inject(server, "alice@lab.test",
                               "From: bob@lab.test\r\nTo: alice@lab.test\r\nSubject: heavy\r\nMIME-Version: 1.0\r\n"
                               "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                               "see attached\r\n--b\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n" + folded + "--b--\r\n",
                               "message/rfc822");
  ASSERT_EQ(injected.status, 201) << injected.body;
  const std::string item = boost::json::parse(injected.body).at("item_id").as_string().c_str();

  // The fetches, each on its own connection; every answer's first byte takes the next number.
  std::atomic<int> order{0};
  constexpr int fetches = 4;
  std::vector<std::unique_ptr<raw_connection>> connections;
  for (int i = 0; i < fetches; ++i) connections.push_back(std::make_unique<raw_connection>(server.https_port, true, 120'000));
  const auto fetch = request("ItemOperations", "POOLFETCH",
                             "<ItemOperations xmlns=\"ItemOperations:\" xmlns:airsyncbase=\"AirSyncBase:\"><Fetch><Store>Mailbox</Store>"
                             "<airsyncbase:FileReference>" + item + ":0</airsyncbase:FileReference></Fetch></ItemOperations>");
  for (auto& c : connections) ASSERT_TRUE(c->write(fetch));
  std::vector<int> fetch_order(fetches, -1);
  std::vector<std::string> fetch_status(fetches);
  std::vector<std::thread> readers;
  for (int i = 0; i < fetches; ++i) {
    readers.emplace_back([&, i] {
      auto first = connections[i]->read(1);
      fetch_order[i] = order++;
      const auto rest = connections[i]->read_response();
      fetch_status[i] = (first + rest).substr(0, 12);
    });
  }

  raw_connection folder_sync(server.https_port, true, 120'000);
  ASSERT_TRUE(folder_sync.write(request("FolderSync", "POOLFS", "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>")));
  const auto first = folder_sync.read(1);
  const int folder_sync_order = order++;
  const auto answer = first + folder_sync.read_response();
  for (auto& t : readers) t.join();

  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer.substr(0, 60);
  EXPECT_EQ(folder_sync_order, 0) << "the FolderSync was answered after " << folder_sync_order << " of the " << fetches
                                  << " fetches";
  for (int i = 0; i < fetches; ++i) EXPECT_EQ(fetch_status[i], "HTTP/1.1 200") << "fetch " << i;
}

}  // namespace
