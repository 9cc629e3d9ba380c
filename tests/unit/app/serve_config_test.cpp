// `easemu serve`'s settings without a server: the precedence flag > environment > lab file >
// default, and every verification error with the message serve prints.
#include "serve_config.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "support/process.hpp"

extern char** environ;

namespace {

using namespace easemu::app;
using easemu::test::temp_dir;
using easemu::test::write_file;

// Every EASEMU_* variable of the test's own environment is put aside, so that only what a test
// sets is seen; set() variables are removed again.
class ServeConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      if (entry.rfind("EASEMU_", 0) != 0) continue;
      const auto eq = entry.find('=');
      saved_.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
    }
    for (const auto& [name, value] : saved_) ::unsetenv(name.c_str());
  }
  void TearDown() override {
    for (const auto& name : set_) ::unsetenv(name.c_str());
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }

  void set(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
    set_.push_back(name);
  }

  // `easemu serve <args>` as the CLI parses it (flags and environment), then verify().
  static serve_config config(const std::vector<std::string>& args) { return verify(flags(args)); }

  static serve_flags flags(const std::vector<std::string>& args) {
    CLI::App app;
    auto* cmd = app.add_subcommand("serve");
    serve_flags f;
    add_serve_flags(*cmd, f);
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    reversed.push_back("serve");
    app.parse(reversed);
    return f;
  }

  // The message verify() fails with ("no error" when it does not).
  static std::string error_of(const std::vector<std::string>& args) {
    try {
      config(args);
    } catch (const config_error& e) {
      return e.what();
    }
    return "no error";
  }

  std::string lab_file(const std::string& yaml) {
    const auto path = (dir_ / "lab.yaml").string();
    write_file(path, yaml);
    return path;
  }

  temp_dir dir_;

 private:
  std::vector<std::pair<std::string, std::string>> saved_;
  std::vector<std::string> set_;
};

TEST_F(ServeConfig, NoArgumentsIsTheDemoLabWithTheDefaults) {
  const auto c = config({});
  EXPECT_TRUE(c.demo);
  EXPECT_EQ(c.lab_name, "lab");
  EXPECT_EQ(c.lab.domain, "lab.test");
  EXPECT_EQ(c.lab.hostname, "mail.lab.test");
  ASSERT_EQ(c.lab.mailboxes.size(), 2u);
  EXPECT_EQ(c.https.host, "0.0.0.0");
  EXPECT_EQ(c.https.port, 8443);
  EXPECT_TRUE(c.https.tls);
  EXPECT_EQ(c.http.host, "0.0.0.0");
  EXPECT_EQ(c.http.port, 8080);
  EXPECT_FALSE(c.http.tls);
  EXPECT_EQ(c.tls.mode, tls_mode::lab_ca);
  EXPECT_EQ(c.tls.min_version, "1.0");
  EXPECT_TRUE(c.tls.provided.certificate_chain_pem.empty());
  EXPECT_TRUE(c.tls.san.empty());
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.data_dir, "");
  EXPECT_EQ(c.admin_token, "");
  EXPECT_EQ(c.public_url, "");
  EXPECT_EQ(c.ui_dir, "");
  EXPECT_EQ(c.heartbeat_min, 60);
  EXPECT_EQ(c.journal_keep, easemu::store::default_journal_retention);
  EXPECT_FALSE(c.fault_seed);
  EXPECT_FALSE(c.dns);
  EXPECT_EQ(c.limits.max_body_bytes, 64u << 20);
  EXPECT_EQ(c.limits.max_connections, 10'000u);
  EXPECT_EQ(c.limits.header_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.limits.body_timeout, std::chrono::seconds(60));
  EXPECT_EQ(c.limits.handshake_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.absent_lab_file, "");
}

TEST_F(ServeConfig, TlsModeFlagBeatsEnvironmentBeatsLabFileBeatsDefault) {
  EXPECT_EQ(config({}).tls.mode, tls_mode::lab_ca);
  const auto file = lab_file("tls:\n  mode: self-signed\n");
  EXPECT_EQ(config({"--config", file}).tls.mode, tls_mode::self_signed);
  set("EASEMU_TLS_MODE", "expired");
  EXPECT_EQ(config({"--config", file}).tls.mode, tls_mode::expired);
  EXPECT_EQ(config({"--config", file, "--tls-mode", "wrong-host"}).tls.mode, tls_mode::wrong_host);
}

