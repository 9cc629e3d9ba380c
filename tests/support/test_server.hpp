#pragma once
// Starts the real `easemu serve` binary on 127.0.0.1 with port 0 and reads the ports it prints;
// SIGTERM and wait on destruction. Test-only.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/wait.hpp"

extern char** environ;

namespace easemu::test {

class test_server {
 public:
  // Extra arguments after `serve`; the listeners are always 127.0.0.1:0. `launcher` runs in front
  // of the binary and must exec it in its own process (e.g. {"/usr/bin/prlimit", "--nofile=200:200"}).
  explicit test_server(std::vector<std::string> args = {}, bool expect_start = true,
                       std::vector<std::string> launcher = {}) {
    std::vector<std::string> argv = std::move(launcher);
    for (const char* a : {EASEMU_EXE, "serve", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--admin-token"}) {
      argv.emplace_back(a);
    }
    argv.push_back(admin_token);
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    log_path_ = dir_ / "serve.log";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid_, cargv[0], &fa, nullptr, cargv.data(), environ) != 0) {
      throw std::runtime_error("cannot start easemu");
    }
    posix_spawn_file_actions_destroy(&fa);
    if (!expect_start) return;
    const std::regex listening(R"(HTTPS 127\.0\.0\.1:(\d+) .*HTTP 127\.0\.0\.1:(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      const auto text = log();
      if (std::regex_search(text, m, listening)) {
        https_port = static_cast<std::uint16_t>(std::stoi(m[1]));
        http_port = static_cast<std::uint16_t>(std::stoi(m[2]));
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("easemu serve exited at start:\n" + text);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("easemu serve did not report its ports:\n" + log());
  }
  ~test_server() { stop(); }
  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  // Sends SIGTERM and returns the exit code (or waits for a process that exits by itself).
  int stop(bool terminate = true) {
    if (pid_ <= 0) return exit_code_;
    if (terminate) ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }

  // SIGKILL, as `kill -9` or a crash ends it, and reaps it.
  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = -1;
  }

  std::string log() const { return read_file(log_path_); }

  // True when `text` shows up in the log within `timeout` (info lines reach the file within a
  // second; stop() flushes everything).
  bool logged(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    return eventually([&] { return log().find(text) != std::string::npos; }, timeout);
  }

  // Empty while the process runs; once it has ended, how: "exit N" or "signal N" (SIGPIPE is 13).
  std::string ended() {
    if (pid_ <= 0) return "exit " + std::to_string(exit_code_);
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return {};
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status)) : "exit " + std::to_string(exit_code_);
  }

  std::uint16_t https_port = 0;
  std::uint16_t http_port = 0;
  std::string admin_token = "test-admin-token";

 private:
  temp_dir dir_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace easemu::test
