// The demo lab's Inbox: a few realistic messages per demo mailbox (plain, HTML, attachments,
// non-ASCII, a thread, an important one), seeded once per data directory.
#include <utility>
#include <vector>

#include "easemu/mailbox/message.hpp"
#include "easemu/server/mail_service.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server {

void mail_service::seed_demo_mail(const std::string& mailbox, std::int64_t now) {
  const auto key = "demo_mail_seeded:" + mailbox;
  if (store_->get_lab_state(key)) return;
  const auto user = mailbox.substr(0, mailbox.find('@'));
  const auto domain = mailbox.substr(mailbox.find('@') + 1);
  constexpr std::int64_t hour = 3'600'000;
  std::vector<std::pair<mailbox::new_message, bool>> demo;
  auto add = [&](mailbox::new_message m, std::int64_t age, bool read) {
    if (m.to.empty()) m.to = mailbox;
    m.date_ms = now - age;
    demo.emplace_back(std::move(m), read);
  };
  add({"easemu lab <postmaster@" + domain + ">", "", "", "Welcome to the easemu lab",
       "Hello " + user + ",\n\nthis mailbox lives in an Exchange ActiveSync emulator. Everything your phone shows "
       "comes from easemu: folders, mail, policies.\n\nThe lab team", "", 0, {}},
      72 * hour, true);
  add({"Lab Newsletter <news@example.test>", "", "", "This week in the lab",
       "", "<html><body><h1>This week in the lab</h1><p>New <b>test devices</b> arrived:</p><ul><li>Lumia 800</li>"
       "<li>iPhone 15</li><li>Pixel 8</li></ul><p><a href=\"https://example.test/lab\">Read more</a></p></body></html>",
       0, {}},
      48 * hour, false);
  add({"Carol Reports <carol@example.test>", "", "", "Quarterly report",
       "Hi,\n\nthe quarterly report is attached.\n\nCarol", "", 0,
       {{"report.pdf", "application/pdf", "%PDF-1.4\n% easemu demo\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"},
        {"figures.csv", "text/csv", "quarter,devices\nQ1,12\nQ2,18\nQ3,25\n"}}},
      30 * hour, false);
  add({"J\xC3\xBCrgen M\xC3\xBCller <juergen@example.test>", "", "", "Gr\xC3\xBC\xC3\x9F" "e aus M\xC3\xBCnchen \xE2\x80\x93 "
       "\xE6\x9D\xB1\xE4\xBA\xAC \xE2\x9C\x93",
       "Sch\xC3\xB6ne Gr\xC3\xBC\xC3\x9F" "e! \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF "
       "\xF0\x9F\x93\xB1", "", 0, {}},
      20 * hour, false);
  add({"Bob Lab <bob@" + domain + ">", "", "", "Lunch on Friday?", "Are you in for lunch on Friday?", "", 0, {}},
      10 * hour, true);
  add({"Alice Lab <alice@" + domain + ">", "", "", "Re: Lunch on Friday?",
       "Yes! 12:30?\n\n> Are you in for lunch on Friday?", "", 0, {}},
      9 * hour, true);
  add({"Bob Lab <bob@" + domain + ">", "", "", "Re: Re: Lunch on Friday?",
       "12:30 works.\n\n>> Are you in for lunch on Friday?\n> Yes! 12:30?", "", 0, {}},
      8 * hour, false);
  add({"IT Operations <it@example.test>", "", "", "Action required: certificate renewal",
       "The lab CA certificate must be installed on every test phone before Monday.", "", 0, {}},
      2 * hour, false);
  for (auto& [m, read] : demo) {
    auto source = mailbox::compose_message(m);
    if (m.subject.rfind("Action required", 0) == 0) source.insert(0, "Importance: High\r\n");
    deliver(mailbox, "", source, read, m.date_ms);
  }
  store_->set_lab_state(key, "1");
}

}  // namespace easemu::server
