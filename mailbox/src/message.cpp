#include "easemu/mailbox/message.hpp"

#include <gmime/gmime.h>

#include "easemu/common/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace easemu::mailbox {

namespace {

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

template <class T>
struct unref {
  void operator()(T* p) const {
    if (p != nullptr) g_object_unref(p);
  }
};
template <class T>
using gobj = std::unique_ptr<T, unref<T>>;

std::string take(char* s) {
  std::string out = s != nullptr ? s : "";
  g_free(s);
  return out;
}

GMimeMessage* parse(std::string_view rfc822) {
  if (mime_structure_error(rfc822)) return nullptr;
  gobj<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(rfc822.data(), rfc822.size()));
  gobj<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  return g_mime_parser_construct_message(parser.get(), nullptr);
}

std::string addresses(InternetAddressList* list) {
  return list == nullptr ? std::string() : take(internet_address_list_to_string(list, nullptr, FALSE));
}

// The display names of a list (or the addresses of those without one).
std::string display_names(InternetAddressList* list) {
  std::string out;
  if (list == nullptr) return out;
  for (int i = 0; i < internet_address_list_length(list); ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    const char* name = internet_address_get_name(a);
    std::string shown;
    if (name != nullptr && *name != '\0') {
      shown = name;
    } else if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      shown = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    }
    if (!shown.empty()) out += (out.empty() ? "" : "; ") + shown;
  }
  return out;
}


std::string decoded_content(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  gobj<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, out.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

struct walk {
  message_properties* props = nullptr;
  std::size_t wanted = SIZE_MAX;  // attachment_content: the index asked for
  std::size_t seen = 0;
  std::optional<std::string> content;
};

bool is_attachment(GMimePart* part) {
  if (g_mime_part_is_attachment(part)) return true;
  GMimeContentType* type = g_mime_object_get_content_type(GMIME_OBJECT(part));
  // A non-text part that is not marked inline still reaches the user as a file.
  return !g_mime_content_type_is_type(type, "text", "*") && g_mime_part_get_filename(part) != nullptr;
}

void visit(GMimeObject* /*parent*/, GMimeObject* object, gpointer data) {
  auto* w = static_cast<walk*>(data);
  if (!GMIME_IS_PART(object)) return;
  GMimePart* part = GMIME_PART(object);
  if (is_attachment(part)) {
    const auto index = w->seen++;
    if (index == w->wanted) w->content = decoded_content(part);
    if (w->props == nullptr) return;
    attachment_info a;
    const char* name = g_mime_part_get_filename(part);
    a.file_name = name != nullptr ? name : "attachment" + std::to_string(index + 1);
    GMimeContentType* type = g_mime_object_get_content_type(object);
    a.content_type = take(g_mime_content_type_get_mime_type(type));
    const char* cid = g_mime_object_get_content_id(object);
    a.content_id = cid != nullptr ? cid : "";
    GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(object);
    a.is_inline = disposition != nullptr && !g_mime_content_disposition_is_attachment(disposition);
    a.size = decoded_content(part).size();
    w->props->attachments.push_back(std::move(a));
    return;
  }
  if (w->props == nullptr || !GMIME_IS_TEXT_PART(object)) return;
  GMimeContentType* type = g_mime_object_get_content_type(object);
  auto text = take(g_mime_text_part_get_text(GMIME_TEXT_PART(object)));
  if (g_mime_content_type_is_type(type, "text", "html")) {
    if (w->props->html_body.empty()) w->props->html_body = std::move(text);
  } else if (g_mime_content_type_is_type(type, "text", "plain")) {
    if (w->props->text_body.empty()) w->props->text_body = std::move(text);
  }
}

std::string strip_prefixes(std::string subject) {
  while (true) {
    const auto l = common::ascii_lowercase(subject.substr(0, 5));
    std::size_t cut = 0;
    if (l.rfind("re:", 0) == 0) cut = 3;
    else if (l.rfind("fw:", 0) == 0) cut = 3;
    else if (l.rfind("fwd:", 0) == 0) cut = 4;
    if (cut == 0) break;
    subject.erase(0, cut);
    while (!subject.empty() && subject.front() == ' ') subject.erase(0, 1);
  }
  return subject;
}

int importance_of(GMimeObject* message) {
  const char* imp = g_mime_object_get_header(message, "Importance");
  if (imp != nullptr) {
    const auto v = common::ascii_lowercase(imp);
    if (v.find("high") != std::string::npos) return 2;
    if (v.find("low") != std::string::npos) return 0;
    return 1;
  }
  const char* prio = g_mime_object_get_header(message, "X-Priority");
  if (prio != nullptr) {
    const int p = std::atoi(prio);
    if (p == 1 || p == 2) return 2;
    if (p == 4 || p == 5) return 0;
  }
  return 1;
}

}  // namespace

