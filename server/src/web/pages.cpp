// The pages a person opens in a browser: the landing page and the lab CA's download site, small
// enough for a phone and without scripts.
#include "easemu/certs/trust.hpp"
#include "easemu/common/base64.hpp"
#include "easemu/common/markup.hpp"
#include "easemu/common/text.hpp"
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

namespace {

// The value of a query parameter, names compared without case as IIS does ("" when absent).
std::string query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (common::iequals(pair.substr(0, eq), name)) return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// DER wrapped as PEM text under `label` (64 characters a line).
std::string armor(const std::string& der, const char* label) {
  const auto b64 = common::base64_encode(der);
  std::string out = std::string("-----BEGIN ") + label + "-----\r\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\r\n";
  return out + "-----END " + label + "-----\r\n";
}

// The CA's common name, as AD CS names a CA on its pages ("easemu Lab Root CA (lab.test)").
std::string ca_name(const lab_view& lab) {
  const auto subject = certs::subject_rfc2253(lab.ca.pem);
  std::string name;
  const auto at = subject.starts_with("CN=") ? 0 : subject.find(",CN=");
  if (at != std::string::npos) {
    // Up to the next unescaped comma; RFC 2253 escapes a comma in a value as "\,".
    for (std::size_t i = at + (at == 0 ? 3 : 4); i < subject.size() && subject[i] != ','; ++i) {
      if (subject[i] == '\\' && i + 1 < subject.size()) ++i;
      name += subject[i];
    }
  }
  return name.empty() ? std::string("easemu lab CA") : name;
}

http_response download(std::string body, const char* type, const char* name) {
  auto r = http_response::text(200, std::move(body), type);
  r.set("Content-Disposition", std::string("attachment; filename=\"") + name + "\"");
  return r;
}

// The heading every AD CS Web Enrollment page carries, and its Home link.
std::string adcs_header(const std::string& ca) {
  return "<div class=\"bar\"><i>Microsoft Active Directory Certificate Services</i> &nbsp;--&nbsp; " + ca +
         "<a class=\"home\" href=\"/certsrv/\">Home</a></div>";
}

constexpr const char* adcs_style =
    ".bar{background:#336;color:#fff;padding:.4rem .6rem;font-size:.95rem}.home{float:right;color:#fff}"
    "a.dl{display:block;margin:.6rem 0;font-size:1.05rem}h2{font-size:1.15rem}.on{font-weight:bold}";

}  // namespace

