#!/usr/bin/env python3
"""SPARQL benchmark: ten data-steward queries, each in its best and its worst pattern order, against
imterm's /sparql, a private Virtuoso and an Oxigraph (Node) on loopback, all started and stopped
here on the same data. Prints median and p95 latency over N requests and imterm's latency as a
ratio of each peer's.

usage: bench/sparql/run.py [--n 50] [--sets radlex,syn200k] [--peers virtuoso,oxigraph]

Data: /tmp/imterm-bench/{radlex,syn200k} (made by bench/gen-radlex.py and bench/gen-synthetic.py
when absent), plus a crosswalk file (skos:exactMatch to RadLex IRIs for every 10th concept) so that
the crosswalk query has rows. The peers load exactly the triples imterm holds (exported once with
`imterm sparql ... CONSTRUCT` as N-Triples, materialized closures included). Nothing is committed.
"""
import argparse, http.client, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
BIN = os.environ.get("IMTERM_BIN", os.path.join(TOP, "imterm"))
WORK = "/tmp/imterm-bench"
GRAPH = "https://w3id.org/imterm/graph"
PFX = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX r: <https://w3id.org/imterm/bench/radlex/> "
       "PREFIX s: <https://w3id.org/imterm/bench/syn/> ")

def log(*a):
    print(*a, file=sys.stderr, flush=True)

# ---- the steward queries: (name, best-order body, worst-order body), per data set ----------------
def queries(ds):
    if ds == "radlex":
        c, leaf, parent, label, prefix, sub = "r:RID5", "r:RID4", "r:RID5", '"blood vessel"@en', "lung", "nodule"
    else:
        c, leaf, parent, label, prefix, sub = "s:S0000001", "s:S0150000", "s:S0000001", '"enlarged gas 2"@en', "fracture", "calcification enhancement 1"
    scheme = "<https://w3id.org/imterm/scheme>"
    return [
        ("concept by IRI", "SELECT ?p ?o WHERE { %s ?p ?o }" % c, None),
        ("children", "SELECT ?c ?l WHERE { ?c skos:broader %s . ?c skos:prefLabel ?l }" % parent,
         "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l . ?c skos:broader %s }" % parent),
        ("exact label", "SELECT ?c ?zh WHERE { ?c skos:prefLabel %s . ?c skos:prefLabel ?zh FILTER(LANG(?zh) = \"zh\") }" % label,
         "SELECT ?c ?zh WHERE { ?c skos:prefLabel ?zh . ?c skos:prefLabel %s FILTER(LANG(?zh) = \"zh\") }" % label),
        ("label prefix", "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l . ?c a skos:Concept FILTER(STRSTARTS(?l, \"%s\")) } LIMIT 50" % prefix,
         "SELECT ?c ?l WHERE { ?c a skos:Concept . ?c skos:prefLabel ?l FILTER(STRSTARTS(?l, \"%s\")) } LIMIT 50" % prefix),
        ("label substring", "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l . ?c a skos:Concept FILTER(CONTAINS(?l, \"%s\")) } LIMIT 50" % sub,
         "SELECT ?c ?l WHERE { ?c a skos:Concept . ?c skos:prefLabel ?l FILTER(CONTAINS(?l, \"%s\")) } LIMIT 50" % sub),
        ("parent + grandparent labels",
         "SELECT ?p ?pl ?g ?gl WHERE { %s skos:broader ?p . ?p skos:broader ?g . ?p skos:prefLabel ?pl . ?g skos:prefLabel ?gl }" % leaf,
         "SELECT ?p ?pl ?g ?gl WHERE { ?g skos:prefLabel ?gl . ?p skos:prefLabel ?pl . ?p skos:broader ?g . %s skos:broader ?p }" % leaf),
        ("counts per top-level branch",
         "SELECT ?b (COUNT(?c) AS ?n) WHERE { ?top skos:topConceptOf %s . ?b skos:broader ?top . ?c skos:broaderTransitive ?b } GROUP BY ?b" % scheme,
         "SELECT ?b (COUNT(?c) AS ?n) WHERE { ?c skos:broaderTransitive ?b . ?b skos:broader ?top . ?top skos:topConceptOf %s } GROUP BY ?b" % scheme),
        ("concepts without parent",
         "SELECT ?c WHERE { ?c skos:inScheme %s . ?c a skos:Concept OPTIONAL { ?c skos:broader ?p } FILTER(!BOUND(?p)) }" % scheme,
         "SELECT ?c WHERE { ?c a skos:Concept . ?c skos:inScheme %s OPTIONAL { ?c skos:broader ?p } FILTER(!BOUND(?p)) }" % scheme),
        ("crosswalk with labels",
         "SELECT ?c ?x ?l WHERE { ?c skos:exactMatch ?x . ?c skos:prefLabel ?l FILTER(LANG(?l) = \"en\") } LIMIT 100",
         "SELECT ?c ?x ?l WHERE { ?c skos:prefLabel ?l . ?c skos:exactMatch ?x FILTER(LANG(?l) = \"en\") } LIMIT 100"),
        ("ASK", "ASK { %s skos:broaderTransitive ?a . ?a skos:topConceptOf %s }" % (leaf, scheme),
         "ASK { ?a skos:topConceptOf %s . %s skos:broaderTransitive ?a }" % (scheme, leaf)),
    ]

