// Codec throughput against libwbxml 0.11.8 (Debian libwbxml2-dev), measured in the same run.
//
// libwbxml's public API converts between WBXML and XML text, so the like-for-like comparison is
// the same conversion on our side:
//   decode: WBXML bytes -> XML text   (ours: decode + to_xml;   libwbxml: wbxml2xml)
//   encode: XML text -> WBXML bytes   (ours: from_xml + encode; libwbxml: xml2wbxml)
// The codec alone (bytes <-> element tree, what the server does per request) is measured too.
// Each side reads the XML it writes itself; the set-up checks that both sides produce the same
// bytes and trees, so they do the same work.
//
//   ./build/bench/wbxml_bench                 all benchmarks
//   python3 bench/report.py ./build/bench/wbxml_bench   MB/s and the ratios against libwbxml
#include <benchmark/benchmark.h>
#include <wbxml/wbxml.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "documents.hpp"
#include "easemu/wbxml/codec.hpp"
#include "easemu/wbxml/xml.hpp"

// Exported by libwbxml2 0.11.8 but not declared in the headers Debian installs (wbxml_tree.h is
// private); the signatures are those of its source.
extern "C" {
void wbxml_free(void* ptr);
struct WBXMLTree_s;
WBXMLError wbxml_tree_from_wbxml(WB_UTINY* wbxml, WB_ULONG wbxml_len, WBXMLLanguage lang, WBXMLCharsetMIBEnum charset,
                                 WBXMLTree_s** tree);
WBXMLError wbxml_tree_to_wbxml(WBXMLTree_s* tree, WB_UTINY** wbxml, WB_ULONG* wbxml_len, WBXMLGenWBXMLParams* params);
void wbxml_tree_destroy(WBXMLTree_s* tree);
}

namespace easemu::bench {

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "wbxml_bench: %s\n", what.c_str());
  std::exit(1);
}

// libwbxml's own tree: WBXML bytes -> tree (what our decode does), and tree -> bytes.
WBXMLTree_s* libwbxml_tree(const std::string& bytes) {
  WBXMLTree_s* tree = nullptr;
  if (wbxml_tree_from_wbxml(reinterpret_cast<WB_UTINY*>(const_cast<char*>(bytes.data())),
                            static_cast<WB_ULONG>(bytes.size()), WBXML_LANG_ACTIVESYNC, WBXML_CHARSET_UTF_8,
                            &tree) != WBXML_OK) {
    return nullptr;
  }
  return tree;
}

bool libwbxml_tree_bytes(WBXMLTree_s* tree, std::string* bytes) {
  WBXMLGenWBXMLParams params{WBXML_VERSION_13, FALSE, FALSE, TRUE};
  WB_UTINY* out = nullptr;
  WB_ULONG len = 0;
  if (wbxml_tree_to_wbxml(tree, &out, &len, &params) != WBXML_OK) return false;
  if (bytes != nullptr) bytes->assign(reinterpret_cast<char*>(out), len);
  wbxml_free(out);
  return true;
}

// libwbxml: WBXML -> compact XML.
bool libwbxml_to_xml(const std::string& bytes, std::string* xml) {
  WBXMLConvWBXML2XML* conv = nullptr;
  if (wbxml_conv_wbxml2xml_create(&conv) != WBXML_OK) return false;
  wbxml_conv_wbxml2xml_set_language(conv, WBXML_LANG_ACTIVESYNC);
  wbxml_conv_wbxml2xml_set_gen_type(conv, WBXML_GEN_XML_COMPACT);
  WB_UTINY* out = nullptr;
  WB_ULONG len = 0;
  const auto rc = wbxml_conv_wbxml2xml_run(conv, reinterpret_cast<WB_UTINY*>(const_cast<char*>(bytes.data())),
                                           static_cast<WB_ULONG>(bytes.size()), &out, &len);
  wbxml_conv_wbxml2xml_destroy(conv);
  if (rc != WBXML_OK) return false;
  if (xml != nullptr) xml->assign(reinterpret_cast<char*>(out), len);
  wbxml_free(out);
  return true;
}

// libwbxml: XML -> WBXML 1.3 as EAS wants it (no string table, anonymous public id).
bool libwbxml_to_wbxml(const std::string& xml, std::string* bytes) {
  WBXMLConvXML2WBXML* conv = nullptr;
  if (wbxml_conv_xml2wbxml_create(&conv) != WBXML_OK) return false;
  wbxml_conv_xml2wbxml_set_version(conv, WBXML_VERSION_13);
  wbxml_conv_xml2wbxml_disable_string_table(conv);
  wbxml_conv_xml2wbxml_disable_public_id(conv);
  WB_UTINY* out = nullptr;
  WB_ULONG len = 0;
  const auto rc = wbxml_conv_xml2wbxml_run(conv, reinterpret_cast<WB_UTINY*>(const_cast<char*>(xml.data())),
                                           static_cast<WB_ULONG>(xml.size()), &out, &len);
  wbxml_conv_xml2wbxml_destroy(conv);
  if (rc != WBXML_OK) return false;
  if (bytes != nullptr) bytes->assign(reinterpret_cast<char*>(out), len);
  wbxml_free(out);
  return true;
}

struct document {
  wbxml::element tree;
  std::string bytes;         // our encoding (checked equal to libwbxml's)
  std::string our_xml;       // compact XML as we write it
  std::string libwbxml_xml;  // compact XML as libwbxml writes it
};

