/* h_sparql.c - the SPARQL 1.1 Protocol endpoint: GET/POST /sparql (query via GET, URL-encoded
 * form, or application/sparql-query), the dataset parameters, content negotiation, the service
 * description, and /sparql/status. Queries never run here: they are queued to the worker pool
 * (imt_sparql_pool.h) and the connection is suspended until a worker answers. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_config.h"
#include "imt_http.h"
#include "imt_query.h"
#include "imt_sparql_guard.h"
#include "imt_sparql_pool.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const binding_offers[] = {
  "application/sparql-results+json", "application/json", "application/sparql-results+xml", "application/xml",
  "text/xml", "text/csv", "text/tab-separated-values", NULL};
static const char *const binding_names[] = {"json", "json", "xml", "xml", "xml", "csv", "tsv"};
static const char *const graph_offers[] = {
  "text/turtle", "application/x-turtle", "application/n-triples", "text/plain", "application/rdf+xml",
  "application/ld+json", "application/json", NULL};
static const char *const graph_names[] = {"turtle", "turtle", "ntriples", "ntriples", "rdfxml", "jsonld", "jsonld"};

/* format= values: short names or media types, each giving the bindings and graph format. */
static const struct { const char *name, *bindings, *graph; } format_param[] = {
  {"json", "json", "jsonld"}, {"xml", "xml", "rdfxml"}, {"csv", "csv", NULL}, {"tsv", "tsv", NULL},
  {"turtle", NULL, "turtle"}, {"ttl", NULL, "turtle"}, {"ntriples", NULL, "ntriples"}, {"nt", NULL, "ntriples"},
  {"rdfxml", NULL, "rdfxml"}, {"jsonld", NULL, "jsonld"},
  {"application/sparql-results+json", "json", NULL}, {"application/sparql-results+xml", "xml", NULL},
  {"text/csv", "csv", NULL}, {"text/tab-separated-values", "tsv", NULL}, {"text/turtle", NULL, "turtle"},
  {"application/n-triples", NULL, "ntriples"}, {"application/rdf+xml", NULL, "rdfxml"},
  {"application/ld+json", NULL, "jsonld"}, {"application/json", "json", "jsonld"}};

static const char *negotiated(imt_req *rq, const char *const *offers, const char *const *names)
{
  const char *m = imt_req_negotiate(rq, offers);
  for (int i = 0; m && offers[i]; i++)
    if (offers[i] == m) return names[i];
  return NULL;
}

typedef struct sq_ctx {
  imt_req *rq;
  atomic_int handler_returned;
} sq_ctx;

/* Dispatcher thread: turn the worker's answer into the HTTP reply and resume the connection. */
static void on_answer(void *ctx, imt_sparql_answer *a)
{
  sq_ctx *c = ctx;
  imt_req *rq = c->rq;
  char num[32];
  /* the handler must have returned (and the connection been suspended) before we resume it */
  while (!atomic_load(&c->handler_returned))
    ;
  if (a->worker_pid) {
    snprintf(num, sizeof num, "%d", a->worker_pid);
    imt_reply_header(rq, "X-Imterm-Worker", num);
  }
  if (a->retry_after) {
    snprintf(num, sizeof num, "%d", a->retry_after);
    imt_reply_header(rq, "Retry-After", num);
  }
  if (a->status == 200) {
    snprintf(num, sizeof num, "%lu", a->rows);
    imt_reply_header(rq, "X-Imterm-Rows", num);
    imt_reply_header(rq, "Vary", "Accept");
    if (a->truncated)
      imt_reply_header(rq, "X-Imterm-Truncated", "true");
    imt_reply_take(rq, 200, a->ctype, a->body, a->len);
    a->body = NULL;
  } else {
    imt_reply_error(rq, a->status, a->code ? a->code : "query_failed", "%s", a->message ? a->message : "the query failed");
  }
  imt_req_resume(rq);
}

