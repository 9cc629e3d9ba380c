// Doc tests: every shell block of the user documents runs, in order, against a real server, so
// the documents cannot rot. A block is a ```sh fence; an HTML comment on the line before it says
// how to treat it:
//   <!-- doctest: skip -->              not run (building from source, docker, a phone's screen)
//   <!-- doctest: serve -->             started in the background as the document's server; the
//                                       test appends --listen/--http-listen 127.0.0.1:0 (flags
//                                       win) and maps the documented ports 8443 and 8080 in every
//                                       later block to the ports the server got
//   <!-- doctest: exit=1 contains="86000C2B" contains="..." -->
//                                       the exit code (default 0) and text the output must hold
// Blocks run with bash -e -o pipefail in one temporary directory per document, with the built
// easemu first on PATH; `export` lines carry over to later blocks.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace {

using namespace easemu::test;

struct doc_block {
  int line = 0;  // of the opening fence
  std::string code;
  bool skip = false;
  bool serve = false;
  int exit_code = 0;
  std::vector<std::string> contains;
};

// The ```sh blocks of a Markdown file with their doctest comments.
std::vector<doc_block> shell_blocks(const std::string& markdown) {
  std::vector<doc_block> out;
  std::istringstream in(markdown);
  std::string line;
  std::string pending;  // the doctest comment just before a fence
  int number = 0;
  const std::regex contains_re(R"re(contains="([^"]*)")re");
  const std::regex exit_re(R"(exit=(\d+))");
  while (std::getline(in, line)) {
    ++number;
    if (line.starts_with("<!-- doctest:")) {
      pending = line;
      continue;
    }
    if (line.starts_with("```")) {
      const bool shell = line == "```sh" || line == "```bash" || line == "```shell";
      doc_block b;
      b.line = number;
      std::string body;
      while (std::getline(in, line)) {
        ++number;
        if (line.starts_with("```")) break;
        body += line + "\n";
      }
      if (shell) {
        b.code = body;
        b.skip = pending.find(" skip") != std::string::npos;
        b.serve = pending.find(" serve") != std::string::npos;
        std::smatch m;
        if (std::regex_search(pending, m, exit_re)) b.exit_code = std::stoi(m[1]);
        for (std::sregex_iterator it(pending.begin(), pending.end(), contains_re), end; it != end; ++it) {
          b.contains.push_back((*it)[1]);
        }
        out.push_back(std::move(b));
      }
      pending.clear();
      continue;
    }
    if (!line.empty()) pending.clear();
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// The document's server: its block run by bash in the background, output to a log file.
class doc_server {
 public:
  doc_server(const std::filesystem::path& dir, const std::string& command, const std::string& path_prefix) {
    log_ = dir / "serve.log";
    // The exports of earlier blocks, then the block's command with the test's listeners.
    const std::string script = "export PATH=" + shell_quote(path_prefix) + ":\"$PATH\"\ncd " +
                               shell_quote(dir.string()) + "\n" + command +
                               " --listen 127.0.0.1:0 --http-listen 127.0.0.1:0\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      const auto log = log_.string();
      if (std::freopen(log.c_str(), "w", stdout) == nullptr) ::_exit(127);
      ::dup2(1, 2);
      ::execl("/bin/bash", "bash", "-c", script.c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~doc_server() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGTERM);
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  doc_server(const doc_server&) = delete;
  doc_server& operator=(const doc_server&) = delete;

  // Waits for the printed ports; false (with the log in `why`) if the server did not start.
  bool wait_ready(std::string& why) {
    const std::regex listening(R"(HTTPS 127\.0\.0\.1:(\d+) .*HTTP 127\.0\.0\.1:(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto text = read_file(log_);
      std::smatch m;
      if (std::regex_search(text, m, listening)) {
        https_port = m[1];
        http_port = m[2];
        return true;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        why = "the server exited:\n" + text;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    why = "the server did not print its ports:\n" + read_file(log_);
    return false;
  }
  std::string log() const { return read_file(log_); }

  std::string https_port;
  std::string http_port;

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

class DocTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DocTest, EveryShellBlockRuns) {
  const std::filesystem::path doc = std::filesystem::path(EASEMU_SOURCE_DIR) / GetParam();
  const auto blocks = shell_blocks(read_file(doc));
  ASSERT_FALSE(blocks.empty()) << doc << " has no shell blocks";
  temp_dir dir;
  const std::string bin_dir = std::filesystem::path(EASEMU_EXE).parent_path().string();
  std::unique_ptr<doc_server> server;
  std::string exports;
  int ran = 0;
  for (const auto& b : blocks) {
    if (b.skip) continue;
    std::string code = b.code;
    if (server) {
      code = replace_all(code, ":8443", ":" + server->https_port);
      code = replace_all(code, ":8080", ":" + server->http_port);
    }
    if (b.serve) {
      ASSERT_FALSE(server) << GetParam() << ":" << b.line << ": a second server block";
      // A serve block is one command, perhaps after `export` lines and continuation lines.
      std::string command = std::regex_replace(code, std::regex(R"(\\\n)"), " ");
      while (!command.empty() && command.back() == '\n') command.pop_back();
      server = std::make_unique<doc_server>(dir.path(), exports + command, bin_dir);
      std::string why;
      ASSERT_TRUE(server->wait_ready(why)) << GetParam() << ":" << b.line << ": " << why;
      ++ran;
      continue;
    }
    const std::string script = "set -e -o pipefail\nexport PATH=" + shell_quote(bin_dir) + ":\"$PATH\"\n" + exports + code;
    const auto r = run("cd " + shell_quote(dir.path().string()) + " && timeout 120 bash -c " + shell_quote(script));
    const std::string output = r.out + r.err;
    EXPECT_EQ(r.exit_code, b.exit_code) << GetParam() << ":" << b.line << ": the block\n"
                                         << code << "printed\n"
                                         << output << (server ? "\nserver log:\n" + server->log() : "");
    for (auto text : b.contains) {
      if (server) {
        text = replace_all(text, ":8443", ":" + server->https_port);
        text = replace_all(text, ":8080", ":" + server->http_port);
      }
      EXPECT_NE(output.find(text), std::string::npos)
          << GetParam() << ":" << b.line << ": the output does not contain \"" << text << "\":\n" << output;
    }
    ++ran;
    if (HasFailure()) return;  // later blocks build on this one
    std::istringstream lines(code);
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("export ")) exports += line + "\n";
    }
  }
  EXPECT_GT(ran, 0);
}

INSTANTIATE_TEST_SUITE_P(Docs, DocTest,
                         ::testing::Values("docs/quickstart.md", "docs/cookbook.md", "docs/configuration.md",
                                           "docs/windows-phone-7.md"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');  // a test name is a C identifier
                           return name;
                         });

// docs/configuration.md names every flag and environment variable `easemu serve --help` lists.
TEST(ConfigurationDoc, NamesEveryServeFlagAndVariable) {
  const auto doc = read_file(std::filesystem::path(EASEMU_SOURCE_DIR) / "docs/configuration.md");
  const auto help = run(shell_quote(EASEMU_EXE) + " serve --help");
  ASSERT_EQ(help.exit_code, 0) << help.err;
  const std::regex flag(R"((--[a-z][a-z-]+))");
  const std::regex variable(R"(Env:(EASEMU_[A-Z_]+))");
  int flags = 0;
  for (std::sregex_iterator it(help.out.begin(), help.out.end(), flag), end; it != end; ++it) {
    const std::string name = (*it)[1];
    if (name == "--help") continue;
    EXPECT_NE(doc.find("`" + name), std::string::npos) << name << " is not in docs/configuration.md";
    ++flags;
  }
  int variables = 0;
  for (std::sregex_iterator it(help.out.begin(), help.out.end(), variable), end; it != end; ++it) {
    EXPECT_NE(doc.find("`" + std::string((*it)[1]) + "`"), std::string::npos) << (*it)[1] << " is not in docs/configuration.md";
    ++variables;
  }
  EXPECT_GT(flags, 15);
  EXPECT_GT(variables, 15);
}

TEST(DocTestParser, ReadsFencesAndTheirComments) {
  const auto blocks = shell_blocks(
      "text\n<!-- doctest: skip -->\n```sh\nmake\n```\n```yaml\na: 1\n```\n"
      "<!-- doctest: exit=2 contains=\"x y\" contains=\"z\" -->\n```sh\nfalse\n```\n"
      "<!-- doctest: serve -->\n\nprose in between\n```sh\ntrue\n```\n");
  ASSERT_EQ(blocks.size(), 3U);
  EXPECT_TRUE(blocks[0].skip);
  EXPECT_EQ(blocks[0].code, "make\n");
  EXPECT_EQ(blocks[1].exit_code, 2);
  EXPECT_EQ(blocks[1].contains, (std::vector<std::string>{"x y", "z"}));
  EXPECT_FALSE(blocks[1].skip);
  // A comment separated from the fence by prose does not apply to it.
  EXPECT_FALSE(blocks[2].serve);
  EXPECT_EQ(blocks[2].line, 16);
}

}  // namespace
