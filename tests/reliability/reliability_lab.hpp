#pragma once
// The explicit lab the reliability tests run against: one mailbox, and a Default policy that lets
// a phone sync without provisioning (the issue's repro setup).
namespace easemu::test {

inline constexpr const char* reliability_lab_yaml = R"(lab:
  domain: lab.test
  hostname: mail.lab.test
mailboxes:
  - address: alice@lab.test
    password: Passw0rd
policies:
  - Name: Default
    IsDefault: $true
    AllowNonProvisionableDevices: $true
)";

}  // namespace easemu::test