static void service_description(imt_req *rq)
{
  const imt_config *cfg = imt_server_config(imt_req_server(rq));
  const imt_snapshot *s = imt_req_snapshot(rq);
  const char *host = imt_req_header(rq, "Host");
  imt_buf b = IMT_BUF_INIT;
  char *body;
  size_t len;
  static const char *const offers[] = {"text/turtle", NULL};
  if (!imt_req_negotiate(rq, offers)) {
    imt_reply_error(rq, 406, "not_acceptable", "the service description is offered as text/turtle only");
    return;
  }
  if (!host || !*host || strpbrk(host, "<>\" {}|\\^`"))
    host = "127.0.0.1";
  imt_buf_printf(&b,
    "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
    "@prefix void: <http://rdfs.org/ns/void#> .\n"
    "@prefix dct: <http://purl.org/dc/terms/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix imtsd: <https://w3id.org/imterm/ns/sparql#> .\n\n"
    "<http://%s/sparql> a sd:Service ;\n"
    "  sd:endpoint <http://%s/sparql> ;\n"
    "  dct:description \"imterm SPARQL 1.1 Query endpoint: read-only, no federation; see docs/sparql.md\"@en ;\n"
    "  sd:supportedLanguage sd:SPARQL11Query ;\n"
    "  sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, <http://www.w3.org/ns/formats/SPARQL_Results_XML>,\n"
    "    <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,\n"
    "    <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>,\n"
    "    <http://www.w3.org/ns/formats/RDF_XML>, <http://www.w3.org/ns/formats/JSON-LD> ;\n"
    "  sd:feature sd:UnionDefaultGraph ;\n"
    "  sd:defaultDataset [ a sd:Dataset ;\n"
    "    sd:defaultGraph [ a sd:Graph ; sd:name <" IMT_SPARQL_DEFAULT_GRAPH "> ; void:triples %zu ] ] ;\n"
    "  imtsd:timeoutSeconds \"%g\"^^xsd:decimal ;\n"
    "  imtsd:rowCap %u ;\n"
    "  imtsd:workers %u ;\n"
    "  imtsd:queueWaitSeconds \"%g\"^^xsd:decimal ;\n"
    "  imtsd:memoryLimitMiB %zu ;\n"
    "  imtsd:truncationHeader \"X-Imterm-Truncated\" ;\n"
    "  imtsd:describe \"concise bounded description, computed by the service\"@en",
    host, host, s->n_triples, cfg->sparql_timeout, cfg->sparql_row_cap, cfg->sparql_workers,
    cfg->sparql_queue_wait, cfg->sparql_mem_mb);
  for (int i = 0; i < IMT_GUARD_COUNT; i++)
    imt_buf_printf(&b, " ;\n  imtsd:refuses [ imtsd:feature \"%s\" ; imtsd:code \"%s\" ; imtsd:workaround \"%s\"@en ]",
                   imt_guard_rules[i].feature, imt_guard_rules[i].code, imt_guard_rules[i].workaround);
  imt_buf_puts(&b, " .\n");
  if (b.oom) {
    imt_buf_free(&b);
    imt_reply_oom(rq);
    return;
  }
  body = imt_buf_steal(&b, &len);
  imt_reply_take(rq, 200, "text/turtle; charset=utf-8", body, len);
}

