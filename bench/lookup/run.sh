#!/bin/sh
# run.sh - throughput and p99 of the lookup API against a static response of the same server
# (the ceiling: the faster of a static file and /health), in one run: wrk -t2 -c32 on /api/concepts/{random id}, /api/search?q={random
# prefix} and a static file, at RadLex scale (45.7k concepts, from ../shared/reference; skipped
# when absent) and on 200k synthetic concepts.
# usage: bench/lookup/run.sh [IMTERM_BIN] [SECONDS=10]   (from the source tree, after `make`)
set -u
cd "$(dirname "$0")/../.."
BIN=${1:-./imterm}
SECS=${2:-10}
WORK=${BENCH_WORK:-/tmp/imterm-bench}
mkdir -p "$WORK"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
[ -d "$WORK/radlex" ] || python3 bench/gen-radlex.py "$WORK/radlex" || echo "(RadLex-scale data skipped)"
[ -d "$WORK/syn200k" ] || python3 bench/gen-synthetic.py "$WORK/syn200k" 200000

# wrk_run NAME URL [PATHS]: prints "rps p99_ms"
wrk_run() {
  if [ -n "${3:-}" ]; then
    out=$(PATHS="$3" wrk -t2 -c32 -d"${SECS}s" --latency -s bench/lookup/paths.lua "$2" 2>&1)
  else
    out=$(wrk -t2 -c32 -d"${SECS}s" --latency "$2" 2>&1)
  fi
  echo "$out" > "$WORK/wrk-$1.txt"
  rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "$rps ${p99:-?} ${non2xx:-0}"
}

printf "%-8s %-8s %10s %8s %8s %8s\n" data endpoint req/s ratio p99_ms non2xx
for d in "$WORK/radlex" "$WORK/syn200k"; do
  [ -d "$d/ontologies" ] || continue
  name=$(basename "$d")
  python3 bench/lookup/paths.py "$d" "$WORK/paths-$name" 5000 2>/dev/null
  pf="$WORK/port.$$"; rm -f "$pf"
  "$BIN" serve --port 0 --port-file "$pf" --data "$d" --access-log off >"$WORK/serve-lookup.log" 2>&1 &
  pid=$!
  while [ ! -s "$pf" ]; do
    kill -0 $pid 2>/dev/null || { echo "server failed on $d"; cat "$WORK/serve-lookup.log"; exit 1; }
    sleep 0.1
  done
  base="http://127.0.0.1:$(cat "$pf")"
  # warm up (page cache, per-thread buffers)
  PATHS="$WORK/paths-$name.search" wrk -t2 -c32 -d2s -s bench/lookup/paths.lua "$base" >/dev/null 2>&1
  set -- $(wrk_run "$name-static" "$base/assets/favicon.svg"); f_rps=$1; f_p99=$2; f_bad=$3
  set -- $(wrk_run "$name-health" "$base/health"); h_rps=$1; h_p99=$2
  # the ceiling: the faster of the two static-size answers (a 238-byte file, /health's JSON)
  if [ "$(echo "$h_rps > $f_rps" | bc)" = 1 ]; then s_rps=$h_rps; s_p99=$h_p99; s_name=health; else s_rps=$f_rps; s_p99=$f_p99; s_name=static; fi
  set -- $(wrk_run "$name-lookup" "$base" "$WORK/paths-$name.lookup"); l_rps=$1; l_p99=$2; l_bad=$3
  set -- $(wrk_run "$name-search" "$base" "$WORK/paths-$name.search"); q_rps=$1; q_p99=$2; q_bad=$3
  printf "%-8s %-8s %10s %8.2f %8s %8s\n" "$name" static "$f_rps" "$(echo "$f_rps / $s_rps" | bc -l)" "$f_p99" "$f_bad"
  printf "%-8s %-8s %10s %8.2f %8s %8s\n" "$name" health "$h_rps" "$(echo "$h_rps / $s_rps" | bc -l)" "$h_p99" 0
  echo "($name ceiling: $s_name)"
  printf "%-8s %-8s %10s %8.2f %8s %8s\n" "$name" lookup "$l_rps" "$(echo "$l_rps / $s_rps" | bc -l)" "$l_p99" "$l_bad"
  printf "%-8s %-8s %10s %8.2f %8s %8s\n" "$name" search "$q_rps" "$(echo "$q_rps / $s_rps" | bc -l)" "$q_p99" "$q_bad"
  kill -TERM $pid; wait $pid 2>/dev/null
  rm -f "$pf"
done
