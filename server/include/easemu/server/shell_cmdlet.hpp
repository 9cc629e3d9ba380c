#pragma once
// The Exchange Management Shell's cmdlet table: one entry per cmdlet (its Exchange 2010 name, its
// 2013+ twin, the parameters it accepts and the one a bare argument binds to, its handler). The
// table alone drives dispatch, parameter checking and the "not recognized" listing, so a cmdlet is
// added by adding an entry (exchange_shell::add_cmdlets for one outside the built-in table).
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>

namespace easemu::shell {
struct cmdlet_call;
struct cmdlet_value;
struct cmdlet_parameter;
}

namespace easemu::server {

// A failed statement: the message PowerShell users would see.
struct shell_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One parameter a cmdlet accepts, and the Exchange releases whose cmdlet has it (the bits of
// exchange_profile.hpp's release; the cmdlet page's "Applicable" line). Another release answers
// it as Exchange answers an unknown parameter.
struct cmdlet_parameter_spec {
  std::string_view name;
  std::uint8_t releases = 0x1F;  // release::all
};

struct cmdlet_spec;
struct cmdlet_context;  // what a handler works on (exchange_shell.hpp)

// A call's parameters, checked against its cmdlet's entry. Names compare case-insensitively.
class cmdlet_arguments {
 public:
  // Throws shell_error with Exchange's texts for a parameter the cmdlet does not accept, or a bare
  // argument it cannot bind (a second one, one without a positional parameter, or one given by
  // name too). `as_twin`: the call used the 2013+ name.
  // `release`: the emulated release's bit (a parameter it does not have is unknown).
  cmdlet_arguments(const shell::cmdlet_call& call, const cmdlet_spec& spec, bool as_twin, std::uint8_t release = 0x1F);

  const shell::cmdlet_value* get(std::string_view name) const;  // nullptr when not given
  bool has(std::string_view name) const { return get(name) != nullptr; }
  std::string text(std::string_view name) const;      // empty when not given
  std::string required(std::string_view name) const;  // throws Exchange's missing-parameter error
  bool flag(std::string_view name) const;             // false when not given
  const std::vector<shell::cmdlet_parameter>& parameters() const;  // the named ones, as written
  bool as_twin() const { return as_twin_; }

 private:
  const shell::cmdlet_call& call_;
  const shell::cmdlet_value* positional_ = nullptr;
  std::string_view positional_name_;
  bool as_twin_ = false;
};

using cmdlet_handler = boost::json::array (*)(const cmdlet_arguments& args, const cmdlet_context& context);

struct cmdlet_spec {
  std::string_view name = {};  // Exchange 2010's name, e.g. Get-ActiveSyncDevice
  std::string_view twin = {};  // Exchange 2013+'s name for the same cmdlet, e.g. Get-MobileDevice; empty: none
  std::span<const cmdlet_parameter_spec> parameters = {};  // besides the common ones (common_cmdlet_parameters)
  std::string_view positional = {};                        // where a bare argument binds; empty: nowhere
  cmdlet_handler handler = nullptr;
  // e.g. every policy setting the release has; nullptr: none.
  bool (*also_accepts)(std::string_view parameter, std::uint8_t release) = nullptr;
};

// Cmdlets listed together in the "not recognized" message (one noun file's entries).
struct cmdlet_family {
  std::string_view heading = {};  // shown before the family ("policies: ..."); empty: none
  std::span<const cmdlet_spec> cmdlets = {};
};

// Accepted by every cmdlet: PowerShell's common parameters and Exchange's usual extras.
std::span<const cmdlet_parameter_spec> common_cmdlet_parameters();

}  // namespace easemu::server
