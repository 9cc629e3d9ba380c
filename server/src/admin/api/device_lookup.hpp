#pragma once
// The one way the admin API finds the device partnership an endpoint names: the {DeviceId} path
// segment, matched case-insensitively (as Exchange matches DeviceIds), optionally within one
// mailbox, with the 400, 404 and 409 answers.
#include <optional>
#include <string>
#include <string_view>

#include "easemu/server/http.hpp"
#include "easemu/store/store.hpp"
#include "admin/api/or_answer.hpp"
#include "admin/api/route_table.hpp"

namespace easemu::server::admin {

// The decoded {DeviceId} of the path; 400 when it does not decode or is empty.
or_answer<std::string> device_id_in_path(const api_call& call);

// The partnership `device_id` names (within `mailbox` when given): 404 when there is none, 409
// when it has several mailboxes; `name_the_mailbox` ends the 409 message, telling how to name one.
or_answer<store::device_record> find_device(const store::store& store, const std::string& device_id,
                                            const std::optional<std::string>& mailbox, std::string_view name_the_mailbox);

}  // namespace easemu::server::admin
