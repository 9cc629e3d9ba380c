// Each profile's trust store against Debian's bundle on disk (/etc/ssl/certs): the Windows
// phones trust only their authorities' roots, matched by subject; the other phones the whole set.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

#include "easemu/certs/certs.hpp"
#include "easemu/certs/trust.hpp"
#include "easemu/phone/profile.hpp"
#include "easemu/simulator/device_flow.hpp"

namespace {

using namespace easemu;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const phone::device_profile& builtin(const char* name) {
  const auto* p = phone::find_profile(name);
  EXPECT_NE(p, nullptr) << name;
  return *p;
}

std::string store_of(const char* name) {
  std::string error;
  auto pem = simulator::trust_pem(builtin(name).trust, "", error);
  EXPECT_EQ(error, "");
  return pem;
}

TEST(TrustStore, Wp7HoldsEveryListedRootTheBundleHasAndNothingElse) {
  const auto& wp7 = builtin("wp7");
  ASSERT_FALSE(wp7.trust.roots.empty());
  const auto roots = certs::read_certificates(store_of("wp7"));
  std::set<std::string> subjects;
  for (const auto& r : roots) subjects.insert(certs::subject_rfc2253(r));
  // Debian 12's bundle holds each listed root (a subject spelt wrong would be missing here).
  EXPECT_EQ(subjects, std::set<std::string>(wp7.trust.roots.begin(), wp7.trust.roots.end()));
  EXPECT_EQ(roots.size(), wp7.trust.roots.size());
  EXPECT_FALSE(wp7.trust.roots_missing.empty());
}

TEST(TrustStore, Wp75InheritsWp7sRoots) {
  EXPECT_EQ(builtin("wp75").trust, builtin("wp7").trust);
}

TEST(TrustStore, IphoneAndAndroidTrustTheWholeBundle) {
  const auto bundle = certs::read_certificates(read_file(std::string(phone::public_ca_bundle)));
  ASSERT_GT(bundle.size(), 100u);
  EXPECT_EQ(certs::read_certificates(store_of("ios")).size(), bundle.size());
  EXPECT_EQ(certs::read_certificates(store_of("android")).size(), bundle.size());
  EXPECT_LT(certs::read_certificates(store_of("wp7")).size(), 20u);
}

// Let's Encrypt's intermediate R10 (2024-2027), public, issued by ISRG Root X1 (2015): a root
// from none of WP7's authorities.
constexpr const char* lets_encrypt_r10 = R"pem(-----BEGIN CERTIFICATE-----
MIIFBTCCAu2gAwIBAgIQS6hSk/eaL6JzBkuoBI110DANBgkqhkiG9w0BAQsFADBP
MQswCQYDVQQGEwJVUzEpMCcGA1UEChMgSW50ZXJuZXQgU2VjdXJpdHkgUmVzZWFy
Y2ggR3JvdXAxFTATBgNVBAMTDElTUkcgUm9vdCBYMTAeFw0yNDAzMTMwMDAwMDBa
Fw0yNzAzMTIyMzU5NTlaMDMxCzAJBgNVBAYTAlVTMRYwFAYDVQQKEw1MZXQncyBF
bmNyeXB0MQwwCgYDVQQDEwNSMTAwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK
AoIBAQDPV+XmxFQS7bRH/sknWHZGUCiMHT6I3wWd1bUYKb3dtVq/+vbOo76vACFL
YlpaPAEvxVgD9on/jhFD68G14BQHlo9vH9fnuoE5CXVlt8KvGFs3Jijno/QHK20a
/6tYvJWuQP/py1fEtVt/eA0YYbwX51TGu0mRzW4Y0YCF7qZlNrx06rxQTOr8IfM4
FpOUurDTazgGzRYSespSdcitdrLCnF2YRVxvYXvGLe48E1KGAdlX5jgc3421H5KR
mudKHMxFqHJV8LDmowfs/acbZp4/SItxhHFYyTr6717yW0QrPHTnj7JHwQdqzZq3
DZb3EoEmUVQK7GH29/Xi8orIlQ2NAgMBAAGjgfgwgfUwDgYDVR0PAQH/BAQDAgGG
MB0GA1UdJQQWMBQGCCsGAQUFBwMCBggrBgEFBQcDATASBgNVHRMBAf8ECDAGAQH/
AgEAMB0GA1UdDgQWBBS7vMNHpeS8qcbDpHIMEI2iNeHI6DAfBgNVHSMEGDAWgBR5
tFnme7bl5AFzgAiIyBpY9umbbjAyBggrBgEFBQcBAQQmMCQwIgYIKwYBBQUHMAKG
Fmh0dHA6Ly94MS5pLmxlbmNyLm9yZy8wEwYDVR0gBAwwCjAIBgZngQwBAgEwJwYD
VR0fBCAwHjAcoBqgGIYWaHR0cDovL3gxLmMubGVuY3Iub3JnLzANBgkqhkiG9w0B
AQsFAAOCAgEAkrHnQTfreZ2B5s3iJeE6IOmQRJWjgVzPw139vaBw1bGWKCIL0vIo
zwzn1OZDjCQiHcFCktEJr59L9MhwTyAWsVrdAfYf+B9haxQnsHKNY67u4s5Lzzfd
u6PUzeetUK29v+PsPmI2cJkxp+iN3epi4hKu9ZzUPSwMqtCceb7qPVxEbpYxY1p9
1n5PJKBLBX9eb9LU6l8zSxPWV7bK3lG4XaMJgnT9x3ies7msFtpKK5bDtotij/l0
GaKeA97pb5uwD9KgWvaFXMIEt8jVTjLEvwRdvCn294GPDF08U8lAkIv7tghluaQh
1QnlE4SEN4LOECj8dsIGJXpGUk3aU3KkJz9icKy+aUgA+2cP21uh6NcDIS3XyfaZ
QjmDQ993ChII8SXWupQZVBiIpcWO4RqZk3lr7Bz5MUCwzDIA359e57SSq5CCkY0N
4B6Vulk7LktfwrdGNVI5BsC9qqxSwSKgRJeZ9wygIaehbHFHFhcBaMDKpiZlBHyz
rsnnlFXCb5s8HKn5LsUgGvB24L7sGNZP2CX7dhHov+YhD+jozLW2p9W4959Bz2Ei
RmqDtmiXLnzqTpXbI+suyCsohKRg6Un0RC47+cpiVwHiXZAW+cn8eiNIjqbVgXLx
KPpdzvvtTnOPlC7SQZSYmdunr3Bf9b77AiC/ZidstK36dRILKz7OA54=
-----END CERTIFICATE-----
)pem";

