#!/usr/bin/env python3
"""Data-driven HTTP tests: each tests/http/cases/**/*.case file is one request and its expected
reply, run against a real `imterm serve` on a free loopback port. Prints TAP.

Case file format (one directive per line; '#' lines are comments, the first is the title):
  server: NAME                      optional; a server configured by tests/http/servers/NAME.env
  request: METHOD /raw/path?query   sent byte-for-byte (no re-encoding)
  header: Name: value               request header (repeatable)
  body: text                        one-line body (\\n and \\t escapes, \\xHH for raw bytes)
  body<<END ... END                 multi-line body, verbatim
  body-size: N                      a body of N bytes of 'a' (for limits)
  expect-status: 200
  expect-header: Name: regex        (case-insensitive name; regex searched in the value)
  expect-no-header: Name
  expect-body: regex                regex searched in the body (decoded as UTF-8)
  expect-no-body: regex
  expect-json: PATH OP VALUE        PATH like .a.b[0].c or length(.results); OP one of
                                    == != >= <= > < =~ (regex on str(value)) ; VALUE is JSON
  expect-json: PATH exists | PATH absent
  expect-time-under: SECONDS
servers/NAME.env: KEY=VALUE lines set in the server's environment; ARGS=... adds serve flags.
Environment: IMTERM_WRAPPER="valgrind --error-exitcode=99 ..." runs every server under that
command (`make check-valgrind`); a server that ends with a non-zero status fails the run.
"""
import glob, http.client, json, os, re, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "suites"))
from imtest import TOP, Server

servers = {}

def start_server(name):
    """Start the server configured by tests/http/servers/NAME.env (NAME "default": no file)."""
    env = {}
    args = []
    envfile = os.path.join(TOP, "tests", "http", "servers", name + ".env")
    if name != "default":
        for line in open(envfile, encoding="utf-8"):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            k, v = line.split("=", 1)
            if k == "ARGS":
                args += v.replace("@TOP@", TOP).split()
            else:
                env[k] = v.replace("@TOP@", TOP)
    servers[name] = Server(name, data=env.get("TEST_DATA", os.environ.get("TEST_DATA", TOP)), env=env, args=args)
    return servers[name].port

def port_of(name):
    if name not in servers:
        start_server(name)
    return servers[name].port

def unescape(s):
    return s.encode("utf-8").decode("unicode_escape").encode("latin-1")

def parse_case(path):
    c = {"server": "default", "headers": [], "expect": [], "title": None, "body": None}
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        if line.startswith("#"):
            if c["title"] is None:
                c["title"] = line.lstrip("# ").strip()
            continue
        if line.startswith("body<<"):
            end = line[6:].strip()
            buf = []
            while i < len(lines) and lines[i] != end:
                buf.append(lines[i])
                i += 1
            i += 1
            c["body"] = "\n".join(buf).encode("utf-8")
            continue
        key, _, val = line.partition(":")
        val = val.strip() if key not in ("body",) else val[1:] if val.startswith(" ") else val
        if key == "request":
            m, _, p = val.partition(" ")
            c["method"], c["path"] = m, p
        elif key == "server":
            c["server"] = val
        elif key == "header":
            n, _, v = val.partition(":")
            c["headers"].append((n.strip(), v.strip()))
        elif key == "body":
            c["body"] = unescape(val)
        elif key == "body-size":
            c["body"] = b"a" * int(val)
        elif key.startswith("expect-"):
            c["expect"].append((key, val))
        else:
            raise ValueError("%s: unknown directive %r" % (path, key))
    if c["title"] is None:
        c["title"] = os.path.basename(path)
    return c

def json_path(doc, path):
    m = re.fullmatch(r"length\((.*)\)", path)
    if m:
        return len(json_path(doc, m.group(1)))
    cur = doc
    for tok in re.findall(r"\.([^.\[]+)|\[(-?\d+)\]", path):
        if tok[0]:
            if not isinstance(cur, dict) or tok[0] not in cur:
                raise KeyError(path)
            cur = cur[tok[0]]
        else:
            cur = cur[int(tok[1])]
    return cur

