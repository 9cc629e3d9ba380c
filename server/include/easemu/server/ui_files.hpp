#pragma once
// The web dashboard's files at /ui/ on both listeners, no token: the copies embedded in the binary
// (ui_assets.hpp), or, for development, the files of a directory read at each request
// (EASEMU_UI_DIR). Every answer carries the dashboard's security headers (a strict
// Content-Security-Policy: scripts, styles and connections from this origin only).
#include <string>

#include "easemu/server/http.hpp"

namespace easemu::server {

// The Content-Security-Policy of the dashboard's pages.
inline constexpr const char* ui_content_security_policy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'";

// GET or HEAD /ui (301 to /ui/), /ui/ (index.html) and /ui/<path>: the file, or 404. A path with
// "." or ".." segments, a backslash or a NUL is refused (400); with `dev_dir` set, a file whose
// real path (symbolic links resolved) lies outside the directory is refused too (404).
http_response serve_ui(const http_request& request, const std::string& dev_dir);

}  // namespace easemu::server
