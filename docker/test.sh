#!/usr/bin/env bash
# Builds the easemu image (docker/Dockerfile) and checks a running container from the host:
# OPTIONS and Autodiscover over HTTPS, the CA download (DER) and a TLS chain verified with it,
# /healthz, the image's HEALTHCHECK, a non-root process, state in /data across a restart, the
# example lab file mounted at /etc/easemu/lab.yaml, the admin token, and the image size (fails at
# 150 MB or more). Not part of ctest: the image build compiles the project (minutes).
#
#   docker/test.sh                   build, then test
#   EASEMU_IMAGE=easemu:dev docker/test.sh     another tag (default easemu:test)
#   EASEMU_SKIP_BUILD=1 docker/test.sh         test an image built before
#
# Docker when an engine answers (`docker info`), else podman: on a machine without a Docker
# engine ../shared/tools/container-base.sh prepares podman and local Debian base images; this
# sandbox allows no published ports, so podman runs with --network=host and the listen ports are
# moved to free ones with EASEMU_LISTEN / EASEMU_HTTP_LISTEN.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

image=${EASEMU_IMAGE:-easemu:test}
max_bytes=$((150 * 1000 * 1000))  # 150 MB as `docker images` counts
token=docker-test-token
work=$(mktemp -d)
containers=()

say() { printf 'docker/test.sh: %s\n' "$*"; }
fail() {
  say "FAIL: $*"
  for c in "${containers[@]}"; do
    say "log of $c (last 40 lines):"
    $engine logs "$c" 2>&1 | tail -n 40 || true
  done
  exit 1
}
cleanup() {
  for c in "${containers[@]}"; do $engine rm -f -v "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  engine=docker
  build=(docker build -f docker/Dockerfile -t "$image" .)
  run=(docker run -d)
else
  engine=podman
  base=../shared/tools/container-base.sh
  if ! command -v podman >/dev/null 2>&1 || ! podman image exists docker.io/library/debian:bookworm ||
     ! podman image exists docker.io/library/debian:bookworm-slim; then
    [[ -f $base ]] || { say "no Docker engine, and no $base to prepare podman"; exit 1; }
    say "preparing podman ($base)"
    bash "$base"
  fi
  build=(podman build --format docker --isolation=chroot --pull=never -f docker/Dockerfile -t "$image" .)
  run=(podman --runtime runc run -d --network=host)
fi
say "engine: $engine"

if [[ -z ${EASEMU_SKIP_BUILD:-} ]]; then
  say "building $image (compiles the project: expect many minutes)"
  build_start=$(date +%s)
  "${build[@]}" >"$work/build.log" 2>&1 || { tail -n 60 "$work/build.log"; fail "image build"; }
  build_seconds=$(($(date +%s) - build_start))
  say "built in $((build_seconds / 60)) min $((build_seconds % 60)) s"
fi

# A free TCP port on 127.0.0.1 (nothing answers a connect there).
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  fail "no free port"
}

# Starts a container; sets $cid, $https and $http (the ports on this host).
start() {
  local name=$1
  shift
  https=$(free_port)
  http=$(free_port)
  while [[ $http == "$https" ]]; do http=$(free_port); done
  local net=()
  if [[ $engine == docker ]]; then
    net=(-p "127.0.0.1:$https:8443" -p "127.0.0.1:$http:8080" --health-interval=2s)
  else
    net=(-e "EASEMU_LISTEN=127.0.0.1:$https" -e "EASEMU_HTTP_LISTEN=127.0.0.1:$http")
  fi
  dns=
  if [[ -n ${with_dns:-} ]]; then  # the DNS responder too, on UDP and TCP
    dns=$(free_port)
    if [[ $engine == docker ]]; then
      net+=(-e EASEMU_DNS_LISTEN=0.0.0.0:5353 -p "127.0.0.1:$dns:5353/udp" -p "127.0.0.1:$dns:5353/tcp")
    else
      net+=(-e "EASEMU_DNS_LISTEN=127.0.0.1:$dns")
    fi
  fi
  # (podman without systemd says on stderr that it cannot schedule the health check timer;
  # `podman healthcheck run` below runs the check itself.)
  cid=$("${run[@]}" --name "$name-$$" "${net[@]}" -e "EASEMU_PUBLIC_URL=https://mail.lab.test:$https" "$@" "$image" \
    2>"$work/run.err") || { cat "$work/run.err"; fail "$engine run"; }
  containers+=("$cid")
  wait_ready
}

