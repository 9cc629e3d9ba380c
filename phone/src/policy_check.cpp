#include "easemu/phone/policy_check.hpp"

#include <cstddef>

#include "easemu/provisioning/document.hpp"

namespace easemu::phone {

namespace prov = provisioning;

namespace {

outcome outcome_of(outcome_kind kind, int status = 0) {
  outcome o;
  o.kind = kind;
  o.status = status;
  return o;
}

// Back to what a new policy has (New-ActiveSyncMailboxPolicy's permissive value).
void relax(prov::policy& p, prov::setting s) {
  static const prov::policy fresh;
  p.set(s, fresh.get(s));
}

bool applies_fully(const device_profile& profile, const prov::policy& p, protocol_version v) {
  return check_policy(profile, p, v).fully_applied();
}

// The settings a bisection may relax: those the phone receives and that ask for more than the default.
std::vector<prov::setting> requirements(const prov::policy& p) {
  std::vector<prov::setting> out;
  for (const auto& s : prov::all_settings()) {
    if (s.sent() && p.is_requirement(s.id)) out.push_back(s.id);
  }
  return out;
}

}  // namespace

policy_prediction predict_policy(const device_profile& profile, const prov::policy& p, protocol_version v,
                                 const prov::exchange_rules& rules, const std::string& server) {
  policy_prediction r;
  r.enforced = check_policy(profile, p, v);
  const auto& e = r.enforced;
  r.unenforceable = e.unenforceable_names();
  const bool anp = p.flag(prov::setting::AllowNonProvisionableDevices);
  const bool body_status = v >= protocol_version::v14_0;  // below 14.0 statuses travel as HTTP (1.8)
  const auto refused = [&](int status, int http) {
    r.result = body_status ? outcome_of(outcome_kind::eas_status, status) : outcome_of(outcome_kind::http_status, http);
  };
  [&] {
    if (!profile.provisions) {
      if (anp) {
        r.syncs = true;
        r.why = "never provisions; AllowNonProvisionableDevices $true lets it in";
      } else {
        refused(141, 403);
        r.why = "never provisions and AllowNonProvisionableDevices is $false: 141";
      }
      return;
    }
    if (!anp && !prov::unsupported_settings(p, v).empty()) {
      refused(139, 403);
      r.why = "EAS " + std::string(to_string(v)) + " cannot carry every setting and ANP is $false: 139";
      return;
    }
    if (e.ack_status == 1) {
      r.syncs = true;
      r.partial = !e.fully_applied();
      r.why = e.fully_applied() ? "applies the whole policy" : "acknowledges 1 although it cannot enforce everything";
      return;
    }
    if (anp && e.ack_status == 2) {
      r.syncs = true;
      r.partial = true;
      r.why = "partial acknowledgement accepted (AllowNonProvisionableDevices $true): PartiallyApplied";
      return;
    }
    if (e.ack_status == 2 && rules.partial_ack_is_139) {
      refused(139, 403);
      r.why = "Exchange 2013 and later refuse a partial acknowledgement without ANP: 139";
      return;
    }
    // Exchange 2010 (or an ack of 3): the reply carries no PolicyKey.
    if (profile.react.keeps_temporary_key && e.ack_status == 2) {
      refused(144, 449);
      r.why = "no PolicyKey in the reply; the phone keeps the temporary key and gets 144";
    } else {
      r.result = outcome_of(outcome_kind::policies_unsupported);
      r.why = "no PolicyKey in the reply: the phone gives up";
    }
  }();
  r.result.server = server;
  r.result.unenforceable = r.unenforceable;
  if (r.syncs) r.result.kind = outcome_kind::success;
  r.shown = present(profile, r.result);
  return r;
}

std::vector<std::string> bisect_policy(const device_profile& profile, const prov::policy& p, protocol_version v) {
  if (applies_fully(profile, p, v)) return {};
  const auto candidates = requirements(p);
  const auto names = [](const std::vector<prov::setting>& set) {
    std::vector<std::string> out;
    for (const auto s : set) out.emplace_back(prov::info(s).name);
    return out;
  };
  // Smallest first: every subset of size k, k = 1, 2, ...; each test is one offline enforce().
  constexpr std::size_t budget = 20'000;
  std::size_t tested = 0;
  const std::size_t n = candidates.size();
  for (std::size_t k = 1; k <= n && tested < budget; ++k) {
    std::vector<std::size_t> idx(k);
    for (std::size_t i = 0; i < k; ++i) idx[i] = i;
    for (;;) {
      prov::policy q = p;
      std::vector<prov::setting> set;
      for (const auto i : idx) {
        relax(q, candidates[i]);
        set.push_back(candidates[i]);
      }
      if (applies_fully(profile, q, v)) return names(set);
      if (++tested >= budget) break;
      // Next combination in lexicographic order.
      std::size_t i = k;
      while (i > 0 && idx[i - 1] == n - k + i - 1) --i;
      if (i == 0) break;
      ++idx[i - 1];
      for (std::size_t j = i; j < k; ++j) idx[j] = idx[j - 1] + 1;
    }
  }
  // Greedy: relax everything, then put back each setting that the phone can live with.
  prov::policy q = p;
  for (const auto s : candidates) relax(q, s);
  if (!applies_fully(profile, q, v)) return check_policy(profile, p, v).unenforceable_names();
  std::vector<prov::setting> removed;
  for (const auto s : candidates) {
    prov::policy back = q;
    back.set(s, p.get(s));
    if (applies_fully(profile, back, v)) {
      q = back;
    } else {
      removed.push_back(s);
    }
  }
  return names(removed);
}

}  // namespace easemu::phone
