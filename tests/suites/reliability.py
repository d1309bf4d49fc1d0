#!/usr/bin/env python3
"""Reliability tests (issue 9), each against its own `imterm serve` on 127.0.0.1:

- limits: total and per-client connections over the soft limit get 503 JSON, slow headers and
  slow bodies get 408 JSON, idle connections are closed, every error is JSON;
- hot reload: POST /admin/reload (403 without a token, 401 with a wrong one), requests keep
  succeeding while the data is reloaded several times (HTTP and SIGHUP), a broken or missing
  ontology leaves the old data serving and shows in /health, a fixed one loads again;
- graceful shutdown: a request in flight at SIGTERM is answered, new connections are refused,
  exit status 0;
- static files: encoded traversal, encoded slashes, symlinks out of the web root, MIME types,
  ETag / If-None-Match;
- faults: a SPARQL worker killed with -9 mid-query -> that request gets 500/503, the worker is
  replaced, the next query works (skipped while the SPARQL endpoint is absent).
Prints TAP. Environment: IMTERM_BIN, TOP_SRCDIR, TOP_BUILDDIR (set by tests/run-tests.sh);
IMTERM_WRAPPER runs every server under a command (valgrind); RELIABILITY_ONLY=name runs the
tests whose function name contains name.
"""
import http.client, json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imtest
from imtest import TOP, BIN, LOGS, ok, skip, done

TOKEN = "test-admin-token-0123456789"


def Server(name, **kw):
    """imtest.Server with this suite's log names (access-rel-NAME.log, server-rel-NAME.err)."""
    return imtest.Server("rel-" + name, **kw)


def raw_connect(port, timeout=15):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return s

def read_all(s):
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError):
        pass
    return out

def parse_raw(resp):
    head, _, body = resp.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        headers[k.strip().lower()] = v.strip()
    try:
        doc = json.loads(body.decode("utf-8"))
    except ValueError:
        doc = None
    return status, headers, doc


# ---- limits ---------------------------------------------------------------------------------
def test_connection_limits():
    srv = Server("limits", settings={"max_connections": 4, "max_per_ip": 0, "threads": 2})
    try:
        socks = [raw_connect(srv.port) for _ in range(4)]
        time.sleep(0.3)
        extra = raw_connect(srv.port)
        extra.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        st, h, doc = parse_raw(read_all(extra))
        extra.close()
        ok(st == 503 and doc and doc.get("error") == "too_many_connections",
           "a connection over max_connections gets 503 JSON too_many_connections", (st, doc))
        ok(h.get("connection", "").lower() == "close" and h.get("retry-after"),
           "the 503 over max_connections closes the connection and says Retry-After", h)
        # the four held connections are served normally
        socks[0].sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        st0, _, doc0 = parse_raw(read_all(socks[0]))
        ok(st0 == 200 and doc0 and doc0["connections"]["refused"] >= 1,
           "connections within the limit are served; /health counts the refused one", (st0, doc0))
        for s in socks:
            s.close()
        time.sleep(0.5)
        st, _, doc = srv.json("GET", "/health")
        ok(st == 200, "once connections close, new ones are served again", st)
    finally:
        srv.stop()

    srv = Server("perip", settings={"max_connections": 100, "max_per_ip": 2})
    try:
        socks = [raw_connect(srv.port) for _ in range(2)]
        time.sleep(0.3)
        extra = raw_connect(srv.port)
        extra.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        st, h, doc = parse_raw(read_all(extra))
        ok(st == 503 and doc and doc.get("error") == "too_many_connections_from_client"
           and "max_per_ip" in doc.get("message", ""),
           "a third connection from one client with max_per_ip=2 gets 503 JSON naming max_per_ip", (st, doc))
        for s in socks + [extra]:
            s.close()
    finally:
        srv.stop()


