// The provisioning matrix: the policy-key gate (PROVISIONING.md 1.8) for every protocol version,
// the Provision phases (1.3, 1.5), acknowledgement statuses x AllowNonProvisionableDevices x
// Exchange version (2.1, 2.2), remote wipe (1.7), and the flows they make up.
#include "easemu/provisioning/provision.hpp"

#include <gtest/gtest.h>

#include "easemu/provisioning/document.hpp"
#include "easemu/wbxml/xml.hpp"

namespace {

using namespace easemu::provisioning;
using easemu::protocol_version;
using easemu::wbxml::element;
using easemu::wbxml::tag;

constexpr std::int64_t t0 = 1'700'000'000'000;

policy strict(bool anp, std::vector<std::pair<std::string, std::string>> extra = {}) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"Name", "Strict"}, {"RequireDeviceEncryption", "$true"},
      {"AllowNonProvisionableDevices", anp ? "$true" : "$false"}};
  params.insert(params.end(), extra.begin(), extra.end());
  return *policy_from_parameters(params);
}

element phase_one(protocol_version v, bool with_info = true) {
  element root(tag("Provision:Provision"));
  if (with_info && v >= protocol_version::v14_1) {
    auto& set = root.add(tag("Settings:DeviceInformation")).add(tag("Settings:Set"));
    set.add(tag("Settings:Model"), "Lumia 800");
    set.add(tag("Settings:OS"), "Windows Phone 7.5");
  }
  root.add(tag("Provision:Policies")).add(tag("Provision:Policy")).add(tag("Provision:PolicyType"), policy_type_for(v));
  return root;
}

element acknowledgement(protocol_version v, std::uint32_t key, int status) {
  element root(tag("Provision:Provision"));
  auto& pol = root.add(tag("Provision:Policies")).add(tag("Provision:Policy"));
  pol.add(tag("Provision:PolicyType"), policy_type_for(v));
  pol.add(tag("Provision:PolicyKey"), std::to_string(key));
  pol.add(tag("Provision:Status"), std::to_string(status));
  return root;
}

element wipe_ack(int status) {
  element root(tag("Provision:Provision"));
  root.add(tag("Provision:RemoteWipe")).add(tag("Provision:Status"), std::to_string(status));
  return root;
}

std::string xml(const provision_result& r) {
  return r.body ? easemu::wbxml::to_xml(*r.body, {false, false}) : "(HTTP " + std::to_string(r.http_status) + ")";
}

// A phone: its state as the server keeps it, driven through the pure functions.
struct phone {
  protocol_version version;
  device_state state;
  exchange_rules rules;
  std::uint32_t next_key = 1000;
  std::int64_t now = t0;

  provision_result send(const element& body, const policy* p) {
    provision_request r{version, &body, &state, p, rules, next_key++, now};
    auto result = provision(r);
    state = result.state;
    return result;
  }
  eas_error command(std::optional<std::uint32_t> key, const policy* p) const {
    return check_policy_key({version, key, &state, p, rules, now});
  }
  // Download and acknowledge; returns the permanent key (0 when none was issued).
  std::uint32_t provision_with(const policy& p, int ack_status) {
    send(phase_one(version), &p);
    const auto temporary = state.pending_key;
    send(acknowledgement(version, temporary, ack_status), &p);
    return state.policy_key;
  }
};

// ---- The gate, for every protocol version ----

enum class key_sent { none, zero, temporary, stale, current };

struct gate_case {
  const char* name;
  key_sent key;
  bool provisioned;  // the device acknowledged the current policy earlier
  bool anp;
  int status;
  int http;
};

class Gate : public ::testing::TestWithParam<std::tuple<protocol_version, gate_case>> {};

