#pragma once
// The web dashboard's static files (server/ui/, any depth), embedded at build time by
// server/cmake/embed_ui.cmake: lookup by path relative to server/ui ("index.html",
// "js/app.js"). Pure: no I/O.
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace easemu::server {

struct ui_asset {
  std::string_view path;          // relative to server/ui, '/'-separated
  std::string_view bytes;
  std::string_view content_type;  // by extension (ui_content_type)
};

// The embedded file at `path`, or nullopt.
std::optional<ui_asset> find_ui_asset(std::string_view path);
// Every embedded file, sorted by path.
std::vector<ui_asset> ui_assets();

// The Content-Type for a file name, by its extension: html, js, css, svg, png, ico, json, txt
// (application/octet-stream otherwise).
std::string_view ui_content_type(std::string_view path);

namespace detail {
// Written by the generated source.
struct embedded_file {
  const char* path;
  const unsigned char* data;
  std::size_t size;
};
extern const embedded_file embedded_ui_files[];
extern const std::size_t embedded_ui_file_count;
}  // namespace detail

}  // namespace easemu::server
