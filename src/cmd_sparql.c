/* cmd_sparql.c - `imterm sparql`: run one query on the local data, with the endpoint's guard,
 * join reordering and result writers, and print the results. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_cli.h"
#include "imt_query.h"
#include "imt_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int imt_cmd_sparql(int argc, char **argv)
{
  const char *data = imt_cli_default_data(), *format = NULL, *query = NULL, *cap = NULL;
  imt_error err = {0};
  imt_store *st;
  imt_query_engine *eng;
  imt_query_opts opts = {"json", "turtle", 0, 0};
  imt_query_result res;
  imt_buf in = IMT_BUF_INIT, out = IMT_BUF_INIT;
  int rc, plan = 0, stats = 0;

  for (int i = 1; i < argc; i++) {
    int m;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: imterm sparql [--data DIR] [--format FMT] [--row-cap N] [--no-reorder] [--plan] [--stats] QUERY|-\n\n"
             "Run a SPARQL query (or '-' to read it from stdin) on the local data, with the same guard,\n"
             "join reordering and result formats as the /sparql endpoint, and print the results.\n"
             "FMT: json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, rdfxml, jsonld (CONSTRUCT/DESCRIBE).\n"
             "--no-reorder leaves planning to Rasqal: patterns run as written, and the right side of\n"
             "every join or OPTIONAL is read in full for each row of the left side.\n"
             "--plan prints the order the first basic graph pattern would run in (original indexes).\n"
             "--stats prints to stderr how many pattern matches the query started and how many\n"
             "statements it read from the store.\n"
             "Exit status: 0 answered, 1 refused or failed (message on stderr), 2 usage.\n");
      return 0;
    }
    if (!strcmp(argv[i], "--no-reorder")) { opts.no_reorder = 1; continue; }
    if (!strcmp(argv[i], "--plan")) { plan = 1; continue; }
    if (!strcmp(argv[i], "--stats")) { stats = 1; continue; }
    if ((m = imt_cli_opt(argc, argv, &i, "--data", &data)) || (m = imt_cli_opt(argc, argv, &i, "--format", &format)) ||
        (m = imt_cli_opt(argc, argv, &i, "--row-cap", &cap))) {
      if (m < 0) return 2;
      continue;
    }
    query = argv[i];
  }
  if (!query) {
    fprintf(stderr, "imterm sparql: no query (try --help)\n");
    return 2;
  }
  if (format) {
    if (!imt_query_format_ctype(format)) {
      fprintf(stderr, "imterm sparql: unknown format '%s' (try --help)\n", format);
      return 2;
    }
    if (!strcmp(format, "json") || !strcmp(format, "xml") || !strcmp(format, "csv") || !strcmp(format, "tsv"))
      opts.fmt_bindings = format;
    else
      opts.fmt_graph = format;
  }
  if (cap) {
    char *end;
    long v = strtol(cap, &end, 10);
    if (*end || v < 0) {
      fprintf(stderr, "imterm sparql: --row-cap wants a number\n");
      return 2;
    }
    opts.row_cap = (unsigned)v;
  }
  if (!strcmp(query, "-")) {
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
      imt_buf_append(&in, chunk, n);
    query = in.data ? in.data : "";
  }
  imt_log_set_quiet(1);
  st = imt_store_new(&err);
  if (!st || imt_store_load_dir(st, data, NULL, &err) ||
      !(eng = imt_query_engine_new(st, &err))) {
    fprintf(stderr, "imterm sparql: %s\n", err.message);
    imt_store_free(st);
    imt_buf_free(&in);
    return 1;
  }
  if (plan) {
    char buf[512];
    rc = imt_query_engine_plan(eng, query, buf, sizeof buf);
    if (!rc) printf("%s\n", buf);
    else fprintf(stderr, "imterm sparql: the query has no basic graph pattern to plan\n");
  } else {
    rc = imt_query_engine_run(eng, query, &opts, &out, &res);
    if (rc) {
      fprintf(stderr, "imterm sparql: %d %s: %s\n", res.status, res.code, res.message);
    } else if (out.data) {
      fwrite(out.data, 1, out.len, stdout);
      if (out.len && out.data[out.len - 1] != '\n') putchar('\n');
      if (res.truncated) fprintf(stderr, "imterm sparql: truncated at %u rows\n", opts.row_cap);
    }
    if (stats)
      fprintf(stderr, "imterm sparql: %lu pattern matches started, %lu statements read\n", res.matches,
              res.statements);
  }
  imt_buf_free(&out);
  imt_buf_free(&in);
  imt_query_engine_free(eng);
  imt_store_free(st);
  return rc ? 1 : 0;
}
