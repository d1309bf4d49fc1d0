/* imt_query.c - SPARQL execution through librdf/Rasqal with result serialization. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_query.h"
#include "imt_store.h"

#include <redland.h>

#include <stdlib.h>
#include <string.h>

int imt_query_run(imt_store *st, const char *query, const char *format, unsigned row_cap,
                  imt_buf *out, imt_error *err)
{
  librdf_world *w = imt_store_world(st);
  librdf_model *m = imt_store_model(st);
  librdf_query *q;
  librdf_query_results *r;
  int rc = 0;
  (void)row_cap;

  q = librdf_new_query(w, "sparql", NULL, (const unsigned char *)query, NULL);
  if (!q)
    return imt_error_set(err, IMT_ERR_SYNTAX, "the query does not parse as SPARQL 1.1");
  r = librdf_query_execute(q, m);
  if (!r) {
    librdf_free_query(q);
    return imt_error_set(err, IMT_ERR_INVALID, "the query could not be executed");
  }
  if (librdf_query_results_is_graph(r)) {
    const char *name = !strcmp(format, "ntriples") ? "ntriples" : !strcmp(format, "rdfxml") ? "rdfxml" : "turtle";
    librdf_serializer *ser = librdf_new_serializer(w, name, NULL, NULL);
    librdf_stream *s = librdf_query_results_as_stream(r);
    size_t len = 0;
    unsigned char *txt = (ser && s) ? librdf_serializer_serialize_stream_to_counted_string(ser, NULL, s, &len) : NULL;
    if (txt) {
      imt_buf_append(out, txt, len);
      librdf_free_memory(txt);
    } else
      rc = imt_error_set(err, IMT_ERR_INTERNAL, "cannot serialize the graph as %s", name);
    if (s) librdf_free_stream(s);
    if (ser) librdf_free_serializer(ser);
  } else {
    const char *name = !strcmp(format, "xml") ? "xml" : !strcmp(format, "csv") ? "csv" : !strcmp(format, "tsv") ? "tsv" : "json";
    unsigned char *txt = librdf_query_results_to_string2(r, name, NULL, NULL, NULL);
    if (txt) {
      imt_buf_puts(out, (const char *)txt);
      librdf_free_memory(txt);
    } else
      rc = imt_error_set(err, IMT_ERR_INTERNAL, "cannot format the results as %s", name);
  }
  librdf_free_query_results(r);
  librdf_free_query(q);
  return rc;
}
