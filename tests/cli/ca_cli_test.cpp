// `easemu ca` on a data dir: init, issue, export; the server then uses the same CA.
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "support/process.hpp"

namespace {

using namespace easemu::test;

const std::string exe = shell_quote(EASEMU_EXE);

TEST(CliCa, InitIssueExport) {
  temp_dir dir;
  const auto data = shell_quote(dir.path().string());
  auto init = run(exe + " ca init --data-dir " + data);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(run(exe + " ca init --data-dir " + data).exit_code, 1);  // never replaces the lab CA

  auto issue = run(exe + " ca issue --data-dir " + data + " --name eas.example.test --ip 192.0.2.10");
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  const auto chain = read_file(dir / "certs" / "eas.example.test.pem");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(chain.data(), static_cast<int>(chain.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(X509_check_host(leaf.get(), "eas.example.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "192.0.2.10", 0), 1);

  const auto pem = run(exe + " ca export --data-dir " + data);
  EXPECT_EQ(pem.out, read_file(dir / "certs" / "ca.pem"));
  auto der = run(exe + " ca export --format der --data-dir " + data);
  const auto* p = reinterpret_cast<const unsigned char*>(der.out.data());
  std::unique_ptr<X509, decltype(&X509_free)> ca(d2i_X509(nullptr, &p, static_cast<long>(der.out.size())), &X509_free);
  EXPECT_TRUE(ca);
  auto p7b = run(exe + " ca export --format p7b --data-dir " + data);
  p = reinterpret_cast<const unsigned char*>(p7b.out.data());
  std::unique_ptr<PKCS7, decltype(&PKCS7_free)> p7(d2i_PKCS7(nullptr, &p, static_cast<long>(p7b.out.size())), &PKCS7_free);
  EXPECT_TRUE(p7);
  EXPECT_EQ(run(exe + " ca export --format jpeg --data-dir " + data).exit_code, 2);
}

TEST(CliCa, ExportWithoutInitSaysWhatToDo) {
  temp_dir dir;
  auto r = run(exe + " ca export --data-dir " + shell_quote(dir.path().string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("easemu ca init"), std::string::npos) << r.err;
}

}  // namespace