TEST_F(ServeConfig, TlsMinVersionFlagBeatsEnvironmentBeatsLabFileBeatsDefault) {
  EXPECT_EQ(config({}).tls.min_version, "1.0");
  const auto file = lab_file("tls:\n  min_version: \"1.2\"\n");
  EXPECT_EQ(config({"--config", file}).tls.min_version, "1.2");
  set("EASEMU_TLS_MIN_VERSION", "1.1");
  EXPECT_EQ(config({"--config", file}).tls.min_version, "1.1");
  EXPECT_EQ(config({"--config", file, "--tls-min-version", "1.3"}).tls.min_version, "1.3");
}

TEST_F(ServeConfig, HostnameFlagBeatsEnvironmentBeatsLabFileBeatsDefault) {
  const auto file = lab_file("lab:\n  domain: contoso.test\n");
  EXPECT_EQ(config({"--config", file}).lab.hostname, "mail.contoso.test");  // the default: mail.<domain>
  lab_file("lab:\n  domain: contoso.test\n  hostname: EAS.Contoso.Test\n");
  EXPECT_EQ(config({"--config", file}).lab.hostname, "eas.contoso.test");
  set("EASEMU_HOSTNAME", "env.contoso.test");
  EXPECT_EQ(config({"--config", file}).lab.hostname, "env.contoso.test");
  EXPECT_EQ(config({"--config", file, "--hostname", "flag.contoso.test"}).lab.hostname, "flag.contoso.test");
}

TEST_F(ServeConfig, CertificateFilesFlagBeatsEnvironmentBeatsLabFile) {
  write_file(dir_ / "lab.pem", "lab chain");
  write_file(dir_ / "lab.key", "lab key");
  write_file(dir_ / "env.pem", "env chain");
  write_file(dir_ / "flag.pem", "flag chain");
  // The lab file's paths are taken from its own directory.
  const auto file = lab_file("tls:\n  mode: provided\n  cert: lab.pem\n  key: lab.key\n");
  auto c = config({"--config", file});
  EXPECT_EQ(c.tls.mode, tls_mode::provided);
  EXPECT_EQ(c.tls.provided.certificate_chain_pem, "lab chain");
  EXPECT_EQ(c.tls.provided.private_key_pem, "lab key");
  set("EASEMU_TLS_CERT", (dir_ / "env.pem").string());
  EXPECT_EQ(config({"--config", file}).tls.provided.certificate_chain_pem, "env chain");
  c = config({"--config", file, "--tls-cert", (dir_ / "flag.pem").string()});
  EXPECT_EQ(c.tls.provided.certificate_chain_pem, "flag chain");
  EXPECT_EQ(c.tls.provided.private_key_pem, "lab key");
}

TEST_F(ServeConfig, ExtraNamesAreTheLabFilesThenTheFlagsOrElseTheEnvironments) {
  const auto file = lab_file("tls:\n  san: [lab.example, 10.0.0.1]\n");
  EXPECT_EQ(config({"--config", file}).tls.san, (std::vector<std::string>{"lab.example", "10.0.0.1"}));
  set("EASEMU_SAN", "env.example,10.0.0.2");
  EXPECT_EQ(config({"--config", file}).tls.san,
            (std::vector<std::string>{"lab.example", "10.0.0.1", "env.example", "10.0.0.2"}));
  EXPECT_EQ(config({"--config", file, "--san", "flag.example", "--san", "10.0.0.3"}).tls.san,
            (std::vector<std::string>{"lab.example", "10.0.0.1", "flag.example", "10.0.0.3"}));
}

