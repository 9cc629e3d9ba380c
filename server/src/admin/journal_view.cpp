#include "admin/journal_view.hpp"

#include <string_view>

#include "easemu/common/time.hpp"
#include "easemu/store/store.hpp"

namespace easemu::server::admin {

namespace {

// The fault a journal entry records in front of its response ("f1: HTTP 503"), or "".
std::string_view journal_fault(std::string_view response_xml) {
  const std::string_view prefix = store::journal_fault_comment;
  if (!response_xml.starts_with(prefix)) return {};
  const auto end = response_xml.find(" -->");
  if (end == std::string_view::npos) return {};
  return response_xml.substr(prefix.size(), end - prefix.size());
}

}  // namespace

boost::json::object journal_json(const store::journal_entry& e, journal_detail detail) {
  boost::json::object o{
      {"id", e.id},
      {"time", common::iso8601_utc(e.time_ms)},
      {"user", e.user},
      {"device_id", e.device_id},
      {"device_type", e.device_type},
      {"command", e.command},
      {"protocol_version", e.protocol_version},
      {"http_status", e.http_status},
      {"eas_status", e.eas_status},
      {"duration_ms", e.duration_ms},
  };
  if (const auto fault = journal_fault(e.response_xml); !fault.empty()) o["fault"] = fault;
  if (detail == journal_detail::summary) return o;
  o["request_xml"] = e.request_xml;
  o["response_xml"] = e.response_xml;
  if (detail == journal_detail::entry) {
    if (!e.request_headers.empty()) o["request_headers"] = e.request_headers;
    if (!e.response_headers.empty()) o["response_headers"] = e.response_headers;
  }
  return o;
}

}  // namespace easemu::server::admin
