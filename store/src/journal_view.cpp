#include "easemu/store/journal_view.hpp"

#include "easemu/store/forwarding_store.hpp"

namespace easemu::store {

std::string capped_journal_xml(const std::string& xml) {
  if (xml.size() <= journal_xml_cap) return xml;
  std::size_t cut = journal_xml_cap;
  while (cut > 0 && (static_cast<unsigned char>(xml[cut]) & 0xC0) == 0x80) --cut;  // whole characters
  return xml.substr(0, cut) + "\n<!-- truncated: " + std::to_string(xml.size()) + " bytes in all -->";
}

void render_journal_entry(journal_entry& e, const journal_renderer& render) {
  if (!e.request_wbxml.empty() && e.request_xml.empty()) e.request_xml = capped_journal_xml(render(e.request_wbxml));
  if (!e.response_wbxml.empty()) {
    const auto xml = render(e.response_wbxml);
    e.response_xml = capped_journal_xml(e.response_xml.empty() ? xml : e.response_xml + "\n" + xml);
  }
}

namespace {

// Inside the class, `store` names the base class's namespace member; hence easemu::store::store.
class rendered_journal_store final : public forwarding_store {
 public:
  rendered_journal_store(std::shared_ptr<easemu::store::store> inner, journal_renderer render)
      : forwarding_store(std::move(inner)), render_(std::move(render)) {}

  std::vector<journal_entry> query_journal(const journal_filter& filter) const override {
    auto entries = inner_->query_journal(filter);
    for (auto& e : entries) render_journal_entry(e, render_);
    return entries;
  }

 private:
  journal_renderer render_;
};

}  // namespace

std::unique_ptr<store> make_rendered_journal_store(std::shared_ptr<store> inner, journal_renderer render) {
  return std::make_unique<rendered_journal_store>(std::move(inner), std::move(render));
}

}  // namespace easemu::store
