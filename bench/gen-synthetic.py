#!/usr/bin/env python3
"""Build a seeded synthetic bilingual SKOS data directory for benchmarks (never committed).

usage: gen-synthetic.py OUT_DIR [N_CONCEPTS=200000] [SEED=42]
Each concept: type, inScheme, prefLabel zh and en, an altLabel in each language, a definition,
one skos:broader (fan-out ~8, so depth ~6): about 9 triples per concept, as in
../shared/redland-facts.md."""
import os, random, sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
zh_pool = "肺结节磨玻璃影实变胸腔积液气胸钙化空洞肿块淋巴结增大密度信号强化边缘毛刺分叶囊性实性脂肪出血坏死水肿萎缩狭窄扩张增厚积气骨折"
en_pool = ("nodule opacity consolidation effusion pneumothorax calcification cavity mass lymph node enlarged density "
           "signal enhancement margin spiculated lobulated cystic solid fat hemorrhage necrosis edema atrophy stenosis "
           "dilatation thickening gas fracture lesion focal diffuse nodular linear patchy").split()
os.makedirs(os.path.join(out, "ontologies"), exist_ok=True)
with open(os.path.join(out, "ontologies", "synthetic.ttl"), "w", encoding="utf-8") as f:
    f.write("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            "@prefix void: <http://rdfs.org/ns/void#> .\n"
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "@prefix imto: <https://w3id.org/imterm/ontology#> .\n"
            "@prefix s: <https://w3id.org/imterm/bench/syn/> .\n"
            "<https://w3id.org/imterm/scheme> a skos:ConceptScheme ; void:uriSpace \"https://w3id.org/imterm/bench/syn/\" ; owl:versionInfo \"bench\" .\n")
    for i in range(n):
        zh = "".join(rng.choice(zh_pool) for _ in range(rng.randint(3, 7))) + str(i)
        en = " ".join(rng.choice(en_pool) for _ in range(rng.randint(2, 4))) + " %d" % i
        zh2 = "".join(rng.choice(zh_pool) for _ in range(rng.randint(2, 5))) + "样" + str(i)
        en2 = rng.choice(en_pool) + " variant %d" % i
        f.write('s:S%07d a skos:Concept , imto:Finding ; skos:inScheme <https://w3id.org/imterm/scheme> ;\n'
                '  skos:prefLabel "%s"@zh , "%s"@en ; skos:altLabel "%s"@zh , "%s"@en ;\n'
                '  skos:definition "Synthetic concept %d."@en' % (i, zh, en, zh2, en2, i))
        if i < 8:
            f.write(" ;\n  skos:topConceptOf <https://w3id.org/imterm/scheme> .\n")
        else:
            f.write(" ;\n  skos:broader s:S%07d .\n" % ((i - 8) // 8))
print("gen-synthetic: %d concepts -> %s" % (n, out))