def test_timeouts():
    srv = Server("timeouts", settings={"request_timeout": 2, "conn_timeout": 3})
    try:
        # headers dripped one byte every 0.3 s: cut at request_timeout with 408 JSON
        s = raw_connect(srv.port, timeout=20)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        t0 = time.time()
        got = b""
        try:
            for ch in b"X-Slow: " + b"a" * 200:
                s.sendall(bytes([ch]))
                time.sleep(0.3)
                if time.time() - t0 > 15:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        got = read_all(s)
        s.close()
        st, h, doc = parse_raw(got)
        ok(st == 408 and doc and doc.get("error") == "request_timeout",
           "headers dripped slower than request_timeout get 408 JSON request_timeout", got[:300])
        ok(time.time() - t0 < 15, "the slow-header connection is closed instead of being held open")

        # a body that stalls half way
        s = raw_connect(srv.port, timeout=20)
        s.sendall(b"POST /api/normalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"text\":")
        got = read_all(s)
        s.close()
        st, h, doc = parse_raw(got)
        ok(st == 408 and doc and doc.get("error") == "request_timeout",
           "a request body that stalls gets 408 JSON request_timeout", got[:300])

        # an idle connection that never sends anything is closed after conn_timeout
        s = raw_connect(srv.port, timeout=20)
        t0 = time.time()
        got = read_all(s)
        s.close()
        ok(got == b"" and time.time() - t0 < 15, "an idle connection is closed (conn_timeout)",
           "got %r after %.1f s" % (got[:100], time.time() - t0))

        # and the server still answers, counting the timeouts
        st, _, doc = srv.json("GET", "/health")
        ok(st == 200 and doc["connections"]["timed_out"] >= 2, "/health counts requests cut by request_timeout", doc.get("connections"))
    finally:
        srv.stop()


def test_header_and_url_limits():
    srv = Server("urls", settings={"max_url": 512, "max_body": 2048})
    try:
        st, h, doc = srv.json("GET", "/health?x=" + "a" * 600)
        ok(st == 414 and doc.get("error") == "uri_too_long" and "512" in doc.get("message", ""),
           "a URL over max_url gets 414 JSON naming the limit", (st, doc))
        st, h, doc = srv.json("POST", "/sparql", body=b"ASK {} #" + b"a" * 4000,
                              headers={"Content-Type": "application/sparql-query"})
        ok(st == 413 and doc.get("error") == "body_too_large",
           "a body over the limit gets 413 JSON body_too_large", (st, doc))
    finally:
        srv.stop()


# ---- hot reload -----------------------------------------------------------------------------
def copy_data():
    d = tempfile.mkdtemp(prefix="imterm-rel-data-")
    shutil.copytree(os.path.join(TOP, "ontologies"), os.path.join(d, "ontologies"))
    shutil.copytree(os.path.join(TOP, "mappings"), os.path.join(d, "mappings"))
    return d

AUTH = {"Authorization": "Bearer " + TOKEN}

def test_reload_auth():
    srv = Server("noadmin", env={"IMTERM_ADMIN_TOKEN": ""})
    try:
        st, _, doc = srv.json("POST", "/admin/reload")
        ok(st == 403 and doc.get("error") == "admin_disabled",
           "POST /admin/reload answers 403 admin_disabled when no token is configured", (st, doc))
        st, _, doc = srv.json("POST", "/admin/reload", headers=AUTH)
        ok(st == 403, "a token is refused when none is configured", st)
    finally:
        srv.stop()


