// Message parsing (GMime) and the body conversions EAS needs, on hand-written RFC 822 sources.
#include "easemu/mailbox/message.hpp"

#include <gtest/gtest.h>

namespace {

using namespace easemu::mailbox;

const char* alternative =
    "From: \"Bob Lab\" <bob@lab.test>\r\n"
    "To: \"Alice Lab\" <alice@lab.test>, carol@example.test\r\n"
    "Cc: dave@example.test\r\n"
    "Subject: =?UTF-8?B?UmU6IEdyw7zDn2U=?=\r\n"
    "Date: Tue, 24 Nov 2026 09:30:00 +0100\r\n"
    "Message-ID: <1@lab.test>\r\n"
    "Importance: High\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Gr=C3=BC=C3=9Fe aus dem Labor\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<html><body><p>Gr\xC3\xBC\xC3\x9F" "e &amp; more</p></body></html>\r\n"
    "--b1--\r\n";

const char* with_attachment =
    "From: carol@example.test\r\n"
    "To: alice@lab.test\r\n"
    "Subject: report\r\n"
    "X-Priority: 5\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"m\"\r\n"
    "\r\n"
    "--m\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "See attached.\r\n"
    "--m\r\n"
    "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
    "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--m--\r\n";

TEST(Message, HeadersAndBodiesOfAnAlternativeMessage) {
  const auto m = parse_message(alternative);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->subject, "Re: Gr\xC3\xBC\xC3\x9F" "e");
  EXPECT_EQ(m->thread_topic, "Gr\xC3\xBC\xC3\x9F" "e");
  EXPECT_NE(m->from.find("bob@lab.test"), std::string::npos);
  EXPECT_NE(m->to.find("carol@example.test"), std::string::npos);
  EXPECT_EQ(m->display_to, "Alice Lab; carol@example.test");
  EXPECT_NE(m->cc.find("dave@example.test"), std::string::npos);
  EXPECT_EQ(m->date_ms, 1795509000000);  // 2026-11-24T08:30:00Z
  EXPECT_EQ(m->importance, 2);
  EXPECT_EQ(m->message_id, "1@lab.test");
  EXPECT_EQ(m->text_body, "Gr\xC3\xBC\xC3\x9F" "e aus dem Labor");  // the CRLF before a boundary is the boundary's
  EXPECT_NE(m->html_body.find("<p>Gr"), std::string::npos);
  EXPECT_TRUE(m->attachments.empty());
}

TEST(Message, AttachmentsAndTheirContent) {
  const auto m = parse_message(with_attachment);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->importance, 0);  // X-Priority 5
  ASSERT_EQ(m->attachments.size(), 1u);
  EXPECT_EQ(m->attachments[0].file_name, "report.pdf");
  EXPECT_EQ(m->attachments[0].content_type, "application/pdf");
  EXPECT_EQ(m->attachments[0].size, 9u);
  EXPECT_FALSE(m->attachments[0].is_inline);
  EXPECT_EQ(attachment_content(with_attachment, 0), std::optional<std::string>("%PDF-1.4\n"));
  EXPECT_FALSE(attachment_content(with_attachment, 1));
  EXPECT_EQ(m->text_body, "See attached.");
}

TEST(Message, OddInputIsParsedNotRefused) {
  EXPECT_FALSE(parse_message("just some text without headers"));  // not a message at all
  EXPECT_FALSE(parse_message(""));
  const auto no_date = parse_message("Subject: x\r\nDate: not a date\r\n\r\nbody\r\n");
  ASSERT_TRUE(no_date);
  EXPECT_EQ(no_date->date_ms, 0);
  EXPECT_EQ(no_date->text_body, "body\r\n");
}

TEST(Message, HtmlToTextAndBack) {
  EXPECT_EQ(html_to_text("<html><head><style>p{}</style></head><body><p>One &amp; two</p><p>three&nbsp;<b>four</b>"
                         "</p><script>x()</script></body></html>"),
            "One & two\n\nthree four");
  EXPECT_EQ(text_to_html("a < b\nc"), "<html><body>a &lt; b<br>\nc</body></html>");
}

TEST(Message, TruncationKeepsCharactersWhole) {
  const std::string text = "a\xC3\xBC\xE2\x82\xAC" "b";  // a, ü (2 bytes), € (3 bytes), b
  EXPECT_EQ(truncate_utf8(text, 1), "a");
  EXPECT_EQ(truncate_utf8(text, 2), "a");  // not half of ü
  EXPECT_EQ(truncate_utf8(text, 3), "a\xC3\xBC");
  EXPECT_EQ(truncate_utf8(text, 5), "a\xC3\xBC");
  EXPECT_EQ(truncate_utf8(text, 6), "a\xC3\xBC\xE2\x82\xAC");
  EXPECT_EQ(truncate_utf8(text, 100), text);
  message_properties m;
  m.text_body = "Hello\r\n  w\xC3\xB6rld, and more";
  EXPECT_EQ(preview(m, 8), "Hello w\xC3\xB6");
}