wait_ready() {
  for _ in $(seq 150); do
    if curl -fs -o /dev/null "http://127.0.0.1:$http/healthz"; then return; fi
    [[ $($engine inspect -f '{{.State.Running}}' "$cid") == true ]] || fail "the container exited"
    sleep 0.2
  done
  fail "/healthz did not answer within 30 s"
}

check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then say "ok: $what"; else fail "$what"; fi
}

options_ok() {  # OPTIONS with Basic auth of a lab mailbox: 200 and MS-ASProtocolVersions
  curl -sk -u "$1:Passw0rd" -X OPTIONS -D "$work/options.h" -o /dev/null \
    "https://127.0.0.1:$https/Microsoft-Server-ActiveSync" &&
    grep -q '^HTTP/[0-9.]* 200' "$work/options.h" &&
    grep -qi '^MS-ASProtocolVersions: .*14\.1' "$work/options.h"
}

autodiscover_ok() {  # POST the mobilesync request: the EAS URL comes back
  curl -sk -u alice@lab.test:Passw0rd -H 'Content-Type: text/xml' -o "$work/autodiscover.xml" \
    --data-binary @- "https://127.0.0.1:$https/autodiscover/autodiscover.xml" <<'XML' &&
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006">
  <Request>
    <EMailAddress>alice@lab.test</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006</AcceptableResponseSchema>
  </Request>
</Autodiscover>
XML
    grep -q "<Url>https://mail.lab.test:$https/Microsoft-Server-ActiveSync</Url>" "$work/autodiscover.xml"
}

ca_der_ok() {  # /certsrv/ca.cer is a DER certificate of the lab CA
  curl -fs -o "$work/ca.cer" "http://127.0.0.1:$http/certsrv/ca.cer" &&
    openssl x509 -inform DER -in "$work/ca.cer" -noout -subject | grep -q 'easemu Lab Root CA' &&
    openssl x509 -inform DER -in "$work/ca.cer" -out "$work/ca.pem"
}

tls_verifies() {  # the HTTPS listener's chain verifies against that CA, for the lab hostname
  curl -fs --cacert "$work/ca.pem" --resolve "mail.lab.test:$https:127.0.0.1" -o /dev/null \
    "https://mail.lab.test:$https/healthz"
}

