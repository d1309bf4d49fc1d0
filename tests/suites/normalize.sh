#!/bin/sh
# normalize.sh - the normalizer's sentence tests, offsets, bad input, CLI = HTTP (tests/normalize/run.py).
exec python3 "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/normalize/run.py"
