#!/usr/bin/env python3
"""Normalizer tests (TAP): the Chinese sentence file (>= 95 % of expected (concept, status) pairs,
figure printed), English sentences, code-point offsets, bad input, and the CLI and POST
/api/normalize giving identical results on every sentence."""
import json, os, subprocess, sys, tempfile, time, http.client

TOP = os.environ.get("TOP_SRCDIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("IMTERM_BIN") or os.path.join(TOP, "imterm")
HERE = os.path.join(TOP, "tests", "normalize")
n = 0

def tap(ok, name, diag=()):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
    for d in diag:
        print("# " + d)

def load(name):
    rows = []
    for line in open(os.path.join(HERE, name), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        sent, _, exp = line.rstrip("\n").partition("\t")
        pairs = []
        for p in exp.split("|"):
            p = p.strip()
            if p:
                lab, st = p.rsplit("=", 1)
                pairs.append((lab.strip(), st.strip()))
        rows.append((sent, pairs))
    return rows

def cli(texts, extra=()):
    inp = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    p = subprocess.run([BIN, "normalize", "--data", TOP, "--jsonl"] + list(extra), input=inp.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return [json.loads(l) for l in p.stdout.decode().splitlines()]

def check_pairs(rows, outs):
    total = passed = 0
    fails = []
    for (sent, pairs), o in zip(rows, outs):
        got = set()
        for m in o["mentions"]:
            got.add((m["concept"]["prefLabel"]["en"], m["status"]))
            got.add((m["concept"]["id"], m["status"]))
        for pr in pairs:
            total += 1
            if pr in got:
                passed += 1
            else:
                fails.append("%s: want %s=%s, got %s" % (sent, pr[0], pr[1],
                             sorted((m["text"], m["status"]) for m in o["mentions"])))
    return total, passed, fails

zh = load("zh-sentences.tsv")
outs = cli([s for s, _ in zh])
total, passed, fails = check_pairs(zh, outs)
rate = 100.0 * passed / total if total else 0
tap(len(zh) >= 200 and rate >= 95.0,
    "Chinese sentences: %d sentences, %d/%d expected (concept, status) pairs pass (%.1f %%, need >= 95 %%)"
    % (len(zh), passed, total, rate), fails)
print("# zh pairs passing: %.1f %%" % rate)
targets = set(lab for _, p in zh for lab, _ in p)
quiet = [(s, o) for (s, p), o in zip(zh, outs) if not p and
         any(m["status"] == "present" and m["concept"]["prefLabel"]["en"] in targets for m in o["mentions"])]
tap(not quiet, "Chinese sentences that assert no finding yield no present mention of a finding tested elsewhere",
    ["%s -> %s" % (s, [m["text"] for m in o["mentions"]]) for s, o in quiet])

en = load("en-sentences.tsv")
eouts = cli([s for s, _ in en])
t2, p2, f2 = check_pairs(en, eouts)
tap(p2 == t2, "English sentences: %d/%d pairs" % (p2, t2), f2)

# offsets are code points into the text as sent (full-width, traditional, line breaks, astral)
txt = "𠀀检查：\r\n右肺上葉見ＧＧＯ，\n未见胸腔積液。No  Pleural\tEffusions."
o = cli([txt])[0]
bad = [m for m in o["mentions"] if txt[m["start"]:m["end"]] != m["text"] or
       (m["cue"] and txt[m["cue"]["start"]:m["cue"]["end"]] != m["cue"]["text"])]
tap(not bad and len(o["mentions"]) == 3, "offsets index the input in code points",
    [json.dumps(o, ensure_ascii=False)])
kinds = {m["text"]: (m["match"], m["status"]) for m in o["mentions"]}
tap(kinds.get("ＧＧＯ") == ("variant", "present") and kinds.get("胸腔積液") == ("variant", "absent")
    and kinds.get("Pleural\tEffusions") == ("exact", "absent"),
    "match types: full-width and traditional are variants, case and plural are exact", [repr(kinds)])
# a line break ends a scope
o = cli(["未见气胸\n胸腔积液"])[0]
tap([m["status"] for m in o["mentions"]] == ["absent", "present"], "a line break ends a negation scope",
    [json.dumps(o, ensure_ascii=False)])
# lang: en only ignores Chinese labels; zh keeps capitals abbreviations
o_en = cli(["右肺见GGO及磨玻璃结节"], ["--lang", "en"])[0]
o_zh = cli(["右肺见GGO及磨玻璃结节, ground-glass nodule"], ["--lang", "zh"])[0]
tap([m["text"] for m in o_en["mentions"]] == ["GGO"] and [m["text"] for m in o_zh["mentions"]] == ["GGO", "磨玻璃结节"],
    "lang=en matches English labels only; lang=zh Chinese labels plus capital abbreviations",
    [json.dumps(o_en, ensure_ascii=False), json.dumps(o_zh, ensure_ascii=False)])
# a lower-case abbreviation is an ordinary word
o = cli(["ggo is not an abbreviation here"])[0]
tap(not o["mentions"], "capital-only abbreviations need capitals in the text", [json.dumps(o)])
# invalid UTF-8 on stdin: exit 1 with a message
p = subprocess.run([BIN, "normalize", "--data", TOP], input=b"\xff\xfe abc", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
tap(p.returncode == 1 and b"UTF-8" in p.stderr and not p.stdout, "the CLI rejects invalid UTF-8 (exit 1)")

# CLI and HTTP give identical results
tmp = tempfile.mkdtemp(prefix="imterm-norm-")
pf = os.path.join(tmp, "port")
srv = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--port-file", pf, "--data", TOP,
                        "--db", os.path.join(tmp, "imterm.db")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    deadline = time.time() + 120
    while time.time() < deadline and not (os.path.exists(pf) and open(pf).read().strip()):
        if srv.poll() is not None:
            break
        time.sleep(0.05)
    port = int(open(pf).read().strip())
    texts = [s for s, _ in zh] + [s for s, _ in en] + [txt]
    ref = cli(texts)
    diff = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for t, r in zip(texts, ref):
        conn.request("POST", "/api/normalize", body=t.encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
        a = json.loads(conn.getresponse().read())
        conn.request("POST", "/api/normalize", body=json.dumps({"text": t}).encode(), headers={"Content-Type": "application/json"})
        b = json.loads(conn.getresponse().read())
        if a != r or b != r:
            diff.append(t)
    tap(not diff, "CLI and POST /api/normalize (text/plain and JSON) agree on %d texts" % len(texts), diff[:5])
finally:
    srv.terminate()
    srv.wait(timeout=30)
print("1..%d" % n)
