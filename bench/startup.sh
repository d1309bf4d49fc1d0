#!/bin/sh
# startup.sh - start-up time and RSS of `imterm serve` on the bundled data, a RadLex-scale file
# (45.7k concepts, from ../shared/reference; skipped when absent) and 200k synthetic concepts.
# usage: bench/startup.sh [IMTERM_BIN]   (run from the source tree after building)
set -u
cd "$(dirname "$0")/.."
BIN=${1:-./imterm}
WORK=${BENCH_WORK:-/tmp/imterm-bench}
mkdir -p "$WORK"
[ -d "$WORK/radlex" ] || python3 bench/gen-radlex.py "$WORK/radlex" || echo "(RadLex-scale data skipped)"
[ -d "$WORK/syn200k" ] || python3 bench/gen-synthetic.py "$WORK/syn200k" 200000
printf "%-10s %10s %10s %10s %12s\n" data concepts triples seconds rss_mb
for d in . "$WORK/radlex" "$WORK/syn200k"; do
  [ -d "$d/ontologies" ] || continue
  pf="$WORK/port.$$"; rm -f "$pf"
  t0=$(date +%s.%N)
  "$BIN" serve --port 0 --port-file "$pf" --data "$d" --access-log off >"$WORK/serve.log" 2>&1 &
  pid=$!
  while [ ! -s "$pf" ]; do
    kill -0 $pid 2>/dev/null || { echo "server failed on $d"; cat "$WORK/serve.log"; break; }
    sleep 0.05
  done
  t1=$(date +%s.%N)
  port=$(cat "$pf")
  health=$(curl -s "http://127.0.0.1:$port/health")
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill -TERM $pid; wait $pid 2>/dev/null
  c=$(echo "$health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["concepts"])')
  tr=$(echo "$health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["triples"])')
  printf "%-10s %10s %10s %10.2f %12.0f\n" "$(basename "$d")" "$c" "$tr" "$(echo "$t1 - $t0" | bc)" "$(echo "$rss / 1024" | bc)"
  rm -f "$pf"
done