def test_reload():
    data = copy_data()
    srv = Server("reload", data=data, env={"IMTERM_ADMIN_TOKEN": TOKEN})
    try:
        st, h, doc = srv.json("POST", "/admin/reload", headers={"Authorization": "Bearer wrong"})
        ok(st == 401 and doc.get("error") == "unauthorized" and "bearer" in h.get("www-authenticate", "").lower(),
           "a wrong admin token gets 401 with WWW-Authenticate", (st, doc))
        st, _, doc = srv.json("POST", "/admin/reload")
        ok(st == 401, "a missing admin token gets 401", st)
        st0, _, h0 = srv.json("GET", "/health")
        st, _, doc = srv.json("POST", "/admin/reload", headers=AUTH)
        ok(st == 200 and doc.get("ok") is True and doc.get("concepts") == h0["concepts"],
           "POST /admin/reload with the token reloads and reports the concept count", (st, doc))
        st, _, h1 = srv.json("GET", "/health")
        ok(h1["last_reload"]["ok"] is True and h1["last_reload"]["attempts"] == 1 and h1["loaded_at"] >= h0["loaded_at"],
           "/health shows the successful reload", h1.get("last_reload"))

        # requests under load while reloading several times, through HTTP and SIGHUP
        concept = None
        st, _, roots = srv.json("GET", "/api/roots")
        if st == 200:
            items = roots.get("concepts") or roots.get("roots") or roots.get("results") or []
            if items and isinstance(items[0], dict):
                concept = items[0].get("id")
        paths = ["/health"] + (["/api/concepts/%s" % concept, "/api/search?q=%E7%BB%93%E8%8A%82"] if concept else [])
        stop = threading.Event()
        results = {"ok": 0, "bad": []}
        lock = threading.Lock()
        def client(k):
            c = None
            i = 0
            while not stop.is_set():
                p = paths[(i + k) % len(paths)]
                i += 1
                try:
                    if c is None:
                        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
                    c.request("GET", p)
                    r = c.getresponse()
                    r.read()
                    with lock:
                        if r.status == 200:
                            results["ok"] += 1
                        else:
                            results["bad"].append((p, r.status))
                except Exception as e:  # a dropped connection is a failure too
                    with lock:
                        results["bad"].append((p, repr(e)))
                    c = None
        sparql = {"ok": 0, "bad": []}
        def sparql_client():
            while not stop.is_set():
                try:
                    st, _, doc = srv.json("GET", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D",
                                          headers={"Accept": "application/sparql-results+json"})
                    if st == 200 and doc.get("boolean") is True:
                        sparql["ok"] += 1
                    else:
                        sparql["bad"].append(st)
                except Exception as e:
                    sparql["bad"].append(repr(e))
        threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
        has_sparql = srv.request("GET", "/sparql/status")[0] == 200
        if has_sparql:
            threads.append(threading.Thread(target=sparql_client))
        for t in threads:
            t.start()
        reloads_ok = 0
        for k in range(6):
            if k % 2 == 0:
                st, _, doc = srv.json("POST", "/admin/reload", headers=AUTH, timeout=120)
                reloads_ok += st == 200 and doc.get("ok") is True
            else:
                before = srv.json("GET", "/health")[2]["last_reload"]["attempts"]
                srv.proc.send_signal(signal.SIGHUP)
                deadline = time.time() + 60
                while time.time() < deadline:
                    lr = srv.json("GET", "/health")[2]["last_reload"]
                    if lr["attempts"] > before and not lr["running"]:
                        reloads_ok += lr["ok"] is True
                        break
                    time.sleep(0.05)
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join()
        ok(reloads_ok == 6, "six reloads under load (3 POST /admin/reload, 3 SIGHUP) all succeed", reloads_ok)
        ok(not results["bad"] and results["ok"] > 50,
           "no request fails during reloads under load (%d requests on %d paths)" % (results["ok"], len(paths)),
           results["bad"][:5])
        if not has_sparql:
            skip("SPARQL queries during reloads all succeed", "no SPARQL endpoint")
        else:
            # the SPARQL pool swaps on reload: queries in flight finish on the old data
            ok(not sparql["bad"] and sparql["ok"] > 0,
               "SPARQL queries during reloads all succeed (%d ok, %d failed)" % (sparql["ok"], len(sparql["bad"])),
               sorted(set(map(str, sparql["bad"])))[:3])

        # a broken ontology: the old data keeps serving, /health shows file:line
        ttl = os.path.join(data, "ontologies", "chest.ttl")
        good = open(ttl, encoding="utf-8").read()
        with open(ttl, "a", encoding="utf-8") as f:
            f.write("\n<urn:x> <urn:y> \"unterminated .\n")
        st, _, doc = srv.json("POST", "/admin/reload", headers=AUTH, timeout=120)
        ok(st == 422 and doc.get("error") == "reload_failed" and "chest.ttl:" in doc.get("message", ""),
           "reloading a broken ontology answers 422 reload_failed naming file:line", (st, doc))
        st, _, h2 = srv.json("GET", "/health")
        lr = h2.get("last_reload", {})
        ok(st == 200 and lr.get("ok") is False and "chest.ttl:" in (lr.get("error") or "") and h2.get("status") == "degraded",
           "/health shows the failed reload (ok false, error with file:line, status degraded)", h2)
        ok(h2.get("concepts") == h0["concepts"], "the previous data is still served after a failed reload",
           (h2.get("concepts"), h0["concepts"]))
        if concept:
            st, _, c = srv.json("GET", "/api/concepts/%s" % concept)
            ok(st == 200, "lookups still answer from the previous data", st)
        # SIGHUP with the same broken file: same outcome, logged
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 60
        while time.time() < deadline:
            lr = srv.json("GET", "/health")[2]["last_reload"]
            if lr["failures"] >= 2 and not lr["running"]:
                break
            time.sleep(0.05)
        ok(lr["failures"] >= 2 and "reload failed" in open(srv.errpath).read(),
           "SIGHUP with a broken ontology fails the same way and logs the error", lr)

        # an unreadable data directory (ontologies removed)
        shutil.move(os.path.join(data, "ontologies"), os.path.join(data, "ontologies.away"))
        st, _, doc = srv.json("POST", "/admin/reload", headers=AUTH, timeout=120)
        ok(st == 422, "reloading with the ontologies missing answers 422", (st, doc))
        st, _, h3 = srv.json("GET", "/health")
        ok(h3.get("concepts") == h0["concepts"], "the previous data is still served when the ontologies are missing", h3.get("concepts"))
        shutil.move(os.path.join(data, "ontologies.away"), os.path.join(data, "ontologies"))

        # fixed again: reload succeeds, status back to ok
        with open(ttl, "w", encoding="utf-8") as f:
            f.write(good)
        st, _, doc = srv.json("POST", "/admin/reload", headers=AUTH, timeout=120)
        st2, _, h4 = srv.json("GET", "/health")
        ok(st == 200 and h4.get("status") == "ok" and h4["last_reload"]["ok"] is True and h4["last_reload"]["error"] is None,
           "after the ontology is fixed a reload succeeds and /health is ok again", (st, h4.get("last_reload")))

        # asynchronous form
        st, h, doc = srv.json("POST", "/admin/reload?wait=false", headers=AUTH)
        ok(st == 202 and doc.get("status") == "reloading", "POST /admin/reload?wait=false answers 202 at once", (st, doc))
        st, _, doc = srv.json("POST", "/admin/reload?wait=maybe", headers=AUTH)
        ok(st == 400 and doc.get("error") == "bad_parameter", "a bad wait value answers 400", (st, doc))
        rc = srv.stop()
        ok(rc == 0, "the reload server exits 0 on SIGTERM", rc)
    finally:
        srv.stop()
        shutil.rmtree(data, ignore_errors=True)


