#include "easemu/server/ui_assets.hpp"

#include "easemu/common/text.hpp"

namespace easemu::server {

namespace {

ui_asset asset_of(const detail::embedded_file& f) {
  const std::string_view path(f.path);
  return {path, std::string_view(reinterpret_cast<const char*>(f.data), f.size), ui_content_type(path)};
}

}  // namespace

std::string_view ui_content_type(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> types[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
  };
  const auto slash = path.rfind('/');
  const auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    const auto ext = name.substr(dot);
    for (const auto& [e, type] : types) {
      if (common::iequals(e, ext)) return type;
    }
  }
  return "application/octet-stream";
}

std::optional<ui_asset> find_ui_asset(std::string_view path) {
  for (std::size_t i = 0; i < detail::embedded_ui_file_count; ++i) {
    if (path == detail::embedded_ui_files[i].path) return asset_of(detail::embedded_ui_files[i]);
  }
  return std::nullopt;
}

std::vector<ui_asset> ui_assets() {
  std::vector<ui_asset> out;
  for (std::size_t i = 0; i < detail::embedded_ui_file_count; ++i) out.push_back(asset_of(detail::embedded_ui_files[i]));
  return out;
}

}  // namespace easemu::server
