// Find (MS-ASCMD 2.2.1.2, 16.1 only): the mailbox (FreeText, Class, CollectionId) and the GAL
// (the lab's mailboxes). FreeText is KQL; the subset served is find_query.hpp's.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <iterator>
#include <limits>
#include <mutex>
#include <set>

#include "easemu/common/text.hpp"
#include "easemu/common/time.hpp"
#include "easemu/server/commands/commands.hpp"
#include "easemu/server/commands/folders.hpp"
#include "easemu/server/mail_service.hpp"
#include "find_query.hpp"
#include "mail_common.hpp"

namespace easemu::server::commands {

namespace {

using namespace mail_common;
using common::ascii_lowercase;
using wbxml::element;
using wbxml::tag;

// Status (Find), MS-ASCMD 2.2.3.177.2.
constexpr const char* success = "1";
constexpr const char* invalid_request = "2";
constexpr const char* folder_sync_required = "3";
constexpr const char* start_with_range_zero = "4";

// MS-ASCMD 2.2.3.110.2: the largest picture a client may ask for.
constexpr std::size_t max_picture_size = 102'400;
// GAL:Picture Status (MS-ASCMD 2.2.3.177.14 as for Search): the lab has no photos, and past
// MaxPictures a result gets no more.
constexpr const char* no_picture = "173";
constexpr const char* picture_limit_reached = "175";

// The searches a device may page through: a SearchId is known after its first page (Range from
// 0); a later page of an unknown SearchId is Status 4. Bounded: the oldest are forgotten.
class search_ids {
 public:
  bool known(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return set_.count(key) != 0;
  }
  void remember(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (!set_.insert(key).second) return;
    order_.push_back(key);
    if (order_.size() > cap) {
      set_.erase(order_.front());
      order_.pop_front();
    }
  }

 private:
  static constexpr std::size_t cap = 4096;
  mutable std::mutex mutex_;
  std::set<std::string> set_;
  std::deque<std::string> order_;
};

// A GUID as MS-ASCMD 2.2.3.160 has it: 8-4-4-4-12 hexadecimal digits.
bool is_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// The display names of an address list ("Ann <a@x>, b@y" -> "Ann; b@y"), as DisplayTo has them.
std::string display_names(const std::string& list) {
  std::string out;
  std::size_t start = 0;
  while (start < list.size()) {
    auto end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string part = list.substr(start, end - start);
    if (const auto lt = part.find('<'); lt != std::string::npos && lt > 0) part = part.substr(0, lt);
    part.erase(std::remove(part.begin(), part.end(), '"'), part.end());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    if (!part.empty()) out += (out.empty() ? "" : "; ") + part;
    start = end + 1;
  }
  return out;
}

bool is_mail_folder(const mailbox::folder& f) {
  return f.type == mailbox::inbox || f.type == mailbox::drafts || f.type == mailbox::deleted_items ||
         f.type == mailbox::sent_items || f.type == mailbox::outbox || f.type == mailbox::user_mail;
}

// The folders a mailbox search looks in: the CollectionId (and its subfolders with DeepTraversal,
// MS-ASCMD 2.2.3.42.1), else every mail folder. nullopt: the CollectionId is not a folder.
std::optional<std::vector<mailbox::folder>> scope(const std::vector<mailbox::folder>& all, const std::string& collection,
                                                   bool deep) {
  if (collection.empty()) {
    std::vector<mailbox::folder> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out), is_mail_folder);
    return out;
  }
  const auto root = std::find_if(all.begin(), all.end(), [&](const mailbox::folder& f) { return f.server_id == collection; });
  if (root == all.end()) return std::nullopt;
  std::vector<mailbox::folder> out = {*root};
  for (std::size_t i = 0; deep && i < out.size(); ++i) {
    for (const auto& f : all) {
      if (f.parent_id == out[i].server_id) out.push_back(f);
    }
  }
  return out;
}

struct mail_hit {
  store::item_record item;
  mailbox::message_properties props;
  bool draft = false;
};