# ---- data --------------------------------------------------------------------------------------
def prepare(ds):
    src = os.path.join(WORK, ds)
    if not os.path.isdir(os.path.join(src, "ontologies")):
        gen = ["gen-radlex.py", src] if ds == "radlex" else ["gen-synthetic.py", src, "200000"]
        log("generating", src)
        r = subprocess.run([sys.executable, os.path.join(TOP, "bench", gen[0])] + gen[1:])
        if r.returncode:
            return None
    dst = os.path.join(WORK, "sparql-" + ds)
    ont = os.path.join(dst, "ontologies")
    if not os.path.isdir(ont):
        os.makedirs(ont)
        for f in os.listdir(os.path.join(src, "ontologies")):
            os.symlink(os.path.join(src, "ontologies", f), os.path.join(ont, f))
        base = "https://w3id.org/imterm/bench/radlex/" if ds == "radlex" else "https://w3id.org/imterm/bench/syn/"
        ids = []
        for line in open(os.path.join(src, "ontologies", os.listdir(os.path.join(src, "ontologies"))[0]), encoding="utf-8"):
            if line.startswith(("r:RID", "s:S")) and " a skos:Concept" in line:
                ids.append(line.split()[0].split(":", 1)[1])
        with open(os.path.join(ont, "zz-crosswalk.ttl"), "w") as f:
            f.write("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n")
            for i, cid in enumerate(ids):
                if i % 10 == 0:
                    f.write("<%s%s> skos:exactMatch <http://radlex.org/RID/RID%d> .\n" % (base, cid, 100000 + i))
    nt = os.path.join(WORK, "sparql-%s.nt" % ds)
    if not os.path.exists(nt):
        log("exporting the store of", ds, "as N-Triples for the peers")
        # SELECT as TSV streams (RDF terms, N-Triples syntax); a CONSTRUCT of millions of triples
        # would hold them all in memory first
        with open(nt + ".tsv", "wb") as f:
            r = subprocess.run([BIN, "sparql", "--data", dst, "--format", "tsv",
                                "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"], stdout=f)
        if r.returncode:
            return None
        with open(nt + ".tsv", encoding="utf-8") as f, open(nt + ".tmp", "w", encoding="utf-8") as o:
            next(f)
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3 and all(p and p[0] in '<"_' for p in parts):
                    o.write(" ".join(parts) + " .\n")
        os.remove(nt + ".tsv")
        os.rename(nt + ".tmp", nt)
    return dst, nt