# ---- graceful shutdown ----------------------------------------------------------------------
def test_graceful_shutdown():
    srv = Server("shutdown", settings={"request_timeout": 30})
    try:
        # a request in flight: its headers are half sent when SIGTERM arrives
        s = raw_connect(srv.port, timeout=30)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.3)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        refused = False
        try:
            c = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
            c.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            refused = read_all(c) == b""
            c.close()
        except OSError:
            refused = True
        ok(refused, "after SIGTERM new connections are refused")
        ok(srv.proc.poll() is None, "the server waits for the request in flight")
        s.sendall(b"Accept: application/json\r\n\r\n")
        st, h, doc = parse_raw(read_all(s))
        s.close()
        ok(st == 200 and doc and doc.get("status") == "ok", "the request in flight at SIGTERM is answered", (st, doc))
        ok(h.get("connection", "").lower() == "close", "answers while stopping close the connection", h)
        try:
            rc = srv.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            rc = None
        ok(rc == 0, "the server exits 0 once the request in flight is done", rc)
    finally:
        srv.stop()

    # a slow SPARQL query in flight
    srv = Server("shutdown-sparql", settings={"sparql_timeout": 30})
    try:
        st, _, _ = srv.request("GET", "/sparql/status")
        if st != 200:
            skip("a SPARQL query in flight at SIGTERM is answered", "no SPARQL endpoint yet")
            return
        out = {}
        def q():
            out["r"] = srv.json("POST", "/sparql", body=MEDIUM_QUERY.encode(),
                                headers={"Content-Type": "application/sparql-query",
                                         "Accept": "application/sparql-results+json"}, timeout=60)
        t = threading.Thread(target=q)
        t.start()
        time.sleep(0.5)
        srv.proc.send_signal(signal.SIGTERM)
        t.join(60)
        st, _, doc = out.get("r", (None, None, {}))
        try:
            count = int(doc["results"]["bindings"][0]["n"]["value"])
        except (KeyError, IndexError, TypeError, ValueError):
            count = None
        if os.environ.get("IMTERM_VALGRIND"):
            # under memcheck the worker runs the query 20-50x slower and hits sparql_timeout:
            # what is tested then is that it is still answered (in JSON) before the exit
            ok((st == 200 and count) or (st == 503 and doc.get("error") == "query_timeout"),
               "a SPARQL query in flight at SIGTERM is answered before the exit (valgrind: result or timeout)",
               (st, str(doc)[:300]))
        else:
            ok(st == 200 and count and count > 1000,
               "a SPARQL query (a few seconds long) in flight at SIGTERM completes with its result", (st, str(doc)[:300]))
        try:
            rc = srv.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            rc = None
        ok(rc == 0, "the server exits 0 after the SPARQL query in flight", rc)
    finally:
        srv.stop()