TEST_P(Gate, DecisionOrder) {
  const auto [version, c] = GetParam();
  // The Default-like policy: no requirement any version lacks, so 139 never applies here.
  auto p = *policy_from_parameters({{"Name", "Lab"}, {"AllowNonProvisionableDevices", c.anp ? "$true" : "$false"}});
  phone ph{version, {}, rules_for("2010SP1")};
  if (c.provisioned) ASSERT_NE(ph.provision_with(p, 1), 0u);
  ph.send(phase_one(version), &p);  // leaves a temporary key outstanding
  std::optional<std::uint32_t> key;
  switch (c.key) {
    case key_sent::none: break;
    case key_sent::zero: key = 0; break;
    case key_sent::temporary: key = ph.state.pending_key; break;
    case key_sent::stale: key = 77; break;
    case key_sent::current: key = ph.state.policy_key; break;
  }
  const auto e = ph.command(key, &p);
  EXPECT_EQ(e.status, c.status) << e.reason;
  EXPECT_EQ(e.http_status, c.http);
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, Gate,
    ::testing::Combine(
        ::testing::ValuesIn(easemu::all_protocol_versions),
        ::testing::Values(gate_case{"no_key_anp_off", key_sent::none, false, false, 141, 403},
                          gate_case{"no_key_anp_on", key_sent::none, false, true, 0, 200},
                          gate_case{"no_key_provisioned_anp_off", key_sent::none, true, false, 141, 403},
                          gate_case{"zero_new_device", key_sent::zero, false, false, 142, 449},
                          gate_case{"zero_new_device_anp_on", key_sent::zero, false, true, 142, 449},
                          gate_case{"zero_after_provisioning", key_sent::zero, true, false, 144, 449},
                          gate_case{"temporary_never_acknowledged", key_sent::temporary, false, false, 142, 449},
                          gate_case{"temporary_after_provisioning", key_sent::temporary, true, false, 144, 449},
                          gate_case{"stale", key_sent::stale, true, true, 144, 449},
                          gate_case{"current", key_sent::current, true, false, 0, 200},
                          gate_case{"current_anp_on", key_sent::current, true, true, 0, 200})),
    [](const auto& info) {
      std::string v(easemu::to_string(std::get<0>(info.param)));
      std::replace(v.begin(), v.end(), '.', '_');
      return "v" + v + "_" + std::get<1>(info.param).name;
    });

TEST(GateRules, IncompatibleVersionIs139UnlessAnp) {
  for (bool anp : {false, true}) {
    const auto p = strict(anp);
    phone old{protocol_version::v12_0, {}, rules_for("2010SP1")};
    const auto e = old.command(std::nullopt, &p);
    EXPECT_EQ(e.status, anp ? 0 : 139) << e.reason;
    if (!anp) EXPECT_EQ(e.http_status, 403);
    phone modern{protocol_version::v12_1, {}, rules_for("2010SP1")};
    EXPECT_EQ(modern.command(std::nullopt, &p).status, anp ? 0 : 141);
  }
}

TEST(GateRules, RemoteWipeComesBeforeEverythingElseButCompatibility) {
  const auto p = strict(true);
  phone ph{protocol_version::v14_1, {}, rules_for("2013")};
  const auto key = ph.provision_with(p, 1);
  ph.state.wipe_requested_ms = t0;
  EXPECT_EQ(ph.command(key, &p).status, 140);
  EXPECT_EQ(ph.command(key, &p).http_status, 449);
  EXPECT_EQ(ph.command(std::nullopt, &p).http_status, 403);
}

TEST(GateRules, RefreshIntervalAndPolicyChanges) {
  auto p = strict(false, {{"DevicePolicyRefreshInterval", "01:00:00"}});
  phone ph{protocol_version::v14_1, {}, rules_for("2010SP1")};
  const auto key = ph.provision_with(p, 1);
  ASSERT_NE(key, 0u);
  EXPECT_EQ(ph.command(key, &p).status, 0);
  ph.now += 3600 * 1000 + 1;
  EXPECT_EQ(ph.command(key, &p).status, 143);
  ph.now = t0;
  // A change the device can see invalidates its key.
  auto changed = p;
  ASSERT_EQ(changed.set_parameter("AllowCamera", "$false"), "");
  EXPECT_EQ(ph.command(key, &changed).status, 144);
}

TEST(GateRules, AnpOnlyChangeKeepsKeysOn2010AndNotOn2013) {
  for (const char* exchange : {"2010SP1", "2013"}) {
    auto p = strict(true);
    phone ph{protocol_version::v14_1, {}, rules_for(exchange)};
    const auto key = ph.provision_with(p, 1);
    ASSERT_EQ(p.set_parameter("AllowNonProvisionableDevices", "$false"), "");
    EXPECT_EQ(ph.command(key, &p).status, std::string(exchange) == "2010SP1" ? 0 : 144) << exchange;
  }
}

// ---- Phase one ----

