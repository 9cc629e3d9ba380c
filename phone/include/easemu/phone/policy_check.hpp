#pragma once
// Offline: will a phone sync with a policy? What it enforces (check_policy), what the server does
// with its acknowledgement by the rules of PROVISIONING.md 2.1, 2.2 and 2.5 (the rules the server
// follows), and what the phone then shows. Shared by `easemu policy check`, `easemu matrix` and
// the dashboard's policy page (GET /api/v1/policies). Pure: no I/O.
#include <string>
#include <vector>

#include "easemu/common/protocol_version.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/phone/enforcement.hpp"
#include "easemu/phone/presentation.hpp"
#include "easemu/phone/profile.hpp"

namespace easemu::phone {

struct policy_prediction {
  enforcement enforced;                    // check_policy's verdict per setting
  outcome result;                          // success when the phone syncs
  bool syncs = false;
  bool partial = false;                    // syncs without enforcing everything
  std::string why;                         // the rule that decided, in words
  std::vector<std::string> unenforceable;  // settings the phone cannot enforce (element names)
  screen shown;                            // what the phone shows
};

// `server` is the host name the phone names on its screen ("mail.lab.test").
policy_prediction predict_policy(const device_profile& profile, const provisioning::policy& p, protocol_version v,
                                 const provisioning::exchange_rules& rules, const std::string& server);

// Policy bisection: the smallest set of settings whose return to the permissive default lets the
// phone apply the whole policy at `v`; exhaustive by size up to a budget, else a greedy
// irreducible set. Empty when the phone applies the policy as it is.
std::vector<std::string> bisect_policy(const device_profile& profile, const provisioning::policy& p, protocol_version v);

}  // namespace easemu::phone
