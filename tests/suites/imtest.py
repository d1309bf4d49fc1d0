"""imtest.py - what imterm's Python test programs share (tests/http/run.py,
tests/suites/reliability.py and the suites written inline in tests/suites/*.sh): where the source
tree, the binary and the logs are; TAP output; and `imterm serve` on a free loopback port.

Environment (set by tests/run-tests.sh): TOP_SRCDIR, IMTERM_BIN, TOP_BUILDDIR; IMTERM_WRAPPER
runs every server under a command (valgrind, `make check-valgrind`), with @NAME@ replaced by the
server's log name.
"""
import http.client, json, os, shlex, shutil, signal, subprocess, sys, tempfile, time

TOP = os.environ.get("TOP_SRCDIR") or os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.environ.get("IMTERM_BIN") or os.path.join(TOP, "imterm")
LOGS = os.path.join(os.environ.get("TOP_BUILDDIR", TOP), "tests", "logs")


class Tap:
    """Numbered TAP lines; done() prints the plan and returns the exit status."""
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, detail=""):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in str(detail).splitlines()[:8]:
                print("# " + line)
        sys.stdout.flush()
        return cond

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why))
        sys.stdout.flush()

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


_tap = Tap()
ok, skip, done = _tap.ok, _tap.skip, _tap.done


class Server:
    """An `imterm serve` on 127.0.0.1 and a free port (self.port once started).

    name: names the logs (tests/logs/access-NAME.log, server-NAME.err) and @NAME@ in the wrapper;
    data, web: --data and --web; settings: --set key=value each; env: added to the environment;
    args: more flags. Raises RuntimeError when the server exits or does not bind within 120 s."""
    def __init__(self, name, data=None, web=None, settings=None, env=None, args=None):
        os.makedirs(LOGS, exist_ok=True)
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="imterm-test-")
        portfile = os.path.join(self.tmp, "port")
        cmd = [BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--port-file", portfile,
               "--data", data or TOP, "--web", web or os.path.join(TOP, "web"),
               "--access-log", os.path.join(LOGS, "access-%s.log" % name),
               "--db", os.path.join(self.tmp, "imterm.db")]
        for k, v in (settings or {}).items():
            cmd += ["--set", "%s=%s" % (k, v)]
        cmd += list(args or [])
        if os.environ.get("IMTERM_WRAPPER"):
            cmd = [w.replace("@NAME@", name) for w in shlex.split(os.environ["IMTERM_WRAPPER"])] + cmd
        e = dict(os.environ)
        e.update(env or {})
        self.errpath = os.path.join(LOGS, "server-%s.err" % name)
        self.err = open(self.errpath, "w")
        self.proc = subprocess.Popen(cmd, env=e, stdout=self.err, stderr=self.err)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server %s exited with %s; see %s" % (name, self.proc.returncode, self.errpath))
            if os.path.exists(portfile) and open(portfile).read().strip():
                self.port = int(open(portfile).read().strip())
                return
            time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError("server %s did not start within 120 s; see %s" % (name, self.errpath))

    def request(self, method, path, body=None, headers=None, timeout=30):
        """(status, headers with lower-case names, body bytes) of one request on a new connection."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def json(self, method, path, **kw):
        st, h, b = self.request(method, path, **kw)
        try:
            return st, h, json.loads(b.decode("utf-8"))
        except ValueError:
            return st, h, {"_raw": b[:300]}

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Send sig, wait up to timeout s (then SIGKILL), remove the temporary files. Returns the
        exit status (negative: the signal that ended it)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return self.proc.returncode
