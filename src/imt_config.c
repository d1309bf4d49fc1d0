/* imt_config.c - settings from defaults, a config file, the environment and flags. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef IMT_DATADIR
#define IMT_DATADIR "/usr/local/share/imterm"
#endif

/* Settings as data: key, environment variable, kind, offset. */
enum kind { K_STR, K_UINT, K_SIZE, K_DOUBLE, K_BOOL };
typedef struct setting {
  const char *key;
  const char *env;
  enum kind kind;
  size_t off;
  double min, max;
} setting;

#define OFF(f) offsetof(imt_config, f)
static const setting settings[] = {
  {"host", "IMTERM_HOST", K_STR, OFF(host), 0, 0},
  {"port", "IMTERM_PORT", K_UINT, OFF(port), 0, 65535},
  {"data", "IMTERM_DATA", K_STR, OFF(data_dir), 0, 0},
  {"web", "IMTERM_WEB", K_STR, OFF(web_dir), 0, 0},
  {"access_log", "IMTERM_ACCESS_LOG", K_STR, OFF(access_log), 0, 0},
  {"port_file", "IMTERM_PORT_FILE", K_STR, OFF(port_file), 0, 0},
  {"threads", "IMTERM_THREADS", K_UINT, OFF(threads), 0, 256},
  {"max_body", "IMTERM_MAX_BODY", K_SIZE, OFF(max_body), 1024, 1 << 30},
  {"max_url", "IMTERM_MAX_URL", K_SIZE, OFF(max_url), 256, 1 << 20},
  {"max_connections", "IMTERM_MAX_CONNECTIONS", K_UINT, OFF(max_connections), 1, 100000},
  {"max_per_ip", "IMTERM_MAX_PER_IP", K_UINT, OFF(max_per_ip), 0, 100000},
  {"conn_timeout", "IMTERM_CONN_TIMEOUT", K_UINT, OFF(conn_timeout), 1, 86400},
  {"request_timeout", "IMTERM_REQUEST_TIMEOUT", K_UINT, OFF(request_timeout), 1, 86400},
  {"shutdown_timeout", "IMTERM_SHUTDOWN_TIMEOUT", K_UINT, OFF(shutdown_timeout), 0, 86400},
  {"max_json_depth", "IMTERM_MAX_JSON_DEPTH", K_UINT, OFF(max_json_depth), 1, 1000},
  {"max_batch", "IMTERM_MAX_BATCH", K_UINT, OFF(max_batch), 1, 1000000},
  {"sparql_workers", "IMTERM_SPARQL_WORKERS", K_UINT, OFF(sparql_workers), 1, 64},
  {"sparql_timeout", "IMTERM_SPARQL_TIMEOUT", K_DOUBLE, OFF(sparql_timeout), 0.05, 3600},
  {"sparql_row_cap", "IMTERM_SPARQL_ROW_CAP", K_UINT, OFF(sparql_row_cap), 1, 10000000},
  {"sparql_queue_wait", "IMTERM_SPARQL_QUEUE_WAIT", K_DOUBLE, OFF(sparql_queue_wait), 0, 60},
  {"sparql_mem_mb", "IMTERM_SPARQL_MEM_MB", K_SIZE, OFF(sparql_mem_mb), 64, 1 << 20},
  {"admin_token", "IMTERM_ADMIN_TOKEN", K_STR, OFF(admin_token), 0, 0},
  {"curator_token", "IMTERM_CURATOR_TOKEN", K_STR, OFF(curator_token), 0, 0},
  {"db", "IMTERM_DB", K_STR, OFF(db_path), 0, 0},
  {"quiet", "IMTERM_QUIET", K_BOOL, OFF(quiet), 0, 1},
};
#undef OFF

const char *imt_config_bundled_dir(void)
{
  struct stat st;
  /* the installed data, else the source tree this binary was built from (run before install) */
  if (stat(IMT_DATADIR "/ontologies", &st) == 0)
    return IMT_DATADIR;
#ifdef IMT_SRCDIR
  if (stat(IMT_SRCDIR "/ontologies", &st) == 0)
    return IMT_SRCDIR;
#endif
  return IMT_DATADIR;
}

