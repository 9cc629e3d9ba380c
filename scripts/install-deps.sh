#!/usr/bin/env bash
# Installs every build and test dependency of easemu on Debian 12 (bookworm), from Debian's own
# packages only. Idempotent: packages already present are left alone. Run as root (or via sudo).
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --fuzz     also clang + libFuzzer runtime (for -DEASEMU_FUZZ=ON)
#   EASEMU_DEPS=build scripts/install-deps.sh   only what building the binary needs (docker/Dockerfile)
# The tests also need dig (dnsutils) and curl (the documents' shell blocks, run by tests/docs).
# The browser tests (tests/browser) need Debian's chromium, nodejs (18 in Debian 12) and npm, and the
# one npm package playwright-core, pinned to a version that runs on Node 18, from
# tests/browser/package-lock.json (`npm ci`, when node_modules is
# missing or older than the lock). No browser is downloaded: the tests drive /usr/bin/chromium.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

pkgs=(
  build-essential cmake ninja-build pkg-config ca-certificates openssl
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libpugixml-dev libspdlog-dev libfmt-dev libsqlite3-dev libyaml-cpp-dev libcli11-dev
  libgmime-3.0-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
  libwbxml2-dev libwbxml2-utils
  dnsutils curl
  chromium nodejs
)
if [[ "${1:-}" == "--fuzz" ]]; then pkgs+=(clang libclang-rt-14-dev); fi
# EASEMU_DEPS=build (the container image's build stage): only what building the easemu binary
# needs; none of the test, benchmark and browser tools, no npm.
build_only=false
if [[ "${EASEMU_DEPS:-}" == "build" ]]; then
  build_only=true
  keep=()
  for p in "${pkgs[@]}"; do
    case "$p" in
      libgtest-dev | libgmock-dev | libbenchmark-dev | libwbxml2-dev | libwbxml2-utils | dnsutils | curl | chromium | nodejs) ;;
      *) keep+=("$p") ;;
    esac
  done
  pkgs=("${keep[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's nodejs comes without npm; a nodejs that bundles npm (and conflicts with the package) is fine.
$build_only || command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
else
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done"
fi

# The browser tests' one npm package, exactly as the lock file pins it.
browser="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/browser"
if ! $build_only && [[ -f "$browser/package-lock.json" ]] &&
   [[ ! -d "$browser/node_modules" || "$browser/package-lock.json" -nt "$browser/node_modules" ]]; then
  echo "install-deps: npm ci in tests/browser"
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules)
fi
