// `easemu wbxml` as a person uses it: files and stdin, hex and base64 input, exit codes, and one
// clear line on stderr for bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "easemu/common/hex.hpp"
#include "support/process.hpp"

namespace {

using easemu::test::run;
using easemu::test::shell_quote;

const std::string exe = shell_quote(EASEMU_EXE);

// <FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>
const std::string folder_sync_hex = "03 01 6a 00 00 07 56 52 03 30 00 01 01";

std::string folder_sync_bytes() { return *easemu::common::hex_decode(folder_sync_hex); }

TEST(CliWbxml, DecodeFromStdinPrintsIndentedXml) {
  auto r = run(exe + " wbxml decode", folder_sync_bytes());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            "<FolderSync xmlns=\"FolderHierarchy:\">\n"
            "  <SyncKey>0</SyncKey>\n"
            "</FolderSync>\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliWbxml, DecodeFromFileAndDash) {
  easemu::test::temp_dir dir;
  easemu::test::write_file(dir / "fs.wbxml", folder_sync_bytes());
  auto file = run(exe + " wbxml decode " + shell_quote((dir / "fs.wbxml").string()));
  auto dash = run(exe + " wbxml decode -", folder_sync_bytes());
  EXPECT_EQ(file.exit_code, 0);
  EXPECT_EQ(dash.exit_code, 0);
  EXPECT_EQ(file.out, dash.out);
  EXPECT_NE(file.out.find("<SyncKey>0</SyncKey>"), std::string::npos);
}

TEST(CliWbxml, DecodeHexAndBase64AsPastedFromLogs) {
  auto h = run(exe + " wbxml decode --hex", "0x03, 0x01, 0x6A, 0x00, 0x00, 0x07, 0x56, 0x52,\n"
                                             "0x03, 0x30, 0x00, 0x01, 0x01\n");
  EXPECT_EQ(h.exit_code, 0) << h.err;
  EXPECT_NE(h.out.find("<SyncKey>0</SyncKey>"), std::string::npos);
  auto b = run(exe + " wbxml decode --base64", "AwFqAAAHVlIDMAABAQ==\n");
  EXPECT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(b.out, h.out);
}

TEST(CliWbxml, EncodeWritesBytesToStdoutOrFile) {
  const std::string xml =
      "<FolderSync xmlns=\"FolderHierarchy:\">\n  <SyncKey>0</SyncKey>\n</FolderSync>\n";
  auto r = run(exe + " wbxml encode", xml);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, folder_sync_bytes());
  easemu::test::temp_dir dir;
  auto o = run(exe + " wbxml encode -o " + shell_quote((dir / "out.wbxml").string()), xml);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(easemu::test::read_file(dir / "out.wbxml"), folder_sync_bytes());
  auto hex = run(exe + " wbxml encode --hex", xml);
  EXPECT_EQ(hex.out, folder_sync_hex + "\n");
}

TEST(CliWbxml, BadWbxmlExitsOneWithOneLineNamingTheOffset) {
  auto r = run(exe + " wbxml decode --hex", "03 01 6A 00 00 0E 45 7E 01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "easemu wbxml decode: stdin: unknown tag: token 0x3E on code page 14 (Provision) at "
            "byte 7\n");
}

TEST(CliWbxml, BadXmlExitsOneWithOneLineNamingTheLine) {
  easemu::test::temp_dir dir;
  const auto path = (dir / "bad.xml").string();
  easemu::test::write_file(path, "<Sync xmlns=\"AirSync:\">\n  <Nope/>\n</Sync>\n");
  auto r = run(exe + " wbxml encode " + shell_quote(path));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "easemu wbxml encode: " + path +
                       ": element is not on its code page: Nope in namespace AirSync: at line 2, "
                       "column 3\n");
}

TEST(CliWbxml, GarbageNeverCrashes) {
  for (const std::string& input : {std::string(), std::string("\xff\xfe garbage", 10),
                                  std::string(5000, '\x45'), std::string("\x03\x01\x6a\x00", 4)}) {
    auto r = run(exe + " wbxml decode", input);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  auto notxml = run(exe + " wbxml encode", "\x01\x02 not xml");
  EXPECT_EQ(notxml.exit_code, 1);
  auto nothex = run(exe + " wbxml decode --hex", "03 0g");
  EXPECT_EQ(nothex.exit_code, 1);
  EXPECT_EQ(nothex.err, "easemu wbxml decode: stdin: input is not hex\n");
}

TEST(CliWbxml, MissingFileFails) {
  auto r = run(exe + " wbxml decode /nonexistent/file.wbxml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "easemu wbxml decode: /nonexistent/file.wbxml: No such file or directory\n");
}

TEST(Cli, UsageErrorsExitTwoHelpAndVersionZero) {
  EXPECT_EQ(run(exe).exit_code, 2);
  EXPECT_EQ(run(exe + " wbxml decode --no-such-flag").exit_code, 2);
  EXPECT_EQ(run(exe + " wbxml decode --hex --base64").exit_code, 2);
  EXPECT_EQ(run(exe + " bogus").exit_code, 2);
  auto help = run(exe + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("wbxml"), std::string::npos);
  auto sub = run(exe + " wbxml decode --help");
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--hex"), std::string::npos);
  auto version = run(exe + " --version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("easemu ", 0), 0u);
}

}  // namespace

namespace {

TEST(CliWbxml, RoundTripsEveryGoldenVector) {
  namespace fs = std::filesystem;
  const fs::path golden = fs::path(EASEMU_SOURCE_DIR) / "tests" / "golden";
  int count = 0;
  for (const auto& entry : fs::directory_iterator(golden)) {
    if (entry.path().extension() != ".wbxml") continue;
    ++count;
    const auto bytes = easemu::test::read_file(entry.path());
    auto xml = run(exe + " wbxml decode " + shell_quote(entry.path().string()));
    ASSERT_EQ(xml.exit_code, 0) << entry.path() << ": " << xml.err;
    auto back = run(exe + " wbxml encode", xml.out);
    ASSERT_EQ(back.exit_code, 0) << entry.path() << ": " << back.err;
    EXPECT_EQ(back.out, bytes) << entry.path();
  }
  EXPECT_GE(count, 10);
}

}  // namespace