// AD CS Web Enrollment's paths and wording (Windows Server 2008 R2, as the Exchange 2010
// deployment guides follow them): the welcome page, "Download a CA certificate, certificate
// chain, or CRL" (certcarc.asp), and certnew.cer, certnew.p7b and certcrl.crl with their ReqID,
// Renewal, Type and Enc (bin: DER, b64: Base 64) parameters. The lab's own short paths stay.
http_response certsrv(const lab_view& lab, std::string_view path, std::string_view query) {
  const auto crl = [&] { return lab.ca.crl ? lab.ca.crl() : std::string(); };
  if (path == "/certsrv/ca.cer") return download(lab.ca.der, "application/pkix-cert", "easemu-ca.cer");
  if (path == "/certsrv/ca.pem") return download(lab.ca.pem, "application/x-pem-file", "easemu-ca.pem");
  if (path == "/certsrv/ca-chain.p7b") return download(lab.ca.p7b, "application/x-pkcs7-certificates", "easemu-ca-chain.p7b");
  if (path == "/certsrv/ca.crl") return download(crl(), "application/pkix-crl", "easemu-ca.crl");
  if (path == "/certsrv/easemu-ca.mobileconfig") {
    return download(lab.ca.mobileconfig, "application/x-apple-aspen-config", "easemu-ca.mobileconfig");
  }
  const bool b64 = common::iequals(query_value(query, "Enc"), "b64");
  const auto renewal = query_value(query, "Renewal");
  // The lab CA was never renewed: index 0 (or none given) is its only certificate.
  const bool current = renewal.empty() || renewal == "0";
  if (common::iequals(path, "/certsrv/certnew.cer") || common::iequals(path, "/certsrv/certnew.p7b")) {
    if (!common::iequals(query_value(query, "ReqID"), "CACert") || !current) {
      return http_response::text(404, "no such certificate: the lab serves its CA certificate (ReqID=CACert&Renewal=0)\n");
    }
    if (common::iequals(path, "/certsrv/certnew.cer")) {
      return download(b64 ? armor(lab.ca.der, "CERTIFICATE") : lab.ca.der, "application/pkix-cert", "certnew.cer");
    }
    return download(b64 ? armor(lab.ca.p7b, "PKCS7") : lab.ca.p7b, "application/x-pkcs7-certificates", "certnew.p7b");
  }
  if (common::iequals(path, "/certsrv/certcrl.crl")) {
    // The lab publishes base CRLs only.
    if (!common::iequals(query_value(query, "Type"), "base") || !current) {
      return http_response::text(404, "no such CRL: the lab publishes a base CRL (Type=base&Renewal=0), no delta CRL\n");
    }
    return download(b64 ? armor(crl(), "X509 CRL") : crl(), "application/pkix-crl", "certcrl.crl");
  }
  const auto ca = common::markup_escape(ca_name(lab));
  if (common::iequals(path, "/certsrv/certcarc.asp")) {
    // AD CS picks the encoding with radio buttons and a script; here the choice is a link.
    const std::string enc = b64 ? "b64" : "bin";
    const auto choice = [&](const char* value, const char* label) {
      return std::string("<a href=\"/certsrv/certcarc.asp?Enc=") + value + "\"" + (enc == value ? " class=\"on\"" : "") +
             ">" + label + "</a>";
    };
    return html_page(
        "Microsoft Active Directory Certificate Services", adcs_style,
        adcs_header(ca) +
            "<h2>Download a CA Certificate, Certificate Chain, or CRL</h2>"
            "<p>To trust certificates issued from this certification authority, install this CA certificate.</p>"
            "<p>To download a CA certificate, certificate chain, or CRL, select the certificate and encoding "
            "method.</p>"
            "<p><b>CA certificate:</b> Current [" + ca + "]</p>"
            "<p><b>Encoding method:</b> " + choice("bin", "DER") + " &nbsp; " + choice("b64", "Base 64") + "</p>"
            "<a class=\"dl\" href=\"/certsrv/certnew.cer?ReqID=CACert&amp;Renewal=0&amp;Enc=" + enc +
            "\">Download CA certificate</a>"
            "<a class=\"dl\" href=\"/certsrv/certnew.p7b?ReqID=CACert&amp;Renewal=0&amp;Enc=" + enc +
            "\">Download CA certificate chain</a>"
            "<a class=\"dl\" href=\"/certsrv/certcrl.crl?Type=base&amp;Renewal=0&amp;Enc=" + enc +
            "\">Download latest base CRL</a>"
            "<a class=\"dl\" href=\"/certsrv/easemu-ca.mobileconfig\">iPhone and iPad: install the CA as a profile</a>"
            "<h2>On the phone</h2>"
            "<p>Windows Phone and Windows Mobile: open the downloaded certnew.cer (DER) from the browser or "
            "from a mail attachment and choose Install. Android: open the .cer, or install it in Settings &gt; "
            "Security &gt; Install a certificate &gt; CA certificate. iPhone: install the profile in Settings &gt; "
            "General &gt; VPN &amp; Device Management, then turn on full trust for the CA in Settings &gt; "
            "General &gt; About &gt; Certificate Trust Settings.</p>");
  }
  if (path != "/certsrv" && path != "/certsrv/" && !common::iequals(path, "/certsrv/default.asp")) {
    return http_response::text(404, "not found\n");
  }
  return html_page(
      "Microsoft Active Directory Certificate Services", adcs_style,
      adcs_header(ca) +
          "<h2>Welcome</h2>"
          "<p>This lab's certification authority issued the certificate of <code>" +
          common::markup_escape(lab.hostname) + "</code>. A phone trusts the server once it has this CA "
          "certificate: download it, or the certificate chain, and install it before adding the Exchange "
          "account.</p>"
          "<p><b>Select a task:</b></p>"
          "<a class=\"dl\" href=\"/certsrv/certcarc.asp\">Download a CA certificate, certificate chain, or CRL</a>"
          "<p>Certificates for servers and users are issued with <code>easemu ca issue</code>; the lab takes "
          "no requests here.</p>");
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
