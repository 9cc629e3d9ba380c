#include "web/site.hpp"

#include "easemu/server/ui_files.hpp"

namespace easemu::server::web {

std::optional<http_response> site::handle(const http_request& request) const {
  const auto path = request.path();
  const bool get = request.method == "GET";
  if (get && path == "/metrics") return metrics_page(context_.metrics, *context_.store, context_.waiting_requests());
  if (get && (path == "/" || path == "/index.html")) return landing_page(context_.lab);
  if (get && (path == "/certsrv" || path.starts_with("/certsrv/"))) return certsrv(context_.lab, path, request.query());
  // /ui answers every method itself (HEAD as GET, 405 for the rest).
  if (path == "/ui" || path.starts_with("/ui/")) return serve_ui(request, context_.ui_dir);
  return std::nullopt;
}

}  // namespace easemu::server::web
