#pragma once
// One run of the device flow (device_flow.hpp), split by phase over device_flow.cpp (the run and
// the mail steps), flow_exchange.cpp (OPTIONS and the EAS commands: queries, bodies, replies,
// the provisioning loop), flow_user.cpp (what the user does: send, search), flow_provision.cpp
// (Provision, wipe, DeviceInformation) and flow_autodiscover.cpp.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "easemu/client/http_client.hpp"
#include "easemu/common/result.hpp"
#include "easemu/simulator/device_flow.hpp"
#include "easemu/simulator/requests.hpp"
#include "easemu/wbxml/element.hpp"
#include "transport.hpp"

namespace easemu::simulator::detail {

phone::outcome outcome_of(phone::outcome_kind kind, int status = 0);

// The top-level Status of a reply body, 0 when none.
int status_of(const wbxml::element& root);

class flow {
 public:
  explicit flow(const flow_options& o);

  flow_result run();

 private:
  // A request body and how it travels: WBXML, or a raw message/rfc822 (SendMail below 14.0).
  struct payload {
    std::string bytes;
    std::string content_type;
    bool save_in_sent = false;
  };

  // An EAS command's reply: the HTTP answer, the decoded WBXML body and its top-level Status.
  struct answer {
    client::client_response http;
    std::optional<wbxml::element> body;
    int status = 0;
  };

  // ---- the run (device_flow.cpp) ----
  bool find_server();
  std::optional<std::string> hierarchy();
  bool sync_inbox(const std::string& inbox);
  bool sync_step(const std::string& inbox, std::string& sync_key, bool get_changes);
  bool ping(const std::string& inbox);

  // ---- what the user does (flow_user.cpp) ----
  void user_actions();
  bool send_message();
  bool send_draft(const outgoing_mail& m);
  bool send_mail(const outgoing_mail& m);
  bool search_mailbox();
  std::optional<std::string> sync_key_of(const wbxml::element& sync);
  void user_failed(int eas_status);

  // ---- requests and replies (flow_exchange.cpp) ----
  client::client_response transmit(const client::url_parts& u, client::client_request r, std::int64_t& ms);
  bool options();
  std::optional<request_error> set_query(client::client_request& r, std::string_view cmd,
                                         const std::optional<std::string>& key, bool save_in_sent = false) const;
  std::optional<payload> wbxml_payload(const std::string& step_name, const wbxml::element& body);
  common::result<client::client_request, request_error> eas_request(std::string_view cmd, const payload& body,
                                                                   const std::optional<std::string>& key) const;
  std::optional<answer> post(const std::string& step_name, std::string_view cmd, const wbxml::element& body,
                             const std::optional<std::string>& key, std::chrono::milliseconds timeout = {});
  std::optional<answer> post(const std::string& step_name, std::string_view cmd, const payload& body,
                             const std::optional<std::string>& key, std::chrono::milliseconds timeout = {});
  std::optional<wbxml::element> command(const std::string& step_name, std::string_view cmd, const wbxml::element& body);
  // `empty_ok`: an empty 200 is the command's success (SendMail), given back as an empty element.
  std::optional<wbxml::element> command(const std::string& step_name, std::string_view cmd, const payload& body,
                                        bool empty_ok = false);
  bool provision_again(const answer& a);
  bool usable(const answer& a, bool empty_ok = false);
  bool http_ok(const answer& a);
  bool has_body(const answer& a);

  // ---- provisioning (flow_provision.cpp) ----
  bool settings_wanted() const;
  bool settings_device_information();
  bool provision();
  bool acknowledge(const phone::enforcement& e, const std::string& temporary);
  bool keep_key_from(const answer& a, const phone::enforcement& e, const std::string& temporary);
  bool wipe(const wbxml::element& provision);
  bool answered_ok(const answer& a);
  phone::enforcement enforce(const wbxml::element& policy) const;

  // ---- Autodiscover (flow_autodiscover.cpp) ----
  bool autodiscover();
  enum class probe { found, next_host, stop };
  probe autodiscover_at(const std::string& host, const std::string& port);

  // ---- the outcome ----
  void fail_with(phone::outcome o);
  void fail_transport(const client::client_response& r);
  void note_step(std::string name, bool ok, std::string note);
  flow_result finish();

  const flow_options& o_;
  const phone::device_profile& p_;
  flow_result res_;
  std::optional<transport> link_;
  client::url_parts eas_;
  std::string server_name_;
  std::optional<std::string> key_;
  std::string drafts_;  // the Drafts folder's ServerId (Type 3), "" when none
  std::optional<phone::outcome> failed_;
  bool settings_sent_ = false;
  int provision_rounds_ = 0;
};

}  // namespace easemu::simulator::detail