void imt_config_init(imt_config *c)
{
  imt_buf web = IMT_BUF_INIT;
  memset(c, 0, sizeof *c);
  c->host = imt_strdup("127.0.0.1");
  c->port = 8080;
  c->data_dir = imt_strdup(imt_config_bundled_dir());
  imt_buf_printf(&web, "%s/web", imt_config_bundled_dir());
  c->web_dir = imt_buf_steal(&web, NULL);
  c->access_log = imt_strdup("-");
  c->max_body = 1 << 20;
  c->max_url = 8192;
  c->max_connections = 1024;
  c->max_per_ip = 256;
  c->conn_timeout = 30;
  c->request_timeout = 20;
  c->shutdown_timeout = 30;
  c->max_json_depth = 64;
  c->max_batch = 1000;
  c->sparql_workers = 2;
  c->sparql_timeout = 10.0;
  c->sparql_row_cap = 10000;
  c->sparql_queue_wait = 2.0;
  c->sparql_mem_mb = 4096;
  c->db_path = imt_strdup("imterm.db");
}

void imt_config_free(imt_config *c)
{
  for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
    if (settings[i].kind == K_STR) {
      char **p = (char **)((char *)c + settings[i].off);
      IMT_FREE(*p);
    }
  IMT_FREE(c->config_file);
}

int imt_config_set(imt_config *c, const char *key, const char *value, imt_error *err)
{
  for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
    const setting *s = &settings[i];
    void *p = (char *)c + s->off;
    char *end;
    if (strcmp(s->key, key) != 0)
      continue;
    if (s->kind == K_STR) {
      char *v = imt_strdup(value);
      if (!v) return imt_error_set(err, IMT_ERR_NOMEM, "out of memory");
      free(*(char **)p);
      *(char **)p = v;
      return 0;
    }
    if (s->kind == K_BOOL) {
      if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes")) *(int *)p = 1;
      else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no")) *(int *)p = 0;
      else return imt_error_set(err, IMT_ERR_INVALID, "setting %s: '%s' is not true or false", key, value);
      return 0;
    }
    errno = 0;
    {
      double d = strtod(value, &end);
      if (errno || end == value || *end || d < s->min || d > s->max ||
          (s->kind != K_DOUBLE && d != (double)(unsigned long long)d))
        return imt_error_set(err, IMT_ERR_INVALID, "setting %s: '%s' is not a number in [%g, %g]", key, value, s->min, s->max);
      if (s->kind == K_UINT) *(unsigned *)p = (unsigned)d;
      else if (s->kind == K_SIZE) *(size_t *)p = (size_t)d;
      else *(double *)p = d;
    }
    return 0;
  }
  return imt_error_set(err, IMT_ERR_INVALID, "unknown setting '%s'", key);
}

static char *trim(char *s)
{
  char *e;
  while (isspace((unsigned char)*s)) s++;
  e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
  return s;
}

int imt_config_load(imt_config *c, const char *file, imt_error *err)
{
  if (!file)
    file = getenv("IMTERM_CONFIG");
  if (file && *file) {
    FILE *f = fopen(file, "r");
    char line[4096];
    size_t n = 0;
    if (!f)
      return imt_error_set(err, IMT_ERR_IO, "%s: cannot open config file: %s", file, strerror(errno));
    while (fgets(line, sizeof line, f)) {
      char *k, *eq, *hash;
      n++;
      if ((hash = strchr(line, '#')))
        *hash = '\0';
      k = trim(line);
      if (!*k)
        continue;
      eq = strchr(k, '=');
      if (!eq) {
        fclose(f);
        return imt_error_set(err, IMT_ERR_SYNTAX, "%s:%zu: expected 'key = value'", file, n);
      }
      *eq = '\0';
      if (imt_config_set(c, trim(k), trim(eq + 1), err)) {
        char msg[sizeof err->message];
        fclose(f);
        snprintf(msg, sizeof msg, "%s", err ? err->message : "");
        return imt_error_set(err, IMT_ERR_INVALID, "%s:%zu: %s", file, n, msg);
      }
    }
    fclose(f);
    free(c->config_file);
    c->config_file = imt_strdup(file);
  }
  for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
    const char *v = getenv(settings[i].env);
    if (v && *v && imt_config_set(c, settings[i].key, v, err)) {
      char msg[sizeof err->message];
      snprintf(msg, sizeof msg, "%s", err ? err->message : "");
      return imt_error_set(err, IMT_ERR_INVALID, "environment %s: %s", settings[i].env, msg);
    }
  }
  return 0;
}
