#include "easemu/server/ui_files.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>

#include "easemu/eas/url.hpp"
#include "easemu/server/ui_assets.hpp"

namespace easemu::server {

namespace {

// The dashboard is small; a development directory's file is read whole, up to this size.
constexpr std::uintmax_t max_dev_file = 32u << 20;

http_response with_ui_headers(http_response r) {
  r.set("Cache-Control", "no-cache");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Content-Security-Policy", ui_content_security_policy);
  r.set("Referrer-Policy", "no-referrer");
  return r;
}

http_response ui_error(int status, std::string text) {
  return with_ui_headers(http_response::text(status, std::move(text) + "\n"));
}

// Segments of a relative path, each one a plain name: no "", ".", "..", backslash or NUL.
bool safe_relative_path(std::string_view rel) {
  if (rel.empty() || rel.front() == '/') return false;
  if (rel.find('\\') != std::string_view::npos || rel.find('\0') != std::string_view::npos) return false;
  for (std::size_t pos = 0;;) {
    const auto slash = rel.find('/', pos);
    const auto segment = rel.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) return true;
    pos = slash + 1;
  }
}

// The file's bytes when its real path lies inside `dir`; nullopt otherwise.
std::optional<std::string> read_dev_file(const std::string& dir, const std::string& rel) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto root = fs::canonical(dir, ec);
  if (ec) return std::nullopt;
  const auto file = fs::canonical(root / fs::path(rel), ec);
  if (ec) return std::nullopt;
  // Symbolic links resolved: the file must still be below the directory.
  const auto root_text = root.generic_string();
  const auto file_text = file.generic_string();
  const auto prefix = root_text.ends_with('/') ? root_text : root_text + "/";
  if (!file_text.starts_with(prefix)) return std::nullopt;
  if (!fs::is_regular_file(file, ec) || ec) return std::nullopt;
  const auto size = fs::file_size(file, ec);
  if (ec || size > max_dev_file) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

http_response serve_ui(const http_request& request, const std::string& dev_dir) {
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = ui_error(405, "use GET");
    r.set("Allow", "GET, HEAD");
    return r;
  }
  const auto path = request.path();
  if (path == "/ui") {
    auto r = with_ui_headers(http_response::text(301, "moved to /ui/\n"));
    r.set("Location", "/ui/");
    return r;
  }
  auto decoded = eas::percent_decode(path.substr(4), eas::plus_rule::literal);
  if (!decoded) return ui_error(400, "bad percent-encoding in the path");
  std::string rel = std::move(*decoded);
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  if (!safe_relative_path(rel)) return ui_error(400, "bad path");
  if (!dev_dir.empty()) {
    auto bytes = read_dev_file(dev_dir, rel);
    if (!bytes) return ui_error(404, "not found");
    return with_ui_headers(http_response::text(200, std::move(*bytes), std::string(ui_content_type(rel))));
  }
  const auto asset = find_ui_asset(rel);
  if (!asset) return ui_error(404, "not found");
  return with_ui_headers(http_response::text(200, std::string(asset->bytes), std::string(asset->content_type)));
}

}  // namespace easemu::server
