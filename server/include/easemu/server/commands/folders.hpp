#pragma once
// FolderSync, FolderCreate, FolderUpdate and FolderDelete (MS-ASCMD 2.2.1.2-2.2.1.6): the
// mailbox module decides, this loads and stores the mailbox's folders and each device's view.
#include <functional>
#include <memory>
#include <array>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "easemu/mailbox/folders.hpp"
#include "easemu/server/activesync/context.hpp"

namespace spdlog {
class logger;
}
namespace easemu::store {
class store;
}

namespace easemu::server {

class folder_service {
 public:
  folder_service(std::shared_ptr<store::store> store, std::shared_ptr<spdlog::logger> log);

  command_reply folder_sync(const eas_context& ctx);
  command_reply folder_create(const eas_context& ctx);
  command_reply folder_update(const eas_context& ctx);
  command_reply folder_delete(const eas_context& ctx);
  // The legacy rows Exchange still lists (MS-ASHTTP 4.3): GetHierarchy, and the three EAS 1.0
  // collection commands (answered HTTP 400; folders.cpp says why).
  command_reply get_hierarchy(const eas_context& ctx);
  command_reply legacy_collection(const eas_context& ctx);

  // The mailbox's folders, created with Exchange's default set on first use.
  std::vector<mailbox::folder> folders(const std::string& mailbox);

 private:
  mailbox::hierarchy_state state(const std::string& mailbox, const std::string& device_id) const;
  void save(const std::string& mailbox, const std::string& device_id, const mailbox::hierarchy_state& s);
  std::string next_folder_id(const std::string& mailbox);
  command_reply folder_edit(const eas_context& ctx, wbxml::tag_id root_tag,
                            const std::function<mailbox::folder_edit_result(
                                const wbxml::element* root, const mailbox::hierarchy_state&,
                                const std::vector<mailbox::folder>&)>& edit);

  std::shared_ptr<store::store> store_;
  std::shared_ptr<spdlog::logger> log_;
  // Folder edits change a mailbox's hierarchy one at a time (exclusive); FolderSyncs only read it
  // (shared) and each changes its own device's state, under that device's stripe.
  std::shared_mutex mutex_;
  std::array<std::mutex, 64> device_stripes_;
  std::mutex& stripe(const std::string& mailbox, const std::string& device);
};

}  // namespace easemu::server
