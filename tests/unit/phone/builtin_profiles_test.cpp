// The built-in profiles as data (phone/profiles/*.yaml, embedded at build time): every file loads
// with the users' loader, once, under its own name.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "easemu/common/text.hpp"
#include "easemu/phone/profile.hpp"

namespace {

using namespace easemu::phone;

// The built-ins are phone/profiles/*.yaml, embedded: each file loads alone with the users'
// loader, holds one profile named as the file, and gives exactly the profile builtin_profiles()
// has; no key is written twice (YAML would keep one silently).
TEST(BuiltinProfiles, EveryEmbeddedFileLoadsCleanly) {
  const auto sources = builtin_profile_sources();
  ASSERT_EQ(sources.size(), builtin_profiles().size());
  std::set<std::string> names;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string file(sources[i].file);
    SCOPED_TRACE(file);
    const auto loaded = load_profiles(std::string(sources[i].yaml));
    ASSERT_TRUE(loaded) << loaded.error();
    ASSERT_EQ(loaded->size(), 1u);
    const auto& p = loaded->front();
    EXPECT_EQ(p.name + ".yaml", file);
    EXPECT_TRUE(names.insert(easemu::common::ascii_lowercase(p.name)).second) << "duplicate " << p.name;
    EXPECT_EQ(p, builtin_profiles()[i]);
    for (const auto& node : YAML::Load(std::string(sources[i].yaml))["profiles"]) {
      std::set<std::string> keys;
      for (const auto& kv : node) EXPECT_TRUE(keys.insert(kv.first.Scalar()).second) << "key written twice: " << kv.first.Scalar();
    }
  }
}

TEST(BuiltinProfiles, TheSourceTreesFilesAreTheEmbeddedOnes) {
  for (const auto& source : builtin_profile_sources()) {
    std::ifstream in(std::string(EASEMU_SOURCE_DIR) + "/phone/profiles/" + std::string(source.file));
    ASSERT_TRUE(in) << source.file;
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), source.yaml) << source.file;
  }
}

}  // namespace