TEST(PhaseOne, TemporaryKeyAndDocument) {
  const auto p = strict(true);
  phone ph{protocol_version::v14_1, {}, rules_for("2010SP1")};
  const auto r = ph.send(phase_one(protocol_version::v14_1), &p);
  ASSERT_TRUE(r.body);
  EXPECT_EQ(r.provision_status, 1);
  const auto* policy_el = r.body->child(tag("Provision:Policies"))->child(tag("Provision:Policy"));
  EXPECT_EQ(policy_el->child_text(tag("Provision:Status")), "1");
  EXPECT_EQ(policy_el->child_text(tag("Provision:PolicyKey")), std::to_string(ph.state.pending_key));
  EXPECT_EQ(policy_el->child(tag("Provision:Data"))->children.at(0), provision_document(p, protocol_version::v14_1));
  // 14.1: the DeviceInformation is kept and acknowledged first in the response.
  ASSERT_TRUE(r.information);
  EXPECT_EQ(r.information->model, "Lumia 800");
  EXPECT_EQ(r.body->children.at(0).name(), "DeviceInformation");
  EXPECT_EQ(ph.state.policy_key, 0u);
}

TEST(PhaseOne, ProtocolErrors) {
  const auto p = strict(true);
  phone ph{protocol_version::v14_1, {}, rules_for("2013")};
  EXPECT_EQ(xml(ph.send(element(tag("Provision:Provision")), &p)),
            "<Provision xmlns=\"Provision:\"><Status>2</Status></Provision>");
  EXPECT_EQ(ph.send(phase_one(protocol_version::v14_1, false), &p).provision_status, 165);
  auto wap = phase_one(protocol_version::v14_1);
  wap.child(tag("Provision:Policies"))->child(tag("Provision:Policy"))->children[0].value = wap_policy_type;
  EXPECT_EQ(ph.send(wap, &p).provision_status, 2);
  auto odd = phase_one(protocol_version::v14_1);
  odd.child(tag("Provision:Policies"))->child(tag("Provision:Policy"))->children[0].value = "Something-Else";
  const auto r = ph.send(odd, &p);
  EXPECT_EQ(r.provision_status, 1);
  EXPECT_NE(xml(r).find("<Policy><PolicyType>Something-Else</PolicyType><Status>3</Status></Policy>"), std::string::npos);
  // Bad input never changes the device's state.
  EXPECT_EQ(ph.state, device_state{});
}

TEST(PhaseOne, IncompatibleVersionWithoutAnpIs139) {
  const auto p = strict(false);
  phone v12{protocol_version::v12_0, {}, rules_for("2010SP1")};
  const auto r = v12.send(phase_one(protocol_version::v12_0), &p);
  EXPECT_EQ(r.http_status, 403);  // below 14.0 the 1xx code is HTTP 403
  EXPECT_FALSE(r.body);
  phone v14{protocol_version::v14_1, {}, rules_for("2010SP1")};
  EXPECT_EQ(xml(v14.send(phase_one(protocol_version::v14_1), &p)).find("<Status>139</Status>") != std::string::npos,
            false);  // 14.1 carries RequireDeviceEncryption: no 139
}

TEST(PhaseOne, Version25GetsTheWapDocument) {
  const auto p = *policy_from_parameters({{"Name", "Pin"}, {"DevicePasswordEnabled", "$true"}});
  phone ph{protocol_version::v2_5, {}, rules_for("2010SP1")};
  const auto r = ph.send(phase_one(protocol_version::v2_5), &p);
  const auto* data = r.body->child(tag("Provision:Policies"))->child(tag("Provision:Policy"))->child(tag("Provision:Data"));
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->value, wap_provisioning_document(p));
  EXPECT_EQ(ph.provision_with(p, 1) != 0, true);
}

// ---- Acknowledgements: status x ANP x Exchange version ----

struct ack_case {
  const char* name;
  int ack;
  bool anp;
  const char* exchange;
  bool external_allowed;
  int provision_status;  // the response's Provision Status, or the 1xx error
  bool key_issued;
  application_status recorded;
  int next_command;  // the gate's answer to the next command with whatever key the phone then has
};

class Acknowledgement : public ::testing::TestWithParam<std::tuple<protocol_version, ack_case>> {};

