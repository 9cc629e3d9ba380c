#pragma once
// Realistic EAS documents for the benchmarks, built with the element API.
#include "easemu/wbxml/element.hpp"

namespace easemu::bench {

wbxml::element sync_response_with_html_mails(int mails);  // Sync response, HTML bodies of ~4 KB
wbxml::element folder_sync_response(int folders);          // initial FolderSync response
wbxml::element provision_response();                       // full 14.1 EASProvisionDoc

}  // namespace easemu::bench