// MS-ASCMD 2.2.3.135.2 Properties (Find) of a mail: what a result list shows, the Preview cut at
// 255 characters (2.2.3.136.1).
element mail_result(const mail_hit& h) {
  element r(tag("Find:Result"));
  r.add(tag("AirSync:Class"), "Email");
  r.add(tag("AirSync:ServerId"), h.item.item_id);
  r.add(tag("AirSync:CollectionId"), h.item.folder_id);
  auto& p = r.add(tag("Find:Properties"));
  p.add(tag("Email:Subject"), h.props.subject);
  p.add(tag("Email:DateReceived"), common::iso8601_utc(h.item.received_ms));
  if (!h.props.display_to.empty()) p.add(tag("Email:DisplayTo"), h.props.display_to);
  if (const auto cc = display_names(h.props.cc); !cc.empty()) p.add(tag("Find:DisplayCc"), cc);
  if (const auto bcc = display_names(h.props.bcc); !bcc.empty()) p.add(tag("Find:DisplayBcc"), bcc);
  p.add(tag("Email:Importance"), std::to_string(h.props.importance));
  p.add(tag("Email:Read"), h.item.read ? "1" : "0");
  p.add(tag("Email2:IsDraft"), h.draft ? "1" : "0");
  p.add(tag("Find:Preview"), mailbox::preview(h.props, 255));
  p.add(tag("Find:HasAttachments"), h.props.attachments.empty() ? "0" : "1");
  if (!h.props.from.empty()) p.add(tag("Email:From"), h.props.from);
  return r;
}

struct criterion {
  const element* query = nullptr;
  const element* options = nullptr;
  std::pair<std::size_t, std::size_t> range;
};

// The Range asked for and the Total (MS-ASCMD 2.2.3.143.1, 2.2.3.184.1); no Range when nothing
// matched.
void add_page(element& response, std::vector<element> results, std::pair<std::size_t, std::size_t> range) {
  const auto [first, last] = range;
  const auto total = results.size();
  std::size_t shown = 0;
  for (std::size_t i = first; i < total && i <= last; ++i, ++shown) response.add(std::move(results[i]));
  if (shown > 0) response.add(tag("Find:Range"), std::to_string(first) + "-" + std::to_string(first + shown - 1));
  response.add(tag("Find:Total"), std::to_string(total));
}

class find_command {
 public:
  explicit find_command(const command_services& s) : s_(s), ids_(std::make_shared<search_ids>()) {}

  command_reply operator()(const eas_context& ctx) const {
    command_reply reply;
    auto& out = reply.body.emplace(tag("Find:Find"));
    const auto refuse = [&](const char* status, const std::string& why) {
      s_.log->info("request={} user={} Find refused (Status {}): {}", ctx.request_id(), ctx.mailbox, status, why);
      out.add(tag("Find:Status"), status);
      return reply;
    };
    const element* root = request_root(ctx, tag("Find:Find"));
    if (root == nullptr) return refuse(invalid_request, "no Find request");
    const std::string search_id(root->child_text(tag("Find:SearchId")));
    if (!is_guid(search_id)) return refuse(invalid_request, "SearchId is not a GUID");
    const element* execute = root->child(tag("Find:ExecuteSearch"));
    const element* mail = execute != nullptr ? execute->child(tag("Find:MailBoxSearchCriterion")) : nullptr;
    const element* gal = execute != nullptr ? execute->child(tag("Find:GalSearchCriterion")) : nullptr;
    if ((mail == nullptr) == (gal == nullptr)) return refuse(invalid_request, "one search criterion expected");
    const element* crit_el = mail != nullptr ? mail : gal;
    criterion c;
    c.query = crit_el->child(tag("Find:Query"));
    c.options = crit_el->child(tag("Find:Options"));
    if (c.query == nullptr) return refuse(invalid_request, "no Query");
    const auto range = parse_range(c.options != nullptr ? c.options->child_text(tag("Find:Range")) : std::string_view());
    if (!range) return refuse(invalid_request, "bad Range");
    c.range = *range;
    const element* picture = c.options != nullptr ? c.options->child(tag("Find:Picture")) : nullptr;
    std::optional<std::size_t> max_pictures;
    if (picture != nullptr) {
      if (mail != nullptr) return refuse(invalid_request, "Picture in a mailbox search");
      const auto size = picture->child(tag("Find:MaxSize"));
      if (size != nullptr && (!number(size->value) || *number(size->value) > max_picture_size)) {
        return refuse(invalid_request, "Picture MaxSize over 102400");
      }
      const auto count = picture->child(tag("Find:MaxPictures"));
      if (count != nullptr && !number(count->value)) return refuse(invalid_request, "bad MaxPictures");
      max_pictures = count != nullptr ? number(count->value) : std::nullopt;
      if (!max_pictures) max_pictures = std::numeric_limits<std::size_t>::max();
    }
    // KQL in FreeText; a GAL Query may carry its text directly.
    const element* free_text = c.query->child(tag("Find:FreeText"));
    const std::string text(free_text != nullptr ? free_text->value : (gal != nullptr ? c.query->value : ""));
    const auto terms = parse_find_query(text);
    if (!terms) return refuse(invalid_request, "FreeText outside the KQL subset: " + terms.error);

    std::vector<element> results;
    if (mail != nullptr) {
      const auto cls = c.query->child_text(tag("AirSync:Class"));
      if (!cls.empty() && cls != "Email") return refuse(invalid_request, "Class " + std::string(cls));
      const bool deep = c.options != nullptr && c.options->child(tag("Find:DeepTraversal")) != nullptr;
      const auto folders = scope(s_.folders.folders(ctx.mailbox), std::string(c.query->child_text(tag("AirSync:CollectionId"))), deep);
      if (!folders) return refuse(folder_sync_required, "unknown CollectionId");
      results = mailbox_results(ctx, *folders, *terms);
    } else {
      const bool fielded = std::any_of(terms.terms.begin(), terms.terms.end(), [](const find_term& t) { return !t.field.empty(); });
      if (fielded) return refuse(invalid_request, "a property restriction in a GAL search");
      results = gal_results(*terms, max_pictures);
    }
    out.add(tag("Find:Status"), success);
    auto& response = out.add(tag("Find:Response"));
    response.add(tag("ItemOperations:Store"), mail != nullptr ? "Mailbox" : "GAL");
    // A search starts at 0; later pages are of a SearchId the device already used (MS-ASCMD
    // 2.2.3.177.2 Status 4).
    const auto key = ctx.mailbox + '\n' + ctx.query.device_id + '\n' + ascii_lowercase(search_id);
    if (c.range.first != 0 && !ids_->known(key)) {
      response.add(tag("Find:Status"), start_with_range_zero);
      return reply;
    }
    ids_->remember(key);
    response.add(tag("Find:Status"), success);
    add_page(response, std::move(results), c.range);
    return reply;
  }

