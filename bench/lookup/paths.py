#!/usr/bin/env python3
"""paths.py DATA_DIR OUT_PREFIX [N=5000] [SEED=7] - request paths for bench/lookup/run.sh.

Reads the concept ids and labels of DATA_DIR/ontologies/*.ttl (the generated bench files: one
concept per statement block, labels as "text"@lang) and writes OUT_PREFIX.lookup (one
/api/concepts/{random id} per line) and OUT_PREFIX.search (one /api/search?q={random prefix}: the
first 1-4 characters of a random Chinese label or 2-6 characters of a random English one)."""
import glob, random, re, sys, urllib.parse

data, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
ids, zh, en = [], [], []
subj = re.compile(r'^[a-z]+:([A-Za-z0-9_]+) a skos:Concept')
lab = re.compile(r'"((?:[^"\\]|\\.)*)"@(zh|en)\b')
for f in glob.glob(data + "/ontologies/*.ttl"):
    for line in open(f, encoding="utf-8"):
        m = subj.match(line)
        if m:
            ids.append(m.group(1))
        if "Label" in line:
            for t, l in lab.findall(line.split("skos:definition")[0]):
                (zh if l == "zh" else en).append(t)
with open(out + ".lookup", "w") as f:
    for _ in range(n):
        f.write("/api/concepts/%s\n" % rng.choice(ids))
with open(out + ".search", "w") as f:
    for i in range(n):
        if i % 2 and zh:
            t = rng.choice(zh); q = t[:rng.randint(1, 4)]
        else:
            t = rng.choice(en); q = t[:rng.randint(2, 6)]
        q = q.strip() or t[:2]
        f.write("/api/search?q=%s&limit=10\n" % urllib.parse.quote(q))
print("paths: %d ids, %d zh and %d en labels" % (len(ids), len(zh), len(en)), file=sys.stderr)