TEST_F(ServeConfig, SettingsWithoutALabFileEntryFlagBeatsEnvironmentBeatsDefault) {
  set("EASEMU_LISTEN", "127.0.0.1:9443");
  set("EASEMU_HTTP_LISTEN", "[::1]:9080");
  set("EASEMU_DATA_DIR", "/env/data");
  set("EASEMU_ADMIN_TOKEN", "env-token");
  set("EASEMU_REQUEST_TIMEOUT", "2.5");
  set("EASEMU_HEARTBEAT_MIN", "120");
  set("EASEMU_FAULT_SEED", "7");
  auto c = config({});
  EXPECT_EQ(c.https.host, "127.0.0.1");
  EXPECT_EQ(c.https.port, 9443);
  EXPECT_EQ(c.http.host, "::1");
  EXPECT_EQ(c.http.port, 9080);
  EXPECT_EQ(c.data_dir, "/env/data");
  EXPECT_EQ(c.admin_token, "env-token");
  EXPECT_EQ(c.limits.header_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c.limits.body_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.heartbeat_min, 120);
  EXPECT_EQ(c.fault_seed, 7u);
  c = config({"--listen", ":0", "--http-listen", "127.0.0.2:1", "--data-dir", "/flag/data", "--admin-token", "flag-token",
              "--request-timeout", "1", "--heartbeat-min", "300", "--fault-seed", "8", "--max-body-size", "1000",
              "--max-connections", "5", "--journal-keep", "100", "--log-level", "debug"});
  EXPECT_EQ(c.https.host, "0.0.0.0");  // an empty host is the wildcard
  EXPECT_EQ(c.https.port, 0);
  EXPECT_EQ(c.http.host, "127.0.0.2");
  EXPECT_EQ(c.http.port, 1);
  EXPECT_EQ(c.data_dir, "/flag/data");
  EXPECT_EQ(c.admin_token, "flag-token");
  EXPECT_EQ(c.limits.header_timeout, std::chrono::seconds(1));
  EXPECT_EQ(c.heartbeat_min, 300);
  EXPECT_EQ(c.fault_seed, 8u);
  EXPECT_EQ(c.limits.max_body_bytes, 1000u);
  EXPECT_EQ(c.limits.max_connections, 5u);
  EXPECT_EQ(c.journal_keep, 100u);
  EXPECT_EQ(c.log_level, "debug");
}

TEST_F(ServeConfig, TheDashboardDirectoryComesFromTheEnvironment) {
  set("EASEMU_UI_DIR", "/src/server/ui");
  EXPECT_EQ(config({}).ui_dir, "/src/server/ui");
}

TEST_F(ServeConfig, ALabFileWithMailboxesIsNoDemo) {
  const auto file = lab_file("lab:\n  domain: contoso.test\nmailboxes:\n  - address: carol@contoso.test\n    password: x\n");
  const auto c = config({"--config", file});
  EXPECT_FALSE(c.demo);
  EXPECT_EQ(c.lab_name, file);
  ASSERT_EQ(c.lab.mailboxes.size(), 1u);
  EXPECT_EQ(c.lab.mailboxes[0].address, "carol@contoso.test");
  EXPECT_EQ(c.lab.netbios_domain, "CONTOSO");  // completed
}

TEST_F(ServeConfig, TheImagesAbsentLabFileIsTheDemoLab) {
  if (std::filesystem::exists(optional_lab_file)) GTEST_SKIP() << optional_lab_file << " exists on this machine";
  set("EASEMU_CONFIG", optional_lab_file);
  const auto c = config({});
  EXPECT_TRUE(c.demo);
  EXPECT_EQ(c.absent_lab_file, optional_lab_file);
  EXPECT_EQ(c.lab_name, "lab");
}

TEST_F(ServeConfig, PublicUrlIsTheFlagsOrTheHostnameAndPort) {
  auto c = config({"--hostname", "eas.lab.test"});
  EXPECT_EQ(public_url_for(c, 8443), "https://eas.lab.test:8443");
  EXPECT_EQ(public_url_for(c, 443), "https://eas.lab.test");
  c = config({"--public-url", "https://mail.example.com//"});
  EXPECT_EQ(public_url_for(c, 8443), "https://mail.example.com");
}

TEST_F(ServeConfig, DnsSettingsOnlyWithDnsListen) {
  EXPECT_FALSE(config({"--dns-address", "10.0.0.9"}).dns);
  const auto c = config({"--dns-listen", "127.0.0.1:0", "--dns-address", " 10.0.0.9 ,::1"});
  ASSERT_TRUE(c.dns);
  EXPECT_EQ(c.dns->where.host, "127.0.0.1");
  EXPECT_EQ(c.dns->where.port, 0);
  EXPECT_FALSE(c.dns->where.tls);
  EXPECT_EQ(c.dns->addresses, (std::vector<std::string>{"10.0.0.9", "::1"}));
}

