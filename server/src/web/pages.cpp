// The pages a person opens in a browser: the landing page and the lab CA's download site, small
// enough for a phone and without scripts.
#include "easemu/common/markup.hpp"
#include "easemu/server/router.hpp"  // lab_view
#include "web/site.hpp"

namespace easemu::server::web {

namespace {

// A phone-sized HTML page without scripts; `title` and `body` are already escaped.
http_response html_page(const std::string& title, const std::string& style, const std::string& body) {
  return http_response::text(200,
                             "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                             "<title>" + title + "</title>"
                             "<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:40rem;"
                             "line-height:1.5}" + style + "</style></head><body>" + body + "</body></html>\n",
                             "text/html; charset=utf-8");
}

}  // namespace

http_response certsrv(const lab_view& lab, std::string_view path) {
  auto file = [](std::string body, const char* type, const char* name) {
    auto r = http_response::text(200, std::move(body), type);
    r.set("Content-Disposition", std::string("attachment; filename=\"") + name + "\"");
    return r;
  };
  if (path == "/certsrv/ca.cer") return file(lab.ca.der, "application/pkix-cert", "easemu-ca.cer");
  if (path == "/certsrv/ca.pem") return file(lab.ca.pem, "application/x-pem-file", "easemu-ca.pem");
  if (path == "/certsrv/ca-chain.p7b") return file(lab.ca.p7b, "application/x-pkcs7-certificates", "easemu-ca-chain.p7b");
  if (path == "/certsrv/ca.crl") return file(lab.ca.crl ? lab.ca.crl() : std::string(), "application/pkix-crl", "easemu-ca.crl");
  if (path == "/certsrv/easemu-ca.mobileconfig") {
    return file(lab.ca.mobileconfig, "application/x-apple-aspen-config", "easemu-ca.mobileconfig");
  }
  if (path != "/certsrv" && path != "/certsrv/") return http_response::text(404, "not found\n");
  const auto domain = common::markup_escape(lab.domain);
  return html_page(
      "Lab CA certificate, " + domain,
      "a.dl{display:block;margin:.8rem 0;padding:.8rem;border:1px solid #888;border-radius:.4rem;"
      "text-decoration:none;font-size:1.1rem}",
      "<h1>Trust the lab CA</h1>"
      "<p>The server <code>" + common::markup_escape(lab.hostname) + "</code> uses a certificate issued by the "
      "easemu lab CA of <code>" + domain + "</code>. Install the CA on the phone before adding the "
      "Exchange account.</p>"
      "<a class=\"dl\" href=\"/certsrv/ca.cer\">Download CA certificate (DER, .cer)</a>"
      "<a class=\"dl\" href=\"/certsrv/ca.pem\">Download CA certificate (PEM)</a>"
      "<a class=\"dl\" href=\"/certsrv/ca-chain.p7b\">Download CA certificate chain (PKCS#7, .p7b)</a>"
      "<a class=\"dl\" href=\"/certsrv/easemu-ca.mobileconfig\">iPhone and iPad: install the profile</a>"
      "<a class=\"dl\" href=\"/certsrv/ca.crl\">Certificate revocation list (.crl)</a>"
      "<h2>iPhone and iPad</h2><p>Install the profile in Settings &gt; General &gt; VPN &amp; Device "
      "Management, then turn on full trust for the CA in Settings &gt; General &gt; About &gt; "
      "Certificate Trust Settings.</p>"
      "<h2>Android</h2><p>Open the .cer file, or install it in Settings &gt; Security &gt; Encryption "
      "&amp; credentials &gt; Install a certificate &gt; CA certificate (user CAs).</p>"
      "<h2>Windows Phone</h2><p>Open the .cer file from the browser or from a mail attachment and "
      "choose Install.</p>");
}

http_response landing_page(const lab_view& lab) {
  const auto domain = common::markup_escape(lab.domain);
  return html_page("easemu lab " + domain, "a{display:block;margin:.6rem 0;font-size:1.1rem}",
                   "<h1>easemu lab <code>" + domain + "</code></h1>"
                   "<p>An Exchange ActiveSync test server. Server address for phones: <code>" +
                       common::markup_escape(lab.hostname) + "</code>, domain <code>" +
                       common::markup_escape(lab.netbios_domain) + "</code>.</p>"
                       "<a href=\"/certsrv/\">Install the lab CA certificate</a>"
                       "<a href=\"/ui/\">Open the dashboard (devices, live traffic, policies; needs the admin token)</a>");
}

}  // namespace easemu::server::web
