#!/bin/sh
# misslog.sh - lookup throughput with the miss log on vs off (issue: curation loop).
# Starts the server twice per round on the bundled data (IMTERM_MISSLOG=off, then on), drives
# GET /api/search with terms that miss (5,000 distinct nonsense terms, so the log aggregates and
# writes continuously) and GET /api/concepts/{id} (hits), with wrk on loopback, and prints req/s
# and the on/off ratio. Target: ratio >= 0.95. Usage: bench/misslog.sh [SECONDS] [ROUNDS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${IMTERM_BIN:-$top/imterm}
secs=${1:-8}
rounds=${2:-3}
conns=${CONNS:-32}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
work=$(mktemp -d /tmp/imterm-bench-misslog.XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM
pid=

cat >"$work/miss.lua" <<'LUA'
-- every request a search for a term that is not in the vocabulary (5,000 distinct ones)
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/search?q=zzqx" .. (n % 5000) .. "blorp&limit=10")
end
LUA
cat >"$work/hit.lua" <<'LUA'
-- concept lookups by id (hits: nothing to log)
local ids = {"IMT0001020", "IMT0001010", "IMT0002001", "IMT0003001", "IMT0008001"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/concepts/" .. ids[(n % #ids) + 1])
end
LUA

cat >"$work/norm.lua" <<'LUA'
-- report sentences with an unknown clause: POST /api/normalize records each unmatched clause
local n = 0
request = function()
  n = n + 1
  local body = '{"text":"右肺上叶见磨玻璃结节，另见zzqx' .. (n % 5000) .. 'blorp样改变。","lang":"zh"}'
  return wrk.format("POST", "/api/normalize", {["Content-Type"] = "application/json"}, body)
end
LUA

start() {  # start MODE: start a server with the miss log on|off; sets $pid and $port
  rm -f "$work/port" "$work/db"*
  IMTERM_MISSLOG=$1 "$bin" serve --host 127.0.0.1 --port 0 --port-file "$work/port" --data "$top" \
    --access-log off --db "$work/db" >"$work/server.log" 2>&1 &
  pid=$!
  i=0
  while [ ! -s "$work/port" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || { echo "server did not start"; cat "$work/server.log"; exit 1; }
    sleep 0.1
  done
  port=$(cat "$work/port")
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
rps() {  # rps SCRIPT: requests/s of one wrk run
  wrk -t2 -c"$conns" -d"${secs}s" -s "$work/$1" "http://127.0.0.1:$port" 2>&1 | awk '/Requests\/sec/ {print $2}'
}

echo "# $(date -u +%Y-%m-%d) $(nproc) cores; wrk -t2 -c$conns -d${secs}s; $rounds rounds, off/on alternating"
printf '%-6s %-5s %12s %12s %12s %s\n' round log search/s concept/s normalize/s recorded
for r in $(seq 1 "$rounds"); do
  for mode in off on; do
    start $mode
    curl -s "http://127.0.0.1:$port/api/search?q=warmup" >/dev/null
    s=$(rps miss.lua)
    c=$(rps hit.lua)
    m=$(rps norm.lua)
    rec=$(curl -s "http://127.0.0.1:$port/api/misses?limit=1" | python3 -c 'import json,sys; d=json.load(sys.stdin); l=d["log"]; print(l["recorded"], "dropped", l["dropped"], "writer %.2f us/miss" % (1e6*l["writerCpuSeconds"]/max(1,l["written"])))' 2>/dev/null || echo "-")
    stop
    printf '%-6s %-5s %12s %12s %12s %s\n' "$r" "$mode" "$s" "$c" "$m" "$rec"
    echo "$mode $s $c $m" >>"$work/results"
  done
done
python3 - "$work/results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
def med(mode, col): return statistics.median(float(r[col]) for r in rows if r[0] == mode)
for col, name in ((1, "search (misses)"), (2, "concept (hits)"), (3, "normalize")):
    off, on = med("off", col), med("on", col)
    print("%-16s off %10.0f req/s   on %10.0f req/s   ratio on/off %.3f" % (name, off, on, on / off if off else 0))
PY
