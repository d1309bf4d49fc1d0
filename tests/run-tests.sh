#!/bin/sh
# run-tests.sh - the whole test suite behind `make check`: unit tests, `imterm check` on the bundled
# data, data-driven HTTP cases against a real server, and every suite in tests/suites/*.sh.
# Each part prints TAP lines ("ok N - ..." / "not ok N - ..."); this script counts them and ends
# with the line "N passed, N failed". Environment (set by make): IMTERM_BIN, TOP_SRCDIR,
# TOP_BUILDDIR, TEST_PROGRAMS.
set -u
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${IMTERM_BIN:=$TOP_BUILDDIR/imterm}"
export TOP_SRCDIR TOP_BUILDDIR IMTERM_BIN
# ../shared beside the checkout (IMTERM_SHARED overrides: builds from the tarball live elsewhere)
SHARED=${IMTERM_SHARED:-$(cd "$TOP_SRCDIR/.." && pwd)/shared}
export IMTERM_SHARED="$SHARED"
LOG_DIR="$TOP_BUILDDIR/tests/logs"
mkdir -p "$LOG_DIR"
passed=0
failed=0
skipped=0

# run NAME COMMAND...: run a TAP-producing part, echo its lines, count them.
run() {
  name=$1; shift
  log="$LOG_DIR/$name.log"
  echo "== $name"
  "$@" >"$log" 2>"$log.err"
  status=$?
  p=$(grep -c '^ok ' "$log")
  f=$(grep -c '^not ok ' "$log")
  s=$(grep -c '^ok .*# SKIP' "$log")
  grep -E '^(not ok|ok .*# SKIP|# )' "$log" | sed 's/^/   /'
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "   not ok - $name exited with status $status (see $log.err)"
    tail -n 5 "$log.err" | sed 's/^/     /'
    f=$((f + 1))
  fi
  echo "   $((p - s)) passed, $f failed, $s skipped"
  passed=$((passed + p - s))
  failed=$((failed + f))
  skipped=$((skipped + s))
}

for t in ${TEST_PROGRAMS:-}; do
  run "unit-$(basename "$t")" "$TOP_BUILDDIR/$t"
done

check_data() {
  if "$IMTERM_BIN" check --data "$TOP_SRCDIR" >"$LOG_DIR/check.out" 2>&1; then
    echo "ok 1 - imterm check passes on the bundled data"
  else
    echo "not ok 1 - imterm check fails on the bundled data"; sed 's/^/# /' "$LOG_DIR/check.out" | grep -E '^# error' | head -20
  fi
  n=$(sed -n 's/^concepts: \([0-9]*\).*/\1/p' "$LOG_DIR/check.out")
  if [ "${n:-0}" -ge 30 ]; then echo "ok 2 - at least 30 concepts ($n)"; else echo "not ok 2 - only ${n:-0} concepts"; fi
  if [ -d "$SHARED/reference" ]; then
    if "$IMTERM_BIN" check --data "$TOP_SRCDIR" --reference "$SHARED/reference" >"$LOG_DIR/check-ref.out" 2>&1; then
      echo "ok 3 - every mapped code is in ../shared/reference"
    else
      echo "not ok 3 - codes missing from ../shared/reference"; grep -E '^error' "$LOG_DIR/check-ref.out" | head -20 | sed 's/^/# /'
    fi
  else
    echo "ok 3 # SKIP ../shared/reference is absent: reference check skipped"
  fi
  # a broken Turtle file and an undeclared SSSOM prefix stop `check` with file and line
  if "$IMTERM_BIN" check --data "$TOP_SRCDIR/tests/data/badttl" >"$LOG_DIR/check-bad.out" 2>&1; then
    echo "not ok 4 - check accepted a Turtle syntax error"
  elif grep -q 'a.ttl:[0-9]' "$LOG_DIR/check-bad.out"; then
    echo "ok 4 - check names file and line of a Turtle syntax error"
  else
    echo "not ok 4 - check message lacks file:line"; sed 's/^/# /' "$LOG_DIR/check-bad.out"
  fi
  if "$IMTERM_BIN" check --data "$TOP_SRCDIR/tests/data/badsssom" >"$LOG_DIR/check-bad2.out" 2>&1; then
    echo "not ok 5 - check accepted an undeclared SSSOM prefix"
  elif grep -q 'bad.sssom.tsv:8' "$LOG_DIR/check-bad2.out"; then
    echo "ok 5 - check names file and line of an undeclared SSSOM prefix"
  else
    echo "not ok 5 - check message lacks file:line"; sed 's/^/# /' "$LOG_DIR/check-bad2.out"
  fi
}
run data-check check_data

run http python3 "$TOP_SRCDIR/tests/http/run.py"

for s in "$TOP_SRCDIR"/tests/suites/*.sh; do
  [ -f "$s" ] || continue
  run "suite-$(basename "$s" .sh)" sh "$s"
done

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
