#!/bin/sh
# deps.sh - install what imterm needs to build, run and test on Debian 12 (run as root).
# Idempotent: apt-get skips what is installed.
set -e
export DEBIAN_FRONTEND=noninteractive
PKGS="build-essential autoconf automake libtool pkg-config
  librdf0-dev libraptor2-dev librasqal3-dev libmicrohttpd-dev libsqlite3-dev libcjson-dev
  libutf8proc-dev libopencc-dev opencc unicode-data bzip2 python3 curl"
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then
  # test-only tools: a real SPARQL client, load generator, clang for fuzzing, valgrind, a browser
  PKGS="$PKGS rasqal-utils raptor2-utils wrk clang libclang-rt-14-dev valgrind chromium fonts-wqy-microhei"
  command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
fi
if [ "${1:-}" = "--bench" ]; then
  # benchmark peers and tools (bench/README.md): Virtuoso for bench/sparql, bc for bench scripts
  PKGS="$PKGS virtuoso-opensource bc linux-perf"
fi
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
fi
