// ResolveRecipients (MS-ASCMD 2.2.1.15) against the GAL, the lab's mailboxes.
#include <algorithm>

#include "easemu/common/text.hpp"
#include "easemu/server/commands/commands.hpp"
#include "mail_common.hpp"

namespace easemu::server::commands {

namespace {

using namespace mail_common;
using wbxml::element;
using wbxml::tag;

void resolve(const command_services& s, const element& to, std::size_t max_ambiguous, element& out) {
  auto matches = gal_matches(*s.store, to.value);
  // An exact address resolves to that mailbox alone.
  const auto exact = std::find_if(matches.begin(), matches.end(),
                                  [&](const store::mailbox_record& m) { return common::iequals(m.address, to.value); });
  if (exact != matches.end()) matches = {*exact};
  auto& r = out.add(tag("ResolveRecipients:Response"));
  r.add(tag("ResolveRecipients:To"), to.value);
  // MS-ASCMD 2.2.3.177.13: 1 resolved, 2 ambiguous, 4 not resolved.
  r.add(tag("ResolveRecipients:Status"), matches.empty() ? "4" : matches.size() == 1 ? "1" : "2");
  const auto count = std::min(matches.size(), max_ambiguous);
  r.add(tag("ResolveRecipients:RecipientCount"), std::to_string(count));
  for (std::size_t i = 0; i < count; ++i) {
    auto& rec = r.add(tag("ResolveRecipients:Recipient"));
    rec.add(tag("ResolveRecipients:Type"), "1");  // from the GAL
    rec.add(tag("ResolveRecipients:DisplayName"), matches[i].display_name.empty() ? matches[i].address : matches[i].display_name);
    rec.add(tag("ResolveRecipients:EmailAddress"), matches[i].address);
  }
}

command_reply handle(const command_services& s, const eas_context& ctx) {
  command_reply reply;
  auto& out = reply.body.emplace(tag("ResolveRecipients:ResolveRecipients"));
  const element* root = request_root(ctx, tag("ResolveRecipients:ResolveRecipients"));
  if (root == nullptr || root->child(tag("ResolveRecipients:To")) == nullptr) {
    out.add(tag("ResolveRecipients:Status"), "5");  // protocol error
    return reply;
  }
  std::size_t max_ambiguous = 19;  // Exchange's default MaxAmbiguousRecipients
  if (const auto* o = root->child(tag("ResolveRecipients:Options"))) {
    if (auto m = number(o->child_text(tag("ResolveRecipients:MaxAmbiguousRecipients")))) max_ambiguous = *m;
  }
  out.add(tag("ResolveRecipients:Status"), "1");
  for (const auto& to : root->children) {
    if (to.tag == tag("ResolveRecipients:To")) resolve(s, to, max_ambiguous, out);
  }
  return reply;
}

}  // namespace

command_registration resolve_recipients(const command_services& s) {
  return {eas::command_id::resolve_recipients, [s](const eas_context& ctx) { return handle(s, ctx); }};
}

}  // namespace easemu::server::commands