 private:
  std::vector<element> mailbox_results(const eas_context& ctx, const std::vector<mailbox::folder>& folders,
                                       const std::vector<find_term>& terms) const {
    std::vector<mail_hit> hits;
    {
      auto lock = s_.mail.lock_items();
      for (const auto& f : folders) {
        for (const auto& summary : s_.store->list_items(ctx.mailbox, f.server_id)) {
          auto item = s_.store->find_item(ctx.mailbox, summary.item_id);
          auto props = item ? mailbox::parse_message(item->mime) : std::nullopt;
          if (!props || !matches(terms, *props)) continue;
          hits.push_back({std::move(*item), std::move(*props), f.type == mailbox::drafts});
        }
      }
    }
    // Newest first, as a result list shows them.
    std::stable_sort(hits.begin(), hits.end(),
                     [](const mail_hit& a, const mail_hit& b) { return a.item.received_ms > b.item.received_ms; });
    std::vector<element> out;
    for (const auto& h : hits) out.push_back(mail_result(h));
    return out;
  }

  std::vector<element> gal_results(const std::vector<find_term>& terms, std::optional<std::size_t> max_pictures) const {
    std::vector<element> out;
    for (const auto& m : s_.store->list_mailboxes()) {
      const auto display = m.display_name.empty() ? m.address : m.display_name;
      if (!matches_entry(terms, display, m.address)) continue;
      element r(tag("Find:Result"));
      auto& p = r.add(tag("Find:Properties"));
      p.add(tag("GAL:DisplayName"), display);
      p.add(tag("GAL:Alias"), m.address.substr(0, m.address.find('@')));
      if (const auto space = display.find(' '); space != std::string::npos) {
        p.add(tag("GAL:FirstName"), display.substr(0, space));
        p.add(tag("GAL:LastName"), display.substr(space + 1));
      }
      p.add(tag("GAL:EmailAddress"), m.address);
      if (max_pictures) {
        p.add(tag("GAL:Picture"))
            .add(tag("GAL:Status"), out.size() < *max_pictures ? no_picture : picture_limit_reached);
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  command_services s_;
  std::shared_ptr<search_ids> ids_;
};

}  // namespace

command_registration find(const command_services& s) { return {eas::command_id::find, find_command(s), true}; }

}  // namespace easemu::server::commands
