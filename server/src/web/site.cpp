#include "web/site.hpp"

#include "easemu/server/ui_files.hpp"

namespace easemu::server::web {

namespace {

// The landing page and the CA download site as /ui/ is served: no sniffing of a download into
// something else, and a policy that allows their own inline style and nothing active.
http_response hardened(http_response r) {
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
  return r;
}

}  // namespace

std::optional<http_response> site::handle(const http_request& request) const {
  const auto path = request.path();
  const bool get = request.method == "GET";
  if (get && path == "/metrics") return metrics_page(context_.metrics, *context_.store, context_.waiting_requests());
  if (get && (path == "/" || path == "/index.html")) return hardened(landing_page(context_.lab));
  if (get && (path == "/certsrv" || path.starts_with("/certsrv/"))) return hardened(certsrv(context_.lab, path, request.query()));
  if (path == "/owa" || path.starts_with("/owa/")) return mobile_phones(context_.lab, context_.phones, request);
  // /ui answers every method itself (HEAD as GET, 405 for the rest).
  if (path == "/ui" || path.starts_with("/ui/")) return serve_ui(request, context_.ui_dir);
  return std::nullopt;
}

}  // namespace easemu::server::web
