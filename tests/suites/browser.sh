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
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# start NAME [VAR=VALUE...]: start a server in the background with the given environment; its
# port lands in $TMP/NAME.port.
start() {
  name=$1; shift
  mkdir -p "$TMP/$name"
  env "$@" "$IMTERM_BIN" serve --host 127.0.0.1 --port 0 --port-file "$TMP/$name.port" --data "$TOP_SRCDIR" \
    --web "$TOP_SRCDIR/web" --access-log off --db "$TMP/$name/imterm.db" >"$LOGS/server-browser-$name.err" 2>&1 &
  PIDS="$PIDS $!"
  echo $! >"$TMP/$name.pid"
}
# wait_port NAME: wait for the server's port file (120 s at most); prints the port.
wait_port() {
  i=0
  while [ ! -s "$TMP/$1.port" ]; do
    if ! kill -0 "$(cat "$TMP/$1.pid")" 2>/dev/null; then
      echo "not ok 1 - the $1 server for the browser tests exited early (see $LOGS/server-browser-$1.err)"; exit 1
    fi
    i=$((i + 1))
    if [ "$i" -gt 1200 ]; then
      echo "not ok 1 - the $1 server for the browser tests did not start (see $LOGS/server-browser-$1.err)"; exit 1
    fi
    sleep 0.1
  done
  cat "$TMP/$1.port"
}

# The main server allows slow queries (the suite also runs under ASan on a busy machine); the
# second one has a 1 s SPARQL limit and a 100-row cap, to show the timeout and truncation
# messages without waiting.
start main IMTERM_SPARQL_TIMEOUT=60
start limits IMTERM_SPARQL_TIMEOUT=1 IMTERM_SPARQL_ROW_CAP=100
PORT=$(wait_port main) || { echo "$PORT"; exit 1; }
PORT2=$(wait_port limits) || { echo "$PORT2"; exit 1; }

CHROMIUM="$CHROMIUM" ARTIFACTS="$ARTIFACTS" TOP_SRCDIR="$TOP_SRCDIR" \
  node "$TOP_SRCDIR/tests/browser/app.test.mjs" "http://127.0.0.1:$PORT" "http://127.0.0.1:$PORT2"
