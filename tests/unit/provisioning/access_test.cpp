#include "easemu/provisioning/access.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace easemu::provisioning;
using easemu::protocol_version;
using level = device_access_level;
using state = device_access_state;
using reason = device_access_state_reason;
using ch = device_access_characteristic;
using kind = command_answer::kind;

// --- names -----------------------------------------------------------------------------------------------------

TEST(AccessNames, ExchangeSpellings) {
  EXPECT_EQ(to_string(level::allow), "Allow");
  EXPECT_EQ(to_string(level::block), "Block");
  EXPECT_EQ(to_string(level::quarantine), "Quarantine");
  EXPECT_EQ(to_string(state::unknown), "Unknown");
  EXPECT_EQ(to_string(state::allowed), "Allowed");
  EXPECT_EQ(to_string(state::blocked), "Blocked");
  EXPECT_EQ(to_string(state::quarantined), "Quarantined");
  EXPECT_EQ(to_string(state::device_discovery), "DeviceDiscovery");
  EXPECT_EQ(to_string(reason::unknown), "Unknown");
  EXPECT_EQ(to_string(reason::global), "Global");
  EXPECT_EQ(to_string(reason::individual), "Individual");
  EXPECT_EQ(to_string(reason::device_rule), "DeviceRule");
  EXPECT_EQ(to_string(reason::upgrade), "Upgrade");
  EXPECT_EQ(to_string(reason::policy), "Policy");
  EXPECT_EQ(to_string(ch::device_type), "DeviceType");
  EXPECT_EQ(to_string(ch::device_model), "DeviceModel");
  EXPECT_EQ(to_string(ch::device_os), "DeviceOS");
  EXPECT_EQ(to_string(ch::user_agent), "UserAgent");
  EXPECT_EQ(to_string(ch::xmswl_header), "XMSWLHeader");
}

TEST(AccessNames, RuleIdentity) {
  // The issue's example, and the two examples of the New-ActiveSyncDeviceAccessRule page.
  EXPECT_EQ((device_access_rule{"WP", ch::device_type, level::block}.identity()), "WP (DeviceType)");
  EXPECT_EQ((device_access_rule{"iOS 6.1 10B145", ch::device_os, level::block}.identity()),
            "iOS 6.1 10B145 (DeviceOS)");
  EXPECT_EQ((device_access_rule{"NokiaE521/2.00()MailforExchange", ch::user_agent, level::allow}.identity()),
            "NokiaE521/2.00()MailforExchange (UserAgent)");
  EXPECT_EQ((device_access_rule{"iPhone", ch::device_model, level::quarantine}.identity()), "iPhone (DeviceModel)");
  EXPECT_EQ((device_access_rule{"OutlookService", ch::xmswl_header, level::allow}.identity()),
            "OutlookService (XMSWLHeader)");
}

// --- cmdlet parameters -------------------------------------------------------------------------------------------

TEST(AccessParameters, AccessLevelBindsNamesCaseInsensitively) {
  EXPECT_EQ(*parse_access_level("Allow"), level::allow);
  EXPECT_EQ(*parse_access_level("block"), level::block);
  EXPECT_EQ(*parse_access_level("QUARANTINE"), level::quarantine);
  EXPECT_EQ(*parse_access_level("  Quarantine "), level::quarantine);
}

TEST(AccessParameters, AccessLevelRejectsOtherValues) {
  const auto r = parse_access_level("Deny");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "Cannot bind parameter 'AccessLevel'. Cannot convert value 'Deny'. Specify one of the following "
            "enumerator names: Allow, Block, Quarantine.");
  // The state names are not levels, and there are no numbers or abbreviations.
  for (const char* bad : {"Allowed", "Blocked", "Quarantined", "", "0", "1", "Allo", "Allow,Block", "$null"}) {
    EXPECT_FALSE(parse_access_level(bad)) << bad;
  }
  const auto d = parse_access_level("Maybe", "DefaultAccessLevel");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().rfind("Cannot bind parameter 'DefaultAccessLevel'. Cannot convert value 'Maybe'.", 0), 0u)
      << d.error();
}

