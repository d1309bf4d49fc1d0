/* imt_sparql_pool.h - the SPARQL worker pool: pre-forked worker processes that run queries on
 * the store copy-on-write, behind a dispatcher thread, so that no query runs in the server's
 * threads and none can take the server down.
 *
 * Processes: at start the server forks one "zygote" (it holds the store and the query engine's
 * statistics); the zygote forks the workers, at start and whenever one must be replaced, so that
 * no fork ever happens from the multithreaded server except the zygote's own (at start-up before
 * the HTTP threads exist, and at reload from the reloading thread, after which the zygote only
 * runs single-threaded code). Each worker: PR_SET_PDEATHSIG, RLIMIT_AS, a per-query RLIMIT_CPU,
 * and a seccomp filter that denies socket()/connect() (a second wall behind the guard).
 * The dispatcher thread sends each query to an idle worker over a socketpair (framed), kills the
 * worker on the wall-clock timeout (503) or sees it die (500), and asks the zygote for a new one. */
#ifndef IMT_SPARQL_POOL_H
#define IMT_SPARQL_POOL_H

#include "imt.h"
#include "imt_query.h"

struct imt_config;
struct imt_store;

typedef struct imt_sparql_answer {
  int status;            /* 200, or the error status */
  const char *code;      /* error code (status != 200) */
  const char *message;   /* error message (status != 200) */
  const char *ctype;     /* media type (status == 200) */
  char *body;            /* owned by the answer: the callback takes it (or it is freed after) */
  size_t len;
  int truncated;
  unsigned long rows;
  int worker_pid;        /* worker that ran the query, 0 if none */
  int retry_after;       /* seconds for a Retry-After header, 0 for none */
  double seconds;        /* wall-clock time in the worker */
} imt_sparql_answer;

/* Called once per submitted query, on the dispatcher thread. Set a->body to NULL if taken. */
typedef void (*imt_sparql_done)(void *ctx, imt_sparql_answer *a);

/* Service hooks (services[] in imt_service.c). start forks the zygote on st and returns at once;
 * workers become ready in the background. stop answers every pending query with 503 and ends the
 * zygote and all workers. */
int imt_sparql_pool_start(const struct imt_config *cfg, struct imt_store *st, imt_error *err);
void imt_sparql_pool_stop(void);
/* Reload onto st without failing queries in flight (see imt_sparql_pool.c). 0 or error. */
int imt_sparql_pool_swap(const struct imt_config *cfg, struct imt_store *st, imt_error *err);

/* Queue a query. query is copied. Returns 0 (done will be called exactly once, later, from the
 * dispatcher thread) or non-zero when the pool is not running (done is not called). */
int imt_sparql_submit(const char *query, const imt_query_opts *o, imt_sparql_done done, void *ctx);

/* Install the worker's seccomp filter in the calling process (irreversible): socket() and
 * connect() then fail with EACCES. 0 or -1 (unsupported architecture or kernel). */
int imt_sparql_seccomp_install(void);

/* A snapshot of the pool for /sparql/status: workers (pid, state, queries served), respawns. */
typedef struct imt_sparql_status {
  int running;
  unsigned n_workers;
  int pids[64];
  int states[64];          /* 0 spawning, 1 starting, 2 idle, 3 busy */
  unsigned long served, timeouts, crashes, rejected_busy, respawns;
  size_t queued;
  int zygote_pid;
} imt_sparql_status;
void imt_sparql_pool_status(imt_sparql_status *s);

#endif
