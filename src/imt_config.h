/* imt_config.h - settings of `imterm serve` and the other commands.
 * Precedence (highest first): command-line flags, environment variables (IMTERM_*), the config
 * file (--config FILE or IMTERM_CONFIG), built-in defaults. docs/configuration.md lists them. */
#ifndef IMT_CONFIG_H
#define IMT_CONFIG_H

#include <stddef.h>
#include "imt.h"

typedef struct imt_config {
  char *host;             /* 127.0.0.1 */
  unsigned port;          /* 8080; 0 = any free port */
  char *data_dir;         /* holds ontologies/ and mappings/; default: the installed data */
  char *web_dir;          /* static files; default: the installed web/ */
  char *config_file;      /* the file read, or NULL */
  char *access_log;       /* "-" = stderr (default), "off", or a file path */
  char *port_file;        /* write the bound port here once listening (tests use port 0) */
  unsigned threads;       /* HTTP worker threads; 0 = number of CPUs */
  size_t max_body;        /* bytes; default 1 MiB */
  size_t max_url;         /* bytes; default 8 KiB */
  unsigned max_connections;      /* total */
  unsigned max_per_ip;           /* per client address */
  unsigned conn_timeout;         /* seconds idle before a connection is closed */
  unsigned request_timeout;      /* seconds from the request line to the complete request
                                    (headers and body); slower clients get 408 */
  unsigned shutdown_timeout;     /* seconds SIGTERM waits for in-flight requests */
  unsigned max_json_depth;       /* nesting of arrays/objects in request JSON (imt_json_parse) */
  unsigned max_batch;            /* items per batch request (imt_req_check_batch) */
  /* SPARQL */
  unsigned sparql_workers;       /* pre-forked worker processes */
  double sparql_timeout;         /* seconds of wall clock per query */
  unsigned sparql_row_cap;       /* rows before a result is marked truncated */
  double sparql_queue_wait;      /* seconds to wait for a free worker before 503 */
  size_t sparql_mem_mb;          /* address-space limit per worker */
  /* tokens and storage */
  char *admin_token;
  char *curator_token;
  char *db_path;
  int quiet;
} imt_config;

/* Defaults (data and web from the install prefix, or IMTERM_DATA/IMTERM_WEB). */
void imt_config_init(imt_config *c);
/* Apply file (if any) then environment. Returns 0 or non-zero with err naming file and line. */
int imt_config_load(imt_config *c, const char *file, imt_error *err);
/* Set one key ("port", "host", ...) from a string; used by file, environment and flags.
 * Returns 0 or non-zero with err set ("unknown setting", "bad number"). */
int imt_config_set(imt_config *c, const char *key, const char *value, imt_error *err);
void imt_config_free(imt_config *c);
/* The bundled data directory: the installed one, or the source tree before installation. */
const char *imt_config_bundled_dir(void);

#endif