# ---- static files ---------------------------------------------------------------------------
def test_static():
    outside = tempfile.mkdtemp(prefix="imterm-rel-outside-")
    web = tempfile.mkdtemp(prefix="imterm-rel-web-")
    open(os.path.join(outside, "secret.txt"), "w").write("TOP-SECRET\n")
    os.makedirs(os.path.join(web, "assets"))
    open(os.path.join(web, "index.html"), "w").write("<!doctype html><title>t</title>")
    open(os.path.join(web, "assets", "app.js"), "w").write("console.log(1)\n")
    open(os.path.join(web, "assets", "app.css"), "w").write("body{}\n")
    open(os.path.join(web, "assets", "logo.svg"), "w").write("<svg xmlns='http://www.w3.org/2000/svg'/>")
    open(os.path.join(web, "assets", "data.json"), "w").write("{}")
    open(os.path.join(web, "assets", "blob.bin"), "wb").write(b"\0\1")
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(web, "assets", "leak.txt"))
    os.symlink(outside, os.path.join(web, "outdir"))
    os.symlink(os.path.join(web, "assets", "app.css"), os.path.join(web, "inside.css"))
    srv = Server("static", web=web)
    try:
        for path in ["/assets/leak.txt", "/outdir/secret.txt", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                     "/assets%2f..%2f..%2fetc%2fpasswd", "/assets/%2e%2e/%2e%2e/etc/passwd",
                     "/assets/..%2f..%2f..%2fetc/passwd", "/..%5c..%5cetc/passwd", "/assets/./app.js/..",
                     "/%252e%252e/etc/passwd", "/assets/app.js%00.css", "/.%2e/etc/passwd"]:
            st, h, b = srv.request("GET", path)
            ok(st in (400, 404) and b"TOP-SECRET" not in b and b"root:" not in b
               and h.get("content-type", "").startswith("application/json"),
               "static %s is refused with JSON %s" % (path, st), (st, b[:200]))
        st, h, b = srv.request("GET", "/inside.css")
        ok(st == 200 and h.get("content-type", "").startswith("text/css"),
           "a symlink that stays inside web/ is served", (st, h.get("content-type")))
        for path, mime in [("/assets/app.js", "text/javascript"), ("/assets/app.css", "text/css"),
                           ("/assets/logo.svg", "image/svg+xml"), ("/assets/data.json", "application/json"),
                           ("/index.html", "text/html"), ("/assets/blob.bin", "application/octet-stream")]:
            st, h, b = srv.request("GET", path)
            ok(st == 200 and h.get("content-type", "").startswith(mime) and h.get("x-content-type-options") == "nosniff",
               "%s is served as %s" % (path, mime), (st, h.get("content-type")))
        st, h, b = srv.request("GET", "/assets/app.js")
        etag = h.get("etag")
        st2, h2, b2 = srv.request("GET", "/assets/app.js", headers={"If-None-Match": etag or "x"})
        ok(etag and st2 == 304 and b2 == b"", "If-None-Match with the ETag answers 304 without a body", (etag, st2))
        st3, _, _ = srv.request("GET", "/assets/app.js", headers={"If-None-Match": "\"other\""})
        ok(st3 == 200, "If-None-Match with another ETag answers 200", st3)
        time.sleep(0.01)
        open(os.path.join(web, "assets", "app.js"), "w").write("console.log(2)\n")
        st4, h4, _ = srv.request("GET", "/assets/app.js", headers={"If-None-Match": etag or "x"})
        ok(st4 == 200 and h4.get("etag") != etag, "a changed file gets a new ETag", (st4, h4.get("etag"), etag))
    finally:
        srv.stop()
        shutil.rmtree(web, ignore_errors=True)
        shutil.rmtree(outside, ignore_errors=True)


