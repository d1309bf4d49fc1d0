#!/usr/bin/env python3
"""sparql_plan.py - the SPARQL planner's answers are right: every query in tests/sparql/planner.rq,
run by `imterm sparql` on the bundled vocabulary, gives the same rows (as a multiset) as an
independent engine, Oxigraph (npm, tests/node_modules; skipped with a message when it cannot be
installed), on the same triples. Each line also says whether Rasqal unaided (`--no-reorder`)
agrees: it does not on joins with UNION, BIND or aggregates over an OPTIONAL, which the
planner's index nested-loop joins answer right. And the anti-join "concepts without parent"
reads each concept's parents once, not the whole skos:broader table once per concept. Prints TAP.
"""
import csv, io, json, os, re, shutil, subprocess, sys, tempfile

PFX = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX imt: <https://w3id.org/imterm/concept/>\n"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imtest import TOP, BIN, ok, skip, done

DATA = TOP

def run(query, *flags):
    """(exit status, header, sorted rows as tuples, stats dict, stderr) of one query as CSV."""
    p = subprocess.run([BIN, "sparql", "--data", DATA, "--format", "csv", "--stats"] + list(flags) + [PFX + query],
                       capture_output=True, text=True, timeout=600)
    rows = list(csv.reader(io.StringIO(p.stdout)))
    m = re.search(r"(\d+) pattern matches started, (\d+) statements read", p.stderr)
    stats = {"matches": int(m.group(1)), "read": int(m.group(2))} if m else {}
    return p.returncode, (rows[0] if rows else []), sorted(tuple(r) for r in rows[1:]), stats, p.stderr

blocks = open(os.path.join(TOP, "tests", "sparql", "planner.rq"), encoding="utf-8").read().split("\n----\n")
cases = []
for b in blocks:
    name = re.search(r"^# name: (.*)$", b, re.M).group(1)
    q = PFX + "\n".join(l for l in b.splitlines() if not l.startswith("#")).strip()
    cases.append((name, q))

# the oracle: Oxigraph (tests/node_modules, installed on demand) on exactly the triples imterm holds
oracle, why = None, ""
tmp = tempfile.mkdtemp(prefix="imterm-plan-")
try:
    mods = os.path.join(TOP, "tests", "node_modules", "oxigraph")
    if not os.path.isdir(mods) and shutil.which("npm"):
        subprocess.run(["npm", "install", "--prefix", os.path.join(TOP, "tests"), "--no-audit", "--no-fund",
                        "--loglevel=error"], capture_output=True, timeout=600)
    if not shutil.which("node"):
        why = "node is not installed"
    elif not os.path.isdir(mods):
        why = "npm could not install oxigraph into tests/node_modules (offline?)"
    else:
        nt = os.path.join(tmp, "data.nt")
        with open(nt, "w") as f:
            p = subprocess.run([BIN, "sparql", "--data", DATA, "--format", "ntriples",
                                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"], stdout=f, stderr=subprocess.PIPE, text=True)
        qf = os.path.join(tmp, "queries.json")
        json.dump([q for _, q in cases], open(qf, "w"))
        p = subprocess.run(["node", os.path.join(TOP, "tests", "suites", "sparql_oracle.js"), nt, qf],
                           capture_output=True, text=True, timeout=600)
        if p.returncode == 0:
            oracle = json.loads(p.stdout)
        else:
            why = "the Oxigraph oracle failed: " + p.stderr.strip()[-300:]
finally:
    shutil.rmtree(tmp, ignore_errors=True)

for i, (name, q) in enumerate(cases):
    rc1, h1, r1, s1, e1 = run(q)
    rc2, h2, r2, s2, e2 = run(q, "--no-reorder")
    if oracle is None:
        skip(name, why)
        continue
    o = oracle[i]
    ro = sorted(tuple(r) for r in o.get("rows", []))
    note = "the same as Rasqal unaided" if (rc2 == 0 and r2 == r1) else \
        "Rasqal unaided gives %d rows, %s" % (len(r2), "wrongly" if r2 != ro else "?")
    ok(rc1 == 0 and "error" not in o and h1 == o["vars"] and r1 == ro and len(r1) > 0,
       "%s: %d rows, as Oxigraph; %s (statements read %s vs %s unaided)" % (name, len(r1), note, s1.get("read"), s2.get("read")),
       "rc %d, header %s/%s, rows %d, Oxigraph %s, first differences %s\n%s" % (
           rc1, h1, o.get("vars"), len(r1), o.get("error") or len(ro), sorted(set(r1) ^ set(ro))[:3], e1))

# the anti-join's cost: each concept's skos:broader read once, not the table once per concept
q = "SELECT ?c WHERE { ?c a skos:Concept OPTIONAL { ?c skos:broader ?p } FILTER(!BOUND(?p)) }"
_, _, rows, planned, _ = run(q)
_, _, _, unaided, _ = run(q, "--no-reorder")
_, _, concepts, _, _ = run("SELECT ?c WHERE { ?c a skos:Concept }")
_, _, broader, _, _ = run("SELECT ?c ?p WHERE { ?c skos:broader ?p }")
nc, nb = len(concepts), len(broader)
ok(nc > 0 and nb > 0 and planned.get("read", 1 << 62) <= 2 * nc + 2 * nb,
   "anti-join reads %s statements with the planner (bound: 2 x %d concepts + 2 x %d broader links)" % (planned.get("read"), nc, nb))
ok(unaided.get("read", 0) >= nc * nb // 2,
   "... and %s unaided (Rasqal re-reads skos:broader per concept: >= %d)" % (unaided.get("read"), nc * nb // 2))
ok(nc > 0 and planned.get("matches", 1 << 62) <= 2 * nc + 10,
   "anti-join starts one store match per concept: %s for %d concepts" % (planned.get("matches"), nc))
sys.exit(done())
