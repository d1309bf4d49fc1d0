#!/bin/sh
# fhir.sh - FHIR, Linked Data and export checks with real third-party tools: fhir-kit-client
# (npm) runs $lookup, $validate-code, $expand and $translate against `imterm serve`; the npm
# jsonld + n3 packages check that JSON-LD and Turtle carry the same triples; rapper (raptor2-utils)
# parses the Turtle, N-Triples and RDF/XML exports. Prints TAP; skips (with a reason) what the
# machine cannot run. Talks to 127.0.0.1 only.
set -u
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${IMTERM_BIN:=$TOP_BUILDDIR/imterm}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/imterm-fhir.XXXXXX")
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
n=0
tap() { n=$((n + 1)); echo "$1 $n - $2"; }

# ---- exports (no network, no node needed) ----
export_ok=1
for f in ttl:imterm.ttl jsonld:imterm.jsonld nt:imterm.nt rdfxml:imterm.rdf sssom:imterm.sssom.tsv \
         fhir-codesystem:codesystem.json fhir-conceptmap:conceptmaps.json csv:imterm.csv slicer:slicer.json; do
  fmt=${f%%:*}; out=${f#*:}
  if ! "$IMTERM_BIN" export --data "$TOP_SRCDIR" --format "$fmt" --output "$TMP/$out" 2>"$TMP/export.err" || [ ! -s "$TMP/$out" ]; then
    export_ok=0; echo "# export --format $fmt failed: $(head -c 200 "$TMP/export.err")"
  fi
done
[ $export_ok = 1 ] && tap ok "imterm export writes all nine formats" || tap "not ok" "imterm export writes all nine formats"
if "$IMTERM_BIN" export --data "$TOP_SRCDIR" --format bogus >/dev/null 2>&1; then
  tap "not ok" "export rejects an unknown format"
else tap ok "export rejects an unknown format (exit $?)"; fi
# CSV: one row per concept plus the header, RFC 4180 (python's csv module reads it)
rows=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1],encoding="utf-8",newline=""))); assert all(len(x)==len(r[0]) for x in r), "ragged"; print(len(r)-1)' "$TMP/imterm.csv" 2>&1)
concepts=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["count"])' "$TMP/codesystem.json" 2>&1)
if [ "$rows" = "$concepts" ] && [ "${rows:-0}" -gt 1000 ] 2>/dev/null; then tap ok "CSV export has one row per concept ($rows)"
else tap "not ok" "CSV export rows ($rows) != concepts ($concepts)"; fi

if command -v rapper >/dev/null 2>&1; then
  c_ttl=$(rapper -q -i turtle -c "$TMP/imterm.ttl" 2>&1 | sed -n 's/.*returned \([0-9]*\) triples.*/\1/p')
  c_nt=$(rapper -q -i ntriples -c "$TMP/imterm.nt" 2>&1 | sed -n 's/.*returned \([0-9]*\) triples.*/\1/p')
  c_rdf=$(rapper -q -i rdfxml -c "$TMP/imterm.rdf" 2>&1 | sed -n 's/.*returned \([0-9]*\) triples.*/\1/p')
  [ -z "$c_ttl" ] && c_ttl=$(rapper -i turtle -c "$TMP/imterm.ttl" 2>&1 | sed -n 's/.*returned \([0-9]*\) triples.*/\1/p')
  [ -z "$c_nt" ] && c_nt=$(rapper -i ntriples -c "$TMP/imterm.nt" 2>&1 | sed -n 's/.*returned \([0-9]*\) triples.*/\1/p')
  [ -z "$c_rdf" ] && c_rdf=$(rapper -i rdfxml -c "$TMP/imterm.rdf" 2>&1 | sed -n 's/.*returned \([0-9]*\) triples.*/\1/p')
  if [ -n "$c_ttl" ] && [ "$c_ttl" -gt 5000 ] && [ "$c_ttl" = "$c_nt" ] && [ "$c_ttl" = "$c_rdf" ]; then
    tap ok "rapper parses the Turtle, N-Triples and RDF/XML exports to the same $c_ttl triples"
  else tap "not ok" "rapper triple counts differ: ttl=$c_ttl nt=$c_nt rdf=$c_rdf"; fi
  # same triples, not just the same count (language tags compared case-insensitively)
  rapper -q -i turtle -o ntriples "$TMP/imterm.ttl" 2>/dev/null | tr 'A-Z' 'a-z' | sort >"$TMP/a.nt"
  rapper -q -i rdfxml -o ntriples "$TMP/imterm.rdf" 2>/dev/null | tr 'A-Z' 'a-z' | sort >"$TMP/b.nt"
  rapper -q -i ntriples -o ntriples "$TMP/imterm.nt" 2>/dev/null | tr 'A-Z' 'a-z' | sort >"$TMP/c.nt"
  if [ -s "$TMP/a.nt" ] && cmp -s "$TMP/a.nt" "$TMP/b.nt" && cmp -s "$TMP/a.nt" "$TMP/c.nt"; then
    tap ok "Turtle, N-Triples and RDF/XML exports hold identical triples"
  else tap "not ok" "Turtle, N-Triples and RDF/XML exports differ"; fi
