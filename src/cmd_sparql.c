/* cmd_sparql.c - `imterm sparql`: run one query on the local data and print the results. */
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
  const char *data = imt_cli_default_data(), *format = "json", *query = NULL;
  imt_error err = {0};
  imt_store *st;
  imt_buf in = IMT_BUF_INIT, out = IMT_BUF_INIT;
  int rc;

  for (int i = 1; i < argc; i++) {
    int m;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: imterm sparql [--data DIR] [--format json|xml|csv|tsv|turtle|ntriples] QUERY|-\n\n"
             "Run a SPARQL query (or '-' to read it from stdin) on the local data, with the same guard as\n"
             "the /sparql endpoint (no SERVICE, read-only), and print the results.\n");
      return 0;
    }
    if ((m = imt_cli_opt(argc, argv, &i, "--data", &data)) || (m = imt_cli_opt(argc, argv, &i, "--format", &format))) {
      if (m < 0) return 2;
      continue;
    }
    query = argv[i];
  }
  if (!query) {
    fprintf(stderr, "imterm sparql: no query (try --help)\n");
    return 2;
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
  if (!st || imt_store_load_dir(st, data, NULL, &err)) {
    fprintf(stderr, "imterm sparql: %s\n", err.message);
    imt_store_free(st);
    imt_buf_free(&in);
    return 1;
  }
  rc = imt_query_run(st, query, format, 0, &out, &err);
  if (rc) {
    fprintf(stderr, "imterm sparql: %s\n", err.message);
  } else if (out.data) {
    fwrite(out.data, 1, out.len, stdout);
    if (out.len && out.data[out.len - 1] != '\n') putchar('\n');
  }
  imt_buf_free(&out);
  imt_buf_free(&in);
  imt_store_free(st);
  return rc ? 1 : 0;
}