// Windows Mobile's ROOT store (KB 915840): of its eleven roots Debian's bundle keeps two.
TEST(TrustStore, Wm65HoldsTheTwoWindowsMobileRootsTheBundleStillHas) {
  const auto& wm65 = builtin("wm65");
  const auto roots = certs::read_certificates(store_of("wm65"));
  std::set<std::string> subjects;
  for (const auto& r : roots) subjects.insert(certs::subject_rfc2253(r));
  EXPECT_EQ(subjects, (std::set<std::string>{
                          "CN=Entrust.net Certification Authority (2048),OU=(c) 1999 Entrust.net Limited,"
                          "OU=www.entrust.net/CPS_2048 incorp. by ref. (limits liab.),O=Entrust.net",
                          "CN=GlobalSign Root CA,OU=Root CA,O=GlobalSign nv-sa,C=BE"}));
  EXPECT_EQ(wm65.trust.roots_missing.size(), 6u);  // the other nine, by vendor
  // A chain to ISRG Root X1 (Let's Encrypt), which an iPhone trusts, is not trusted.
  const certs::server_chain_input lets_encrypt{{lets_encrypt_r10}, "", 1780272000};
  EXPECT_EQ(certs::check_server_chain(lets_encrypt, store_of("wm65")).result, certs::verdict::untrusted);
  EXPECT_EQ(certs::check_server_chain(lets_encrypt, store_of("ios")).result, certs::verdict::valid);
}

TEST(TrustStore, LetsEncryptChainIsRefusedByWp7AndTrustedByTheIphone) {
  const certs::server_chain_input chain{{lets_encrypt_r10}, "", 1780272000};  // 2026-06-01
  const auto wp7 = certs::check_server_chain(chain, store_of("wp7"));
  EXPECT_EQ(wp7.result, certs::verdict::untrusted) << wp7.detail;
  const auto ios = certs::check_server_chain(chain, store_of("ios"));
  EXPECT_EQ(ios.result, certs::verdict::valid) << ios.detail;
  EXPECT_EQ(ios.anchor, "CN=ISRG Root X1,O=Internet Security Research Group,C=US");
  EXPECT_EQ(certs::subject_rfc2253(read_file("/etc/ssl/certs/ISRG_Root_X1.pem")), ios.anchor);
}

TEST(TrustStore, DigiCertGlobalRootIsTrustedByBoth) {
  const auto digicert = read_file("/etc/ssl/certs/DigiCert_Global_Root_CA.pem");
  ASSERT_FALSE(digicert.empty());
  const certs::server_chain_input chain{{digicert}, "", 0};
  EXPECT_EQ(certs::check_server_chain(chain, store_of("wp7")).result, certs::verdict::valid);
  EXPECT_EQ(certs::check_server_chain(chain, store_of("ios")).result, certs::verdict::valid);
}

TEST(TrustStore, AnInstalledCaIsTrustedOnTopOfTheRootList) {
  const auto lab = certs::create_ca({});
  certs::server_options o;
  o.common_name = "mail.lab.test";
  o.dns_names = {"mail.lab.test"};
  const auto leaf = certs::issue_server_certificate(lab, o);
  const certs::server_chain_input chain{{leaf.certificate_pem}, "mail.lab.test", 0};
  std::string error;
  EXPECT_EQ(certs::check_server_chain(chain, store_of("wp7")).result, certs::verdict::untrusted);
  EXPECT_EQ(certs::check_server_chain(chain, simulator::trust_pem(builtin("wp7").trust, lab.certificate_pem, error)).result,
            certs::verdict::valid);
}

TEST(TrustStore, ProfileYamlReadsRootListAndNote) {
  auto loaded = phone::load_profiles(R"yaml(profiles:
  - name: strict
    base: ios
    trust_roots: ["CN=ISRG Root X1,O=Internet Security Research Group,C=US"]
    trust_roots_missing: ["Old Root (withdrawn)"]
)yaml");
  ASSERT_TRUE(loaded) << loaded.error();
  const auto& p = (*loaded)[0];
  EXPECT_EQ(p.trust.roots, std::vector<std::string>{"CN=ISRG Root X1,O=Internet Security Research Group,C=US"});
  EXPECT_EQ(p.trust.roots_missing, std::vector<std::string>{"Old Root (withdrawn)"});
  std::string error;
  EXPECT_EQ(certs::read_certificates(simulator::trust_pem(p.trust, "", error)).size(), 1u);
}

}  // namespace
