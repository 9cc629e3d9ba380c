#pragma once
// Random element trees for property tests and the fuzz seed corpus.
#include <random>

#include "easemu/wbxml/element.hpp"
#include "support/wbxml_print.hpp"

namespace easemu::test {

struct tree_gen_options {
  int max_depth = 6;
  int max_children = 5;
  // Opaque content only on binary elements (as XML can carry it), or on any element.
  bool opaque_anywhere = false;
};

wbxml::element random_tree(std::mt19937& rng, const tree_gen_options& options = {});

}  // namespace easemu::test
