#!/bin/sh
# build.sh - install dependencies (Debian 12) and build imterm in the source tree.
set -e
cd "$(dirname "$0")/.."
sh tools/deps.sh "$@"
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
