// GET /api/v1/policies: each policy's settings, its mailboxes, and what each built-in phone
// profile does with it against this lab (the offline check of `easemu policy check`).
#include <boost/json.hpp>

#include "admin/api/resources.hpp"
#include "admin_json.hpp"
#include "easemu/common/text.hpp"
#include "easemu/eas/command.hpp"
#include "easemu/phone/policy_check.hpp"
#include "easemu/phone/profile.hpp"
#include "easemu/provisioning/policy.hpp"
#include "easemu/provisioning/provision.hpp"
#include "easemu/server/exchange_shell.hpp"  // policy_object
#include "easemu/server/provisioning_service.hpp"
#include "easemu/server/router.hpp"  // lab_view
#include "easemu/store/store.hpp"

namespace easemu::server::admin {

namespace {

namespace json = boost::json;
namespace prov = easemu::provisioning;

struct services {
  const lab_view& lab;
  std::shared_ptr<store::store> store;
  const provisioning_service& provisioning;
};

// What one phone profile makes of a policy on this lab's versions and Exchange rules.
json::object verdict_json(const services& s, const phone::device_profile& profile, const prov::policy& p,
                          const prov::exchange_rules& rules, const std::string& offered) {
  json::object c{{"profile", profile.name}, {"display_name", profile.display_name}};
  const auto version = phone::pick_version(profile, offered);
  if (!version) {
    c["result"] = "refused";
    c["partial"] = false;
    c["protocol_version"] = nullptr;
    c["unsupported"] = json::array{};
    c["message"] = "no EAS version in common with Exchange " + s.lab.exchange_version;
    c["code"] = nullptr;
    return c;
  }
  const auto verdict = phone::predict_policy(profile, p, *version, rules, s.lab.hostname);
  json::array unsupported;
  for (const auto& name : verdict.unenforceable) unsupported.emplace_back(name);
  c["result"] = verdict.syncs ? "syncs" : "refused";
  c["partial"] = verdict.partial;
  c["protocol_version"] = to_string(*version);
  c["unsupported"] = std::move(unsupported);
  c["message"] = verdict.shown.text();
  c["code"] = verdict.shown.code ? json::value(verdict.shown.code_text()) : json::value(nullptr);
  return c;
}

http_response list_policies(const services& s) {
  // Each mailbox's policy, looked up once for all policies.
  std::vector<std::pair<std::string, std::string>> applied;  // address, policy name
  for (const auto& m : s.store->list_mailboxes()) {
    if (const auto p = s.provisioning.policy_for(m.address)) applied.emplace_back(m.address, p->name);
  }
  const auto offered = eas::protocol_versions_header(s.lab.versions);
  const auto rules = prov::rules_for(s.lab.exchange_version);
  json::array out;
  for (const auto& p : s.provisioning.policies()) {
    auto settings = policy_object(*p, true);
    settings.erase("Name");
    settings.erase("Identity");
    json::array users;
    for (const auto& [address, name] : applied) {
      if (common::iequals(name, p->name)) users.emplace_back(address);
    }
    json::array compatibility;
    for (const auto& profile : phone::builtin_profiles()) compatibility.push_back(verdict_json(s, profile, *p, rules, offered));
    out.push_back(json::object{{"name", p->name},
                               {"is_default", p->flag(prov::setting::IsDefault)},
                               {"settings", std::move(settings)},
                               {"mailboxes", std::move(users)},
                               {"compatibility", std::move(compatibility)}});
  }
  return admin_json::json_response(200, json::object{{"policies", std::move(out)}});
}

}  // namespace

void add_policy_routes(route_table& t, const lab_view& lab, std::shared_ptr<store::store> store,
                       const provisioning_service& provisioning) {
  auto s = std::make_shared<const services>(services{lab, std::move(store), provisioning});
  t.add({{"GET"}, "/api/v1/policies", [s](const api_call&) { return list_policies(*s); },
         "use GET (change policies with POST /api/v1/exchange)"});
}

}  // namespace easemu::server::admin
