// The mailbox log of Get-ActiveSyncDeviceStatistics -GetMailboxLog: a device's requests from the
// journal as readable text, shown as MailboxLogReport or mailed with -NotificationEmailAddresses.
#include "cmdlets.hpp"
#include "easemu/common/time.hpp"
#include "easemu/mailbox/message.hpp"

namespace easemu::server::cmdlets {

namespace {

std::string log_entry(const store::journal_entry& e) {
  std::string out = "\n----------------------------------------------------------------------\n";
  out += "RequestTime : " + common::iso8601_utc(e.time_ms) + "\n";
  out += "Command     : " + e.command + " (EAS " + e.protocol_version + ")\n";
  out += "Result      : HTTP " + std::to_string(e.http_status) +
         (e.eas_status != 0 ? ", Status " + std::to_string(e.eas_status) : std::string()) + ", " +
         std::to_string(e.duration_ms) + " ms\n";
  if (!e.request_headers.empty()) out += "RequestHeader :\n" + e.request_headers;
  out += "RequestBody :\n" + (e.request_xml.empty() ? std::string("(none)") : e.request_xml) + "\n";
  if (!e.response_headers.empty()) out += "ResponseHeader :\n" + e.response_headers;
  out += "ResponseBody :\n" + (e.response_xml.empty() ? std::string("(none)") : e.response_xml) + "\n";
  return out;
}

}  // namespace

// Oldest first: each request's time, command, statuses and timing, then its headers (while
// ActiveSyncDebugLogging is on) and decoded bodies. Credentials never reach the journal.
std::string mailbox_log(const cmdlet_context& c, const store::device_record& d) {
  if (c.hooks.flush_journal) c.hooks.flush_journal();
  store::journal_filter f;
  f.user = d.mailbox;
  f.device_id = d.device_id;
  f.limit = 1000;
  auto entries = c.db.query_journal(f);
  std::string out = "Exchange ActiveSync mailbox log (easemu)\nMailbox: " + d.mailbox + "\nDevice: " + d.device_id +
                    " (" + d.device_type + ")\nEntries: " + std::to_string(entries.size()) + "\n";
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) out += log_entry(*it);
  return out;
}

void send_mailbox_logs(const cmdlet_context& c, const std::vector<store::device_record>& devices,
                       const std::vector<std::string>& addresses) {
  if (!c.hooks.deliver) throw shell_error("Mailbox logs cannot be mailed from here.");
  mailbox::new_message m;
  const auto domain =
      devices.empty() ? std::string("lab.test") : devices.front().mailbox.substr(devices.front().mailbox.find('@') + 1);
  m.from = "Microsoft Exchange <postmaster@" + domain + ">";
  m.subject = "Exchange ActiveSync Mailbox Logs" + (devices.empty() ? std::string() : ": " + devices.front().mailbox);
  m.text = "The mailbox logs you asked for are attached, one file per device.\n";
  m.date_ms = c.now_ms;
  for (const auto& d : devices) {
    const auto alias = d.mailbox.substr(0, d.mailbox.find('@'));
    m.attachments.push_back({"EASMailboxLog_" + alias + "_" + d.device_id + ".txt", "text/plain", mailbox_log(c, d)});
  }
  for (const auto& address : addresses) {
    const auto target = find_mailbox(c.db, address);  // only lab mailboxes receive mail here
    m.to = target.address;
    if (auto error = c.hooks.deliver(target.address, mailbox::compose_message(m)); !error.empty()) {
      throw shell_error("The log could not be delivered to " + target.address + ": " + error);
    }
  }
}

}  // namespace easemu::server::cmdlets
