// easemu wbxml decode|encode: WBXML <-> XML for people reading traces and writing test bodies.
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "easemu/common/base64.hpp"
#include "easemu/common/hex.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"
#include "io.hpp"

namespace easemu::app {

namespace {

struct wbxml_options {
  std::string input;
  std::string output;
  bool hex = false;
  bool base64 = false;
  bool no_declaration = false;
};

// Text forms are larger than the bytes they carry; allow for that on input.
constexpr std::size_t max_input = (wbxml::decode_limits{}.max_document_size) * 3;

std::string input_name(const wbxml_options& o) {
  return o.input.empty() || o.input == "-" ? std::string("stdin") : o.input;
}

int fail(const std::string& command, const std::string& message) {
  std::cerr << "easemu wbxml " << command << ": " << message << '\n';
  return exit_failed;
}

int run_decode(const wbxml_options& o) {
  std::string error;
  auto data = read_input(o.input, max_input, error);
  if (!data) return fail("decode", error);
  std::string bytes;
  if (o.hex) {
    auto b = common::hex_decode(*data);
    if (!b) return fail("decode", input_name(o) + ": input is not hex");
    bytes = std::move(*b);
  } else if (o.base64) {
    auto b = common::base64_decode(*data);
    if (!b) return fail("decode", input_name(o) + ": input is not base64");
    bytes = std::move(*b);
  } else {
    bytes = std::move(*data);
  }
  auto tree = wbxml::decode(bytes);
  if (!tree) return fail("decode", input_name(o) + ": " + tree.error().message());
  wbxml::xml_options xo;
  xo.declaration = !o.no_declaration;
  if (!write_output(o.output, wbxml::to_xml(*tree, xo), error)) return fail("decode", error);
  return exit_ok;
}

int run_encode(const wbxml_options& o) {
  std::string error;
  auto data = read_input(o.input, wbxml::xml_limits{}.max_document_size, error);
  if (!data) return fail("encode", error);
  auto tree = wbxml::from_xml(*data);
  if (!tree) return fail("encode", input_name(o) + ": " + tree.error().message());
  auto bytes = wbxml::encode(*tree);
  if (!bytes) return fail("encode", input_name(o) + ": " + bytes.error().message());
  std::string out;
  if (o.hex) {
    out = common::hex_encode(*bytes, ' ') + "\n";
  } else if (o.base64) {
    out = common::base64_encode(*bytes) + "\n";
  } else {
    out = std::move(*bytes);
  }
  if (!write_output(o.output, out, error)) return fail("encode", error);
  return exit_ok;
}

}  // namespace

void add_wbxml_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("wbxml", "Decode EAS WBXML to XML, or encode XML to WBXML");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<wbxml_options>();

  auto* decode = cmd->add_subcommand(
      "decode", "Read WBXML (a file, or stdin when FILE is - or absent) and print indented XML");
  decode->add_option("FILE", opts->input, "WBXML input (default: stdin)");
  decode->add_option("-o,--output", opts->output, "Write the XML here instead of stdout");
  auto* dhex = decode->add_flag("--hex", opts->hex, "Input is hex text, as pasted from a log");
  decode->add_flag("--base64", opts->base64, "Input is base64 text")->excludes(dhex);
  decode->add_flag("--no-declaration", opts->no_declaration, "Omit the <?xml ...?> line");
  decode->callback([opts, &exit_code] { exit_code = run_decode(*opts); });

  auto* encode = cmd->add_subcommand(
      "encode", "Read XML (a file, or stdin when FILE is - or absent) and write WBXML");
  encode->add_option("FILE", opts->input, "XML input (default: stdin)");
  encode->add_option("-o,--output", opts->output, "Write the WBXML here instead of stdout");
  auto* ehex = encode->add_flag("--hex", opts->hex, "Write hex text instead of bytes");
  encode->add_flag("--base64", opts->base64, "Write base64 text instead of bytes")->excludes(ehex);
  encode->callback([opts, &exit_code] { exit_code = run_encode(*opts); });
}

}  // namespace easemu::app
