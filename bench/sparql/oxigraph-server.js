// oxigraph-server.js - a few lines of Node serving an in-memory Oxigraph store over the SPARQL
// protocol on loopback, for bench/sparql/run.py. usage: node oxigraph-server.js DATA.nt PORT_FILE
"use strict";
const fs = require("fs");
const http = require("http");
const oxigraph = require("oxigraph");

const [file, portFile] = process.argv.slice(2);
const store = new oxigraph.Store();
const t0 = Date.now();
// read in chunks cut at line ends: a 600 MB file exceeds V8's longest string
{
  const fd = fs.openSync(file, "r");
  const buf = Buffer.alloc(64 << 20);
  let rest = Buffer.alloc(0);
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    const chunk = Buffer.concat([rest, buf.subarray(0, n)]);
    const cut = n ? chunk.lastIndexOf(10) + 1 : chunk.length;
    if (cut > 0) store.load(chunk.subarray(0, cut).toString("utf8"), { format: "application/n-triples" });
    rest = chunk.subarray(cut);
    if (!n) break;
  }
  fs.closeSync(fd);
}
console.error(`oxigraph: loaded ${store.size} triples in ${(Date.now() - t0) / 1000} s`);

function answer(res, q, accept) {
  try {
    const isGraph = /^\s*(PREFIX[^\n]*\s+)*\s*(CONSTRUCT|DESCRIBE)/i.test(q.replace(/PREFIX\s+\S*\s*<[^>]*>/gi, ""));
    const fmt = isGraph ? "application/n-triples" : "application/sparql-results+json";
    const out = store.query(q, { results_format: fmt, use_default_graph_as_union: true });
    res.writeHead(200, { "Content-Type": fmt });
    res.end(out);
  } catch (e) {
    res.writeHead(400, { "Content-Type": "text/plain" });
    res.end(String(e));
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  if (req.method === "GET") return answer(res, url.searchParams.get("query") || "", req.headers.accept);
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const q = (req.headers["content-type"] || "").startsWith("application/sparql-query")
      ? body : new URLSearchParams(body).get("query") || "";
    answer(res, q, req.headers.accept);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