TEST_P(Acknowledgement, Outcome) {
  const auto [v, c] = GetParam();
  // A requirement every version carries (2.5 in its WAP document), so phase one always succeeds.
  const auto p = *policy_from_parameters({{"Name", "Pin"}, {"DevicePasswordEnabled", "$true"},
                                          {"AllowNonProvisionableDevices", c.anp ? "$true" : "$false"},
                                          {"AllowExternalDeviceManagement", c.external_allowed ? "$true" : "$false"}});
  phone ph{v, {}, rules_for(c.exchange)};
  ph.send(phase_one(v), &p);
  const auto temporary = ph.state.pending_key;
  ASSERT_NE(temporary, 0u);
  const auto r = ph.send(acknowledgement(v, temporary, c.ack), &p);
  // MS-ASPROV 3.1.5.2: Status 4 exists from 12.1 on; before, it is a protocol error that changes nothing.
  if (c.ack == 4 && v < protocol_version::v12_1) {
    EXPECT_EQ(r.provision_status, 2);
    EXPECT_EQ(ph.state.pending_key, temporary);
    EXPECT_EQ(ph.state.policy_key, 0u);
    return;
  }
  EXPECT_EQ(r.provision_status, c.provision_status) << r.decision;
  EXPECT_EQ(ph.state.policy_key != 0, c.key_issued);
  EXPECT_EQ(ph.state.status, c.recorded);
  EXPECT_EQ(ph.state.last_policy_ms != 0, c.next_command != 142);
  if (c.provision_status > 100 && v < protocol_version::v14_0) {
    // 2.5-12.1 cannot read a 1xx status: HTTP 403 with no body (PROVISIONING.md 1.8).
    EXPECT_EQ(r.http_status, 403);
    EXPECT_FALSE(r.body);
  } else if (c.key_issued) {
    EXPECT_EQ(r.http_status, 200);
    EXPECT_NE(xml(r).find("<PolicyKey>" + std::to_string(ph.state.policy_key) + "</PolicyKey>"), std::string::npos);
    EXPECT_NE(ph.state.policy_key, temporary);
  } else {
    EXPECT_EQ(xml(r).find("<PolicyKey>"), std::string::npos);
  }
  // The phone goes on with the permanent key, or (like Windows Phone 7) with the temporary one.
  const auto next = ph.command(c.key_issued ? ph.state.policy_key : temporary, &p);
  EXPECT_EQ(next.status, c.next_command);
  EXPECT_EQ(next.http_status, c.next_command == 0 ? 200 : 449);
}

using as = application_status;
INSTANTIATE_TEST_SUITE_P(
    Matrix, Acknowledgement,
    ::testing::Combine(
        ::testing::ValuesIn(easemu::all_protocol_versions),
        ::testing::Values(
            ack_case{"full_2010", 1, false, "2010SP1", false, 1, true, as::applied_in_full, 0},
            ack_case{"full_2013", 1, false, "2013", false, 1, true, as::applied_in_full, 0},
            // The Windows Phone 7 case: 2010 answers a partial ack with no key, the next command is 144.
            ack_case{"partial_anp_off_2010", 2, false, "2010SP1", false, 1, false, as::partially_applied, 144},
            // Refused acknowledgements leave the device unprovisioned: 142 next.
            ack_case{"partial_anp_off_2013", 2, false, "2013", false, 139, false, as::not_applied, 142},
            ack_case{"partial_anp_on_2010", 2, true, "2010SP1", false, 1, true, as::partially_applied, 0},
            ack_case{"partial_anp_on_2016", 2, true, "2016", false, 1, true, as::partially_applied, 0},
            ack_case{"not_applied_2010", 3, false, "2010SP1", false, 1, false, as::not_applied, 144},
            ack_case{"not_applied_anp_on_2013", 3, true, "2013", false, 1, false, as::not_applied, 144},
            ack_case{"external_refused", 4, true, "2013", false, 145, false, as::not_applied, 142},
            ack_case{"external_allowed", 4, false, "2019", true, 1, true, as::externally_managed, 0})),
    [](const auto& info) {
      std::string v(easemu::to_string(std::get<0>(info.param)));
      std::replace(v.begin(), v.end(), '.', '_');
      return "v" + v + "_" + std::get<1>(info.param).name;
    });