TEST(AccessParameters, Characteristic) {
  EXPECT_EQ(*parse_characteristic("DeviceType"), ch::device_type);
  EXPECT_EQ(*parse_characteristic("devicemodel"), ch::device_model);
  EXPECT_EQ(*parse_characteristic("DEVICEOS"), ch::device_os);
  EXPECT_EQ(*parse_characteristic("UserAgent"), ch::user_agent);
  EXPECT_EQ(*parse_characteristic("xmswlheader"), ch::xmswl_header);
  const auto r = parse_characteristic("X-MS-WL");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "Cannot bind parameter 'Characteristic'. Cannot convert value 'X-MS-WL'. Specify one of the following "
            "enumerator names: DeviceType, DeviceModel, DeviceOS, UserAgent, XMSWLHeader.");
  for (const char* bad : {"Device Type", "DeviceOSLanguage", "User-Agent", "Model", ""}) {
    EXPECT_FALSE(parse_characteristic(bad)) << bad;
  }
}

// --- evaluation order --------------------------------------------------------------------------------------------

// One iPhone; each row switches on the inputs that could decide and names the step that must win.
struct order_row {
  const char* name;
  std::vector<std::string> blocked;
  std::vector<std::string> allowed;
  std::vector<device_access_rule> rules;
  level default_level = level::allow;
  bool awaiting = false;
  bool upgrade_grace = false;
  state want_state;
  reason want_reason;
  const char* want_rule;  // identity, "" for none
};

void PrintTo(const order_row& r, std::ostream* os) { *os << r.name; }

const device_access_rule ua_block{"Apple-iPhone4C1/1002.146", ch::user_agent, level::block};
const device_access_rule ua_quarantine{"apple-iphone4c1/1002.146", ch::user_agent, level::quarantine};
const device_access_rule os_quarantine{"iOS 6.1 10B145", ch::device_os, level::quarantine};
const device_access_rule os_allow{"iOS 6.1 10B145", ch::device_os, level::allow};
const device_access_rule model_allow{"iPhone4C1", ch::device_model, level::allow};
const device_access_rule model_block{"iPhone4C1", ch::device_model, level::block};
const device_access_rule type_block{"iPhone", ch::device_type, level::block};
const device_access_rule type_allow{"iPhone", ch::device_type, level::allow};
const device_access_rule wl_quarantine{"OutlookService", ch::xmswl_header, level::quarantine};
const device_access_rule other_type_block{"WP", ch::device_type, level::block};
const device_access_rule other_os_block{"Android 4.4", ch::device_os, level::block};

class EvaluationOrder : public ::testing::TestWithParam<order_row> {};

TEST_P(EvaluationOrder, FirstApplicableStepDecides) {
  const order_row& r = GetParam();
  access_input in;
  in.device_id = "ApplDLXH1A2B";
  in.device_type = "iPhone";
  in.device_model = "iPhone4C1";
  in.device_os = "iOS 6.1 10B145";
  in.user_agent = "Apple-iPhone4C1/1002.146";
  in.xmswl_header = "OutlookService";
  in.blocked_device_ids = r.blocked;
  in.allowed_device_ids = r.allowed;
  in.rules = r.rules;
  in.default_access_level = r.default_level;
  in.awaiting_device_information = r.awaiting;
  in.upgrade_grace = r.upgrade_grace;
  const auto d = decide_access(in);
  EXPECT_EQ(to_string(d.state), to_string(r.want_state));
  EXPECT_EQ(to_string(d.reason), to_string(r.want_reason));
  EXPECT_EQ(d.rule_identity, r.want_rule);
  EXPECT_FALSE(d.explanation.empty());
}

const std::vector<std::string> this_device = {"OtherDevice1", "ApplDLXH1A2B"};
const std::vector<std::string> this_device_lower = {"appldlxh1a2b"};
const std::vector<std::string> other_devices = {"ApplDLXH1A2", "ApplDLXH1A2BC", ""};

