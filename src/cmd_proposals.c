/* cmd_proposals.c - `imterm proposals list|export`: read the proposals database and write the
 * accepted ones as Turtle / SSSOM patches for ontologies/ and mappings/. */
#include "config.h"
#include "imt.h"
#include "imt_cli.h"
#include "imt_config.h"
#include "imt_misslog.h"
#include "imt_proposals.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
  printf("usage: imterm proposals list [--db PATH] [--status proposed|accepted|rejected]\n"
         "                             [--kind concept|synonym|mapping] [--since TIME] [--limit N]\n"
         "       imterm proposals export --format ttl|sssom [--db PATH] [--out FILE]\n\n"
         "list:   print the proposals, newest first, one per line (tab-separated).\n"
         "export: write the accepted proposals as a patch: ttl = new concepts (ids IMT09nnnnn)\n"
         "        and synonyms (skos:altLabel) for ontologies/; sssom = mapping rows for mappings/.\n"
         "The database: --db, else IMTERM_DB, else the config file's `db`, else ./imterm.db.\n");
}

/* One TSV-safe cell: tabs and newlines become spaces. */
static void cell(const char *s)
{
  for (; *s; s++)
    putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int do_list(const char *db, const imt_proposal_query *q)
{
  imt_proposal *v = NULL;
  size_t n = 0;
  long long total = 0;
  imt_error err = {0};
  if (imt_proposals_list(db, q, &v, &n, &total, &err)) {
    fprintf(stderr, "imterm proposals: %s\n", err.message);
    return 1;
  }
  printf("id\tkind\tstatus\tconcept\tlabel\tlang\ttarget\tproposer\treviewer\tnote\n");
  for (size_t i = 0; i < n; i++) {
    const imt_proposal *p = &v[i];
    printf("%lld\t%s\t%s\t%s\t", p->id, p->kind, p->status, !strcmp(p->kind, "concept") ? p->parent : p->concept);
    cell(p->label);
    printf("\t%s\t", p->lang);
    if (*p->target_system)
      printf("%s:%s", p->target_system, p->target_code);
    putchar('\t');
    cell(p->proposer);
    putchar('\t');
    cell(p->reviewer);
    putchar('\t');
    cell(p->note);
    putchar('\n');
  }
  fprintf(stderr, "%zu of %lld proposals\n", n, total);
  imt_proposals_free(v, n);
  return 0;
}

static int do_export(const char *db, const char *format, const char *out)
{
  imt_error err = {0};
  size_t count = 0;
  FILE *f = stdout;
  if (!format) {
    fprintf(stderr, "imterm proposals export: --format ttl|sssom is required\n");
    return 2;
  }
  if (out && !(f = fopen(out, "w"))) {
    fprintf(stderr, "imterm proposals export: %s: %s\n", out, strerror(errno));
    return 1;
  }
  if (imt_proposals_export(db, format, f, &count, &err)) {
    fprintf(stderr, "imterm proposals export: %s\n", err.message);
    if (out) fclose(f);
    return err.code == IMT_ERR_INVALID ? 2 : 1;
  }
  if (out && fclose(f)) {
    fprintf(stderr, "imterm proposals export: %s: %s\n", out, strerror(errno));
    return 1;
  }
  fprintf(stderr, "exported %zu accepted proposal%s\n", count, count == 1 ? "" : "s");
  return 0;
}

int imt_cmd_proposals(int argc, char **argv)
{
  imt_config cfg;
  imt_error err = {0};
  imt_proposal_query q = {NULL, NULL, NULL, 0, 100, 0};
  const char *db = NULL, *format = NULL, *out = NULL, *sub;
  int rc;
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    help();
    return argc < 2 ? 2 : 0;
  }
  sub = argv[1];
  if (strcmp(sub, "list") && strcmp(sub, "export")) {
    fprintf(stderr, "imterm proposals: unknown subcommand '%s': use list or export\n", sub);
    return 2;
  }
  for (int i = 2; i < argc; i++) {
    int k;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { help(); return 0; }
    if ((k = imt_cli_opt(argc, argv, &i, "--db", &db)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt(argc, argv, &i, "--status", &q.status)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt(argc, argv, &i, "--kind", &q.kind)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt(argc, argv, &i, "--format", &format)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt(argc, argv, &i, "--out", &out)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt_time(argc, argv, &i, "--since", &q.since)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt_long(argc, argv, &i, "--limit", 1, 10000000, &q.limit)) != 0) { if (k < 0) return 2; continue; }
    fprintf(stderr, "imterm proposals %s: unknown option '%s' (try --help)\n", sub, argv[i]);
    return 2;
  }
  imt_config_init(&cfg);
  if (imt_config_load(&cfg, NULL, &err)) {
    fprintf(stderr, "imterm proposals: %s\n", err.message);
    imt_config_free(&cfg);
    return 2;
  }
  if (!db)
    db = cfg.db_path;
  rc = !strcmp(sub, "list") ? do_list(db, &q) : do_export(db, format, out);
  imt_config_free(&cfg);
  return rc;
}
