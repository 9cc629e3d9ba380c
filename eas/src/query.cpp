#include "easemu/eas/query.hpp"

#include <bitset>

#include "easemu/common/base64.hpp"
#include "easemu/common/hex.hpp"
#include "easemu/eas/url.hpp"

namespace easemu::eas {

namespace {

constexpr bool query_params_consistent() {
  for (std::size_t i = 0; i < query_params.size(); ++i) {
    if (static_cast<std::size_t>(query_params[i].id) != i) return false;
    for (std::size_t j = i + 1; j < query_params.size(); ++j) {
      if (detail::iequals(query_params[i].name, query_params[j].name)) return false;
      if (query_params[i].tag && query_params[j].tag &&
          *query_params[i].tag == *query_params[j].tag) {
        return false;
      }
    }
  }
  return true;
}
static_assert(query_params_consistent());

constexpr const query_param_info& param(query_param p) {
  return query_params[static_cast<std::size_t>(p)];
}

const query_param_info* find_plain_param(std::string_view name) {
  for (const auto& p : query_params) {
    if (p.in_plain && detail::iequals(p.name, name)) return &p;
  }
  return nullptr;
}

const query_param_info* find_tag(std::uint8_t tag) {
  for (const auto& p : query_params) {
    if (p.tag && *p.tag == tag) return &p;
  }
  return nullptr;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ---- plain form -------------------------------------------------------------------------------

result<eas_query> parse_plain(std::string_view q, const query_limits& limits) {
  eas_query out;
  std::bitset<query_params.size()> seen;
  std::string cmd;
  std::size_t cmd_offset = 0;
  std::string save_in_sent;
  std::size_t save_in_sent_offset = 0;

  std::size_t start = 0;
  while (start <= q.size()) {
    std::size_t end = q.find('&', start);
    if (end == std::string_view::npos) end = q.size();
    const std::string_view segment = q.substr(start, end - start);
    const std::size_t seg_offset = start;
    start = end + 1;
    if (segment.empty()) continue;  // "a=1&&b=2", a trailing '&'

    const std::size_t eq = segment.find('=');
    const std::string_view raw_name = segment.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : segment.substr(eq + 1);
    const std::size_t value_offset =
        seg_offset + (eq == std::string_view::npos ? segment.size() : eq + 1);

    auto name = percent_decode(raw_name, plus_rule::space);
    if (!name) {
      return make_parse_error(errc::bad_percent_encoding, seg_offset + name.error().offset,
                              name.error().detail);
    }
    auto value = percent_decode(raw_value, plus_rule::space);
    if (!value) {
      return make_parse_error(errc::bad_percent_encoding, value_offset + value.error().offset,
                              value.error().detail);
    }
    const query_param_info* p = find_plain_param(*name);
    if (p == nullptr) continue;  // unknown parameters are ignored, as servers do
    const auto index = static_cast<std::size_t>(p->id);
    if (seen[index]) {
      return make_parse_error(errc::duplicate_parameter, seg_offset, std::string(p->name));
    }
    seen[index] = true;
    if (value->size() > limits.max_field_length) {
      return make_parse_error(errc::field_too_long, value_offset, std::string(p->name));
    }
    switch (p->id) {
      case query_param::cmd:
        cmd = std::move(*value);
        cmd_offset = value_offset;
        break;
      case query_param::user: out.user = std::move(*value); break;
      case query_param::device_id:
        if (value->empty()) return make_parse_error(errc::empty_device_id, value_offset);
        out.device_id = std::move(*value);
        break;
      case query_param::device_type: out.device_type = std::move(*value); break;
      case query_param::save_in_sent:
        save_in_sent = std::move(*value);
        save_in_sent_offset = value_offset;
        break;
      default: out.params.*(p->field) = std::move(*value); break;
    }
  }

  if (cmd.empty()) return make_parse_error(errc::missing_command, 0);
  out.command = find_command(limits.table, cmd);
  if (out.command == nullptr) return make_parse_error(errc::unknown_command, cmd_offset, cmd);
  if (!seen[static_cast<std::size_t>(query_param::device_id)]) {
    return make_parse_error(errc::missing_device_id, 0);
  }
  if (out.device_type.empty()) return make_parse_error(errc::missing_device_type, 0);
  if (seen[static_cast<std::size_t>(query_param::save_in_sent)]) {
    // MS-ASHTTP 2.2.1.1.1.2.5: T or F; we accept either case.
    if (detail::iequals(save_in_sent, "T")) {
      out.save_in_sent = true;
    } else if (!detail::iequals(save_in_sent, "F")) {
      return make_parse_error(errc::invalid_parameter_value, save_in_sent_offset,
                              "SaveInSent=" + save_in_sent);
    }
  }
  return out;
}

// ---- base64 form ------------------------------------------------------------------------------

// Percent-decodes and checks the base64 text in one pass, so errors point into the raw query.
result<std::string> base64_text(std::string_view q) {
  std::string text;
  text.reserve(q.size());
  std::size_t padding = 0;
  for (std::size_t i = 0; i < q.size(); ++i) {
    char c = q[i];
    const std::size_t at = i;
    if (c == '%') {
      const int hi = q.size() - i >= 3 ? hex_value(q[i + 1]) : -1;
      const int lo = q.size() - i >= 3 ? hex_value(q[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return make_parse_error(errc::bad_percent_encoding, at, "'%' without two hex digits");
      }
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '=') {
      if (++padding > 2) return make_parse_error(errc::bad_base64, at, "too much padding");
    } else if (!is_base64_char(c)) {
      return make_parse_error(errc::bad_base64, at, "character outside the base64 alphabet");
    } else if (padding > 0) {
      return make_parse_error(errc::bad_base64, at, "data after padding");
    }
    text.push_back(c);
  }
  // Padding is optional on input: restore it.
  switch (text.size() % 4) {
    case 0: break;
    case 1: return make_parse_error(errc::bad_base64, q.size(), "length");
    case 2: text += "=="; break;
    case 3: text += "="; break;
  }
  return text;
}

class byte_reader {
 public:
  explicit byte_reader(std::string_view bytes) : bytes_(bytes) {}
  std::size_t pos() const { return pos_; }
  bool at_end() const { return pos_ >= bytes_.size(); }
  bool can_read(std::size_t n) const { return bytes_.size() - pos_ >= n; }
  std::uint8_t u8() { return static_cast<std::uint8_t>(bytes_[pos_++]); }
  std::string_view take(std::size_t n) {
    const auto s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

parse_error truncated(std::size_t at, std::string_view field) {
  return make_parse_error(errc::truncated, at, std::string(field));
}

result<eas_query> parse_base64(std::string_view q, const query_limits& limits) {
  auto text = base64_text(q);
  if (!text) return text.error();
  const auto decoded = common::base64_decode(*text);
  if (!decoded) return make_parse_error(errc::bad_base64, 0, "not decodable");

  eas_query out;
  out.is_base64 = true;
  byte_reader r(*decoded);

  // Length-prefixed field with a one-byte length.
  auto field = [&](std::string_view name, std::string& dest) -> std::optional<parse_error> {
    const std::size_t at = r.pos();
    if (!r.can_read(1)) return truncated(at, name);
    const std::size_t n = r.u8();
    if (!r.can_read(n)) return truncated(at, name);
    if (n > limits.max_field_length) {
      return make_parse_error(errc::field_too_long, at, std::string(name));
    }
    dest = r.take(n);
    return std::nullopt;
  };

  // MS-ASHTTP 2.2.1.1.1.1: version, command code, locale, DeviceId, policy key, DeviceType.
  if (!r.can_read(1)) return truncated(0, "protocol version");
  const std::uint8_t version_byte = r.u8();
  out.version = protocol_version_from_byte(version_byte);
  if (!out.version) {
    return make_parse_error(errc::unknown_protocol_version, 0, std::to_string(version_byte));
  }
  // Base64 form only with 12.1 and later; 2.5 and 12.0 MUST use plain text.
  if (*out.version < protocol_version::v12_1) {
    return make_parse_error(errc::version_not_allowed_in_base64, 0,
                            std::string(to_string(*out.version)));
  }
  if (!r.can_read(1)) return truncated(1, "command code");
  const std::uint8_t code = r.u8();
  out.command = find_command(limits.table, code);
  if (out.command == nullptr) {
    return make_parse_error(errc::unknown_command_code, 1, std::to_string(code));
  }
  if (!r.can_read(2)) return truncated(2, "locale");
  const std::uint8_t lo = r.u8();
  const std::uint8_t hi = r.u8();
  out.locale = static_cast<std::uint16_t>(lo | (hi << 8));

  const std::size_t device_id_at = r.pos();
  if (auto e = field("DeviceId", out.device_id)) return *e;
  if (out.device_id.empty()) return make_parse_error(errc::empty_device_id, device_id_at);

  const std::size_t policy_at = r.pos();
  if (!r.can_read(1)) return truncated(policy_at, "policy key");
  const std::size_t policy_length = r.u8();
  if (policy_length != 0 && policy_length != 4) {
    return make_parse_error(errc::bad_policy_key_length, policy_at, std::to_string(policy_length));
  }
  if (policy_length == 4) {
    if (!r.can_read(4)) return truncated(policy_at, "policy key");
    std::uint32_t key = 0;
    for (int shift = 0; shift < 32; shift += 8) key |= static_cast<std::uint32_t>(r.u8()) << shift;
    out.policy_key = key;
  }

  const std::size_t device_type_at = r.pos();
  if (auto e = field("DeviceType", out.device_type)) return *e;
  if (out.device_type.empty()) return make_parse_error(errc::missing_device_type, device_type_at);

  // Command parameters {tag, length, value} up to the end (2.2.1.1.1.1.3).
  std::bitset<256> seen;
  while (!r.at_end()) {
    const std::size_t at = r.pos();
    const std::uint8_t tag = r.u8();
    const query_param_info* p = find_tag(tag);
    if (p == nullptr) {
      return make_parse_error(errc::unknown_parameter_tag, at, "tag " + std::to_string(tag));
    }
    if (seen[tag]) return make_parse_error(errc::duplicate_parameter, at, std::string(p->name));
    seen[tag] = true;
    std::string value;
    if (!r.can_read(1)) return truncated(at, p->name);
    {
      const std::size_t n = r.u8();
      if (!r.can_read(n)) return truncated(at, p->name);
      if (n > limits.max_field_length) {
        return make_parse_error(errc::field_too_long, at, std::string(p->name));
      }
      value = r.take(n);
    }
    if (p->id == query_param::options) {
      if (value.size() != 1) {
        return make_parse_error(errc::bad_options_length, at, std::to_string(value.size()));
      }
      // Unknown bits are ignored: they may be defined later.
      const auto bits = static_cast<std::uint8_t>(value[0]);
      out.save_in_sent = (bits & option_save_in_sent) != 0;
      out.accept_multipart = (bits & option_accept_multipart) != 0;
    } else if (p->id == query_param::user) {
      out.user = std::move(value);
    } else {
      out.params.*(p->field) = std::move(value);
    }
  }
  return out;
}

}  // namespace

std::string eas_query::printable_device_id() const {
  for (char c : device_id) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x21 || b > 0x7E) return common::hex_encode(device_id);
  }
  return device_id;
}

query_form detect_query_form(std::string_view q) {
  bool padding = false;
  for (char c : q) {
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding) return query_form::plain;  // name=value
    if (!is_base64_char(c) && c != '%') return query_form::plain;
  }
  return query_form::base64;
}

result<eas_query> parse_query(std::string_view q, const query_limits& limits) {
  if (q.empty()) return make_parse_error(errc::empty_query, 0);
  if (q.size() > limits.max_query_length) {
    return make_parse_error(errc::query_too_long, limits.max_query_length);
  }
  return detect_query_form(q) == query_form::plain ? parse_plain(q, limits)
                                                   : parse_base64(q, limits);
}

result<std::string> encode_base64_query(const eas_query& q, bool percent_encoded) {
  if (q.command == nullptr) return make_parse_error(errc::missing_command, 0);
  if (!q.command->code) {
    return make_parse_error(errc::command_has_no_code, 0, std::string(q.command->name));
  }
  if (!q.version) return make_parse_error(errc::missing_version, 0);
  if (*q.version < protocol_version::v12_1) {
    return make_parse_error(errc::version_not_allowed_in_base64, 0,
                            std::string(to_string(*q.version)));
  }
  if (q.device_id.empty()) return make_parse_error(errc::empty_device_id, 0);
  if (q.device_type.empty()) return make_parse_error(errc::missing_device_type, 0);

  std::string bytes;
  bool too_long = false;
  auto put_field = [&](std::string_view value) {
    if (value.size() > 255) too_long = true;
    bytes.push_back(static_cast<char>(value.size() & 0xFF));
    bytes.append(value.substr(0, 255));
  };

  bytes.push_back(static_cast<char>(static_cast<std::uint8_t>(*q.version)));
  bytes.push_back(static_cast<char>(*q.command->code));
  const std::uint16_t locale = q.locale.value_or(0x0409);
  bytes.push_back(static_cast<char>(locale & 0xFF));
  bytes.push_back(static_cast<char>(locale >> 8));
  put_field(q.device_id);
  if (q.policy_key) {
    bytes.push_back(4);
    for (int shift = 0; shift < 32; shift += 8) {
      bytes.push_back(static_cast<char>((*q.policy_key >> shift) & 0xFF));
    }
  } else {
    bytes.push_back(0);
  }
  put_field(q.device_type);
  // Parameters in tag order.
  for (std::uint8_t tag = 0; tag < 9; ++tag) {
    const query_param_info* p = find_tag(tag);
    if (p == nullptr) continue;
    if (p->id == query_param::options) {
      std::uint8_t bits = 0;
      if (q.save_in_sent) bits |= option_save_in_sent;
      if (q.accept_multipart) bits |= option_accept_multipart;
      if (bits == 0) continue;
      bytes.push_back(static_cast<char>(tag));
      bytes.push_back(1);
      bytes.push_back(static_cast<char>(bits));
      continue;
    }
    const std::optional<std::string>& value =
        p->id == query_param::user ? q.user : q.params.*(p->field);
    if (!value) continue;
    bytes.push_back(static_cast<char>(tag));
    put_field(*value);
  }
  if (too_long) return make_parse_error(errc::field_too_long, 0, "a value exceeds 255 bytes");

  std::string text = common::base64_encode(bytes);
  return percent_encoded ? percent_encode(text) : text;
}

result<std::string> encode_plain_query(const eas_query& q) {
  if (q.command == nullptr) return make_parse_error(errc::missing_command, 0);
  std::string out = "Cmd=";
  out += q.command->name;
  auto put = [&](query_param p, std::string_view value) {
    out += '&';
    out += param(p).name;
    out += '=';
    out += percent_encode(value);
  };
  if (q.user) put(query_param::user, *q.user);
  put(query_param::device_id, q.device_id);
  put(query_param::device_type, q.device_type);
  for (const auto& p : query_params) {
    if (p.field != nullptr && q.params.*(p.field)) put(p.id, *(q.params.*(p.field)));
  }
  if (q.save_in_sent) put(query_param::save_in_sent, "T");
  return out;
}

}  // namespace easemu::eas