# ---- systems -----------------------------------------------------------------------------------
class System:
    def __init__(self, name, port, path, extra=""):
        self.name, self.port, self.path, self.extra = name, port, path, extra
        self.conn = None
    def query(self, q):
        body = "query=" + urllib.parse.quote(q) + self.extra
        for attempt in range(2):
            try:
                if not self.conn:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                self.conn.request("POST", self.path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                            "Accept": "application/sparql-results+json"})
                r = self.conn.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, OSError):
                self.conn = None
        return 0, b""

def wait_port(portfile, proc, limit=600):
    t = time.time() + limit
    while time.time() < t:
        if proc.poll() is not None:
            return None
        if os.path.exists(portfile) and open(portfile).read().strip():
            return int(open(portfile).read().strip())
        time.sleep(0.1)
    return None

def start_imterm(dst, tmp):
    pf = os.path.join(tmp, "imterm.port")
    env = dict(os.environ, IMTERM_SPARQL_TIMEOUT="30", IMTERM_SPARQL_WORKERS="2", IMTERM_SPARQL_ROW_CAP="100000",
               IMTERM_SPARQL_MEM_MB="32768", IMTERM_SPARQL_QUEUE_WAIT="60")
    p = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--port-file", pf, "--data", dst,
                          "--access-log", "off", "--db", os.path.join(tmp, "db")], env=env,
                         stdout=open(os.path.join(tmp, "imterm.log"), "w"), stderr=subprocess.STDOUT)
    port = wait_port(pf, p)
    if not port:
        return p, None
    t = time.time() + 300
    while time.time() < t:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/sparql/status")
            s = json.loads(c.getresponse().read())
            if all(w["state"] == "idle" for w in s["workers"]):
                break
        except Exception:
            pass
        time.sleep(0.2)
    return p, System("imterm", port, "/sparql")

def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def start_virtuoso(nt, tmp):
    vt = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if not vt or not isql:
        return None, None, "virtuoso-t/isql-vt not found (apt-get install virtuoso-opensource)"
    d = os.path.join(tmp, "virtuoso")
    os.makedirs(d)
    p1, p2 = free_port(), free_port()
    os.symlink(nt, os.path.join(d, "data.nt"))
    ini = os.path.join(d, "virtuoso.ini")
    with open(ini, "w") as f:
        f.write("""[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{p1}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 0
NumberOfBuffers = 680000
MaxDirtyBuffers = 500000
MaxQueryMem = 2G
DirsAllowed = ., {d}, {work}
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{p2}
ServerRoot = {d}
MaxClientConnections = 10
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 30
DefaultGraph = {g}
""".format(d=d, p1=p1, p2=p2, work=WORK, g=GRAPH))
    proc = subprocess.Popen([vt, "-f", "-c", ini], cwd=d, stdout=open(os.path.join(d, "stdout.log"), "w"),
                            stderr=subprocess.STDOUT)
    t = time.time() + 120
    while time.time() < t:
        r = subprocess.run([isql, "127.0.0.1:%d" % p1, "dba", "dba", "exec=select 1;"], capture_output=True, text=True)
        if r.returncode == 0:
            break
        if proc.poll() is not None:
            return proc, None, "virtuoso-t exited: " + open(os.path.join(d, "stdout.log")).read()[-300:]
        time.sleep(0.5)
    t0 = time.time()
    r = subprocess.run([isql, "127.0.0.1:%d" % p1, "dba", "dba",
                        "exec=ld_dir('%s', 'data.nt', '%s'); rdf_loader_run(); checkpoint;" % (d, GRAPH)],
                       capture_output=True, text=True)
    log("virtuoso: loaded in %.1f s" % (time.time() - t0), r.stderr[-200:])
    return proc, System("virtuoso", p2, "/sparql", "&default-graph-uri=" + urllib.parse.quote(GRAPH)), None

