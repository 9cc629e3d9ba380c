// Search (MS-ASCMD 2.2.1.16): the GAL (the lab's mailboxes) and the mailbox (FreeText over
// subject and body); document libraries are not in the lab.
#include <algorithm>

#include "easemu/common/text.hpp"
#include "easemu/server/commands/commands.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "mail_common.hpp"

namespace easemu::server::commands {

namespace {

using namespace mail_common;
using common::ascii_lowercase;
using wbxml::element;
using wbxml::tag;

std::vector<element> gal_results(const command_services& s, const element& store_el) {
  std::vector<element> results;
  for (const auto& m : gal_matches(*s.store, store_el.child_text(tag("Search:Query")))) {
    element r(tag("Search:Result"));
    auto& p = r.add(tag("Search:Properties"));
    const auto display = m.display_name.empty() ? m.address : m.display_name;
    p.add(tag("GAL:DisplayName"), display);
    p.add(tag("GAL:Alias"), m.address.substr(0, m.address.find('@')));
    if (const auto space = display.find(' '); space != std::string::npos) {
      p.add(tag("GAL:FirstName"), display.substr(0, space));
      p.add(tag("GAL:LastName"), display.substr(space + 1));
    }
    p.add(tag("GAL:EmailAddress"), m.address);
    results.push_back(std::move(r));
  }
  return results;
}

// Query: And{[airsync:CollectionId]*, [airsync:Class], FreeText} (MS-ASCMD 2.2.3.139).
struct mailbox_query {
  std::vector<std::string> collections;
  std::string text;  // lower case
};
mailbox_query read_mailbox_query(const element& store_el) {
  mailbox_query q;
  const element* query = store_el.child(tag("Search:Query"));
  const element* conditions = query != nullptr ? query->child(tag("Search:And")) : nullptr;
  if (conditions == nullptr) conditions = query;
  if (conditions == nullptr) return q;
  for (const auto& c : conditions->children) {
    if (c.tag == tag("AirSync:CollectionId")) q.collections.push_back(c.value);
    if (c.tag == tag("Search:FreeText")) q.text = ascii_lowercase(c.value);
  }
  return q;
}

std::vector<element> mailbox_results(const command_services& s, const eas_context& ctx, const mailbox_query& q,
                                     const body_request& pref) {
  std::vector<element> results;
  auto lock = s.mail.lock_items();
  for (const auto& f : s.folders.folders(ctx.mailbox)) {
    if (!q.collections.empty() && std::find(q.collections.begin(), q.collections.end(), f.server_id) == q.collections.end()) continue;
    for (const auto& summary : s.store->list_items(ctx.mailbox, f.server_id)) {
      const auto item = s.store->find_item(ctx.mailbox, summary.item_id);
      const auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
      if (!props) continue;
      const auto haystack = ascii_lowercase(props->subject + "\n" + props->text_body + "\n" + mailbox::html_to_text(props->html_body));
      if (haystack.find(q.text) == std::string::npos) continue;
      element r(tag("Search:Result"));
      r.add(tag("AirSync:Class"), "Email");
      r.add(tag("Search:LongId"), item->item_id);
      r.add(tag("AirSync:CollectionId"), item->folder_id);
      auto data = email_data(*item, *props, pref, ctx.version);
      auto& p = r.add(tag("Search:Properties"));
      for (auto& child : data.children) p.add(std::move(child));
      results.push_back(std::move(r));
    }
  }
  return results;
}

// The Range asked for, an empty Result when none match (MS-ASCMD 2.2.3.147.1), and the Total.
void add_results(element& store_out, std::vector<element> results, std::pair<std::size_t, std::size_t> range) {
  const auto [first, last] = range;
  store_out.add(tag("Search:Status"), "1");
  const auto total = results.size();
  std::size_t shown = 0;
  for (std::size_t i = first; i < results.size() && i <= last; ++i, ++shown) store_out.add(std::move(results[i]));
  if (shown == 0) store_out.add(tag("Search:Result"));
  if (shown > 0) store_out.add(tag("Search:Range"), std::to_string(first) + "-" + std::to_string(first + shown - 1));
  store_out.add(tag("Search:Total"), std::to_string(total));
}

command_reply handle(const command_services& s, const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("Search:Search"));
  const element* root = request_root(ctx, tag("Search:Search"));
  const element* store_el = root != nullptr ? root->child(tag("Search:Store")) : nullptr;
  if (store_el == nullptr) {
    out.add(tag("Search:Status"), "2");
    return reply;
  }
  const auto name = ascii_lowercase(store_el->child_text(tag("Search:Name")));
  const element* options = store_el->child(tag("Search:Options"));
  // A malformed Range is read as the default one.
  const auto range =
      parse_range(options != nullptr ? options->child_text(tag("Search:Range")) : "").value_or(std::pair<std::size_t, std::size_t>{0, 99});
  out.add(tag("Search:Status"), "1");
  auto& result_store = out.add(tag("Search:Response")).add(tag("Search:Store"));
  if (name == "gal") {
    add_results(result_store, gal_results(s, *store_el), range);
  } else if (name == "mailbox") {
    const auto q = read_mailbox_query(*store_el);
    if (q.text.empty()) {
      result_store.add(tag("Search:Status"), "2");  // nothing to look for: invalid request
      return reply;
    }
    add_results(result_store, mailbox_results(s, ctx, q, choose_body(options)), range);
  } else {
    result_store.add(tag("Search:Status"), "3");  // document libraries are not in the lab
  }
  return reply;
}

}  // namespace

command_registration search(const command_services& s) {
  return {eas::command_id::search, [s](const eas_context& ctx) { return handle(s, ctx); }, true};
}

}  // namespace easemu::server::commands
