/* cmd_misses.c - `imterm misses`: the top unmatched terms from the miss log database. */
#include "config.h"
#include "imt.h"
#include "imt_cli.h"
#include "imt_config.h"
#include "imt_misslog.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void help(void)
{
  printf("usage: imterm misses [--db PATH] [--since TIME] [--lang zh|en|zh-Hant] [--endpoint NAME]\n"
         "                     [--limit N] [--json]\n\n"
         "List the terms lookups did not match, most frequent first, from the miss log that\n"
         "`imterm serve` writes (docs/curation.md). TIME: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or Unix\n"
         "seconds (terms last seen since then). The database: --db, else IMTERM_DB, else the\n"
         "config file's `db`, else ./imterm.db.\n");
}

int imt_cmd_misses(int argc, char **argv)
{
  imt_config cfg;
  imt_error err = {0};
  imt_miss_query q = {0, NULL, NULL, 50};
  const char *db = NULL;
  imt_miss *m = NULL;
  size_t n = 0;
  int json = 0, rc = 0;
  for (int i = 1; i < argc; i++) {
    int k;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { help(); return 0; }
    if (!strcmp(argv[i], "--json")) { json = 1; continue; }
    if ((k = imt_cli_opt(argc, argv, &i, "--db", &db)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt(argc, argv, &i, "--lang", &q.lang)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt(argc, argv, &i, "--endpoint", &q.endpoint)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt_time(argc, argv, &i, "--since", &q.since)) != 0) { if (k < 0) return 2; continue; }
    if ((k = imt_cli_opt_long(argc, argv, &i, "--limit", 1, 100000, &q.limit)) != 0) { if (k < 0) return 2; continue; }
    fprintf(stderr, "imterm misses: unknown option '%s' (try --help)\n", argv[i]);
    return 2;
  }
  imt_config_init(&cfg);
  if (imt_config_load(&cfg, NULL, &err)) {
    fprintf(stderr, "imterm misses: %s\n", err.message);
    imt_config_free(&cfg);
    return 2;
  }
  if (imt_misslog_top(db ? db : cfg.db_path, &q, &m, &n, &err)) {
    fprintf(stderr, "imterm misses: %s\n", err.message);
    imt_config_free(&cfg);
    return 1;
  }
  if (json) {
    cJSON *a = cJSON_CreateArray();
    char *s;
    for (size_t i = 0; a && i < n; i++) {
      cJSON *o = cJSON_CreateObject();
      cJSON_AddItemToArray(a, o);
      cJSON_AddStringToObject(o, "term", m[i].term);
      cJSON_AddStringToObject(o, "lang", m[i].lang);
      cJSON_AddNumberToObject(o, "count", (double)m[i].count);
      cJSON_AddNumberToObject(o, "firstSeen", (double)m[i].first_seen);
      cJSON_AddNumberToObject(o, "lastSeen", (double)m[i].last_seen);
      cJSON_AddStringToObject(o, "endpoints", m[i].endpoints);
      cJSON_AddStringToObject(o, "context", m[i].context);
    }
    s = a ? cJSON_PrintUnformatted(a) : NULL;
    if (s) printf("%s\n", s); else rc = 1;
    free(s);
    cJSON_Delete(a);
  } else {
    printf("%8s  %-7s  %-20s  %-19s  %s\n", "count", "lang", "endpoints", "last seen (UTC)", "term  [context]");
    for (size_t i = 0; i < n; i++) {
      char t[32];
      time_t tt = (time_t)m[i].last_seen;
      struct tm tm;
      gmtime_r(&tt, &tm);
      strftime(t, sizeof t, "%Y-%m-%d %H:%M:%S", &tm);
      printf("%8lld  %-7s  %-20s  %-19s  %s", m[i].count, *m[i].lang ? m[i].lang : "-", m[i].endpoints, t, m[i].term);
      if (*m[i].context && strcmp(m[i].context, m[i].term))
        printf("  [%s]", m[i].context);
      printf("\n");
    }
    if (!n)
      printf("(no misses recorded)\n");
  }
  imt_misses_free(m, n);
  imt_config_free(&cfg);
  return rc;
}
