/* cmd_serve.c - `imterm serve`: load the vocabulary, start the HTTP server, handle signals
 * (SIGTERM/SIGINT: graceful stop; SIGHUP: reload the data in a background thread and swap the
 * snapshot; POST /admin/reload does the same). */
#include "config.h"
#include "imt.h"
#include "imt_cli.h"
#include "imt_config.h"
#include "imt_http.h"
#include "imt_service.h"
#include "imt_snapshot.h"
#include "imt_vocab.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
  printf("usage: imterm serve [--host H] [--port P] [--data DIR] [--web DIR] [--config FILE]\n"
         "                    [--access-log FILE|-|off] [--port-file FILE] [--threads N]\n"
         "                    [--set KEY=VALUE]...\n\n"
         "Serve the vocabulary over HTTP: JSON API, SPARQL endpoint, FHIR operations and the web app.\n"
         "Defaults: 127.0.0.1:8080, the bundled data and web app.\n"
         "Settings come from (highest first) these flags, IMTERM_* environment variables, the config\n"
         "file (--config or IMTERM_CONFIG), then defaults; docs/configuration.md lists every key.\n"
         "Signals: SIGTERM/SIGINT stop gracefully; SIGHUP reloads the data.\n");
}

int imt_cmd_serve(int argc, char **argv)
{
  imt_config cfg;
  imt_error err = {0};
  const char *config_file = NULL, *v;
  imt_snapshot *snap;
  imt_server *srv;
  sigset_t sigs;
  int rc = 0;
  struct { const char *flag, *key; } flags[] = {
    {"--host", "host"}, {"--port", "port"}, {"--data", "data"}, {"--web", "web"},
    {"--access-log", "access_log"}, {"--port-file", "port_file"}, {"--threads", "threads"},
    {"--db", "db"}};
  /* flags are applied after file and environment: remember them */
  const char *fkeys[64], *fvals[64];
  char setkeys[64][64];   /* keys of --set KEY=VALUE, copied out of argv */
  int nf = 0;

  for (int i = 1; i < argc; i++) {
    int m = 0;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { help(); return 0; }
    if ((m = imt_cli_opt(argc, argv, &i, "--config", &config_file)) != 0) {
      if (m < 0) return 2;
      continue;
    }
    if ((m = imt_cli_opt(argc, argv, &i, "--set", &v)) != 0) {
      const char *eq;
      if (m < 0) return 2;
      eq = strchr(v, '=');
      if (!eq || nf >= 64 || (size_t)(eq - v) >= sizeof setkeys[0]) {
        fprintf(stderr, "imterm serve: --set wants KEY=VALUE\n");
        return 2;
      }
      snprintf(setkeys[nf], sizeof setkeys[nf], "%.*s", (int)(eq - v), v);
      fkeys[nf] = setkeys[nf];
      fvals[nf++] = eq + 1;
      continue;
    }
    for (size_t k = 0; k < sizeof flags / sizeof flags[0] && !m; k++)
      if ((m = imt_cli_opt(argc, argv, &i, flags[k].flag, &v)) > 0 && nf < 64) {
        fkeys[nf] = flags[k].key;
        fvals[nf++] = v;
      }
    if (m < 0) return 2;
    if (!m) {
      fprintf(stderr, "imterm serve: unknown option '%s' (try --help)\n", argv[i]);
      return 2;
    }
  }
  imt_config_init(&cfg);
  if (imt_config_load(&cfg, config_file, &err)) {
    fprintf(stderr, "imterm serve: %s\n", err.message);
    return 2;
  }
  for (int i = 0; i < nf; i++)
    if (imt_config_set(&cfg, fkeys[i], fvals[i], &err)) {
      fprintf(stderr, "imterm serve: %s\n", err.message);
      return 2;
    }
  imt_log_set_quiet(cfg.quiet);

  /* Block the signals in every thread; this thread takes them with sigwait. */
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);

  imt_log("info", "loading %s", cfg.data_dir);
  if (imt_services_load(&cfg, &snap, &err)) {
    fprintf(stderr, "imterm serve: %s\n", err.message);
    imt_config_free(&cfg);
    return 1;
  }
  imt_snapshot_publish(snap);
  imt_log("info", "vocabulary: %u concepts, %zu triples, %zu mappings (%.2f s)", snap->n_concepts,
          snap->n_triples, snap->n_mappings, snap->build_seconds);

  srv = imt_server_start(&cfg, &err);
  if (!srv) {
    fprintf(stderr, "imterm serve: %s\n", err.message);
    imt_services_stop();
    imt_config_free(&cfg);
    return 1;
  }
  imt_log("info", "listening on http://%s:%u/", cfg.host, imt_server_port(srv));
  if (cfg.port_file) {
    FILE *f = fopen(cfg.port_file, "w");
    if (f) {
      fprintf(f, "%u\n", imt_server_port(srv));
      fclose(f);
    } else
      imt_log("warn", "cannot write port file %s: %s", cfg.port_file, strerror(errno));
  }

  for (;;) {
    int sig = 0;
    if (sigwait(&sigs, &sig))
      continue;
    if (sig == SIGHUP) {
      imt_log("info", "SIGHUP: reloading %s in the background", cfg.data_dir);
      if (imt_services_reload_async(&cfg, NULL, NULL))
        imt_log("error", "SIGHUP: could not start a reload thread");
      continue;
    }
    imt_log("info", "signal %d: stopping (finishing requests in flight)", sig);
    break;
  }
  imt_server_stop(srv);
  imt_services_stop();
  imt_snapshot_publish(NULL);
  imt_config_free(&cfg);
  return rc;
}
