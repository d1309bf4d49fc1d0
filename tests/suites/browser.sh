#!/bin/sh
# browser.sh - browser tests of the web app (tests/browser/app.test.mjs): Debian's chromium,
# headless, driven by playwright-core against a private `imterm serve` on a free loopback port.
# Installs tests/node_modules when absent; prints a TAP SKIP line when node, npm, the package or
# chromium is unavailable (offline machines). Screenshots go to tests/artifacts/.
set -u
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${IMTERM_BIN:=$TOP_BUILDDIR/imterm}"

skip() { echo "ok 1 # SKIP $1"; echo "# $1" >&2; exit 0; }

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] || skip "chromium is not installed (apt-get install chromium, or tools/deps.sh --test)"
command -v node >/dev/null 2>&1 || skip "node is not installed"
[ -x "$IMTERM_BIN" ] || skip "no imterm binary at $IMTERM_BIN"

if [ ! -d "$TOP_SRCDIR/tests/node_modules/playwright-core" ] || [ ! -d "$TOP_SRCDIR/tests/node_modules/axe-core" ]; then
  command -v npm >/dev/null 2>&1 || skip "npm is not installed and tests/node_modules/playwright-core is absent"
  if ! npm install --prefix "$TOP_SRCDIR/tests" --no-audit --no-fund --loglevel=error >&2; then
    skip "npm install --prefix tests failed (offline?): playwright-core/axe-core unavailable"
  fi
  [ -d "$TOP_SRCDIR/tests/node_modules/playwright-core" ] || skip "playwright-core did not install"
  [ -d "$TOP_SRCDIR/tests/node_modules/axe-core" ] || skip "axe-core did not install"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/imterm-browser.XXXXXX")
LOGS="$TOP_BUILDDIR/tests/logs"
ARTIFACTS="$TOP_BUILDDIR/tests/artifacts"
mkdir -p "$LOGS" "$ARTIFACTS"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

"$IMTERM_BIN" serve --host 127.0.0.1 --port 0 --port-file "$TMP/port" --data "$TOP_SRCDIR" \
  --web "$TOP_SRCDIR/web" --access-log off --db "$TMP/imterm.db" >"$LOGS/server-browser.err" 2>&1 &
PID=$!
i=0
while [ ! -s "$TMP/port" ]; do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "not ok 1 - the server for the browser tests exited early (see $LOGS/server-browser.err)"
    PID=""; exit 1
  fi
  i=$((i + 1))
  if [ "$i" -gt 1200 ]; then echo "not ok 1 - the server did not start within 120 s"; exit 1; fi
  sleep 0.1
done
PORT=$(cat "$TMP/port")

CHROMIUM="$CHROMIUM" ARTIFACTS="$ARTIFACTS" TOP_SRCDIR="$TOP_SRCDIR" \
  node "$TOP_SRCDIR/tests/browser/app.test.mjs" "http://127.0.0.1:$PORT"
