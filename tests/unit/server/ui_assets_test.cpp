// The dashboard's embedded files: every file of server/ui is in the binary, byte for byte, with
// its content type.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "easemu/server/ui_assets.hpp"

namespace {

using namespace easemu::server;

TEST(UiAssets, ContentTypesByExtension) {
  EXPECT_EQ(ui_content_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ui_content_type("js/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ui_content_type("style.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(ui_content_type("icons/logo.svg"), "image/svg+xml");
  EXPECT_EQ(ui_content_type("a.png"), "image/png");
  EXPECT_EQ(ui_content_type("favicon.ico"), "image/x-icon");
  EXPECT_EQ(ui_content_type("data.json"), "application/json");
  EXPECT_EQ(ui_content_type("notes.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(ui_content_type("archive.tar.gz"), "application/octet-stream");
  EXPECT_EQ(ui_content_type("dir.js/noext"), "application/octet-stream");
}

TEST(UiAssets, EveryFileOfServerUiIsEmbeddedAsItIs) {
  namespace fs = std::filesystem;
  const fs::path dir = EASEMU_SOURCE_DIR "/server/ui";
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const auto rel = fs::relative(entry.path(), dir).generic_string();
    if (rel.starts_with('.') || rel.find("/.") != std::string::npos || rel.ends_with('~')) continue;
    ++files;
    const auto asset = find_ui_asset(rel);
    ASSERT_TRUE(asset) << rel << " is not embedded";
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_TRUE(asset->bytes == bytes) << rel << " differs from server/ui (the build embeds it again when it changes)";
    EXPECT_EQ(asset->content_type, ui_content_type(rel));
  }
  EXPECT_EQ(ui_assets().size(), files);
  EXPECT_TRUE(find_ui_asset("index.html"));
  EXPECT_FALSE(find_ui_asset("no-such-file.js"));
  EXPECT_FALSE(find_ui_asset("/index.html"));
}

}  // namespace