std::optional<message_properties> parse_message(std::string_view rfc822) {
  init_gmime();
  gobj<GMimeMessage> msg(parse(rfc822));
  if (!msg) return std::nullopt;
  message_properties p;
  p.from = addresses(g_mime_message_get_from(msg.get()));
  p.to = addresses(g_mime_message_get_to(msg.get()));
  p.cc = addresses(g_mime_message_get_cc(msg.get()));
  p.bcc = addresses(g_mime_message_get_bcc(msg.get()));
  p.reply_to = addresses(g_mime_message_get_reply_to(msg.get()));
  p.display_to = display_names(g_mime_message_get_to(msg.get()));
  const char* subject = g_mime_message_get_subject(msg.get());
  p.subject = subject != nullptr ? subject : "";
  p.thread_topic = strip_prefixes(p.subject);
  const char* id = g_mime_message_get_message_id(msg.get());
  p.message_id = id != nullptr ? id : "";
  if (GDateTime* date = g_mime_message_get_date(msg.get())) {
    p.date_ms = g_date_time_to_unix(date) * 1000 + g_date_time_get_microsecond(date) / 1000;
  }
  p.importance = importance_of(GMIME_OBJECT(msg.get()));
  if (GMimeObject* top = g_mime_message_get_mime_part(msg.get())) {
    GMimeContentType* type = g_mime_object_get_content_type(top);
    const char* protocol = type != nullptr ? g_mime_content_type_get_parameter(type, "protocol") : nullptr;
    if (type != nullptr && g_mime_content_type_is_type(type, "multipart", "signed") && protocol != nullptr &&
        std::string_view(protocol).find("pkcs7-signature") != std::string_view::npos) {
      p.message_class = "IPM.Note.SMIME.MultipartSigned";
    } else if (type != nullptr && (g_mime_content_type_is_type(type, "application", "pkcs7-mime") ||
                                   g_mime_content_type_is_type(type, "application", "x-pkcs7-mime"))) {
      p.message_class = "IPM.Note.SMIME";
    }
  }
  walk w;
  w.props = &p;
  g_mime_message_foreach(msg.get(), visit, &w);
  return p;
}

std::optional<std::string> attachment_content(std::string_view rfc822, std::size_t index) {
  init_gmime();
  gobj<GMimeMessage> msg(parse(rfc822));
  if (!msg) return std::nullopt;
  walk w;
  w.wanted = index;
  g_mime_message_foreach(msg.get(), visit, &w);
  return w.content;
}

std::string html_to_text(std::string_view html) {
  std::string out;
  bool space = false;
  auto emit = [&](std::string_view s) {
    for (char c : s) {
      if (c == '\n') {
        while (!out.empty() && out.back() == ' ') out.pop_back();
        if (out.size() < 2 || out.substr(out.size() - 2) != "\n\n") out += '\n';
        space = false;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        space = !out.empty() && out.back() != '\n';
      } else {
        if (space) out += ' ';
        space = false;
        out += c;
      }
    }
  };
  std::size_t i = 0;
  bool skip = false;  // inside <script> or <style>
  while (i < html.size()) {
    if (html[i] == '<') {
      const auto end = html.find('>', i);
      if (end == std::string_view::npos) break;
      std::string tag = common::ascii_lowercase(std::string(html.substr(i + 1, end - i - 1)));
      const bool closing = !tag.empty() && tag[0] == '/';
      if (closing) tag.erase(0, 1);
      const auto name = tag.substr(0, tag.find_first_of(" \t\r\n/"));
      if (name == "script" || name == "style") skip = !closing;
      if (name == "br" || name == "p" || name == "div" || name == "tr" || name == "li" || name == "h1" ||
          name == "h2" || name == "h3" || name == "table" || name == "blockquote") {
        emit("\n");
      }
      i = end + 1;
      continue;
    }
    if (skip) {
      ++i;
      continue;
    }
    if (html[i] == '&') {
      const auto semi = html.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 8) {
        const auto entity = html.substr(i + 1, semi - i - 1);
        std::string repl;
        if (entity == "amp") repl = "&";
        else if (entity == "lt") repl = "<";
        else if (entity == "gt") repl = ">";
        else if (entity == "quot") repl = "\"";
        else if (entity == "apos" || entity == "#39") repl = "'";
        else if (entity == "nbsp") repl = " ";
        if (!repl.empty()) {
          emit(repl);
          i = semi + 1;
          continue;
        }
      }
    }
    emit(html.substr(i, 1));
    ++i;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  const auto first = out.find_first_not_of('\n');
  return first == std::string::npos ? std::string() : out.substr(first);
}

