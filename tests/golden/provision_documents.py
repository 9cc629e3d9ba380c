#!/usr/bin/env python3
"""Writes the expected EASProvisionDoc of three policies at 12.0, 12.1, 14.1 and 16.1 as golden
XML (provisiondoc-*.xml, with a provenance note each). It transcribes shared/docs/PROVISIONING.md
3.2 and 3.3 (Exchange's element order, versions and value conversions) on its own, without
easemu's code; regenerate.sh then encodes the XML with libwbxml. Run only on purpose."""
import os

# (element, first version, permissive value as Exchange sends it); None = empty element.
ELEMENTS = [
    ("DevicePasswordEnabled", "12.0", "0"),
    ("AlphanumericDevicePasswordRequired", "12.0", "0"),
    ("PasswordRecoveryEnabled", "12.0", "0"),
    ("RequireStorageCardEncryption", "12.0", "0"),
    ("AttachmentsEnabled", "12.0", "1"),
    ("MinDevicePasswordLength", "12.0", None),
    ("MaxInactivityTimeDeviceLock", "12.0", None),
    ("MaxDevicePasswordFailedAttempts", "12.0", None),
    ("MaxAttachmentSize", "12.0", None),
    ("AllowSimpleDevicePassword", "12.0", "1"),
    ("DevicePasswordExpiration", "12.0", None),
    ("DevicePasswordHistory", "12.0", "0"),
    ("AllowStorageCard", "12.1", "1"),
    ("AllowCamera", "12.1", "1"),
    ("RequireDeviceEncryption", "12.1", "0"),
    ("AllowUnsignedApplications", "12.1", "1"),
    ("AllowUnsignedInstallationPackages", "12.1", "1"),
    ("MinDevicePasswordComplexCharacters", "12.1", "1"),
    ("AllowWiFi", "12.1", "1"),
    ("AllowTextMessaging", "12.1", "1"),
    ("AllowPOPIMAPEmail", "12.1", "1"),
    ("AllowBluetooth", "12.1", "2"),
    ("AllowIrDA", "12.1", "1"),
    ("RequireManualSyncWhenRoaming", "12.1", "0"),
    ("AllowDesktopSync", "12.1", "1"),
    ("MaxCalendarAgeFilter", "12.1", "0"),
    ("AllowHTMLEmail", "12.1", "1"),
    ("MaxEmailAgeFilter", "12.1", "0"),
    ("MaxEmailBodyTruncationSize", "12.1", "-1"),
    ("MaxEmailHTMLBodyTruncationSize", "12.1", "-1"),
    ("RequireSignedSMIMEMessages", "12.1", "0"),
    ("RequireEncryptedSMIMEMessages", "12.1", "0"),
    ("RequireSignedSMIMEAlgorithm", "12.1", "0"),
    ("RequireEncryptionSMIMEAlgorithm", "12.1", "0"),
    ("AllowSMIMEEncryptionAlgorithmNegotiation", "12.1", "2"),
    ("AllowSMIMESoftCerts", "12.1", "1"),
    ("AllowBrowser", "12.1", "1"),
    ("AllowConsumerEmail", "12.1", "1"),
    ("AllowRemoteDesktop", "12.1", "1"),
    ("AllowInternetSharing", "12.1", "1"),
    ("UnapprovedInROMApplicationList", "12.1", []),
    ("ApprovedApplicationList", "12.1", []),
]

# The strict policy's cmdlet parameters and what Exchange sends for each (3.3 conversions:
# timespans in seconds, expiration in days, sizes in bytes, enumerations as numbers).
STRICT = {
    "DevicePasswordEnabled": ("$true", "1"),
    "AlphanumericDevicePasswordRequired": ("$true", "1"),
    "RequireStorageCardEncryption": ("$true", "1"),
    "MinDevicePasswordLength": ("8", "8"),
    "MaxInactivityTimeDeviceLock": ("00:05:00", "300"),
    "MaxDevicePasswordFailedAttempts": ("8", "8"),
    "MaxAttachmentSize": ("10MB", "10485760"),
    "DevicePasswordExpiration": ("90", "90"),
    "DevicePasswordHistory": ("5", "5"),
    "AllowCamera": ("$false", "0"),
    "RequireDeviceEncryption": ("$true", "1"),
    "MinDevicePasswordComplexCharacters": ("3", "3"),
    "AllowBluetooth": ("HandsfreeOnly", "1"),
    "MaxEmailAgeFilter": ("TwoWeeks", "4"),
    "UnapprovedInROMApplicationList": ("game.exe", ["game.exe"]),
}

POLICIES = {
    "default": ("Exchange's built-in Default policy (every setting permissive).", {}),
    "wp7": ("The issue's New-ActiveSyncMailboxPolicy \"My WP7 Policy\" line: its values are all the"
            " permissive ones, so the document equals Default's (AllowNonProvisionableDevices is not sent).", {}),
    "strict": ("A strict policy: " + ", ".join(f"-{k} {v[0]}" for k, v in STRICT.items()) + ".",
               {k: v[1] for k, v in STRICT.items()}),
}

VERSIONS = ["12.0", "12.1", "14.1", "16.1"]


def carried(since, version):
    return tuple(map(int, since.split("."))) <= tuple(map(int, version.split(".")))


def document(values, version):
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<EASProvisionDoc xmlns="Provision:">']
    for name, since, default in ELEMENTS:
        if not carried(since, version):
            continue
        value = values.get(name, default)
        if isinstance(value, list):
            child = "ApplicationName" if name == "UnapprovedInROMApplicationList" else "Hash"
            if value:
                lines.append(f"  <{name}>")
                lines += [f"    <{child}>{v}</{child}>" for v in value]
                lines.append(f"  </{name}>")
            else:
                lines.append(f"  <{name}/>")
        elif value is None:
            lines.append(f"  <{name}/>")
        else:
            lines.append(f"  <{name}>{value}</{name}>")
    lines.append("</EASProvisionDoc>")
    return "\n".join(lines) + "\n"


here = os.path.dirname(os.path.abspath(__file__))
for key, (about, values) in POLICIES.items():
    for version in VERSIONS:
        name = f"provisiondoc-{key}-{version}"
        with open(os.path.join(here, name + ".xml"), "w") as f:
            f.write(document(values, version))
        with open(os.path.join(here, name + ".txt"), "w") as f:
            f.write(f"The EASProvisionDoc Exchange sends an EAS {version} client for {about}\n"
                    "Written by provision_documents.py from PROVISIONING.md 3.2 (element order, versions,\n"
                    "empty elements for $null/Unlimited) and 3.3 (conversions), independently of easemu's code.\n"
                    "The .wbxml was produced by libwbxml 0.11.8 (xml2wbxml -a -n) (tests/golden/regenerate.sh).\n")
