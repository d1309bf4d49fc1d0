/* imt_query.h - the SPARQL engine: Rasqal over the librdf store through imterm's own triples
 * source, with the guard (imt_sparql_guard.h), join reordering by selectivity, the service's own
 * DESCRIBE, and result writers for every format the endpoint offers.
 *
 * Used in the SPARQL worker processes (imt_sparql_pool.c) and by `imterm sparql`; never from the
 * HTTP server's threads (librdf and Rasqal are not thread-safe, and a query can crash Rasqal). */
#ifndef IMT_QUERY_H
#define IMT_QUERY_H

#include "imt.h"
#include "imt_buf.h"

struct imt_store;
typedef struct imt_query_engine imt_query_engine;

typedef struct imt_query_opts {
  /* Format for SELECT/ASK results: "json", "xml", "csv", "tsv"; NULL when the client accepts
   * none (then such a query answers 406). */
  const char *fmt_bindings;
  /* Format for CONSTRUCT/DESCRIBE: "turtle", "ntriples", "rdfxml", "jsonld"; NULL: 406. */
  const char *fmt_graph;
  unsigned row_cap;   /* rows (or triples) before the result is cut and marked truncated; 0 = none */
  int no_reorder;     /* 1: leave planning to Rasqal: each basic graph pattern in the order written, and
                       * the right side of every join re-read in full per left row (benchmarks, tests) */
} imt_query_opts;

typedef struct imt_query_result {
  int status;          /* HTTP status: 200; 400 refused or bad query; 406; 500 engine failure */
  char code[48];       /* stable error code when status != 200 */
  char message[1024];  /* human message when status != 200 */
  char ctype[96];      /* media type of the body when status == 200 */
  int truncated;       /* the row cap cut the result */
  unsigned long rows;  /* rows, or triples, written */
  unsigned long matches;     /* triple-pattern matches started in the store (planner tests) */
  unsigned long statements;  /* statements read from the store */
} imt_query_result;

/* A new engine on st (borrowed; must outlive the engine). Computes the per-predicate statistics
 * the join reordering uses (one pass over the store). NULL with err set on failure. */
imt_query_engine *imt_query_engine_new(struct imt_store *st, imt_error *err);
void imt_query_engine_free(imt_query_engine *e);

/* Run one query: guard, parse, reorder, execute, write. On success appends the body to out and
 * returns 0 with res->status 200; otherwise returns non-zero with res->status/code/message set
 * (out is left empty). Never aborts on bad input. */
int imt_query_engine_run(imt_query_engine *e, const char *query, const imt_query_opts *o,
                         imt_buf *out, imt_query_result *res);

/* Media type of a format name ("json" -> "application/sparql-results+json"), or NULL. */
const char *imt_query_format_ctype(const char *fmt);

/* The order the engine would run a BGP in, for tests and benchmarks: the query's first basic
 * graph pattern's triple patterns, written as "i,j,k" (original indexes) into buf. 0 or non-zero. */
int imt_query_engine_plan(imt_query_engine *e, const char *query, char *buf, size_t len);

#endif
