#!/bin/sh
# run.sh - throughput and p99 of the lookup API against a static response of the same server
# (the ceiling: the faster of a static file and /health), in one run: wrk -t2 -c32 on /api/concepts/{random id}, /api/search?q={random
# prefix} and a static file, at RadLex scale (45.7k concepts, from ../shared/reference; skipped
# when absent) and on 200k synthetic concepts.
# usage: bench/lookup/run.sh [IMTERM_BIN] [SECONDS=10] [ROUNDS=5]   (from the source tree, after `make`)
# Each round measures the four endpoints in turn; the table gives per endpoint the median req/s and
# p99 over the rounds and the range of p99.
set -u
cd "$(dirname "$0")/../.."
BIN=${1:-./imterm}
SECS=${2:-10}
ROUNDS=${3:-5}
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

# median of a list of numbers (one per line)
median() { sort -g | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
minmax() { sort -g | awk 'NR==1{a=$1} {b=$1} END {print a "-" b}'; }

printf "%-8s %-8s %10s %8s %12s %14s %8s\n" data endpoint req/s ratio p99_ms p99_range non2xx
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
  # warm up (page cache, per-thread buffers, the per-snapshot concept JSON cache)
  PATHS="$WORK/paths-$name.search" wrk -t2 -c32 -d2s -s bench/lookup/paths.lua "$base" >/dev/null 2>&1
  PATHS="$WORK/paths-$name.lookup" wrk -t2 -c32 -d2s -s bench/lookup/paths.lua "$base" >/dev/null 2>&1
  rm -f "$WORK"/r-*
  # ROUNDS rounds, each measuring the four endpoints one after the other, so that a slow moment of
  # the machine hits all four alike; medians over the rounds
  r=0
  while [ $r -lt "$ROUNDS" ]; do
    for ep in static health lookup search; do
      case $ep in
        static) out=$(wrk_run "$name-static" "$base/assets/favicon.svg") ;;
        health) out=$(wrk_run "$name-health" "$base/health") ;;
        lookup) out=$(wrk_run "$name-lookup" "$base" "$WORK/paths-$name.lookup") ;;
        search) out=$(wrk_run "$name-search" "$base" "$WORK/paths-$name.search") ;;
      esac
      set -- $out
      echo "$1" >> "$WORK/r-$ep.rps"; echo "$2" >> "$WORK/r-$ep.p99"; echo "${3:-0}" >> "$WORK/r-$ep.bad"
    done
    r=$((r + 1))
  done
  for ep in static health lookup search; do
    eval "${ep}_rps=\$(median < \"\$WORK/r-\$ep.rps\")"
    eval "${ep}_p99=\$(median < \"\$WORK/r-\$ep.p99\")"
    eval "${ep}_rng=\$(minmax < \"\$WORK/r-\$ep.p99\")"
    eval "${ep}_bad=\$(awk '{s+=\$1} END {print s+0}' \"\$WORK/r-\$ep.bad\")"
  done
  # the ceiling: the faster of the two static-size answers (a 238-byte file, /health's JSON)
  if [ "$(echo "$health_rps > $static_rps" | bc)" = 1 ]; then s_rps=$health_rps; s_name=health; else s_rps=$static_rps; s_name=static; fi
  for ep in static health lookup search; do
    eval "rps=\$${ep}_rps p99=\$${ep}_p99 rng=\$${ep}_rng bad=\$${ep}_bad"
    printf "%-8s %-8s %10.0f %8.2f %12s %14s %8s\n" "$name" "$ep" "$rps" "$(echo "$rps / $s_rps" | bc -l)" "$p99" "$rng" "$bad"
  done
  echo "($name: medians of $ROUNDS rounds; ceiling: $s_name)"
  kill -TERM $pid; wait $pid 2>/dev/null
  rm -f "$pf"
done
