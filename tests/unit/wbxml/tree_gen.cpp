#include "unit/wbxml/tree_gen.hpp"

#include <string>
#include <vector>

namespace easemu::test {

namespace {

using wbxml::element;

// Text fragments: ASCII, XML's special characters, white space and multi-byte UTF-8
// (2, 3 and 4 bytes), so that escaping and byte-exact text are both exercised.
const std::vector<std::string> fragments = {
    "a", "Z", "0", "42", " ", "<", ">", "&", "\"", "'", "\t", "\n", "\r\n", "é", "€", "日本",
    "😀", "Funk, Don", "2:1", "<b>bold</b>", "]]>", "&amp;", "x-y_z.", "Привет",
};

std::string random_text(std::mt19937& rng) {
  std::uniform_int_distribution<int> len(1, 6);  // empty text is tested on its own
  std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
  std::string s;
  const int n = len(rng);
  for (int i = 0; i < n; ++i) s += fragments[pick(rng)];
  return s;
}

std::string random_bytes(std::mt19937& rng) {
  std::uniform_int_distribution<int> len(1, 40);  // XML cannot tell empty opaque from empty
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(static_cast<std::size_t>(len(rng)), '\0');
  for (auto& c : s) c = static_cast<char>(byte(rng));
  return s;
}

const wbxml::tag_info& random_tag(std::mt19937& rng) {
  const auto tags = wbxml::all_tags();
  std::uniform_int_distribution<std::size_t> pick(0, tags.size() - 1);
  return tags[pick(rng)];
}

void fill(element& e, const wbxml::tag_info& t, std::mt19937& rng, const tree_gen_options& o,
          int depth) {
  e.tag = wbxml::tag_id{t.page, t.token};
  std::uniform_int_distribution<int> shape(0, 9);
  const int s = shape(rng);
  if (depth < o.max_depth && s < 5) {
    std::uniform_int_distribution<int> count(1, o.max_children);
    const int n = count(rng);
    for (int i = 0; i < n; ++i) {
      auto& c = e.children.emplace_back();
      fill(c, random_tag(rng), rng, o, depth + 1);
    }
  } else if (s < 7) {
    if (t.binary() || (o.opaque_anywhere && s == 6)) {
      e.kind = wbxml::content_kind::opaque;
      e.value = random_bytes(rng);
    } else {
      e.kind = wbxml::content_kind::text;
      e.value = random_text(rng);
    }
  }
  // else: an empty element
}

}  // namespace

element random_tree(std::mt19937& rng, const tree_gen_options& options) {
  element root;
  fill(root, random_tag(rng), rng, options, 1);
  return root;
}

}  // namespace easemu::test
