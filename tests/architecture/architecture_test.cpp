// The module boundaries of docs/ARCHITECTURE.md, held to what CMake builds: the target graph
// (`cmake --graphviz` of a fresh configure) has no forbidden edge, the pure modules include no
// Asio or Beast, and the graph printed in ARCHITECTURE.md is the one CMake has.
//   EASEMU_UPDATE_GRAPH=1 ctest -R Architecture   rewrites the graph block of ARCHITECTURE.md
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "support/process.hpp"

namespace {

using namespace easemu::test;
namespace fs = std::filesystem;

const fs::path source_dir = EASEMU_SOURCE_DIR;

// target -> the targets and libraries it links directly (any visibility).
using graph = std::map<std::string, std::set<std::string>>;

graph cmake_graph() {
  static const graph g = [] {
    temp_dir dir;
    const auto dot = dir / "targets.dot";
    const auto r = run(shell_quote(EASEMU_CMAKE) + " -S " + shell_quote(source_dir.string()) + " -B " +
                       shell_quote((dir / "build").string()) +
                       " -DEASEMU_BUILD_TESTS=OFF -DEASEMU_BUILD_BENCH=OFF --graphviz=" + shell_quote(dot.string()));
    if (r.exit_code != 0) throw std::runtime_error("cmake --graphviz failed:\n" + r.out + r.err);
    const auto text = read_file(dot);
    std::map<std::string, std::string> label;  // node id -> target name
    graph out;
    const std::regex node_re(R"re("(node\d+)" \[ label = "([^"]+)")re");
    const std::regex edge_re(R"re("(node\d+)" -> "(node\d+)")re");
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_search(line, m, edge_re)) {
        out[label.at(m[1])].insert(label.at(m[2]));
      } else if (std::regex_search(line, m, node_re)) {
        label[m[1]] = m[2];
        out[m[2]];
      }
    }
    return out;
  }();
  return g;
}

std::set<std::string> closure(const graph& g, const std::string& from) {
  std::set<std::string> seen;
  std::vector<std::string> todo{from};
  while (!todo.empty()) {
    const auto t = todo.back();
    todo.pop_back();
    const auto it = g.find(t);
    if (it == g.end()) continue;
    for (const auto& d : it->second) {
      if (seen.insert(d).second) todo.push_back(d);
    }
  }
  return seen;
}

bool ours(const std::string& target) { return target.starts_with("easemu"); }

TEST(Architecture, NoForbiddenEdgeBetweenTargets) {
  const auto g = cmake_graph();
  ASSERT_TRUE(g.count("easemu_server")) << "no easemu_server in the graph";
  // The server and the simulated phones share eas and phone; neither links the other, and the
  // server needs no HTTP client.
  const std::pair<const char*, const char*> forbidden[] = {
      {"easemu_server", "easemu_simulator"}, {"easemu_server", "easemu_client"},
      {"easemu_simulator", "easemu_server"}};
  for (const auto& [from, to] : forbidden) {
    EXPECT_FALSE(closure(g, from).count(to)) << from << " links " << to << " (directly or through another target)";
  }
  // The pure cores link nothing of the network side.
  for (const char* pure : {"easemu_wbxml", "easemu_provisioning", "easemu_mailbox", "easemu_eas", "easemu_phone",
                           "easemu_shell"}) {
    ASSERT_TRUE(g.count(pure)) << pure << " is not a target";
    const auto deps = closure(g, pure);
    for (const char* net : {"easemu_server", "easemu_client", "easemu_simulator", "easemu_dns", "Boost::system",
                            "OpenSSL::SSL"}) {
      EXPECT_FALSE(deps.count(net)) << pure << " links " << net;
    }
  }
}

// A module's folder holds no #include of Asio or Beast; with the edges above, neither does anything
// a pure module can include.
TEST(Architecture, PureModulesIncludeNoAsioOrBeast) {
  const std::regex asio(R"(#\s*include\s*[<"]boost/(asio|beast))");
  for (const char* module : {"common", "wbxml", "provisioning", "mailbox", "eas", "phone", "shell", "store", "certs"}) {
    for (const auto& e : fs::recursive_directory_iterator(source_dir / module)) {
      if (!e.is_regular_file()) continue;
      const auto ext = e.path().extension();
      if (ext != ".cpp" && ext != ".hpp" && ext != ".def") continue;
      EXPECT_FALSE(std::regex_search(read_file(e.path()), asio)) << e.path() << " includes Asio or Beast";
    }
  }
}

// The graph block of ARCHITECTURE.md: each of our targets and the targets and libraries it links.
std::string graph_block(const graph& g) {
  std::string out = "```\n";
  for (const auto& [target, deps] : g) {
    if (!ours(target)) continue;
    out += target + " ->";
    std::string line;
    for (const auto& d : deps) out += " " + d;
    out += "\n";
  }
  return out + "```\n";
}

TEST(Architecture, TheGraphInArchitectureMdIsCMakes) {
  const auto doc_path = source_dir / "docs" / "ARCHITECTURE.md";
  auto doc = read_file(doc_path);
  const std::string begin = "<!-- target-graph: generated from cmake --graphviz; tests/architecture checks it -->\n";
  const std::string end = "<!-- end of target-graph -->";
  const auto b = doc.find(begin);
  const auto e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << "ARCHITECTURE.md has no target-graph block";
  ASSERT_NE(e, std::string::npos);
  const auto expected = graph_block(cmake_graph());
  const auto actual = doc.substr(b + begin.size(), e - b - begin.size());
  if (actual != expected && std::getenv("EASEMU_UPDATE_GRAPH") != nullptr) {
    doc.replace(b + begin.size(), e - b - begin.size(), expected);
    write_file(doc_path, doc);
    return;
  }
  EXPECT_EQ(actual, expected) << "ARCHITECTURE.md's target graph differs from CMake's; run "
                                 "EASEMU_UPDATE_GRAPH=1 ctest -R Architecture (then read the diff)";
}

}  // namespace