std::string text_to_html(std::string_view text) {
  std::string out = "<html><body>";
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\n': out += "<br>\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out + "</body></html>";
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  // Back off continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut));
}

std::string preview(const message_properties& m, std::size_t max_chars) {
  std::string text = m.text_body.empty() ? html_to_text(m.html_body) : m.text_body;
  std::string flat;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !flat.empty();
      continue;
    }
    if (space) flat += ' ';
    space = false;
    flat += c;
  }
  // Count characters, not bytes.
  std::size_t chars = 0;
  for (std::size_t i = 0; i < flat.size(); ++i) {
    if ((static_cast<unsigned char>(flat[i]) & 0xC0) != 0x80 && chars++ == max_chars) return flat.substr(0, i);
  }
  return flat;
}

std::string compose_message(const new_message& m) {
  init_gmime();
  gobj<GMimeMessage> msg(g_mime_message_new(TRUE));
  auto add = [&](GMimeAddressType type, const std::string& list) {
    if (list.empty()) return;
    if (InternetAddressList* parsed = internet_address_list_parse(nullptr, list.c_str())) {
      internet_address_list_append(g_mime_message_get_addresses(msg.get(), type), parsed);
      g_object_unref(parsed);
    }
  };
  add(GMIME_ADDRESS_TYPE_FROM, m.from);
  add(GMIME_ADDRESS_TYPE_TO, m.to);
  add(GMIME_ADDRESS_TYPE_CC, m.cc);
  add(GMIME_ADDRESS_TYPE_BCC, m.bcc);
  if (m.importance != 1) g_mime_object_set_header(GMIME_OBJECT(msg.get()), "Importance", m.importance == 0 ? "low" : "high", nullptr);
  g_mime_message_set_subject(msg.get(), m.subject.c_str(), "utf-8");
  GDateTime* date = m.date_ms != 0 ? g_date_time_new_from_unix_utc(m.date_ms / 1000) : g_date_time_new_now_utc();
  g_mime_message_set_date(msg.get(), date);
  g_date_time_unref(date);
  g_mime_message_set_message_id(msg.get(), take(g_mime_utils_generate_message_id("easemu.lab")).c_str());

  auto text_part = [](const std::string& subtype, const std::string& body) {
    GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype.c_str());
    g_mime_text_part_set_text(part, body.c_str());
    g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return GMIME_OBJECT(part);
  };
  GMimeObject* body = nullptr;
  if (!m.text.empty() && !m.html.empty()) {
    GMimeMultipart* alt = g_mime_multipart_new_with_subtype("alternative");
    GMimeObject* t = text_part("plain", m.text);
    GMimeObject* h = text_part("html", m.html);
    g_mime_multipart_add(alt, t);
    g_mime_multipart_add(alt, h);
    g_object_unref(t);
    g_object_unref(h);
    body = GMIME_OBJECT(alt);
  } else {
    body = text_part(m.html.empty() ? "plain" : "html", m.html.empty() ? m.text : m.html);
  }
  if (!m.attachments.empty()) {
    GMimeMultipart* mixed = g_mime_multipart_new_with_subtype("mixed");
    g_mime_multipart_add(mixed, body);
    g_object_unref(body);
    for (const auto& f : m.attachments) {
      const auto slash = f.content_type.find('/');
      const auto type = slash == std::string::npos ? std::string("application") : f.content_type.substr(0, slash);
      const auto subtype = slash == std::string::npos ? std::string("octet-stream") : f.content_type.substr(slash + 1);
      GMimePart* part = g_mime_part_new_with_type(type.c_str(), subtype.c_str());
      g_mime_part_set_filename(part, f.name.c_str());
      gobj<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(f.content.data(), f.content.size()));
      gobj<GMimeDataWrapper> content(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
      g_mime_part_set_content(part, content.get());
      g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
      g_mime_multipart_add(mixed, GMIME_OBJECT(part));
      g_object_unref(part);
    }
    body = GMIME_OBJECT(mixed);
  }
  g_mime_message_set_mime_part(msg.get(), body);
  g_object_unref(body);
  return take(g_mime_object_to_string(GMIME_OBJECT(msg.get()), nullptr));
}

