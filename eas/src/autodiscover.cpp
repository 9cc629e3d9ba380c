#include "easemu/eas/autodiscover.hpp"

#include <pugixml.hpp>

#include <sstream>

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
  // pugixml expands only XML's own entities and character references: no external entities,
  // no billion laughs.
  const auto parsed = doc.load_buffer(body.data(), body.size(), pugi::parse_default & ~pugi::parse_doctype,
                                      pugi::encoding_auto);
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

}  // namespace easemu::eas