def check(c, status, headers, body, elapsed):
    problems = []
    doc = None
    for key, val in c["expect"]:
        if key == "expect-status":
            if status != int(val):
                problems.append("status %d, expected %s" % (status, val))
        elif key == "expect-header":
            n, _, rx = val.partition(":")
            got = headers.get(n.strip().lower())
            if got is None or not re.search(rx.strip(), got):
                problems.append("header %s is %r, expected /%s/" % (n.strip(), got, rx.strip()))
        elif key == "expect-no-header":
            if val.lower() in headers:
                problems.append("header %s present" % val)
        elif key == "expect-body":
            if not re.search(val, body.decode("utf-8", "replace")):
                problems.append("body lacks /%s/" % val)
        elif key == "expect-no-body":
            if re.search(val, body.decode("utf-8", "replace")):
                problems.append("body has /%s/" % val)
        elif key == "expect-time-under":
            if elapsed > float(val):
                problems.append("took %.2f s, limit %s" % (elapsed, val))
        elif key == "expect-json":
            if doc is None:
                try:
                    doc = json.loads(body.decode("utf-8"))
                except Exception as e:
                    problems.append("body is not JSON: %s" % e)
                    break
            m = re.fullmatch(r"(\S+)\s+(exists|absent)", val) or re.fullmatch(r"(\S+)\s+(==|!=|>=|<=|>|<|=~)\s+(.*)", val)
            if not m:
                problems.append("bad expect-json %r" % val)
                continue
            path, op = m.group(1), m.group(2)
            try:
                got = json_path(doc, path)
                present = True
            except (KeyError, IndexError, TypeError):
                got, present = None, False
            if op == "exists":
                if not present:
                    problems.append("%s is absent" % path)
                continue
            if op == "absent":
                if present:
                    problems.append("%s is present (%r)" % (path, got))
                continue
            if not present:
                problems.append("%s is absent" % path)
                continue
            want_s = m.group(3)
            if op == "=~":
                if not re.search(json.loads(want_s) if want_s.startswith('"') else want_s, str(got)):
                    problems.append("%s = %r does not match %s" % (path, got, want_s))
                continue
            want = json.loads(want_s)
            ok = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b,
                  "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}[op]
            try:
                if not ok(got, want):
                    problems.append("%s = %r, expected %s %r" % (path, got, op, want))
            except TypeError:
                problems.append("%s = %r cannot be compared with %r" % (path, got, want))
    return problems

def run_case(c):
    port = port_of(c["server"])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.time()
    conn.putrequest(c["method"], c["path"], skip_accept_encoding=True)
    names = [h[0].lower() for h in c["headers"]]
    for n, v in c["headers"]:
        conn.putheader(n, v.encode("utf-8"))
    if c["body"] is not None and "content-length" not in names:
        conn.putheader("Content-Length", str(len(c["body"])))
    conn.endheaders()
    if c["body"] is not None:
        conn.send(c["body"])
    r = conn.getresponse()
    body = r.read()
    elapsed = time.time() - t0
    headers = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, headers, body, elapsed

def main():
    cases = sorted(glob.glob(os.path.join(TOP, "tests", "http", "cases", "**", "*.case"), recursive=True))
    n = 0
    failed = 0
    try:
        for path in cases:
            n += 1
            rel = os.path.relpath(path, os.path.join(TOP, "tests", "http", "cases"))
            try:
                c = parse_case(path)
                status, headers, body, elapsed = run_case(c)
                problems = check(c, status, headers, body, elapsed)
            except Exception as e:
                problems = ["error: %s" % e]
            if problems:
                failed += 1
                print("not ok %d - %s (%s)" % (n, c.get("title", rel) if isinstance(c, dict) else rel, rel))
                for p in problems:
                    print("# " + p)
                if 'body' in locals():
                    print("# body: " + body[:300].decode("utf-8", "replace").replace("\n", " "))
            else:
                print("ok %d - %s (%s)" % (n, c["title"], rel))
    finally:
        for name, srv in servers.items():
            rc = srv.stop(timeout=120 if os.environ.get("IMTERM_WRAPPER") else 20)
            n += 1
            if rc == 0:
                print("ok %d - server %s stops with exit 0 on SIGTERM" % (n, name))
            else:
                failed += 1
                print("not ok %d - server %s exited %s on SIGTERM (killed after 20 s if negative)" % (n, name, rc))
    print("1..%d" % n)
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
