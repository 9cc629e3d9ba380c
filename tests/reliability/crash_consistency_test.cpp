// Reliability: `kill -9` at random points loses nothing that was acknowledged (issue 23). Over
// several rounds one data directory serves a lab under load (injected mail, phones marking mail
// read, phones provisioning, wipes requested) until the server is killed with SIGKILL at a random
// moment. Every restart must succeed, and then every acknowledged change must be there: the
// injected messages, the Read flags a Sync answered with Status 1, the policy keys a Provision
// acknowledgement returned (FolderSync with them is not refused), the wipes the admin API
// accepted. At the end SQLite finds the database intact.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "support/admin_client.hpp"
#include "support/eas_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace {

using namespace easemu::test;
namespace wbxml = easemu::wbxml;
namespace json = boost::json;

// Provisioning is required (the demo's Default policy), so a key that was lost would show.
constexpr const char* lab_yaml = R"(lab:
  domain: lab.test
  hostname: mail.lab.test
mailboxes:
  - address: alice@lab.test
    password: Passw0rd
)";

constexpr int rounds = 8;
// Per round, so that the admin API's listing (at most 1,000) holds every injection and the checks
// stay quick.
constexpr int max_injections = 100;
constexpr int max_provisioned = 15;

// What the server acknowledged, across rounds.
struct acknowledged {
  std::mutex m;
  std::set<std::string> subjects;                 // injected (201)
  std::set<std::string> read_items;               // Read=1 answered with Status 1
  std::map<std::string, std::string> keys;        // device -> final PolicyKey
  std::set<std::string> wipes;                    // devices whose wipe was accepted (200)
};

std::string provision_xml(const std::string& key) {
  return "<Provision xmlns=\"Provision:\"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>" +
         (key.empty() ? std::string() : "<PolicyKey>" + key + "</PolicyKey><Status>1</Status>") + "</Policy></Policies></Provision>";
}

// Provision (download, acknowledgement) for `device` at 14.0 (no DeviceInformation needed); its
// final key, "" when not acknowledged.
std::string provision(std::uint16_t port, const std::string& device) {
  eas_client phone{.port = port, .device_id = device, .version = "14.0", .timeout = std::chrono::seconds(3)};
  phone.policy_key = "0";
  const auto download = tree_of(phone.post("Provision", provision_xml("")));
  if (!download) return {};
  const auto* policy = download->child(wbxml::tag("Provision:Policies"));
  policy = policy != nullptr ? policy->child(wbxml::tag("Provision:Policy")) : nullptr;
  if (policy == nullptr) return {};
  const std::string temporary(policy->child_text(wbxml::tag("Provision:PolicyKey")));
  const auto ack = tree_of(phone.post("Provision", provision_xml(temporary)));
  if (!ack || status_of(*ack) != "1") return {};
  const auto* p = ack->child(wbxml::tag("Provision:Policies"));
  p = p != nullptr ? p->child(wbxml::tag("Provision:Policy")) : nullptr;
  return p != nullptr && p->child_text(wbxml::tag("Provision:Status")) == "1"
             ? std::string(p->child_text(wbxml::tag("Provision:PolicyKey")))
             : std::string();
}

const wbxml::element* collection(const std::optional<wbxml::element>& sync) {
  if (!sync) return nullptr;
  const auto* cs = sync->child(wbxml::tag("AirSync:Collections"));
  return cs != nullptr ? cs->child(wbxml::tag("AirSync:Collection")) : nullptr;
}

class CrashConsistency : public ::testing::Test {
 protected:
  std::vector<std::string> args() const { return {"--config", (dir_ / "lab.yaml").string(), "--data-dir", (dir_ / "data").string()}; }

