/* imt_query.h - running a SPARQL query against a store (used in the SPARQL worker processes and
 * by `imterm sparql`). Never called from the HTTP server's threads. */
#ifndef IMT_QUERY_H
#define IMT_QUERY_H

#include "imt.h"
#include "imt_buf.h"

struct imt_store;

/* Run query on st and append the results to out in format: SELECT/ASK "json", "xml", "csv",
 * "tsv"; CONSTRUCT/DESCRIBE "turtle", "ntriples", "rdfxml", "jsonld". row_cap (0 = none) limits
 * rows. Returns 0, or non-zero with err set (a message naming the problem). */
int imt_query_run(struct imt_store *st, const char *query, const char *format, unsigned row_cap,
                  imt_buf *out, imt_error *err);

#endif