/* GET and POST /sparql. */
static void h_sparql(imt_req *rq)
{
  const imt_config *cfg = imt_server_config(imt_req_server(rq));
  const char *query = NULL, *ctype = imt_req_header(rq, "Content-Type"), *fmt = imt_req_query(rq, "format");
  const char **vals;
  size_t nq;
  imt_query_opts o;
  sq_ctx *c;
  int is_post = !strcmp(imt_req_method(rq), "POST");

  if (imt_req_query_invalid(rq)) {
    imt_reply_error(rq, 400, "bad_parameter", "a parameter is not valid percent-encoded UTF-8");
    return;
  }
  if (imt_req_query(rq, "update")) {
    char msg[700];
    imt_guard_message(IMT_GUARD_UPDATE, NULL, msg, sizeof msg);
    imt_reply_error(rq, 400, imt_guard_rules[IMT_GUARD_UPDATE].code, "%s", msg);
    return;
  }
  if (is_post) {
    size_t ctl = ctype ? strcspn(ctype, ";") : 0;
    while (ctl && ctype[ctl - 1] == ' ') ctl--;
    if (ctype && ctl == strlen("application/sparql-query") && !strncasecmp(ctype, "application/sparql-query", ctl)) {
      size_t len;
      query = imt_req_body(rq, &len);
      if (!imt_utf8_valid(query, len)) {
        imt_reply_error(rq, 400, "bad_query", "the query is not valid UTF-8");
        return;
      }
      if (imt_req_query(rq, "query")) {
        imt_reply_error(rq, 400, "bad_request", "give the query either in the body or as the query parameter, not both");
        return;
      }
    } else if (ctype && ctl == strlen("application/x-www-form-urlencoded") &&
               !strncasecmp(ctype, "application/x-www-form-urlencoded", ctl)) {
      /* form fields are read with the URL's parameters */
    } else if (ctype && ctl == strlen("application/sparql-update") && !strncasecmp(ctype, "application/sparql-update", ctl)) {
      char msg[700];
      imt_guard_message(IMT_GUARD_UPDATE, NULL, msg, sizeof msg);
      imt_reply_error(rq, 400, imt_guard_rules[IMT_GUARD_UPDATE].code, "%s", msg);
      return;
    } else {
      imt_reply_error(rq, 415, "unsupported_media_type",
                      "POST /sparql takes application/x-www-form-urlencoded (query=...) or application/sparql-query, not %s",
                      ctype ? ctype : "a body without Content-Type");
      return;
    }
  }
  if (!query) {
    nq = imt_req_query_all(rq, "query", &vals);
    if (nq > 1) {
      imt_reply_error(rq, 400, "bad_request", "the query parameter is given %zu times; give it once", nq);
      return;
    }
    query = nq ? vals[0] : NULL;
  }
  if (!query) {
    if (!is_post) {
      service_description(rq);
      return;
    }
    imt_reply_error(rq, 400, "missing_query", "no query: send query=... (form) or an application/sparql-query body");
    return;
  }
  if (!*query) {
    imt_reply_error(rq, 400, "missing_query", "the query is empty");
    return;
  }
  /* dataset: only the default graph exists; named graphs none */
  nq = imt_req_query_all(rq, "named-graph-uri", &vals);
  if (nq) {
    imt_reply_error(rq, 400, "dataset_not_held", "named-graph-uri <%s>: this service holds no named graphs", vals[0]);
    return;
  }
  nq = imt_req_query_all(rq, "default-graph-uri", &vals);
  for (size_t i = 0; i < nq; i++)
    if (strcmp(vals[i], IMT_SPARQL_DEFAULT_GRAPH) != 0) {
      imt_reply_error(rq, 400, "dataset_not_held",
                      "default-graph-uri <%s> is not held by this service; its only graph is <%s> (or leave the parameter out)",
                      vals[i], IMT_SPARQL_DEFAULT_GRAPH);
      return;
    }
  memset(&o, 0, sizeof o);
  o.row_cap = cfg->sparql_row_cap;
  if (fmt && *fmt) {
    size_t k;
    for (k = 0; k < sizeof format_param / sizeof format_param[0]; k++)
      if (!strcasecmp(fmt, format_param[k].name)) break;
    if (k == sizeof format_param / sizeof format_param[0]) {
      imt_reply_error(rq, 400, "bad_format",
                      "format=%s is not offered; use json, xml, csv, tsv, turtle, ntriples, rdfxml or jsonld", fmt);
      return;
    }
    o.fmt_bindings = format_param[k].bindings;
    o.fmt_graph = format_param[k].graph;
  } else {
    o.fmt_bindings = negotiated(rq, binding_offers, binding_names);
    o.fmt_graph = negotiated(rq, graph_offers, graph_names);
  }
  if (!o.fmt_bindings && !o.fmt_graph) {
    imt_reply_error(rq, 406, "not_acceptable",
                    "nothing in Accept is offered; SELECT/ASK: application/sparql-results+json, application/sparql-results+xml, "
                    "text/csv, text/tab-separated-values; CONSTRUCT/DESCRIBE: text/turtle, application/n-triples, "
                    "application/rdf+xml, application/ld+json");
    return;
  }
  c = imt_req_alloc(rq, sizeof *c);
  if (!c) {
    imt_reply_oom(rq);
    return;
  }
  c->rq = rq;
  atomic_store(&c->handler_returned, 0);
  imt_req_suspend(rq);
  if (imt_sparql_submit(query, &o, on_answer, c)) {
    imt_reply_header(rq, "Retry-After", "1");
    imt_reply_error(rq, 503, "sparql_unavailable", "the SPARQL service is not running (starting, reloading or stopped)");
    return;
  }
  atomic_store(&c->handler_returned, 1);
}

/* GET /sparql/status: the worker pool, for operators and tests. */
static void h_status(imt_req *rq)
{
  imt_sparql_status s;
  cJSON *j = cJSON_CreateObject(), *w;
  imt_sparql_pool_status(&s);
  static const char *const states[] = {"spawning", "starting", "idle", "busy"};
  cJSON_AddBoolToObject(j, "running", s.running);
  cJSON_AddNumberToObject(j, "zygote_pid", s.zygote_pid);
  w = cJSON_AddArrayToObject(j, "workers");
  for (unsigned i = 0; i < s.n_workers && i < 64; i++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "pid", s.pids[i]);
    cJSON_AddStringToObject(o, "state", states[s.states[i] & 3]);
    cJSON_AddItemToArray(w, o);
  }
  cJSON_AddNumberToObject(j, "queued", (double)s.queued);
  cJSON_AddNumberToObject(j, "served", (double)s.served);
  cJSON_AddNumberToObject(j, "timeouts", (double)s.timeouts);
  cJSON_AddNumberToObject(j, "crashes", (double)s.crashes);
  cJSON_AddNumberToObject(j, "rejected_busy", (double)s.rejected_busy);
  cJSON_AddNumberToObject(j, "respawns", (double)s.respawns);
  imt_reply_header(rq, "Cache-Control", "no-store");
  imt_reply_json(rq, 200, j);
}

const imt_route imt_routes_sparql[] = {
  {"GET", "/sparql", h_sparql, 0, 0},
  {"POST", "/sparql", h_sparql, 0, IMT_ROUTE_BODY},
  {"GET", "/sparql/status", h_status, 0, 0},
  {NULL, NULL, NULL, 0, 0}
};