# ---- faults ---------------------------------------------------------------------------------
# a cross product of the broader links under COUNT: a few seconds, one row
MEDIUM_QUERY = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                "SELECT (COUNT(*) AS ?n) WHERE { ?a skos:broader ?b . ?c skos:broader ?d }")
# a triple cross product: runs for minutes (killed or timed out)
SLOW_QUERY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")

def children_of(pid):
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]
    except Exception:
        return []

def test_sparql_worker_killed():
    srv = Server("fault-sparql", settings={"sparql_timeout": 60, "sparql_workers": 1})
    try:
        st, _, status = srv.json("GET", "/sparql/status")
        if st != 200:
            skip("a SPARQL worker killed with -9 mid-query", "no SPARQL endpoint yet")
            return
        out = {}
        def q():
            out["r"] = srv.json("POST", "/sparql", body=SLOW_QUERY.encode(),
                                headers={"Content-Type": "application/sparql-query",
                                         "Accept": "application/sparql-results+json"}, timeout=90)
        t = threading.Thread(target=q)
        t.start()
        victim = None
        deadline = time.time() + 20
        while time.time() < deadline and victim is None:
            st, _, status = srv.json("GET", "/sparql/status")
            for w in status.get("workers", []):
                if w.get("state") == "busy" and w.get("pid"):
                    victim = w["pid"]
            time.sleep(0.05)
        ok(victim is not None, "a busy SPARQL worker is found while the slow query runs", status)
        if victim is None:
            t.join(90)
            return
        descendants = set()
        frontier = [srv.proc.pid]
        while frontier:
            p = frontier.pop()
            for c in children_of(p):
                descendants.add(c)
                frontier.append(c)
        ok(victim in descendants, "the busy worker is a process under the server", (victim, sorted(descendants)))
        os.kill(victim, signal.SIGKILL)
        t.join(90)
        st, _, doc = out.get("r", (None, None, {}))
        ok(st in (500, 502, 503) and isinstance(doc, dict) and doc.get("error") and doc.get("message"),
           "the query whose worker was killed gets a JSON %s" % st, (st, doc))
        # the worker is replaced and the next query works
        good = None
        deadline = time.time() + 30
        while time.time() < deadline:
            st, _, doc = srv.json("GET", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D",
                                  headers={"Accept": "application/sparql-results+json"})
            if st == 200:
                good = doc
                break
            time.sleep(0.2)
        ok(good is not None and good.get("boolean") is True, "the next query works after the worker was killed", good)
        st, _, status = srv.json("GET", "/sparql/status")
        pids = [w.get("pid") for w in status.get("workers", [])]
        ok(victim not in pids and any(pids), "the killed worker was replaced by a new process", (victim, pids))
        st, _, doc = srv.json("GET", "/health")
        ok(st == 200, "the server itself kept running", st)
    finally:
        srv.stop()


def main():
    tests = [test_connection_limits, test_timeouts, test_header_and_url_limits, test_reload_auth, test_reload,
             test_graceful_shutdown, test_static, test_sparql_worker_killed]
    only = os.environ.get("RELIABILITY_ONLY")
    for t in tests:
        if only and only not in t.__name__:
            continue
        try:
            t()
        except Exception as e:
            import traceback
            ok(False, "%s raised %s" % (t.__name__, e), traceback.format_exc())
    return done()

if __name__ == "__main__":
    sys.exit(main())