healthz_ok() { [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/healthz") == 200 ]]; }

healthcheck_ok() {  # the image's HEALTHCHECK (easemu health) reports healthy
  if [[ $engine == podman ]]; then
    podman healthcheck run "$cid" >/dev/null
  else
    for _ in $(seq 60); do
      [[ $(docker inspect -f '{{.State.Health.Status}}' "$cid") == healthy ]] && return 0
      sleep 1
    done
    return 1
  fi
}

non_root() {  # PID 1 (easemu) runs as uid 10001, and the image says so
  local uid
  uid=$($engine exec "$cid" cat /proc/1/status | awk '/^Uid:/ {print $2}')
  [[ $uid == 10001 ]] && [[ $($engine image inspect -f '{{.Config.User}}' "$image") == 10001:10001 ]]
}

# The log is read whole first: with pipefail, `logs | grep -q` fails when grep stops reading early.
logged() {
  local text
  text=$($engine logs "$cid" 2>&1)
  grep -q -- "$1" <<<"$text"
}

admin_api_ok() {  # the token from EASEMU_ADMIN_TOKEN opens the admin API
  [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "http://127.0.0.1:$http/api/v1/devices") == 200 ]] &&
    [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong" "http://127.0.0.1:$http/api/v1/devices") == 401 ]]
}

# ---- 1: nothing configured but the ports: the demo lab, a generated token, state in /data ----
say "run 1: no lab file, no token"
start easemu-demo
check "OPTIONS /Microsoft-Server-ActiveSync (alice@lab.test): MS-ASProtocolVersions" options_ok alice@lab.test
check "Autodiscover returns https://mail.lab.test:$https/Microsoft-Server-ActiveSync" autodiscover_ok
check "/certsrv/ca.cer is the lab CA in DER" ca_der_ok
check "the HTTPS certificate verifies with that CA for mail.lab.test" tls_verifies
check "/healthz 200" healthz_ok
check "HEALTHCHECK (easemu health) healthy" healthcheck_ok
check "runs as uid 10001, not root" non_root
check "the demo lab (no /etc/easemu/lab.yaml)" logged "no lab file at /etc/easemu/lab.yaml: the demo lab"
check "a generated admin token is logged and kept in /data" logged "admin token: [0-9a-f]* (kept in /data/admin-token)"
generated=$($engine logs "$cid" 2>&1 | sed -n 's/.*admin token: \([0-9a-f]*\) .*/\1/p' | head -n1)
check "state in the /data volume" $engine exec "$cid" test -f /data/easemu.db -a -f /data/certs/ca.pem
$engine restart "$cid" >/dev/null 2>"$work/restart.err" || { cat "$work/restart.err"; fail "restart"; }
wait_ready
check "after a restart: the same CA" logged "lab CA: reused from the data dir"
check "after a restart: the same admin token" admin_api_ok "$generated"

dns_ok() {  # the DNS responder's A and SRV answers (dig, from Debian's dnsutils)
  [[ $(dig +short +time=2 +tries=2 -p "$dns" @127.0.0.1 autodiscover.lab.test A) == 192.0.2.10 ]] &&
    [[ $(dig +tcp +short +time=2 +tries=2 -p "$dns" @127.0.0.1 _autodiscover._tcp.lab.test SRV) == "0 0 $https mail.lab.test." ]]
}

# ---- 2: the example lab file mounted read-only, the token from the environment, DNS ----
say "run 2: docker/lab.example.yaml at /etc/easemu/lab.yaml, EASEMU_ADMIN_TOKEN, EASEMU_DNS_LISTEN"
with_dns=1 start easemu-lab -v "$PWD/docker/lab.example.yaml:/etc/easemu/lab.yaml:ro" -e "EASEMU_ADMIN_TOKEN=$token" \
  -e EASEMU_HOSTNAME=mail.lab.test -e EASEMU_DNS_ADDRESS=192.0.2.10
check "OPTIONS with bob@lab.test of the example lab" options_ok bob@lab.test
check "no demo lab" bash -c "! $engine logs $cid 2>&1 | grep -q 'demo mailbox'"
check "EASEMU_ADMIN_TOKEN opens the admin API" admin_api_ok "$token"
check "HEALTHCHECK (easemu health) healthy" healthcheck_ok
if command -v dig >/dev/null 2>&1; then
  check "DNS: autodiscover.lab.test A 192.0.2.10 (UDP), SRV 0 0 $https mail.lab.test (TCP)" dns_ok
else
  say "skipped: the DNS answers (no dig; Debian's dnsutils has it)"
fi

size=$($engine image inspect -f '{{.Size}}' "$image")
say "image $image: $((size / 1000 / 1000)) MB ($size bytes)${build_seconds:+, built in $((build_seconds / 60)) min $((build_seconds % 60)) s}"
((size < max_bytes)) || fail "the image is $((size / 1000 / 1000)) MB, the limit is 150 MB"
say "PASS"