  // The load of one round, until `stop`.
  void load(const test_server& s, int round, std::atomic<bool>& stop) {
    std::vector<std::thread> t;
    t.emplace_back([&, round] {  // injections
      for (int i = 0; !stop && i < max_injections; ++i) {
        const auto subject = "crash " + std::to_string(round) + "-" + std::to_string(i);
        const auto r = inject(s, "alice@lab.test", R"({"subject": ")" + subject + R"(", "text": "x"})");
        if (r.status == 201) {
          std::lock_guard lock(ack_.m);
          ack_.subjects.insert(subject);
        }
      }
    });
    t.emplace_back([&, round] {  // a phone marking mail read
      eas_client phone{.port = s.https_port, .device_id = "FLAGGER", .version = "14.0", .policy_key = flagger_key_,
                       .timeout = std::chrono::seconds(3)};
      const auto sync = [&](const std::string& key, const std::string& commands) {
        return tree_of(phone.post("Sync", "<Sync xmlns=\"AirSync:\" xmlns:email=\"Email:\"><Collections><Collection><SyncKey>" + key +
                                              "</SyncKey><CollectionId>1</CollectionId>" +
                                              (key == "0" ? "" : "<GetChanges>1</GetChanges><WindowSize>20</WindowSize>") +
                                              commands + "</Collection></Collections></Sync>"));
      };
      const auto first = sync("0", "");
      const auto* c = collection(first);
      std::string key = c != nullptr ? std::string(c->child_text(wbxml::tag("AirSync:SyncKey"))) : "";
      std::vector<std::string> seen;
      while (!stop && !key.empty()) {
        std::string commands;
        std::string changed;
        if (!seen.empty()) {
          changed = seen.back();
          seen.pop_back();
          commands = "<Commands><Change><ServerId>" + changed + "</ServerId><ApplicationData><email:Read>1</email:Read>"
                     "</ApplicationData></Change></Commands>";
        }
        const auto answer = sync(key, commands);
        const auto* col = collection(answer);
        if (col == nullptr || col->child_text(wbxml::tag("AirSync:Status")) != "1") break;
        key = std::string(col->child_text(wbxml::tag("AirSync:SyncKey")));
        const auto* responses = col->child(wbxml::tag("AirSync:Responses"));
        if (!changed.empty() && (responses == nullptr || responses->child(wbxml::tag("AirSync:Change")) == nullptr)) {
          std::lock_guard lock(ack_.m);
          ack_.read_items.insert(changed);
        }
        if (const auto* cmds = col->child(wbxml::tag("AirSync:Commands"))) {
          for (const auto& add : cmds->children) {
            if (add.tag == wbxml::tag("AirSync:Add")) seen.emplace_back(add.child_text(wbxml::tag("AirSync:ServerId")));
          }
        }
      }
      (void)round;
    });
    t.emplace_back([&, round] {  // phones provisioning, and wipes of the earlier ones
      for (int i = 0; !stop && i < max_provisioned; ++i) {
        const auto device = "PROV" + std::to_string(round) + "X" + std::to_string(i);
        const auto key = provision(s.https_port, device);
        if (key.empty()) continue;
        {
          std::lock_guard lock(ack_.m);
          ack_.keys[device] = key;
        }
        if (i % 3 == 2 && admin(s, "POST", "/api/v1/devices/" + device + "/wipe", "{}", "application/json").status == 200) {
          std::lock_guard lock(ack_.m);
          ack_.wipes.insert(device);
        }
      }
    });
    for (auto& th : t) th.join();
  }

  // Everything acknowledged so far is there.
  void verify(const test_server& s) {
    std::lock_guard lock(ack_.m);
    const auto listed = json::parse(admin(s, "GET", "/api/v1/mailboxes/alice@lab.test/messages?limit=1000").body);
    std::set<std::string> subjects;
    std::map<std::string, bool> read;
    for (const auto& m : listed.at("messages").as_array()) {
      subjects.insert(std::string(m.at("subject").as_string()));
      read[std::string(m.at("item_id").as_string())] = m.at("read").as_bool();
    }
    for (const auto& subject : ack_.subjects) EXPECT_TRUE(subjects.contains(subject)) << "lost injection: " << subject;
    for (const auto& item : ack_.read_items) EXPECT_TRUE(read[item]) << "lost Read flag: " << item;
    for (const auto& [device, key] : ack_.keys) {
      if (ack_.wipes.contains(device)) continue;  // answered with the wipe instead
      const eas_client phone{.port = s.https_port, .device_id = device, .version = "14.0", .policy_key = key};
      EXPECT_EQ(status_of(phone.post("FolderSync", "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>")), "1")
          << "lost policy key of " << device;
    }
    for (const auto& device : ack_.wipes) {
      const auto d = device_json(s, device);
      EXPECT_TRUE(d.contains("wipe_request_time") && !d.at("wipe_request_time").is_null()) << "lost wipe of " << device;
    }
  }

  temp_dir dir_;
  acknowledged ack_;
  std::optional<std::string> flagger_key_;
};

TEST_F(CrashConsistency, NothingAcknowledgedIsLostAcrossKill9) {
  write_file(dir_ / "lab.yaml", lab_yaml);
  {
    test_server s(args());
    flagger_key_ = provision(s.https_port, "FLAGGER");
    ASSERT_FALSE(flagger_key_->empty());
  }
  std::mt19937 rng(23);
  std::uniform_int_distribution<int> delay_ms(100, 700);
  for (int round = 0; round < rounds; ++round) {
    test_server s(args());  // every restart succeeds (it throws otherwise)
    verify(s);
    std::atomic<bool> stop{false};
    std::thread killer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));  // a random point, not a wait for a state
      s.kill_now();
      stop = true;
    });
    load(s, round, stop);
    killer.join();
  }
  test_server last(args());
  verify(last);
  ASSERT_EQ(last.stop(), 0);
  EXPECT_GT(ack_.subjects.size(), 0u);
  EXPECT_GT(ack_.keys.size(), 0u);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "data" / "easemu.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::string result;
  sqlite3_exec(db, "PRAGMA integrity_check", [](void* out, int, char** values, char**) {
    *static_cast<std::string*>(out) += values[0] != nullptr ? values[0] : "";
    return 0;
  }, &result, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(result, "ok");
  std::printf("acknowledged: %zu injections, %zu Read flags, %zu policy keys, %zu wipes over %d kills\n", ack_.subjects.size(),
              ack_.read_items.size(), ack_.keys.size(), ack_.wipes.size(), rounds);
}

}  // namespace