TEST(Message, ComposedMessagesParseBack) {
  new_message n;
  n.from = "Lab Robot <robot@lab.test>";
  n.to = "alice@lab.test";
  n.subject = "\xC3\x9C" "bersicht";
  n.text = "plain \xE2\x82\xAC";
  n.html = "<p>html</p>";
  n.date_ms = 1795595400000;
  n.attachments.push_back({"data.bin", "application/octet-stream", std::string("\x00\x01\x02", 3)});
  const auto source = compose_message(n);
  EXPECT_NE(source.find("=?"), std::string::npos);  // the subject is RFC 2047 encoded
  const auto m = parse_message(source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->subject, n.subject);
  EXPECT_EQ(m->date_ms, n.date_ms);
  EXPECT_EQ(m->text_body.substr(0, 9), "plain \xE2\x82\xAC");
  EXPECT_EQ(m->html_body.substr(0, 11), "<p>html</p>");
  ASSERT_EQ(m->attachments.size(), 1u);
  EXPECT_EQ(attachment_content(source, 0), std::optional<std::string>(std::string("\x00\x01\x02", 3)));
}

}  // namespace

namespace {

TEST(Message, AddressListsBccAndOriginals) {
  EXPECT_EQ(address_list("Bob Lab <bob@lab.test>, carol@example.test, Team: dave@x.test, erin@y.test;"),
            (std::vector<std::string>{"bob@lab.test", "carol@example.test", "dave@x.test", "erin@y.test"}));
  const std::string mail = "From: a@lab.test\r\nTo: b@lab.test\r\nBcc: secret@lab.test\r\nSubject: s\r\n\r\nbody\r\n";
  EXPECT_EQ(parse_message(mail)->bcc, "secret@lab.test");
  EXPECT_EQ(without_bcc(mail).find("secret@lab.test"), std::string::npos);
  const std::string original = "From: c@lab.test\r\nSubject: first\r\n\r\nline one\r\nline two\r\n";
  const auto reply = with_original(mail, original, false);
  ASSERT_TRUE(reply);
  const auto r = parse_message(*reply);
  EXPECT_NE(r->text_body.find("body"), std::string::npos);
  EXPECT_NE(r->text_body.find("> line one\n> line two"), std::string::npos) << r->text_body;
  EXPECT_EQ(reply->find("secret@lab.test"), std::string::npos);
  const auto forward = with_original(mail, original, true);
  ASSERT_TRUE(forward);
  EXPECT_NE(forward->find("message/rfc822"), std::string::npos);
  EXPECT_NE(forward->find("line one"), std::string::npos);
  EXPECT_FALSE(with_original("", original, true));
}

}  // namespace

namespace {

// MS-ASEMAIL 2.2.2.48: S/MIME messages carry their own MessageClass.
TEST(Message, SmimeMessagesGetTheirMessageClass) {
  const std::string signed_message =
      "From: a@lab.test\r\nTo: b@lab.test\r\nSubject: signed\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b1\"\r\n\r\n"
      "--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
      "--b1\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "MIIB\r\n--b1--\r\n";
  const std::string encrypted_message =
      "From: a@lab.test\r\nTo: b@lab.test\r\nSubject: sealed\r\nMIME-Version: 1.0\r\n"
      "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nMIIB\r\n";
  // A multipart/signed with another protocol (PGP) is not S/MIME.
  const std::string pgp_message =
      "From: a@lab.test\r\nSubject: pgp\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=\"b2\"\r\n\r\n"
      "--b2\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b2\r\nContent-Type: application/pgp-signature\r\n\r\nx\r\n--b2--\r\n";
  EXPECT_EQ(easemu::mailbox::parse_message(signed_message)->message_class, "IPM.Note.SMIME.MultipartSigned");
  EXPECT_EQ(easemu::mailbox::parse_message(encrypted_message)->message_class, "IPM.Note.SMIME");
  EXPECT_EQ(easemu::mailbox::parse_message(pgp_message)->message_class, "IPM.Note");
  EXPECT_FALSE(easemu::mailbox::parse_message(pgp_message)->is_smime());
  EXPECT_TRUE(easemu::mailbox::parse_message(signed_message)->is_smime());
}

}  // namespace