TEST(AcknowledgementRules, WrongKeyIsPolicyStatus5AndBadAcksAreProtocolErrors) {
  const auto p = strict(true);
  phone ph{protocol_version::v14_1, {}, rules_for("2013")};
  ph.send(phase_one(protocol_version::v14_1), &p);
  const auto before = ph.state;
  const auto r = ph.send(acknowledgement(protocol_version::v14_1, ph.state.pending_key + 1, 1), &p);
  EXPECT_EQ(r.provision_status, 1);
  EXPECT_NE(xml(r).find("<Status>5</Status>"), std::string::npos);
  EXPECT_EQ(ph.state, before);
  EXPECT_EQ(ph.send(acknowledgement(protocol_version::v14_1, ph.state.pending_key, 7), &p).provision_status, 2);
  EXPECT_EQ(ph.state, before);
}

TEST(AcknowledgementRules, Below14The1xxIsHttp403) {
  const auto p = strict(false);
  phone ph{protocol_version::v12_1, {}, rules_for("2013")};
  ph.send(phase_one(protocol_version::v12_1), &p);
  const auto r = ph.send(acknowledgement(protocol_version::v12_1, ph.state.pending_key, 2), &p);
  EXPECT_EQ(r.http_status, 403);
  EXPECT_FALSE(r.body);
  // Status 4 from a version without it is a protocol error.
  const auto lenient = strict(true);
  phone old{protocol_version::v12_0, {}, rules_for("2013")};
  old.send(phase_one(protocol_version::v12_0), &lenient);
  ASSERT_NE(old.state.pending_key, 0u);
  EXPECT_EQ(old.send(acknowledgement(protocol_version::v12_0, old.state.pending_key, 4), &lenient).provision_status, 2);
}

// ---- Remote wipe ----

TEST(RemoteWipe, FlowPerExchangeVersion) {
  for (const char* exchange : {"2010SP1", "2013"}) {
    SCOPED_TRACE(exchange);
    const auto p = strict(true);
    phone ph{protocol_version::v14_1, {}, rules_for(exchange)};
    const auto key = ph.provision_with(p, 1);
    ph.state.wipe_requested_ms = t0 + 5;
    EXPECT_EQ(ph.command(key, &p).status, 140);
    ph.now = t0 + 10;
    // The phone asks with an empty Provision: the answer is the directive.
    const auto r = ph.send(element(tag("Provision:Provision")), &p);
    EXPECT_EQ(xml(r), "<Provision xmlns=\"Provision:\"><Status>1</Status><RemoteWipe/></Provision>");
    EXPECT_EQ(ph.state.wipe_sent_ms, t0 + 10);
    // A policy acknowledgement while the wipe is pending is refused with the directive again.
    EXPECT_EQ(xml(ph.send(acknowledgement(protocol_version::v14_1, 1, 1), &p)),
              "<Provision xmlns=\"Provision:\"><Status>2</Status><RemoteWipe/></Provision>");
    ph.now = t0 + 20;
    const auto ack = ph.send(wipe_ack(1), &p);
    EXPECT_EQ(ph.state.wipe_ack_ms, t0 + 20);
    // Exchange 2010 repeats the directive after a successful acknowledgement; 2013 does not.
    EXPECT_EQ(xml(ack), std::string(exchange) == "2010SP1"
                            ? "<Provision xmlns=\"Provision:\"><Status>1</Status><RemoteWipe/></Provision>"
                            : "<Provision xmlns=\"Provision:\"><Status>1</Status></Provision>");
  }
}

TEST(RemoteWipe, AccountOnlyFor161AndAcksWithoutRequest) {
  const auto p = strict(true);
  phone ph{protocol_version::v16_1, {}, rules_for("2019")};
  ph.provision_with(p, 1);
  EXPECT_EQ(ph.send(wipe_ack(1), &p).provision_status, 2);  // nothing was requested
  ph.state.wipe_requested_ms = t0;
  ph.state.wipe_account_only = true;
  EXPECT_NE(xml(ph.send(element(tag("Provision:Provision")), &p)).find("<AccountOnlyRemoteWipe/>"), std::string::npos);
  const auto failed = ph.send(wipe_ack(2), &p);
  EXPECT_EQ(failed.provision_status, 2);
  EXPECT_TRUE(ph.state.wipe_failed);
  EXPECT_EQ(ph.state.wipe_ack_ms, 0);
}

}  // namespace