// Each verification error, with the message `easemu serve: ` prints before exit 1.
TEST_F(ServeConfig, ALabFileErrorNamesFileLineAndProblem) {
  const auto file = lab_file("lab:\n  exchange_version: 2007\n");
  EXPECT_EQ(error_of({"--config", file}),
            file + ":2:21: lab.exchange_version: '2007' is not one of 2010SP1, 2013, 2016, 2019, online");
  EXPECT_EQ(error_of({"--config", "/nonexistent/easemu/lab.yaml"}), "/nonexistent/easemu/lab.yaml: cannot be read");
  // The lab file is read first: its error wins over a flag's.
  EXPECT_EQ(error_of({"--config", file, "--listen", "nonsense"}).rfind(file + ":2:21:", 0), 0u);
}

TEST_F(ServeConfig, ListenAddressErrorsNameTheFlag) {
  EXPECT_EQ(error_of({"--listen", "nonsense"}), "--listen: expected HOST:PORT, got 'nonsense'");
  EXPECT_EQ(error_of({"--listen", "127.0.0.1:99999"}), "--listen: bad port in '127.0.0.1:99999'");
  EXPECT_EQ(error_of({"--http-listen", "127.0.0.1:x"}), "--http-listen: bad port in '127.0.0.1:x'");
  set("EASEMU_HTTP_LISTEN", "8080");
  EXPECT_EQ(error_of({}), "--http-listen: expected HOST:PORT, got '8080'");
  EXPECT_EQ(error_of({"--http-listen", ":8080", "--dns-listen", "53"}), "--dns-listen: expected HOST:PORT, got '53'");
}

TEST_F(ServeConfig, CertificateErrors) {
  EXPECT_EQ(error_of({"--tls-mode", "provided"}), "TLS mode 'provided' needs --tls-cert and --tls-key");
  const auto missing = (dir_ / "missing.pem").string();
  EXPECT_EQ(error_of({"--tls-cert", missing, "--tls-key", missing}),
            "--tls-cert/--tls-key: " + missing + ": No such file or directory");
  write_file(dir_ / "chain.pem", "chain");
  EXPECT_EQ(error_of({"--tls-cert", (dir_ / "chain.pem").string(), "--tls-key", missing}),
            "--tls-cert/--tls-key: " + missing + ": No such file or directory");
  write_file(dir_ / "empty.pem", "");
  EXPECT_EQ(error_of({"--tls-mode", "provided", "--tls-cert", (dir_ / "chain.pem").string(), "--tls-key",
                      (dir_ / "empty.pem").string()}),
            "TLS mode 'provided' needs --tls-cert and --tls-key");
}

TEST_F(ServeConfig, DnsErrorsNameTheFlag) {
  EXPECT_EQ(error_of({"--dns-listen", "127.0.0.1:0", "--public-url", "ftp://mail.lab.test"}),
            "--public-url: 'ftp://mail.lab.test' is not a URL");
  EXPECT_EQ(error_of({"--public-url", "ftp://mail.lab.test"}), "no error");  // only the responder reads it
  EXPECT_EQ(error_of({"--dns-listen", "127.0.0.1:0", "--dns-address", "10.0.0.1, mail"}),
            "--dns-address: 'mail' is not an IPv4 or IPv6 address");
  const std::string long_label(64, 'a');
  EXPECT_EQ(error_of({"--dns-listen", "127.0.0.1:0", "--hostname", long_label + ".lab.test"}),
            "DNS: '" + long_label + ".lab.test' is not a DNS name (labels of 1 to 63 octets, 255 in all)");
  // A listener on port 0 still gives a valid URL to check.
  EXPECT_EQ(error_of({"--dns-listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"}), "no error");
}

// What CLI11 judges alone is a usage error (exit 2), before verify().
TEST_F(ServeConfig, BadNamesAndRangesFailTheParse) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--log-level", "loud"},
                                                                {"--tls-mode", "nope"},
                                                                {"--tls-min-version", "1"},
                                                                {"--heartbeat-min", "0"},
                                                                {"--heartbeat-min", "3541"},
                                                                {"--request-timeout", "0"},
                                                                {"--max-connections", "0"},
                                                                {"--journal-keep", "99"}}) {
    EXPECT_THROW(flags(args), CLI::ParseError) << args[0] << ' ' << args[1];
  }
  set("EASEMU_TLS_MODE", "nope");
  EXPECT_THROW(flags({}), CLI::ParseError);
}

}  // namespace
