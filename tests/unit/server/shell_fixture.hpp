#pragma once
// An Exchange Management Shell over an in-memory store with two mailboxes (alice, bob) and a
// Default policy, for the shell's unit tests.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

#include "easemu/server/access_service.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/server/exchange_shell.hpp"
#include "easemu/server/provisioning_service.hpp"
#include "easemu/store/store.hpp"

namespace easemu::test {

class Shell : public ::testing::Test {
 protected:
  Shell() {
    db->replace_mailboxes({{"alice@lab.test", "Alice Lab", "pw", "", true}, {"bob@lab.test", "Bob Lab", "pw", "", true}});
    db->replace_policies({{"Default", {{"Name", "Default"}, {"AllowNonProvisionableDevices", "$true"}, {"IsDefault", "$true"}}}});
    prov = std::make_unique<server::provisioning_service>(db, "2010SP1", log);
    folders = std::make_unique<server::folder_service>(db, log);
    mail = std::make_unique<server::mail_service>(db, *folders, log);
    access = std::make_unique<server::access_service>(db, *mail, log);
    shell = std::make_unique<server::exchange_shell>(db, *prov, *access);
  }

  std::vector<server::shell_result> run(const std::string& text) { return shell->run(text, "test", 1'700'000'000'000); }
  server::shell_result one(const std::string& text) {
    auto r = run(text);
    EXPECT_EQ(r.size(), 1u) << text;
    return r.empty() ? server::shell_result{} : r.front();
  }

  std::shared_ptr<store::store> db = store::open_memory_store();
  std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::unique_ptr<server::provisioning_service> prov;
  std::unique_ptr<server::folder_service> folders;
  std::unique_ptr<server::mail_service> mail;
  std::unique_ptr<server::access_service> access;
  std::unique_ptr<server::exchange_shell> shell;
};

}  // namespace easemu::test
