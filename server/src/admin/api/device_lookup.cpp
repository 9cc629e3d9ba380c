#include "admin/api/device_lookup.hpp"

#include <vector>

#include "admin_json.hpp"
#include "easemu/common/text.hpp"

namespace easemu::server::admin {

or_answer<std::string> device_id_in_path(const api_call& call) {
  auto id = call.params.decoded("DeviceId");
  if (!id || id->empty()) return {std::nullopt, admin_json::json_error(400, "bad device id in the path")};
  return {std::move(*id), {}};
}

or_answer<store::device_record> find_device(const store::store& store, const std::string& device_id,
                                            const std::optional<std::string>& mailbox, std::string_view name_the_mailbox) {
  std::vector<store::device_record> matches;
  for (auto& d : store.list_devices(mailbox)) {
    if (common::iequals(d.device_id, device_id)) matches.push_back(std::move(d));
  }
  if (matches.empty()) return {std::nullopt, admin_json::json_error(404, "no device '" + device_id + "'")};
  if (matches.size() > 1) {
    return {std::nullopt, admin_json::json_error(409, "device '" + device_id + "' belongs to several mailboxes; " +
                                                          std::string(name_the_mailbox))};
  }
  return {std::move(matches.front()), {}};
}

}  // namespace easemu::server::admin
