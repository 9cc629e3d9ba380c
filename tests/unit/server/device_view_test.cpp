// The device view table (server/src/admin/device_view.hpp): the admin API's device JSON, byte for
// byte as the API has always shown it, and Exchange's device objects, exactly as the shell's
// Get-ActiveSyncDevice and Get-ActiveSyncDeviceStatistics show them today.
#include "admin/device_view.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <cctype>
#include <set>
#include <string>

#include "easemu/server/access_service.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/server/exchange_shell.hpp"
#include "easemu/server/provisioning_service.hpp"
#include "easemu/store/store.hpp"

namespace {

using namespace easemu;
using namespace easemu::server::admin;
namespace json = boost::json;
using server::device_statistics;

// A partnership with something in every field: a policy, an account-only wipe on its way, a
// device rule, the phone's own information.
store::device_record busy_device() {
  store::device_record d;
  d.mailbox = "alice@lab.test";
  d.device_id = "WP7ABC";
  d.device_type = "WP";
  d.user_agent = "MSFT-WP/7.10";
  d.protocol_version = "16.1";
  d.first_seen_ms = 1'700'000'000'000;
  d.last_seen_ms = 1'700'000'060'000;
  d.information = {"HD7", "35000000000000", "Alice's phone", "Windows Phone7.10", "en-us", "+15551234567", "Lab Mobile"};
  d.provisioning.policy_name = "Default";
  d.provisioning.policy_status = 2;
  d.provisioning.last_policy_ms = 1'700'000'001'000;
  d.provisioning.wipe_requested_ms = 1'700'000'002'000;
  d.provisioning.wipe_sent_ms = 1'700'000'003'000;
  d.provisioning.wipe_account_only = true;
  d.provisioning.wipe_requestor = "admin API";
  d.access = {"Quarantined", "DeviceRule", "WP (DeviceType)"};
  return d;
}

device_statistics busy_statistics() { return {1'700'000'050'000, 900, 3, "DeviceWipePending"}; }

// The admin API's JSON as GET /api/v1/devices has always shown it (the output of the function
// the table replaced, pinned).
TEST(DeviceView, AdminJsonIsByteForByteTheApisJson) {
  EXPECT_EQ(json::serialize(admin_device_json(busy_device(), busy_statistics())),
            R"j({"user":"alice@lab.test","mailbox":"alice@lab.test","device_id":"WP7ABC","device_type":"WP",)j"
            R"j("user_agent":"MSFT-WP/7.10","protocol_version":"16.1","first_seen":"2023-11-14T22:13:20.000Z",)j"
            R"j("last_seen":"2023-11-14T22:14:20.000Z","model":"HD7","imei":"35000000000000",)j"
            R"j("friendly_name":"Alice's phone","os":"Windows Phone7.10","os_language":"en-us",)j"
            R"j("phone_number":"+15551234567","mobile_operator":"Lab Mobile","policy_applied":"Default",)j"
            R"j("policy_application_status":"AppliedInFull","last_policy_update_time":"2023-11-14T22:13:21.000Z",)j"
            R"j("wipe_request_time":"2023-11-14T22:13:22.000Z","wipe_sent_time":"2023-11-14T22:13:23.000Z",)j"
            R"j("wipe_ack_time":null,"wipe_account_only":true,"access_state":"Quarantined",)j"
            R"j("access_state_reason":"DeviceRule","access_control_rule":"WP (DeviceType)",)j"
            R"j("access_rule":"WP (DeviceType)","policy_name":"Default","first_sync":"2023-11-14T22:13:20.000Z",)j"
            R"j("last_sync_attempt":"2023-11-14T22:14:20.000Z","last_success_sync":"2023-11-14T22:14:10.000Z",)j"
            R"j("last_ping_heartbeat":900,"folders_synced":3,"wipe_status":"sent","status":"DeviceWipePending"})j");
  EXPECT_EQ(json::serialize(admin_device_json(store::device_record{}, device_statistics{})),
            R"j({"user":"","mailbox":"","device_id":"","device_type":"","user_agent":"","protocol_version":"",)j"
            R"j("first_seen":"1970-01-01T00:00:00.000Z","last_seen":"1970-01-01T00:00:00.000Z","model":"","imei":"",)j"
            R"j("friendly_name":"","os":"","os_language":"","phone_number":"","mobile_operator":"","policy_applied":"",)j"
            R"j("policy_application_status":"Unknown","last_policy_update_time":null,"wipe_request_time":null,)j"
            R"j("wipe_sent_time":null,"wipe_ack_time":null,"wipe_account_only":false,"access_state":"Allowed",)j"
            R"j("access_state_reason":"Global","access_control_rule":null,"access_rule":null,"policy_name":null,)j"
            R"j("first_sync":null,"last_sync_attempt":null,"last_success_sync":null,"last_ping_heartbeat":null,)j"
            R"j("folders_synced":0,"wipe_status":null,"status":""})j");
}

TEST(DeviceView, EveryFieldHasANameAndNoNameTwice) {
  std::set<std::string_view> admin_names, exchange_names;
  for (const auto& f : device_fields()) {
    EXPECT_FALSE(f.admin_name.empty() && f.exchange_name.empty()) << static_cast<int>(f.id);
    EXPECT_NE(f.value, nullptr) << f.admin_name << f.exchange_name;
    if (!f.admin_name.empty()) {
      EXPECT_TRUE(admin_names.insert(f.admin_name).second) << f.admin_name;
      for (char c : f.admin_name) EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) || c == '_') << f.admin_name;
    }
    if (!f.exchange_name.empty()) {
      EXPECT_TRUE(exchange_names.insert(f.exchange_name).second) << f.exchange_name;
      EXPECT_TRUE(std::isupper(static_cast<unsigned char>(f.exchange_name.front()))) << f.exchange_name;
    }
    EXPECT_EQ(&field_spec(f.id), &f);
  }
  for (auto view : {exchange_device_view::device, exchange_device_view::device_statistics,
                    exchange_device_view::derived_statistics}) {
    for (auto id : exchange_fields(view)) EXPECT_FALSE(field_spec(id).exchange_name.empty()) << static_cast<int>(id);
  }
}