INSTANTIATE_TEST_SUITE_P(
    Access, EvaluationOrder,
    ::testing::Values(
        // 1. The blocked list beats the allowed list, discovery, every rule and the default.
        order_row{"BlockedListBeatsAll", this_device, this_device, {ua_quarantine, type_allow}, level::allow, true,
                  true, state::blocked, reason::individual, ""},
        order_row{"BlockedListIgnoresCase", this_device_lower, {}, {}, level::allow, false, false, state::blocked,
                  reason::individual, ""},
        order_row{"BlockedListWholeIdsOnly", other_devices, {}, {}, level::allow, false, false, state::allowed,
                  reason::global, ""},
        // 3. The allowed list beats discovery, blocking rules and a Block default.
        order_row{"AllowedListBeatsDiscoveryRulesDefault", {}, this_device, {ua_block, type_block}, level::block, true,
                  false, state::allowed, reason::individual, ""},
        order_row{"AllowedListIgnoresCase", {}, this_device_lower, {}, level::quarantine, false, false, state::allowed,
                  reason::individual, ""},
        // 4. Rules exist and DeviceInformation has not arrived: discovery beats the rules and the default.
        order_row{"DiscoveryBeatsRules", {}, {}, {type_block}, level::block, true, false, state::device_discovery,
                  reason::unknown, ""},
        order_row{"UpgradeGraceInsteadOfDiscovery", {}, {}, {type_block}, level::block, true, true, state::allowed,
                  reason::upgrade, ""},
        order_row{"UpgradeGraceNeedsDiscovery", {}, {}, {type_block}, level::allow, false, true, state::blocked,
                  reason::device_rule, "iPhone (DeviceType)"},
        // 5. Rules: UserAgent, then DeviceOS, then DeviceModel, then DeviceType, whatever the list order.
        order_row{"UserAgentBeatsOsModelType", {}, {}, {type_allow, model_allow, os_allow, ua_block}, level::allow,
                  false, false, state::blocked, reason::device_rule, "Apple-iPhone4C1/1002.146 (UserAgent)"},
        order_row{"OsBeatsModelType", {}, {}, {type_block, model_block, os_quarantine}, level::allow, false, false,
                  state::quarantined, reason::device_rule, "iOS 6.1 10B145 (DeviceOS)"},
        order_row{"ModelBeatsType", {}, {}, {type_block, model_allow}, level::block, false, false, state::allowed,
                  reason::device_rule, "iPhone4C1 (DeviceModel)"},
        order_row{"TypeAlone", {}, {}, {other_type_block, type_block}, level::allow, false, false, state::blocked,
                  reason::device_rule, "iPhone (DeviceType)"},
        order_row{"TypeBeatsXmsWlHeader", {}, {}, {wl_quarantine, type_allow}, level::block, false, false,
                  state::allowed, reason::device_rule, "iPhone (DeviceType)"},
        order_row{"XmsWlHeaderLast", {}, {}, {wl_quarantine, other_type_block}, level::allow, false, false,
                  state::quarantined, reason::device_rule, "OutlookService (XMSWLHeader)"},
        order_row{"RuleTextIgnoresCase", {}, {}, {ua_quarantine}, level::allow, false, false, state::quarantined,
                  reason::device_rule, "apple-iphone4c1/1002.146 (UserAgent)"},
        order_row{"RuleBeatsDefault", {}, {}, {type_allow}, level::quarantine, false, false, state::allowed,
                  reason::device_rule, "iPhone (DeviceType)"},
        // Exact text only: no wildcards, no partial matches, no other characteristic.
        order_row{"NoWildcardsInRules", {}, {}, {{"iPhone*", ch::device_model, level::block}}, level::allow, false,
                  false, state::allowed, reason::global, ""},
        order_row{"NoPartialMatches", {}, {}, {{"iPhone4", ch::device_model, level::block},
                                               {"iOS 6.1", ch::device_os, level::block},
                                               {"Phone", ch::device_type, level::block}},
                  level::allow, false, false, state::allowed, reason::global, ""},
        order_row{"CharacteristicMustMatch", {}, {}, {{"iPhone", ch::device_model, level::block}}, level::allow, false,
                  false, state::allowed, reason::global, ""},
        // 6. The organization default.
        order_row{"NoMatchingRuleGivesDefault", {}, {}, {other_type_block, other_os_block}, level::block, false, false,
                  state::blocked, reason::global, ""},
        order_row{"DefaultAllow", {}, {}, {}, level::allow, false, false, state::allowed, reason::global, ""},
        order_row{"DefaultQuarantine", {}, {}, {}, level::quarantine, false, false, state::quarantined,
                  reason::global, ""},
        order_row{"DefaultQuarantineDiscoversFirst", {}, {}, {}, level::quarantine, true, false,
                  state::device_discovery, reason::global, ""},
        order_row{"NoRulesNoDiscoveryForAllow", {}, {}, {}, level::allow, true, false, state::allowed, reason::global,
                  ""},
        order_row{"NoRulesNoDiscoveryForBlock", {}, {}, {}, level::block, true, false, state::blocked, reason::global,
                  ""}),
    [](const ::testing::TestParamInfo<order_row>& info) { return std::string(info.param.name); });