std::vector<std::string> address_list(std::string_view list) {
  init_gmime();
  std::vector<std::string> out;
  const std::string text(list);
  InternetAddressList* parsed = internet_address_list_parse(nullptr, text.c_str());
  if (parsed == nullptr) return out;
  for (int i = 0; i < internet_address_list_length(parsed); ++i) {
    InternetAddress* a = internet_address_list_get_address(parsed, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      out.emplace_back(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)));
    } else if (INTERNET_ADDRESS_IS_GROUP(a)) {
      InternetAddressList* members = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a));
      for (int j = 0; members != nullptr && j < internet_address_list_length(members); ++j) {
        InternetAddress* m = internet_address_list_get_address(members, j);
        if (INTERNET_ADDRESS_IS_MAILBOX(m)) out.emplace_back(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(m)));
      }
    }
  }
  g_object_unref(parsed);
  return out;
}

std::string without_bcc(std::string_view mime) {
  init_gmime();
  gobj<GMimeMessage> msg(parse(mime));
  if (!msg) return std::string(mime);
  g_mime_object_remove_header(GMIME_OBJECT(msg.get()), "Bcc");
  return take(g_mime_object_to_string(GMIME_OBJECT(msg.get()), nullptr));
}

namespace {

struct first_text {
  GMimeTextPart* part = nullptr;
};

void find_text(GMimeObject* /*parent*/, GMimeObject* object, gpointer data) {
  auto* f = static_cast<first_text*>(data);
  if (f->part != nullptr || !GMIME_IS_TEXT_PART(object) || g_mime_part_is_attachment(GMIME_PART(object))) return;
  if (g_mime_content_type_is_type(g_mime_object_get_content_type(object), "text", "plain")) f->part = GMIME_TEXT_PART(object);
}

}  // namespace

std::optional<std::string> with_original(std::string_view mime, std::string_view original, bool forward) {
  init_gmime();
  gobj<GMimeMessage> msg(parse(mime));
  if (!msg) return std::nullopt;
  g_mime_object_remove_header(GMIME_OBJECT(msg.get()), "Bcc");
  gobj<GMimeMessage> orig(parse(original));
  if (orig) {
    if (forward) {
      GMimeObject* body = g_mime_message_get_mime_part(msg.get());
      GMimeMultipart* mixed = g_mime_multipart_new_with_subtype("mixed");
      if (body != nullptr) g_mime_multipart_add(mixed, body);
      GMimeMessagePart* attached = g_mime_message_part_new_with_message("rfc822", orig.get());
      g_mime_multipart_add(mixed, GMIME_OBJECT(attached));
      g_object_unref(attached);
      g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(mixed));
      g_object_unref(mixed);
    } else {
      const auto props = parse_message(original);
      first_text f;
      g_mime_message_foreach(msg.get(), find_text, &f);
      if (props && f.part != nullptr) {
        std::string text = take(g_mime_text_part_get_text(f.part));
        const std::string quoted_source = props->text_body.empty() ? html_to_text(props->html_body) : props->text_body;
        std::string quoted;
        std::size_t pos = 0;
        while (pos <= quoted_source.size()) {
          const auto nl = quoted_source.find('\n', pos);
          auto line = quoted_source.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
          if (!line.empty() && line.back() == '\r') line.pop_back();
          quoted += "> " + line + "\n";
          if (nl == std::string::npos) break;
          pos = nl + 1;
        }
        text += "\n\n-----Original Message-----\nFrom: " + props->from + "\nSubject: " + props->subject + "\n\n" + quoted;
        g_mime_text_part_set_text(f.part, text.c_str());
      }
    }
  }
  return take(g_mime_object_to_string(GMIME_OBJECT(msg.get()), nullptr));
}