def start_oxigraph(nt, tmp):
    node = shutil.which("node")
    if not node:
        return None, None, "node not found"
    if not os.path.isdir(os.path.join(HERE, "node_modules", "oxigraph")):
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True)
        if r.returncode:
            return None, None, "npm install oxigraph failed: " + r.stderr[-300:]
    pf = os.path.join(tmp, "oxigraph.port")
    proc = subprocess.Popen([node, "--max-old-space-size=16000", os.path.join(HERE, "oxigraph-server.js"), nt, pf],
                            stdout=open(os.path.join(tmp, "oxigraph.log"), "w"), stderr=subprocess.STDOUT)
    port = wait_port(pf, proc)
    if not port:
        return proc, None, "oxigraph server did not start: " + open(os.path.join(tmp, "oxigraph.log")).read()[-300:]
    return proc, System("oxigraph", port, "/sparql"), None

# ---- measuring ---------------------------------------------------------------------------------
def rows_of(data):
    try:
        d = json.loads(data)
        return len(d["results"]["bindings"]) if "results" in d else ("true" if d.get("boolean") else "false")
    except Exception:
        return "?"

def measure(sys_, q, n):
    t0 = time.perf_counter()
    st, data = sys_.query(q)
    first = (time.perf_counter() - t0) * 1000
    if st != 200:
        return None, None, "HTTP %s after %.0f ms: %s" % (st, first, data[:80].decode("utf-8", "replace"))
    if first > 5000:   # too slow to repeat 50 times: report the single run
        return first, first, "%s (1 run)" % rows_of(data)
    for _ in range(2):
        st, data = sys_.query(q)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        st, data = sys_.query(q)
        times.append((time.perf_counter() - t0) * 1000)
        if st != 200:
            return None, None, "HTTP %s: %s" % (st, data[:120])
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], rows_of(data)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--sets", default="radlex,syn200k")
    ap.add_argument("--peers", default="virtuoso,oxigraph")
    a = ap.parse_args()
    out = []
    for ds in a.sets.split(","):
        prep = prepare(ds)
        if not prep:
            print("## %s: data not available (skipped)" % ds)
            continue
        dst, nt = prep
        tmp = tempfile.mkdtemp(prefix="imterm-sparql-bench-")
        procs = []
        systems = []
        notes = []
        try:
            p, s = start_imterm(dst, tmp)
            procs.append(p)
            if not s:
                print("imterm did not start; see", tmp)
                continue
            systems.append(s)
            for peer in a.peers.split(","):
                if not peer:
                    continue
                starter = start_virtuoso if peer == "virtuoso" else start_oxigraph
                p, s, err = starter(nt, tmp)
                if p:
                    procs.append(p)
                if s:
                    systems.append(s)
                else:
                    notes.append("%s: %s" % (peer, err))
            print("\n## %s (%d requests per query; median / p95 in ms)\n" % (ds, a.n))
            for note in notes:
                print("peer unavailable: " + note)
            hdr = "| query | order | rows | " + " | ".join("%s med / p95" % s.name for s in systems) + \
                  "".join(" | imterm/%s" % s.name for s in systems[1:]) + " |"
            print(hdr)
            print("|" + "---|" * (hdr.count("|") - 1))
            for name, best, worst in queries(ds):
                for order, body in (("best", best), ("worst", worst)):
                    if body is None:
                        continue
                    q = PFX + body
                    res = [measure(s, q, a.n) for s in systems]
                    cells = []
                    for (med, p95, rows) in res:
                        cells.append("%.2f / %.2f" % (med, p95) if med is not None else "error: %s" % rows)
                    ratios = []
                    for r in res[1:]:
                        ratios.append("%.2f" % (res[0][0] / r[0]) if res[0][0] is not None and r[0] else "-")
                    line = "| %s | %s | %s | %s |%s" % (name, order, res[0][2], " | ".join(cells),
                                                        "".join(" %s |" % x for x in ratios))
                    print(line, flush=True)
                    out.append((ds, name, order, res))
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    p.kill()
            shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    main()