TEST(Access, UnknownDeviceValuesMatchNoRule) {
  // A 12.1 client that never sent DeviceInformation: no model, no OS; the model rule cannot apply.
  const std::vector<device_access_rule> rules = {{"iPhone4C1", ch::device_model, level::block},
                                                 {"", ch::device_os, level::block}};
  access_input in;
  in.device_id = "X";
  in.device_type = "iPhone";
  in.rules = rules;
  in.default_access_level = level::quarantine;
  const auto d = decide_access(in);
  EXPECT_EQ(d.state, state::quarantined);
  EXPECT_EQ(d.reason, reason::global);
  EXPECT_EQ(d.rule_identity, "");
}

TEST(Access, EmptyDeviceIdIsInNoList) {
  const std::vector<std::string> lists = {""};
  access_input in;
  in.blocked_device_ids = lists;
  in.default_access_level = level::allow;
  EXPECT_EQ(decide_access(in).state, state::allowed);
}

TEST(Access, IssueExampleRuleBlocksWp7) {
  // Issue 8 end-to-end case, at the decision level: a rule blocking DeviceType WP blocks a WP7 client.
  const std::vector<device_access_rule> rules = {{"WP", ch::device_type, level::block}};
  access_input in;
  in.device_id = "6F24CAD599A5BF1A690246B8C68FAE8D";
  in.device_type = "WP";
  in.user_agent = "MSFT-WP/7.0.7004";
  in.rules = rules;
  const auto d = decide_access(in);
  EXPECT_EQ(d.state, state::blocked);
  EXPECT_EQ(d.reason, reason::device_rule);
  EXPECT_EQ(d.rule_identity, "WP (DeviceType)");
  // ... and the WP7 client (14.0) then reads 129 in the Sync body, with the reason in X-MS-ASThrottle.
  const auto a = access_answer(d.state, d.reason, "Sync", protocol_version::v14_0);
  EXPECT_EQ(a, (command_answer{kind::status_in_body, 129, 200, false, "DeviceRule"}));
}

// --- what the device sees ----------------------------------------------------------------------------------------

struct answer_row {
  const char* command;
  protocol_version version;
  command_answer want;
};

TEST(AccessAnswers, Blocked) {
  using v = protocol_version;
  const answer_row rows[] = {
      // 129 in the body for 14.x and later, HTTP 403 before; always X-MS-ASThrottle with the reason.
      {"Sync", v::v14_1, {kind::status_in_body, 129, 200, false, "DeviceRule"}},
      {"Sync", v::v14_0, {kind::status_in_body, 129, 200, false, "DeviceRule"}},
      {"Sync", v::v16_1, {kind::status_in_body, 129, 200, false, "DeviceRule"}},
      {"Sync", v::v12_1, {kind::http_error, 129, 403, false, "DeviceRule"}},
      {"FolderSync", v::v2_5, {kind::http_error, 129, 403, false, "DeviceRule"}},
      {"Ping", v::v14_1, {kind::status_in_body, 129, 200, false, "DeviceRule"}},
      {"Provision", v::v14_1, {kind::status_in_body, 129, 200, false, "DeviceRule"}},
      {"GetAttachment", v::v12_1, {kind::http_error, 129, 403, false, "DeviceRule"}},  // no body to carry it
      {"NoSuchCommand", v::v14_1, {kind::http_error, 129, 403, false, "DeviceRule"}},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(blocked_answer(r.command, r.version, reason::device_rule), r.want)
        << r.command << " " << easemu::to_string(r.version);
  }
  EXPECT_EQ(blocked_answer("Sync", v::v14_1, reason::individual).throttle, "Individual");
  EXPECT_EQ(blocked_answer("Sync", v::v14_1, reason::global).throttle, "Global");
}

