#!/bin/sh
# lookup_cli.sh - `imterm lookup` and GET /api/concepts/{ref} resolve alike: for ids, CURIEs,
# IRIs, labels (traditional, full-width), ambiguous codes and unknown refs, the CLI prints the
# same JSON the API serves (the API's 404 body is its error object). Prints TAP.
set -u
BIN=${IMTERM_BIN:-./imterm}
TOP=${TOP_SRCDIR:-.}
tmp=$(mktemp -d)
pf="$tmp/port"
"$BIN" serve --host 127.0.0.1 --port 0 --port-file "$pf" --data "$TOP" --access-log off --db "$tmp/db" >"$tmp/log" 2>&1 &
pid=$!
i=0
while [ ! -s "$pf" ]; do
  i=$((i + 1))
  if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then echo "not ok 1 - server did not start"; cat "$tmp/log"; exit 1; fi
  sleep 0.1
done
port=$(cat "$pf")
n=0
for ref in IMT0001100 imt:IMT0001380 RADLEX:RID34999 RADLEX:RID5741 "https://w3id.org/imterm/concept/IMT0001100" \
           磨玻璃影 GGO ＧＧＯ 支氣管充氣徵 "ground glass" IMT9999999 "no such label at all"; do
  n=$((n + 1))
  enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$ref")
  curl -s "http://127.0.0.1:$port/api/concepts/$enc" >"$tmp/http.json"
  "$BIN" lookup --data "$TOP" "$ref" >"$tmp/cli.json" 2>/dev/null
  if python3 - "$tmp/http.json" "$tmp/cli.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
if "error" in h:   # the API's 404 body is {"error","message"}; the CLI adds "input"
    ok = c.get("error") == h["error"] and c.get("input") is not None
else:
    ok = h == c and ("id" in h or "candidates" in h)
sys.exit(0 if ok else 1)
PY
  then echo "ok $n - lookup '$ref': CLI and API agree"
  else echo "not ok $n - lookup '$ref': CLI and API differ"; head -c 300 "$tmp/http.json"; echo; head -c 300 "$tmp/cli.json"; echo
  fi
done
kill -TERM $pid; wait $pid 2>/dev/null
rm -rf "$tmp"
