#!/bin/sh
# load.sh - load test: wrk at 64 connections for 60 s on a mix of valid requests (lookups,
# search, validate, normalize, SPARQL; bench/load.lua), against a fresh `imterm serve` on
# loopback. Reports requests/s, p50/p99, socket errors, 5xx, and the server's RSS before and
# after (main process, and with its SPARQL workers). A 10 s run on GET /health in the same run is
# the baseline the mix is compared with.
#
#   bench/load.sh [--seconds N] [--connections N] [--threads N] [--data DIR]
#
# Exits non-zero when a check fails: any socket error, any 5xx, RSS growth >= 5 %.
# Environment: IMTERM_BIN (default ./imterm).
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
secs=60; conns=64; wthreads=2; data=$top
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) secs=$2; shift ;;
    --connections) conns=$2; shift ;;
    --threads) wthreads=$2; shift ;;
    --data) data=$2; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "load.sh: unknown option $1"; exit 2 ;;
  esac
  shift
done
bin=${IMTERM_BIN:-$top/imterm}
command -v wrk >/dev/null 2>&1 || { echo "load.sh: wrk not found (apt-get install wrk)"; exit 2; }
[ -x "$bin" ] || { echo "load.sh: $bin not built (make)"; exit 2; }
tmp=$(mktemp -d /tmp/imterm-load.XXXXXX)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

"$bin" serve --host 127.0.0.1 --port 0 --port-file "$tmp/port" --data "$data" --access-log off \
  --db "$tmp/imterm.db" >"$tmp/server.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/port" ] || { echo "load.sh: server did not start"; cat "$tmp/server.log"; exit 1; }
port=$(cat "$tmp/port")
base="http://127.0.0.1:$port"
grep -hv '^[[:space:]]*#' "$data"/ontologies/*.ttl | grep -oE 'IMT[0-9]{7}' | sort -u >"$tmp/ids.txt"
export IMT_LOAD_IDS="$tmp/ids.txt"

rss() {  # rss PID: resident set size in KiB
  awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}
rss_tree() {  # the server plus every descendant (SPARQL workers)
  total=0
  for p in $1 $(ps -o pid= --ppid "$1") $(for c in $(ps -o pid= --ppid "$1"); do ps -o pid= --ppid "$c"; done); do
    total=$((total + $(rss "$p")))
  done
  echo "$total"
}

echo "imterm load test: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "server: $bin, data $data ($(wc -l <"$tmp/ids.txt") concept ids), port $port"
# warm-up: 5 s of the same mix and concurrency, so that lazily built state and the allocator's
# per-thread arenas are counted in "before"
wrk -t"$wthreads" -c"$conns" -d5s -s bench/load.lua "$base" >/dev/null 2>&1
rss0=$(rss "$pid"); tree0=$(rss_tree "$pid")

echo "--- baseline: GET /health, 10 s, $conns connections"
wrk -t"$wthreads" -c"$conns" -d10s --latency "$base/health" >"$tmp/base.out" 2>&1
base_rps=$(sed -n 's/^Requests\/sec: *//p' "$tmp/base.out")
echo "baseline requests/s: $base_rps"

echo "--- mix: $secs s, $conns connections, $wthreads wrk threads (bench/load.lua)"
wrk -t"$wthreads" -c"$conns" -d"${secs}s" --latency --timeout 10s -s bench/load.lua "$base" >"$tmp/mix.out" 2>&1
cat "$tmp/mix.out"
rss1=$(rss "$pid"); tree1=$(rss_tree "$pid")

rps=$(sed -n 's/^Requests\/sec: *//p' "$tmp/mix.out")
p99=$(sed -n 's/^p99_ms: *//p' "$tmp/mix.out")
p50=$(sed -n 's/^p50_ms: *//p' "$tmp/mix.out")
sock=$(sed -n 's/^socket_errors: *//p' "$tmp/mix.out")
five=$(sed -n 's/^5xx: *//p' "$tmp/mix.out")
growth=$(awk -v a="$rss0" -v b="$rss1" 'BEGIN { printf "%.2f", a ? (b - a) * 100 / a : 0 }')
tgrowth=$(awk -v a="$tree0" -v b="$tree1" 'BEGIN { printf "%.2f", a ? (b - a) * 100 / a : 0 }')
ratio=$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { printf "%.3f", b ? a / b : 0 }')
echo "--- summary"
echo "requests/s: $rps (ratio to GET /health baseline: $ratio)"
echo "latency: p50 ${p50} ms, p99 ${p99} ms"
echo "socket errors: ${sock:-?}; 5xx: ${five:-?}"
echo "RSS server: ${rss0} KiB before, ${rss1} KiB after (${growth} %)"
echo "RSS with SPARQL workers: ${tree0} KiB before, ${tree1} KiB after (${tgrowth} %)"
rc=0
[ "${sock:-1}" -eq 0 ] || { echo "FAIL: socket errors"; rc=1; }
[ "${five:-1}" -eq 0 ] || { echo "FAIL: 5xx answers to valid requests"; rc=1; }
awk -v g="$growth" 'BEGIN { exit !(g < 5) }' || { echo "FAIL: RSS grew ${growth} % (limit 5 %)"; rc=1; }
kill -TERM "$pid"; wait "$pid"; src=$?
[ "$src" -eq 0 ] || { echo "FAIL: server exited $src on SIGTERM"; rc=1; }
pid=
[ $rc -eq 0 ] && echo "PASS"
exit $rc