TEST(AccessAnswers, Quarantined) {
  using v = protocol_version;
  const command_answer runs{kind::run, 0, 200, true, ""};
  const answer_row rows[] = {
      // These run, restricted to the quarantine notice.
      {"Provision", v::v14_1, runs},
      {"Settings", v::v12_1, runs},
      {"FolderSync", v::v14_1, runs},
      {"Ping", v::v14_0, runs},
      {"Sync", v::v16_1, runs},
      {"Sync", v::v2_5, runs},
      {"GetItemEstimate", v::v12_1, runs},
      {"GetHierarchy", v::v12_1, runs},
      {"sync", v::v14_1, runs},  // names are case-insensitive
      // Folder edits: status 6 in the body in every version (6 < 101).
      {"FolderCreate", v::v14_1, {kind::status_in_body, 6, 200, false, ""}},
      {"FolderCreate", v::v12_1, {kind::status_in_body, 6, 200, false, ""}},
      {"FolderUpdate", v::v2_5, {kind::status_in_body, 6, 200, false, ""}},
      {"FolderDelete", v::v16_1, {kind::status_in_body, 6, 200, false, ""}},
      // The 2.5 collection commands have no XML body: HTTP 500.
      {"CreateCollection", v::v2_5, {kind::http_error, 6, 500, false, ""}},
      {"DeleteCollection", v::v2_5, {kind::http_error, 6, 500, false, ""}},
      {"MoveCollection", v::v2_5, {kind::http_error, 6, 500, false, ""}},
      // ItemOperations and Search: status 3.
      {"ItemOperations", v::v14_1, {kind::status_in_body, 3, 200, false, ""}},
      {"ItemOperations", v::v12_0, {kind::status_in_body, 3, 200, false, ""}},
      {"Search", v::v12_1, {kind::status_in_body, 3, 200, false, ""}},
      {"Search", v::v16_0, {kind::status_in_body, 3, 200, false, ""}},
      // GetAttachment: HTTP 500.
      {"GetAttachment", v::v12_1, {kind::http_error, 0, 500, false, ""}},
      // Mail submission: HTTP 500 before 14.0, 120 MailSubmissionFailed in the body from 14.0.
      {"SendMail", v::v12_1, {kind::http_error, 120, 500, false, ""}},
      {"SendMail", v::v2_5, {kind::http_error, 120, 500, false, ""}},
      {"SendMail", v::v14_0, {kind::status_in_body, 120, 200, false, ""}},
      {"SmartReply", v::v14_1, {kind::status_in_body, 120, 200, false, ""}},
      {"SmartForward", v::v12_0, {kind::http_error, 120, 500, false, ""}},
      {"SmartForward", v::v16_1, {kind::status_in_body, 120, 200, false, ""}},
      // The others: an error reply (HTTP 500).
      {"MoveItems", v::v14_1, {kind::http_error, 0, 500, false, ""}},
      {"MeetingResponse", v::v14_1, {kind::http_error, 0, 500, false, ""}},
      {"ResolveRecipients", v::v12_1, {kind::http_error, 0, 500, false, ""}},
      {"ValidateCert", v::v14_1, {kind::http_error, 0, 500, false, ""}},
      {"Find", v::v16_1, {kind::http_error, 0, 500, false, ""}},
      {"Frobnicate", v::v14_1, {kind::http_error, 0, 500, false, ""}},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(quarantine_answer(r.command, r.version), r.want) << r.command << " " << easemu::to_string(r.version);
  }
}

TEST(AccessAnswers, ByState) {
  using v = protocol_version;
  const command_answer plain_run{};
  EXPECT_EQ(access_answer(state::allowed, reason::global, "Search", v::v14_1), plain_run);
  EXPECT_EQ(access_answer(state::unknown, reason::unknown, "Search", v::v14_1), plain_run);
  EXPECT_EQ(access_answer(state::blocked, reason::individual, "Search", v::v14_1),
            (command_answer{kind::status_in_body, 129, 200, false, "Individual"}));
  EXPECT_EQ(access_answer(state::quarantined, reason::global, "Search", v::v14_1),
            (command_answer{kind::status_in_body, 3, 200, false, ""}));
  EXPECT_EQ(access_answer(state::device_discovery, reason::unknown, "Search", v::v14_1),
            (command_answer{kind::status_in_body, 3, 200, false, ""}));
  EXPECT_EQ(access_answer(state::device_discovery, reason::unknown, "Sync", v::v14_1),
            (command_answer{kind::run, 0, 200, true, ""}));
}

}  // namespace
