#include "easemu/dns/message.hpp"

#include <algorithm>
#include <cctype>

namespace easemu::dns {

namespace {

constexpr std::size_t header_size = 12;
constexpr std::size_t max_name_wire = 255;  // RFC 1035 2.3.4
constexpr std::size_t max_label = 63;
constexpr std::size_t udp_plain_max = 512;   // RFC 1035 4.2.1
constexpr std::size_t udp_edns_max = 1232;   // the DNS flag day 2020 size: no IP fragmentation
constexpr std::size_t tcp_max = 65535;       // RFC 1035 4.2.2: the two-byte length

// RFC 1035 4.1.1 header flag bits.
constexpr std::uint16_t flag_qr = 0x8000;
constexpr std::uint16_t flag_aa = 0x0400;
constexpr std::uint16_t flag_tc = 0x0200;
constexpr std::uint16_t flag_rd = 0x0100;
constexpr std::uint16_t flag_cd = 0x0010;

std::uint16_t get16(std::span<const std::uint8_t> m, std::size_t at) {
  return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
}
std::uint32_t get32(std::span<const std::uint8_t> m, std::size_t at) {
  return (std::uint32_t{m[at]} << 24) | (std::uint32_t{m[at + 1]} << 16) | (std::uint32_t{m[at + 2]} << 8) |
         std::uint32_t{m[at + 3]};
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string lower(std::string s) {
  for (auto& c : s) c = lower(c);
  return s;
}

class decode_category_impl : public std::error_category {
 public:
  const char* name() const noexcept override { return "easemu.dns"; }
  std::string message(int ev) const override {
    switch (static_cast<decode_error>(ev)) {
      case decode_error::truncated_header: return "shorter than the 12-byte header";
      case decode_error::message_too_large: return "message larger than the limit";
      case decode_error::is_response: return "a response (QR set), not a query";
      case decode_error::question_count: return "not exactly one question";
      case decode_error::too_many_records: return "more records than the limit";
      case decode_error::truncated_name: return "name runs past the end of the message";
      case decode_error::label_too_long: return "label longer than 63 octets";
      case decode_error::name_too_long: return "name longer than 255 octets";
      case decode_error::bad_label_type: return "unknown label type";
      case decode_error::bad_pointer: return "compression pointer does not point back before the name";
      case decode_error::too_many_pointers: return "too many compression pointers in one name";
      case decode_error::truncated_question: return "question runs past the end of the message";
      case decode_error::truncated_record: return "record runs past the end of the message";
      case decode_error::bad_opt_record: return "OPT record not allowed here (RFC 6891 6.1.1)";
    }
    return "unknown DNS decode error";
  }
};

name_result name_error(decode_error e, std::size_t at) {
  name_result r;
  r.error = make_error_code(e);
  r.offset = at;
  return r;
}

decode_result query_error(decode_result r, decode_error e, std::size_t at) {
  r.error = make_error_code(e);
  r.offset = at;
  r.value.reset();
  return r;
}

// Writes a message with RFC 1035 4.1.4 name compression.
class writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void bytes(const std::uint8_t* p, std::size_t n) { out_.insert(out_.end(), p, p + n); }
  void put16(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
  }
  std::size_t size() const { return out_.size(); }

  // `compress`: may end in a pointer (not for SRV targets, RFC 2782). Either way its suffixes
  // become targets for later names.
  void name(const dns::name& n, bool compress) {
    for (std::size_t i = 0; i < n.size(); ++i) {
      const auto suffix = to_text(dns::name(n.begin() + static_cast<std::ptrdiff_t>(i), n.end()));
      if (compress) {
        const auto hit = std::find_if(seen_.begin(), seen_.end(), [&](const auto& s) { return s.first == suffix; });
        if (hit != seen_.end()) {
          u16(static_cast<std::uint16_t>(0xC000 | hit->second));
          return;
        }
      }
      if (out_.size() < 0x4000) seen_.emplace_back(suffix, static_cast<std::uint16_t>(out_.size()));
      u8(static_cast<std::uint8_t>(n[i].size()));
      bytes(reinterpret_cast<const std::uint8_t*>(n[i].data()), n[i].size());
    }
    u8(0);
  }

  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  std::vector<std::uint8_t> out_;
  std::vector<std::pair<std::string, std::uint16_t>> seen_;
};

void write_record(writer& w, const record& r) {
  w.name(r.owner, true);
  w.u16(type_of(r.data));
  w.u16(rr_class::in);
  w.u32(r.ttl);
  const auto length_at = w.size();
  w.u16(0);
  std::visit(
      [&](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, srv_data>) {
          w.u16(d.priority);
          w.u16(d.weight);
          w.u16(d.port);
          w.name(d.target, false);
        } else if constexpr (std::is_same_v<T, soa_data>) {
          w.name(d.mname, true);
          w.name(d.rname, true);
          w.u32(d.serial);
          w.u32(d.refresh);
          w.u32(d.retry);
          w.u32(d.expire);
          w.u32(d.minimum);
        } else {
          w.bytes(d.data(), d.size());
        }
      },
      r.data);
  w.put16(length_at, static_cast<std::uint16_t>(w.size() - length_at - 2));
}

std::vector<std::uint8_t> build(const response& r, bool with_records, bool with_additional, bool truncated) {
  writer w;
  w.u16(r.id);
  std::uint16_t flags = flag_qr | static_cast<std::uint16_t>((r.opcode & 0xF) << 11);
  if (r.authoritative) flags |= flag_aa;
  if (truncated) flags |= flag_tc;
  if (r.recursion_desired) flags |= flag_rd;
  if (r.checking_disabled) flags |= flag_cd;
  flags |= static_cast<std::uint16_t>(static_cast<std::uint16_t>(r.code) & 0xF);
  w.u16(flags);
  const std::size_t an = with_records ? r.answers.size() : 0;
  const std::size_t ns = with_records ? r.authority.size() : 0;
  const std::size_t ar = (with_records && with_additional ? r.additional.size() : 0) + (r.edns ? 1 : 0);
  w.u16(r.q ? 1 : 0);
  w.u16(static_cast<std::uint16_t>(an));
  w.u16(static_cast<std::uint16_t>(ns));
  w.u16(static_cast<std::uint16_t>(ar));
  if (r.q) {
    w.name(r.q->qname, true);
    w.u16(r.q->qtype);
    w.u16(r.q->qclass);
  }
  if (with_records) {
    for (const auto& rec : r.answers) write_record(w, rec);
    for (const auto& rec : r.authority) write_record(w, rec);
    if (with_additional) {
      for (const auto& rec : r.additional) write_record(w, rec);
    }
  }
  if (r.edns) {
    // RFC 6891 6.1.2: root owner, CLASS = our UDP payload size, TTL = extended RCODE, version 0, flags.
    w.u8(0);
    w.u16(rr_type::opt);
    w.u16(r.edns_udp_size);
    w.u32(static_cast<std::uint32_t>(static_cast<std::uint16_t>(r.code) >> 4) << 24);
    w.u16(0);
  }
  return w.take();
}

bool is_under(const std::string& text, const std::string& domain) {
  return text == domain || (text.size() > domain.size() && text.ends_with(domain) &&
                            text[text.size() - domain.size() - 1] == '.');
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

const std::error_category& decode_category() {
  static const decode_category_impl c;
  return c;
}

std::error_code make_error_code(decode_error e) { return {static_cast<int>(e), decode_category()}; }

std::string_view to_string(rcode r) {
  switch (r) {
    case rcode::no_error: return "NOERROR";
    case rcode::format_error: return "FORMERR";
    case rcode::server_failure: return "SERVFAIL";
    case rcode::name_error: return "NXDOMAIN";
    case rcode::not_implemented: return "NOTIMP";
    case rcode::refused: return "REFUSED";
    case rcode::bad_version: return "BADVERS";
  }
  return "RCODE?";
}

std::string type_name(std::uint16_t type) {
  struct entry {
    std::uint16_t type;
    const char* name;
  };
  static constexpr entry names[] = {{rr_type::a, "A"},       {rr_type::ns, "NS"},     {rr_type::cname, "CNAME"},
                                    {rr_type::soa, "SOA"},   {rr_type::mx, "MX"},     {rr_type::txt, "TXT"},
                                    {rr_type::aaaa, "AAAA"}, {rr_type::srv, "SRV"},   {rr_type::opt, "OPT"},
                                    {12, "PTR"},             {65, "HTTPS"},           {64, "SVCB"},
                                    {rr_type::ixfr, "IXFR"}, {rr_type::axfr, "AXFR"}, {rr_type::any, "ANY"}};
  for (const auto& e : names) {
    if (e.type == type) return e.name;
  }
  return "TYPE" + std::to_string(type);
}

std::string to_text(const name& n) {
  if (n.empty()) return ".";
  std::string out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (i > 0) out += '.';
    for (char raw : n[i]) {
      const char c = lower(raw);
      const auto u = static_cast<unsigned char>(c);
      if (c == '.' || c == '\\') {
        out += '\\';
        out += c;
      } else if (u < 0x21 || u > 0x7E) {
        out += '\\';
        out += static_cast<char>('0' + u / 100);
        out += static_cast<char>('0' + u / 10 % 10);
        out += static_cast<char>('0' + u % 10);
      } else {
        out += c;
      }
    }
  }
  return out;
}

std::optional<name> from_text(std::string_view dotted) {
  if (!dotted.empty() && dotted.back() == '.') dotted.remove_suffix(1);
  name out;
  if (dotted.empty()) return out;
  std::size_t wire = 1;
  while (true) {
    const auto dot = dotted.find('.');
    const auto label = dotted.substr(0, dot);
    if (label.empty() || label.size() > max_label) return std::nullopt;
    wire += label.size() + 1;
    if (wire > max_name_wire) return std::nullopt;
    out.emplace_back(label);
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  return out;
}

name_result decode_name(std::span<const std::uint8_t> m, std::size_t offset, const limits& lim) {
  name_result r;
  name labels;
  std::size_t pos = offset;
  // Every pointer must point before the start of the stretch being read (the name's start, then
  // the previous pointer's target): the stretches move strictly backwards, so no pointer loop can
  // exist. max_pointers bounds the work of a long backward chain.
  std::size_t stretch_start = offset;
  std::optional<std::size_t> end;
  std::size_t pointers = 0;
  std::size_t wire = 1;  // the root label
  while (true) {
    if (pos >= m.size()) return name_error(decode_error::truncated_name, pos);
    const std::uint8_t len = m[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= m.size()) return name_error(decode_error::truncated_name, pos);
      const std::size_t target = ((len & 0x3Fu) << 8) | m[pos + 1];
      if (!end) end = pos + 2;
      if (++pointers > lim.max_pointers) return name_error(decode_error::too_many_pointers, pos);
      if (target >= stretch_start || target < header_size) return name_error(decode_error::bad_pointer, pos);
      stretch_start = target;
      pos = target;
      continue;
    }
    if ((len & 0xC0) == 0x40) return name_error(decode_error::label_too_long, pos);  // 64..127
    if ((len & 0xC0) == 0x80) return name_error(decode_error::bad_label_type, pos);
    if (len == 0) {
      if (!end) end = pos + 1;
      break;
    }
    wire += len + 1u;
    if (wire > max_name_wire) return name_error(decode_error::name_too_long, pos);
    if (pos + 1 + len > m.size()) return name_error(decode_error::truncated_name, pos);
    labels.emplace_back(reinterpret_cast<const char*>(m.data() + pos + 1), len);
    pos += 1 + len;
  }
  r.value = std::move(labels);
  r.end = *end;
  return r;
}

decode_result decode_query(std::span<const std::uint8_t> m, const limits& lim) {
  decode_result r;
  if (m.size() > lim.max_message) return query_error(std::move(r), decode_error::message_too_large, lim.max_message);
  if (m.size() < header_size) return query_error(std::move(r), decode_error::truncated_header, m.size());
  r.header_read = true;
  r.id = get16(m, 0);
  r.flags = get16(m, 2);
  if ((r.flags & flag_qr) != 0) return query_error(std::move(r), decode_error::is_response, 2);
  const std::size_t qd = get16(m, 4);
  const std::size_t an = get16(m, 6);
  const std::size_t ns = get16(m, 8);
  const std::size_t ar = get16(m, 10);
  if (qd != 1) return query_error(std::move(r), decode_error::question_count, 4);
  if (an + ns + ar > lim.max_records) return query_error(std::move(r), decode_error::too_many_records, 6);

  query q;
  q.id = r.id;
  q.opcode = static_cast<std::uint8_t>((r.flags >> 11) & 0xF);
  q.recursion_desired = (r.flags & flag_rd) != 0;
  q.checking_disabled = (r.flags & flag_cd) != 0;
  auto qn = decode_name(m, header_size, lim);
  if (qn.error) return query_error(std::move(r), static_cast<decode_error>(qn.error.value()), qn.offset);
  std::size_t pos = qn.end;
  if (pos + 4 > m.size()) return query_error(std::move(r), decode_error::truncated_question, pos);
  q.q.qname = std::move(*qn.value);
  q.q.qtype = get16(m, pos);
  q.q.qclass = get16(m, pos + 2);
  pos += 4;

  for (std::size_t i = 0; i < an + ns + ar; ++i) {
    const std::size_t start = pos;
    auto owner = decode_name(m, pos, lim);
    if (owner.error) return query_error(std::move(r), static_cast<decode_error>(owner.error.value()), owner.offset);
    pos = owner.end;
    if (pos + 10 > m.size()) return query_error(std::move(r), decode_error::truncated_record, start);
    const auto type = get16(m, pos);
    const auto klass = get16(m, pos + 2);
    const auto ttl = get32(m, pos + 4);
    const std::size_t rdlength = get16(m, pos + 8);
    pos += 10;
    if (pos + rdlength > m.size()) return query_error(std::move(r), decode_error::truncated_record, start);
    pos += rdlength;
    if (type != rr_type::opt) continue;
    // RFC 6891 6.1.1: one OPT, in the additional section, owned by the root.
    if (i < an + ns || q.edns || !owner.value->empty()) {
      return query_error(std::move(r), decode_error::bad_opt_record, start);
    }
    q.edns = true;
    q.edns_udp_size = klass;
    q.edns_version = static_cast<std::uint8_t>(ttl >> 16);
  }
  r.value = std::move(q);
  return r;
}

std::uint16_t type_of(const rdata& d) {
  switch (d.index()) {
    case 0: return rr_type::a;
    case 1: return rr_type::aaaa;
    case 2: return rr_type::srv;
    default: return rr_type::soa;
  }
}

encoded encode(const response& r, std::size_t max_size) {
  encoded e;
  e.bytes = build(r, true, true, false);
  if (e.bytes.size() <= max_size) return e;
  if (!r.additional.empty()) {
    e.bytes = build(r, true, false, false);
    e.additional_dropped = true;
    if (e.bytes.size() <= max_size) return e;
  }
  e.bytes = build(r, false, false, true);
  e.truncated = true;
  return e;
}

std::vector<std::string> address_names(const zone& z) {
  std::vector<std::string> out;
  auto add = [&out](std::string n) {
    n = lower(std::move(n));
    if (!n.empty() && n.back() == '.') n.pop_back();
    if (!n.empty() && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(std::move(n));
  };
  add(z.domain);
  add("autodiscover." + z.domain);
  add(z.hostname);
  for (const auto& h : z.extra_hosts) add(h);
  return out;
}

std::string srv_name(const zone& z) { return "_autodiscover._tcp." + lower(z.domain); }

std::string check_zone(const zone& z) {
  if (z.domain.empty()) return "no lab domain";
  for (const auto& n : address_names(z)) {
    if (!from_text(n)) return "'" + n + "' is not a DNS name (labels of 1 to 63 octets, 255 in all)";
  }
  if (!from_text(srv_name(z))) return "'" + srv_name(z) + "' is not a DNS name";
  return {};
}

outcome respond(std::span<const std::uint8_t> message, const zone& z, transport t, const limits& lim) {
  outcome out;
  const auto d = decode_query(message, lim);
  const auto describe = [&d] {
    return d.error.message() + " at byte " + std::to_string(d.offset);
  };
  if (!d.header_read || d.error == decode_error::message_too_large) {
    out.summary = "dropped: " + describe();
    out.malformed = true;
    return out;
  }
  if (d.error == decode_error::is_response) {
    // Never answer an answer: two responders would play ping-pong.
    out.summary = "dropped: " + describe();
    out.malformed = true;
    return out;
  }
  response r;
  r.id = d.id;
  r.opcode = static_cast<std::uint8_t>((d.flags >> 11) & 0xF);
  r.recursion_desired = (d.flags & flag_rd) != 0;
  r.checking_disabled = (d.flags & flag_cd) != 0;
  std::size_t max_size = t == transport::tcp ? tcp_max : udp_plain_max;
  if (r.opcode != 0) {
    r.code = rcode::not_implemented;
    out.summary = "opcode " + std::to_string(r.opcode) + ": ";
  } else if (d.error) {
    r.code = rcode::format_error;
    out.summary = "malformed (" + describe() + "): ";
    out.malformed = true;
  } else {
    const auto& q = *d.value;
    r.q = q.q;
    r.edns = q.edns;
    if (t == transport::udp && q.edns) max_size = std::clamp<std::size_t>(q.edns_udp_size, udp_plain_max, udp_edns_max);
    const auto text = to_text(q.q.qname);
    const auto names = address_names(z);
    const auto srv = srv_name(z);
    const auto domain = lower(z.domain);
    const bool address_name = std::find(names.begin(), names.end(), text) != names.end();
    const bool srv_owner = text == srv;
    const auto type = q.q.qtype;
    const bool any = type == rr_type::any;
    out.summary = type_name(type) + " " + text + ": ";
    if (q.edns && q.edns_version > 0) {
      r.code = rcode::bad_version;  // RFC 6891 6.1.3: we speak EDNS version 0
    } else if (q.q.qclass != rr_class::in && q.q.qclass != rr_class::any) {
      r.code = rcode::refused;
    } else if ((!address_name && !srv_owner) || type == rr_type::axfr || type == rr_type::ixfr) {
      r.code = rcode::refused;  // not ours, or a zone transfer
    } else if (const auto target = from_text(lower(z.hostname)), apex = from_text(domain),
               contact = from_text("hostmaster." + domain);
               !target || !apex || !contact) {
      r.code = rcode::server_failure;  // a zone check_zone() refuses; serve checks it at start
    } else {
      r.authoritative = true;
      const auto& hostname = *target;
      auto addresses = [&](const name& owner, std::vector<record>& into, bool v4, bool v6) {
        if (v4) {
          for (const auto& a : z.ipv4) into.push_back({owner, z.ttl, a});
        }
        if (v6) {
          for (const auto& a : z.ipv6) into.push_back({owner, z.ttl, a});
        }
      };
      if (address_name) addresses(q.q.qname, r.answers, type == rr_type::a || any, type == rr_type::aaaa || any);
      if (srv_owner && (type == rr_type::srv || any)) {
        // RFC 2782: priority, weight, port, target; the target's addresses go along as glue.
        r.answers.push_back({q.q.qname, z.ttl, srv_data{0, 0, z.srv_port, hostname}});
        addresses(hostname, r.additional, true, true);
      }
      soa_data soa{hostname, *contact, 1, 3600, 600, 86400, z.ttl};
      if (text == domain && (type == rr_type::soa || any)) r.answers.push_back({q.q.qname, z.ttl, soa});
      // No data of that type: NOERROR with the SOA for negative caching (RFC 2308 2.2).
      if (r.answers.empty() && is_under(text, domain)) r.authority.push_back({*apex, z.ttl, soa});
    }
  }
  auto e = encode(r, max_size);
  out.summary += std::string(to_string(r.code));
  if (r.code == rcode::no_error) out.summary += ", " + plural(e.truncated ? 0 : r.answers.size(), "answer");
  if (e.truncated) out.summary += " (truncated: " + std::to_string(max_size) + " bytes over UDP)";
  out.reply = std::move(e.bytes);
  return out;
}

}  // namespace easemu::dns