else
  tap ok "# SKIP rapper (raptor2-utils) is not installed"
  tap ok "# SKIP rapper (raptor2-utils) is not installed"
fi

# ---- the server ----
"$IMTERM_BIN" serve --host 127.0.0.1 --port 0 --port-file "$TMP/port" --data "$TOP_SRCDIR" \
  --web "$TOP_SRCDIR/web" --access-log off --db "$TMP/imterm.db" >"$TMP/server.log" 2>&1 &
PID=$!
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 600 ]; do
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1; i=$((i + 1))
done
if [ ! -s "$TMP/port" ]; then
  tap "not ok" "imterm serve did not start: $(tail -n 3 "$TMP/server.log" | tr '\n' ' ')"
  echo "1..$n"; exit 1
fi
BASE="http://127.0.0.1:$(cat "$TMP/port")"
tap ok "imterm serve listens on $BASE"

# ---- node: FHIR client, JSON-LD ----
if ! command -v node >/dev/null 2>&1; then
  tap ok "# SKIP node is not installed: FHIR client and JSON-LD checks not run"
  echo "1..$n"; exit 0
fi
NM="$TOP_SRCDIR/tests/node_modules"
if [ ! -d "$NM/fhir-kit-client" ] || [ ! -d "$NM/jsonld" ] || [ ! -d "$NM/n3" ]; then
  (cd "$TOP_SRCDIR/tests" && npm install --no-audit --no-fund --no-package-lock >"$TMP/npm.log" 2>&1)
fi
if [ ! -d "$NM/fhir-kit-client" ] || [ ! -d "$NM/jsonld" ] || [ ! -d "$NM/n3" ]; then
  tap ok "# SKIP npm packages fhir-kit-client/jsonld/n3 could not be installed: $(tail -n 1 "$TMP/npm.log" 2>/dev/null)"
  echo "1..$n"; exit 0
fi
# the node script numbers its own tests: renumber them after ours
NODE_PATH="$NM" node "$TOP_SRCDIR/tests/suites/fhir_client.js" "$BASE" "$TMP" >"$TMP/node.out" 2>"$TMP/node.err"
status=$?
while IFS= read -r line; do
  case "$line" in
    "ok "*) n=$((n + 1)); echo "ok $n - ${line#* - }" ;;
    "not ok "*) n=$((n + 1)); echo "not ok $n - ${line#* - }" ;;
    "#"*) echo "$line" ;;
  esac
done <"$TMP/node.out"
if [ $status -ne 0 ] && ! grep -q '^not ok' "$TMP/node.out"; then
  tap "not ok" "node FHIR client suite exited $status: $(head -c 300 "$TMP/node.err")"
fi
echo "1..$n"
