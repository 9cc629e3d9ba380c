// The shell's core: the cmdlet table (every noun file's family), dispatch by name or twin, and
// the "not recognized" listing, all from the table.
#include "easemu/server/exchange_shell.hpp"

#include <stdexcept>

#include "cmdlets.hpp"
#include "easemu/common/text.hpp"
#include "easemu/shell/cmdlet_parser.hpp"

namespace easemu::server {

namespace {

using common::iequals;

struct cmdlet_match {
  const cmdlet_spec* spec = nullptr;
  bool as_twin = false;
};

cmdlet_match find_cmdlet(const std::vector<cmdlet_family>& families, std::string_view name) {
  for (const auto& family : families) {
    for (const auto& spec : family.cmdlets) {
      if (iequals(spec.name, name)) return {&spec, false};
      if (!spec.twin.empty() && iequals(spec.twin, name)) return {&spec, true};
    }
  }
  return {};
}

std::string_view verb_of(std::string_view name) { return name.substr(0, name.find('-')); }

std::string_view noun_of(std::string_view name) {
  const auto dash = name.find('-');
  return dash == std::string_view::npos ? std::string_view() : name.substr(dash + 1);
}

// "New/Set-Noun" for each run of cmdlets with one noun, the runs joined by ", ".
std::string family_listing(const cmdlet_family& family) {
  std::string out = family.heading.empty() ? std::string() : std::string(family.heading) + ": ";
  const auto& cmdlets = family.cmdlets;
  for (std::size_t i = 0; i < cmdlets.size(); ++i) {
    const auto noun = noun_of(cmdlets[i].name);
    if (i > 0) out += noun_of(cmdlets[i - 1].name) == noun ? "/" : ", ";
    out += verb_of(cmdlets[i].name);
    const bool last_of_noun = i + 1 == cmdlets.size() || noun_of(cmdlets[i + 1].name) != noun;
    if (last_of_noun && !noun.empty()) out += "-" + std::string(noun);
  }
  return out;
}

bool has_twins(const cmdlet_family& family) {
  for (const auto& spec : family.cmdlets) {
    if (!spec.twin.empty()) return true;
  }
  return false;
}

// The families joined by "; ". The 2013+ twins are mentioned once, after the last family that
// has any (Exchange 2013 renamed the ActiveSync nouns to MobileDevice).
shell_error not_recognized(const std::vector<cmdlet_family>& families, const std::string& name) {
  std::size_t last_with_twins = families.size();
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (has_twins(families[i])) last_with_twins = i;
  }
  std::string listing;
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (families[i].cmdlets.empty()) continue;
    if (!listing.empty()) listing += "; ";
    listing += family_listing(families[i]);
    if (i == last_with_twins) listing += ", and their MobileDevice twins";
  }
  return shell_error("The term '" + name + "' is not recognized as the name of a cmdlet easemu runs (" + listing + ").");
}

boost::json::array run_call(const std::vector<cmdlet_family>& families, const shell::cmdlet_call& call,
                            const cmdlet_context& context) {
  const auto match = find_cmdlet(families, call.name);
  if (match.spec == nullptr) throw not_recognized(families, call.name);
  const cmdlet_arguments args(call, *match.spec, match.as_twin, context.release);
  return match.spec->handler(args, context);
}

}  // namespace

exchange_shell::exchange_shell(std::shared_ptr<store::store> store, provisioning_service& provisioning,
                               access_service& access)
    : store_(std::move(store)),
      provisioning_(provisioning),
      access_(access),
      families_{cmdlets::mailbox_policy_cmdlets(), cmdlets::cas_mailbox_cmdlets(), cmdlets::mobile_device_cmdlets(),
                cmdlets::organization_settings_cmdlets(), cmdlets::device_access_rule_cmdlets()} {}

void exchange_shell::add_cmdlets(cmdlet_family family) {
  auto checked = families_;  // each entry is checked against the table and the entries before it
  for (const auto& spec : family.cmdlets) {
    if (spec.handler == nullptr) throw std::invalid_argument("cmdlet " + std::string(spec.name) + " has no handler");
    for (const auto name : {spec.name, spec.twin}) {
      if (!name.empty() && find_cmdlet(checked, name).spec != nullptr) {
        throw std::invalid_argument("cmdlet " + std::string(name) + " is in the table already");
      }
    }
    checked.push_back({"", std::span(&spec, 1)});
  }
  families_.push_back(family);
}

std::vector<shell_result> exchange_shell::run(std::string_view text, const std::string& requestor, std::int64_t now_ms) {
  std::vector<shell_result> out;
  auto calls = shell::parse_cmdlets(text);
  if (!calls) {
    const auto& e = calls.error();
    out.push_back({std::string(text.substr(0, 200)), false,
                   "At line:" + std::to_string(e.line) + " char:" + std::to_string(e.column) + ": " + e.message, {}});
    return out;
  }
  const cmdlet_context context{*store_, provisioning_, access_, hooks_, requestor, now_ms, release_};
  for (const auto& call : *calls) {
    shell_result r;
    r.command = call.source;
    try {
      r.output = run_call(families_, call, context);
      r.ok = true;
    } catch (const shell_error& e) {
      r.error = e.what();
    } catch (const std::exception& e) {
      r.error = std::string("internal error: ") + e.what();
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace easemu::server