namespace {

// The next line of `text` from `at` (without its CRLF or LF); `at` moves past it.
std::string_view next_line(std::string_view text, std::size_t& at) {
  const auto end = text.find('\n', at);
  const auto stop = end == std::string_view::npos ? text.size() : end;
  auto line = text.substr(at, stop - at);
  at = end == std::string_view::npos ? text.size() : end + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The boundary parameter of a Content-Type value (quoted or not); empty when there is none.
std::string boundary_of(std::string_view content_type) {
  const auto low = lowered(content_type);
  auto at = low.find("boundary");
  while (at != std::string::npos) {
    auto p = at + 8;
    while (p < low.size() && (low[p] == ' ' || low[p] == '\t')) ++p;
    if (p < low.size() && low[p] == '=') {
      ++p;
      while (p < low.size() && (low[p] == ' ' || low[p] == '\t')) ++p;
      if (p < low.size() && low[p] == '"') {
        const auto close = content_type.find('"', p + 1);
        return std::string(content_type.substr(p + 1, close == std::string_view::npos ? std::string_view::npos : close - p - 1));
      }
      auto e = p;
      while (e < content_type.size() && content_type[e] != ';' && content_type[e] != ' ' && content_type[e] != '\t') ++e;
      return std::string(content_type.substr(p, e - p));
    }
    at = low.find("boundary", at + 8);
  }
  return {};
}

}  // namespace

std::optional<std::string> mime_structure_error(std::string_view text, const mime_limits& limits) {
  std::vector<std::string> boundaries;  // the open multiparts, innermost last
  std::size_t parts = 0;
  std::size_t attached = 0;  // message/rfc822 levels since the last boundary
  std::size_t at = 0;
  bool in_headers = true;  // the message's own header block comes first
  std::size_t header_bytes = 0;
  std::string content_type;  // of the header block being read (unfolded)
  bool reading_content_type = false;
  while (at < text.size()) {
    const auto line = next_line(text, at);
    if (in_headers) {
      header_bytes += line.size() + 2;
      if (header_bytes > limits.max_header_bytes) {
        return "a header block over " + std::to_string(limits.max_header_bytes) + " bytes";
      }
      if (line.empty()) {
        in_headers = false;
        const auto type = lowered(content_type.substr(0, content_type.find(';')));
        if (type.find("multipart/") != std::string::npos) {
          auto b = boundary_of(content_type);
          if (!b.empty()) {
            if (boundaries.size() + 1 > limits.max_depth) {
              return "multiparts nested over " + std::to_string(limits.max_depth) + " levels";
            }
            boundaries.push_back(std::move(b));
          }
        } else if (type.find("message/rfc822") != std::string::npos) {
          // An attached message: its own header block follows at once, one level deeper.
          if (boundaries.size() + ++attached > limits.max_depth) {
            return "messages nested over " + std::to_string(limits.max_depth) + " levels";
          }
          in_headers = true;
          header_bytes = 0;
        }
        content_type.clear();
        reading_content_type = false;
        continue;
      }
      if (line.front() == ' ' || line.front() == '\t') {
        if (reading_content_type) content_type.append(line);
      } else {
        reading_content_type = line.size() >= 13 && lowered(line.substr(0, 13)) == "content-type:";
        if (reading_content_type) content_type = std::string(line.substr(13));
      }
      continue;
    }
    if (line.size() < 3 || line[0] != '-' || line[1] != '-' || boundaries.empty()) continue;
    // A boundary line of an open multipart (the innermost first): a new part, or its end.
    for (std::size_t level = boundaries.size(); level-- > 0;) {
      const auto& b = boundaries[level];
      if (line.size() < 2 + b.size() || line.compare(2, b.size(), b) != 0) continue;
      const auto rest = line.substr(2 + b.size());
      const bool closing = rest.starts_with("--");
      if (!closing && rest.find_first_not_of(" \t") != std::string_view::npos) continue;  // a longer boundary
      if (closing) {
        boundaries.resize(level);  // this multipart and any left open inside it end
      } else {
        boundaries.resize(level + 1);
        attached = 0;
        if (++parts > limits.max_parts) return "over " + std::to_string(limits.max_parts) + " body parts";
        in_headers = true;
        header_bytes = 0;
        content_type.clear();
        reading_content_type = false;
      }
      break;
    }
  }
  return std::nullopt;
}

}  // namespace easemu::mailbox