const std::map<std::string, document>& documents() {
  static const auto docs = [] {
    std::map<std::string, document> m;
    const std::pair<const char*, wbxml::element> trees[] = {
        {"sync_100_html_mails", sync_response_with_html_mails(100)},
        {"foldersync_500_folders", folder_sync_response(500)},
        {"provision_response", provision_response()},
    };
    wbxml::xml_options compact;
    compact.indent = false;
    for (const auto& [name, tree] : trees) {
      document d;
      d.tree = tree;
      auto bytes = wbxml::encode(tree);
      if (!bytes) die(std::string(name) + ": " + bytes.error().message());
      d.bytes = *bytes;
      d.our_xml = wbxml::to_xml(tree, compact);
      if (!libwbxml_to_xml(d.bytes, &d.libwbxml_xml)) die(std::string(name) + ": libwbxml cannot decode it");
      if (d.libwbxml_xml.find("<unknown") != std::string::npos) die(std::string(name) + ": libwbxml lacks a tag");
      std::string theirs;
      if (!libwbxml_to_wbxml(d.libwbxml_xml, &theirs)) die(std::string(name) + ": libwbxml cannot encode it");
      if (theirs != d.bytes) die(std::string(name) + ": libwbxml's bytes differ from ours");
      auto back = wbxml::decode(theirs);
      if (!back || !(*back == tree)) die(std::string(name) + ": libwbxml's bytes decode to another tree");
      m.emplace(name, std::move(d));
    }
    return m;
  }();
  return docs;
}

const document& doc(const benchmark::State& state, const char* name) {
  (void)state;
  return documents().at(name);
}

void decode_easemu_tree(benchmark::State& state, const char* name) {
  const auto& d = doc(state, name);
  for (auto _ : state) {
    auto t = wbxml::decode(d.bytes);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes.size()));
}

void decode_easemu_xml(benchmark::State& state, const char* name) {
  const auto& d = doc(state, name);
  wbxml::xml_options compact;
  compact.indent = false;
  for (auto _ : state) {
    auto t = wbxml::decode(d.bytes);
    auto x = wbxml::to_xml(*t, compact);
    benchmark::DoNotOptimize(x);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes.size()));
}

void decode_libwbxml_xml(benchmark::State& state, const char* name) {
  const auto& d = doc(state, name);
  std::string xml;
  for (auto _ : state) {
    if (!libwbxml_to_xml(d.bytes, &xml)) die("libwbxml decode failed");
    benchmark::DoNotOptimize(xml);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes.size()));
}

void encode_easemu_tree(benchmark::State& state, const char* name) {
  const auto& d = doc(state, name);
  for (auto _ : state) {
    auto b = wbxml::encode(d.tree);
    benchmark::DoNotOptimize(b);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes.size()));
}

void encode_easemu_xml(benchmark::State& state, const char* name) {
  const auto& d = doc(state, name);
  for (auto _ : state) {
    auto t = wbxml::from_xml(d.our_xml);
    auto b = wbxml::encode(*t);
    benchmark::DoNotOptimize(b);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes.size()));
}

void encode_libwbxml_xml(benchmark::State& state, const char* name) {
  const auto& d = doc(state, name);
  std::string bytes;
  for (auto _ : state) {
    if (!libwbxml_to_wbxml(d.libwbxml_xml, &bytes)) die("libwbxml encode failed");
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes.size()));
}

void decode_libwbxml_tree(benchmark::State& state, const char* name) {
  const auto& d = doc(state, name);
  for (auto _ : state) {
    auto* tree = libwbxml_tree(d.bytes);
    if (tree == nullptr) die("libwbxml tree decode failed");
    benchmark::DoNotOptimize(tree);
    wbxml_tree_destroy(tree);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes.size()));
}

void encode_libwbxml_tree(benchmark::State& state, const char* name) {
  const auto& d = doc(state, name);
  auto* tree = libwbxml_tree(d.bytes);
  if (tree == nullptr) die("libwbxml tree decode failed");
  std::string bytes;
  for (auto _ : state) {
    if (!libwbxml_tree_bytes(tree, &bytes)) die("libwbxml tree encode failed");
    benchmark::DoNotOptimize(bytes);
  }
  wbxml_tree_destroy(tree);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.bytes.size()));
}

// Throughput is counted in WBXML bytes for every benchmark, so MB/s compare directly.
#define EASEMU_WBXML_BENCH(fn)                                                  \
  BENCHMARK_CAPTURE(fn, sync_100_html_mails, "sync_100_html_mails");           \
  BENCHMARK_CAPTURE(fn, foldersync_500_folders, "foldersync_500_folders");     \
  BENCHMARK_CAPTURE(fn, provision_response, "provision_response")

EASEMU_WBXML_BENCH(decode_easemu_tree);
EASEMU_WBXML_BENCH(decode_easemu_xml);
EASEMU_WBXML_BENCH(decode_libwbxml_xml);
EASEMU_WBXML_BENCH(decode_libwbxml_tree);
EASEMU_WBXML_BENCH(encode_easemu_tree);
EASEMU_WBXML_BENCH(encode_easemu_xml);
EASEMU_WBXML_BENCH(encode_libwbxml_xml);
EASEMU_WBXML_BENCH(encode_libwbxml_tree);

}  // namespace

}  // namespace easemu::bench

BENCHMARK_MAIN();
