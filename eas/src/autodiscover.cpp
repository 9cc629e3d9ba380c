#include "easemu/eas/autodiscover.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <sstream>
#include <utility>

#include "easemu/common/text.hpp"

namespace easemu::eas {

namespace {

constexpr std::string_view response_schema = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";

std::string_view local_name(const char* qname) {
  std::string_view n = qname;
  const auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node n, std::string_view name) {
  for (auto c : n.children()) {
    if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
  }
  return {};
}

std::size_t count_children(pugi::xml_node n, std::string_view name) {
  std::size_t k = 0;
  for (auto c : n.children()) {
    if (c.type() == pugi::node_element && local_name(c.name()) == name) ++k;
  }
  return k;
}

std::string trimmed_text(pugi::xml_node n) {
  std::string s = n.child_value();
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// A response document: the XML declaration and the Autodiscover root of the response schema.
pugi::xml_node start_response(pugi::xml_document& doc) {
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  auto root = doc.append_child("Autodiscover");
  root.append_attribute("xmlns") = std::string(response_schema).c_str();
  return root;
}

// pugixml expands only XML's own entities and character references: no external entities, no
// billion laughs. DTDs are skipped.
pugi::xml_parse_result load(pugi::xml_document& doc, std::string_view body) {
  return doc.load_buffer(body.data(), body.size(), pugi::parse_default & ~pugi::parse_doctype, pugi::encoding_auto);
}

std::string save(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

}  // namespace

autodiscover_parse_result parse_autodiscover_request(std::string_view body, std::size_t max_size) {
  autodiscover_parse_result out;
  if (body.size() > max_size) {
    out.reason = "request of " + std::to_string(body.size()) + " bytes is over the limit";
    return out;
  }
  pugi::xml_document doc;
  const auto parsed = load(doc, body);
  if (!parsed) {
    out.reason = std::string("malformed XML: ") + parsed.description();
    return out;
  }
  const auto root = doc.document_element();
  if (local_name(root.name()) != "Autodiscover") {
    out.reason = "root element is not Autodiscover";
    return out;
  }
  // CMD 2.2.3.150.1: exactly one Request.
  if (count_children(root, "Request") != 1) {
    out.reason = "Autodiscover must hold exactly one Request";
    return out;
  }
  const auto request = child(root, "Request");
  autodiscover_request r;
  r.email_address = trimmed_text(child(request, "EMailAddress"));
  r.acceptable_response_schema = trimmed_text(child(request, "AcceptableResponseSchema"));
  if (r.email_address.empty()) {
    out.reason = "no EMailAddress";
    return out;
  }
  if (r.acceptable_response_schema != mobilesync_response_schema) {
    out.error = autodiscover_error::no_provider;
    out.reason = "unsupported AcceptableResponseSchema '" + r.acceptable_response_schema + "'";
    return out;
  }
  out.request = std::move(r);
  return out;
}

std::string autodiscover_response(const autodiscover_user& user, std::string_view eas_url) {
  pugi::xml_document doc;
  auto root = start_response(doc);
  auto response = root.append_child("Response");
  response.append_attribute("xmlns") = std::string(mobilesync_response_schema).c_str();
  response.append_child("Culture").text() = "en:us";
  auto u = response.append_child("User");
  u.append_child("DisplayName").text() = user.display_name.c_str();
  u.append_child("EMailAddress").text() = user.email_address.c_str();
  auto server = response.append_child("Action").append_child("Settings").append_child("Server");
  server.append_child("Type").text() = "MobileSync";
  server.append_child("Url").text() = std::string(eas_url).c_str();
  server.append_child("Name").text() = std::string(eas_url).c_str();
  return save(doc);
}

std::string autodiscover_error_response(autodiscover_error code, std::string_view time, std::string_view id) {
  pugi::xml_document doc;
  auto root = start_response(doc);
  auto error = root.append_child("Response").append_child("Error");
  error.append_attribute("Time") = std::string(time).c_str();
  error.append_attribute("Id") = std::string(id).c_str();
  error.append_child("ErrorCode").text() = static_cast<int>(code);
  error.append_child("Message").text() =
      code == autodiscover_error::no_provider ? "The requested schema is not available" : "Invalid Request";
  error.append_child("DebugData");
  return save(doc);
}

// ---- the phone's side ----

std::string autodiscover_request_body(std::string_view email_address) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  auto root = doc.append_child("Autodiscover");
  root.append_attribute("xmlns") = std::string(mobilesync_request_schema).c_str();
  auto request = root.append_child("Request");
  request.append_child("EMailAddress").text().set(email_address.data(), email_address.size());
  // MS-ASCMD 2.2.3.1: the one schema a mobile client may ask for.
  request.append_child("AcceptableResponseSchema").text() = std::string(mobilesync_response_schema).c_str();
  return save(doc);
}

namespace {

using reply_result = common::result<autodiscover_reply, autodiscover_reply_error>;

autodiscover_reply_error reply_error(pugi::xml_node at, std::string reason) {
  // offset_debug is -1 when unknown; for a body pugixml converted (UTF-16, UTF-32) it counts in
  // the converted text, so parse_autodiscover_response clamps it to the body.
  const auto offset = at ? at.offset_debug() : 0;
  return {std::move(reason), offset > 0 ? static_cast<std::size_t>(offset) : 0};
}

// An Error element: Response/Error (ErrorCode, MS-ASCMD 2.2.3.64) or Action/Error (Status,
// 2.2.3.177.1, and sometimes ErrorCode).
reply_result read_error(pugi::xml_node error, autodiscover_reply reply) {
  reply.answer = autodiscover_answer::error;
  const std::pair<const char*, int autodiscover_reply::*> numbers[] = {{"ErrorCode", &autodiscover_reply::error_code},
                                                                       {"Status", &autodiscover_reply::error_status}};
  for (const auto& [name, member] : numbers) {
    const auto n = child(error, name);
    if (!n) continue;
    const auto text = trimmed_text(n);
    const auto value = common::parse_decimal<int>(text);
    if (!value) return reply_error(n, std::string(name) + " '" + text + "' is not a number");
    reply.*member = *value;
  }
  reply.error_message = trimmed_text(child(error, "Message"));
  return reply;
}

// Action: Redirect, Settings or Error (MS-ASCMD 2.2.3.6).
reply_result read_action(pugi::xml_node action, autodiscover_reply reply) {
  if (const auto error = child(action, "Error")) return read_error(error, std::move(reply));
  if (const auto redirect = child(action, "Redirect")) {
    reply.redirect_address = trimmed_text(redirect);
    if (reply.redirect_address.empty()) return reply_error(redirect, "empty Redirect");
    reply.answer = autodiscover_answer::redirect;
    return reply;
  }
  const auto settings = child(action, "Settings");
  if (!settings) return reply_error(action, "Action holds neither Settings, Redirect nor Error");
  for (auto server : settings.children()) {
    if (server.type() != pugi::node_element || local_name(server.name()) != "Server") continue;
    if (trimmed_text(child(server, "Type")) != "MobileSync") continue;
    reply.eas_url = trimmed_text(child(server, "Url"));
    if (reply.eas_url.empty()) return reply_error(server, "MobileSync Server without a Url");
    reply.answer = autodiscover_answer::settings;
    return reply;
  }
  return reply_error(settings, "no MobileSync Server in Settings");
}

// The document: one Response with an Error or an Action.
reply_result read_response(pugi::xml_node root) {
  if (local_name(root.name()) != "Autodiscover") return reply_error(root, "root element is not Autodiscover");
  // MS-ASCMD 2.2.3.153.1: exactly one Response.
  if (count_children(root, "Response") != 1) return reply_error(root, "Autodiscover must hold exactly one Response");
  const auto response = child(root, "Response");
  autodiscover_reply reply;
  const auto user = child(response, "User");
  reply.display_name = trimmed_text(child(user, "DisplayName"));
  reply.email_address = trimmed_text(child(user, "EMailAddress"));
  // An error in the framework that hosts Autodiscover: Response/Error (2.2.3.153.1).
  if (const auto error = child(response, "Error")) return read_error(error, std::move(reply));
  const auto action = child(response, "Action");
  if (!action) return reply_error(response, "Response holds neither Action nor Error");
  return read_action(action, std::move(reply));
}

}  // namespace

common::result<autodiscover_reply, autodiscover_reply_error> parse_autodiscover_response(std::string_view body,
                                                                                         std::size_t max_size) {
  if (body.size() > max_size) {
    return autodiscover_reply_error{"response of " + std::to_string(body.size()) + " bytes is over the limit", max_size};
  }
  pugi::xml_document doc;
  const auto parsed = load(doc, body);
  if (!parsed) {
    // pugixml may point one past the end when the input stops inside a token.
    const auto offset = std::clamp<std::ptrdiff_t>(parsed.offset, 0, static_cast<std::ptrdiff_t>(body.size()));
    return autodiscover_reply_error{std::string("malformed XML: ") + parsed.description(), static_cast<std::size_t>(offset)};
  }
  auto reply = read_response(doc.document_element());
  if (!reply && reply.error().offset > body.size()) return autodiscover_reply_error{reply.error().reason, body.size()};
  return reply;
}

}  // namespace easemu::eas
