#!/usr/bin/env python3
"""Build a RadLex-scale SKOS data directory (one concept per distinct RID, ~45.7k) from
../shared/reference/radlex_terms.tsv, for benchmarks only (never committed).

usage: gen-radlex.py OUT_DIR [REFERENCE_DIR]
Concept ids are the RIDs; English prefLabel = RadLex preferred name; a Chinese prefLabel is
synthesized ("放射术语 RIDn") so that the bilingual code paths are exercised; skos:broader from
parent_rid. Exit 3 (with a message) when the reference list is absent."""
import csv, os, sys

out = sys.argv[1]
ref = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "reference")
src = os.path.join(ref, "radlex_terms.tsv")
if not os.path.exists(src):
    print("gen-radlex: %s is absent; skipping the RadLex-scale data set" % src, file=sys.stderr)
    sys.exit(3)
names, parents = {}, {}
with open(src, encoding="utf-8") as f:
    for row in csv.DictReader(f, delimiter="\t"):
        rid = row["rid"].strip()
        if not rid.startswith("RID") or rid in names:
            continue
        names[rid] = row["preferred_name"].strip()
        parents[rid] = row["parent_rid"].strip()
os.makedirs(os.path.join(out, "ontologies"), exist_ok=True)
def lit(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
with open(os.path.join(out, "ontologies", "radlex.ttl"), "w", encoding="utf-8") as f:
    f.write("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            "@prefix void: <http://rdfs.org/ns/void#> .\n"
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "@prefix imto: <https://w3id.org/imterm/ontology#> .\n"
            "@prefix r: <https://w3id.org/imterm/bench/radlex/> .\n"
            "<https://w3id.org/imterm/scheme> a skos:ConceptScheme ; void:uriSpace \"https://w3id.org/imterm/bench/radlex/\" ; owl:versionInfo \"bench\" .\n")
    for rid, name in names.items():
        f.write("r:%s a skos:Concept , imto:Finding ; skos:inScheme <https://w3id.org/imterm/scheme> ;\n"
                "  skos:prefLabel %s@en , %s@zh ; skos:definition %s@en" % (rid, lit(name), lit("放射术语 " + rid), lit("RadLex term " + name)))
        p = parents.get(rid)
        if p in names and p != rid:
            f.write(" ;\n  skos:broader r:%s" % p)
        else:
            f.write(" ;\n  skos:topConceptOf <https://w3id.org/imterm/scheme>")
        f.write(" .\n")
print("gen-radlex: %d concepts -> %s" % (len(names), out))
