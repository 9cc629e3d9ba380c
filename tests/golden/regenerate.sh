#!/usr/bin/env bash
# Rebuilds every golden .wbxml from its .xml with libwbxml's xml2wbxml (Debian libwbxml2-utils),
# an encoder independent of ours. Run only on purpose: the tests compare our codec against these.
# libwbxml needs a DOCTYPE (the root may be on any page) and spells a few names differently
# (PROTOCOL.md 2.7): those are renamed in a temporary copy.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for xml in *.xml; do
  name=${xml%.xml}
  # Vectors libwbxml cannot encode come from hand_assembled.py.
  if grep -q "hand-assembled" "$name.txt"; then continue; fi
  sed -e 's|<?xml version="1.0" encoding="utf-8"?>|<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/">|' \
      -e 's|SMTPAddress>|SmtpAddress>|g' -e 's|"GAL:"|"Gal:"|g' "$xml" > "$tmp/$name.xml"
  xml2wbxml -a -n -o "$name.wbxml" "$tmp/$name.xml"
  if wbxml2xml -l ACTIVESYNC -m 0 -o - "$name.wbxml" | grep -q '<unknown'; then
    echo "regenerate.sh: libwbxml does not know a tag of $name" >&2
    exit 1
  fi
  echo "$name.wbxml: $(stat -c %s "$name.wbxml") bytes"
done