// The shell's device cmdlets, over a store holding the same partnership.
class DeviceViewAgainstTheShell : public ::testing::Test {
 protected:
  DeviceViewAgainstTheShell() {
    db->replace_mailboxes({{"alice@lab.test", "Alice Lab", "pw", "", true}});
    db->replace_policies({{"Default", {{"Name", "Default"}, {"IsDefault", "$true"}}}});
    prov = std::make_unique<server::provisioning_service>(db, "2010SP1", log);
    folders = std::make_unique<server::folder_service>(db, log);
    mail = std::make_unique<server::mail_service>(db, *folders, log);
    access = std::make_unique<server::access_service>(db, *mail, log);
    shell = std::make_unique<server::exchange_shell>(db, *prov, *access);
  }

  store::device_record stored(const store::device_record& d) {
    db->record_device_contact(d.mailbox, d.device_id, d.device_type, d.user_agent, d.protocol_version, d.first_seen_ms);
    db->update_device_provisioning(d.mailbox, d.device_id, d.provisioning);
    db->update_device_information(d.mailbox, d.device_id, d.information);
    db->update_device_access(d.mailbox, d.device_id, d.access);
    return *db->find_device(d.mailbox, d.device_id);
  }

  json::object shell_object(const std::string& line) {
    auto r = shell->run(line, "test", 1'700'000'000'000);
    EXPECT_EQ(r.size(), 1u);
    EXPECT_TRUE(r.at(0).ok) << r.at(0).error;
    return r.at(0).output.at(0).as_object();
  }

  void expect_same_as_shell(const store::device_record& d) {
    const device_facts bare{d};
    EXPECT_EQ(json::serialize(exchange_device_object(bare, exchange_device_view::device)),
              json::serialize(shell_object("Get-ActiveSyncDevice -Identity " + d.device_id)));
    const auto stats = shell->statistics(d);
    auto full = exchange_device_object(bare, exchange_device_view::device_statistics);
    for (auto& [k, v] : exchange_device_object({d, &stats}, exchange_device_view::derived_statistics)) full[k] = v;
    EXPECT_EQ(json::serialize(full), json::serialize(shell_object("Get-ActiveSyncDeviceStatistics -Identity " + d.device_id)));
  }

  std::shared_ptr<store::store> db = store::open_memory_store();
  std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::unique_ptr<server::provisioning_service> prov;
  std::unique_ptr<server::folder_service> folders;
  std::unique_ptr<server::mail_service> mail;
  std::unique_ptr<server::access_service> access;
  std::unique_ptr<server::exchange_shell> shell;
};

TEST_F(DeviceViewAgainstTheShell, ABusyDevice) { expect_same_as_shell(stored(busy_device())); }

TEST_F(DeviceViewAgainstTheShell, ANewDeviceAndAWholeDeviceWipe) {
  auto d = busy_device();
  d.device_id = "FRESH1";
  d.information = {};
  d.provisioning = {};
  d.access = {};
  expect_same_as_shell(stored(d));
  d.device_id = "WIPED1";
  d.information.phone_number = "1234";  // four digits or fewer are shown whole
  d.provisioning.last_policy_ms = 1'700'000'001'000;
  d.provisioning.wipe_requested_ms = 1'700'000'002'000;
  d.provisioning.wipe_ack_ms = 1'700'000'004'000;
  expect_same_as_shell(stored(d));
}

}  // namespace
