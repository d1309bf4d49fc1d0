// sparql_oracle.js - an independent SPARQL engine (Oxigraph) as the oracle for
// tests/suites/sparql_plan.sh. usage: node sparql_oracle.js DATA.nt QUERIES.json
// Loads the N-Triples, runs each SELECT query, and prints a JSON array with, per query, either
// {"vars": [...], "rows": [[value or "" per var], ...]} or {"error": "..."}.
"use strict";
const fs = require("fs");
const oxigraph = require("oxigraph");

const [dataFile, queriesFile] = process.argv.slice(2);
const store = new oxigraph.Store();
store.load(fs.readFileSync(dataFile, "utf8"), { format: "application/n-triples" });
const out = JSON.parse(fs.readFileSync(queriesFile, "utf8")).map((q) => {
  try {
    const r = JSON.parse(store.query(q, { results_format: "application/sparql-results+json" }));
    const vars = r.head.vars;
    return { vars, rows: r.results.bindings.map((b) => vars.map((v) => (b[v] ? b[v].value : ""))) };
  } catch (e) {
    return { error: String(e) };
  }
});
process.stdout.write(JSON.stringify(out));
