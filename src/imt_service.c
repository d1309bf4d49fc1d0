/* imt_service.c - owns the store behind the published snapshot, starts dependent services, and
 * reloads them together. */
#include "config.h"
#include "imt.h"
#include "imt_config.h"
#include "imt_service.h"
#include "imt_store.h"
#include "imt_vocab.h"
#include "imt_misslog.h"
#include "imt_proposals.h"
#include "imt_sparql_pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Services started on a store, declared as data. start() receives the new store; stop() is
 * called for the old one after a successful swap, or at shutdown.
 * swap (optional, may be left out of the entry): at reload, move the running service onto the new
 * store without failing requests (e.g. start new workers, let the old ones finish what they
 * hold, then retire them); returns 0, or non-zero with err set and the service still running on
 * the old store. Services without swap are stopped and started again, so their requests in that
 * window fail (503). */
typedef struct service {
  const char *name;
  int (*start)(const imt_config *cfg, imt_store *st, imt_error *err);
  void (*stop)(void);
  int (*swap)(const imt_config *cfg, imt_store *st, imt_error *err);
} service;

/* One line per service; swap may be left out (NULL). The SPARQL pool swaps: queries in flight
 * finish on the old data, new ones run on the new data. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const service services[] = {
  {"misslog", imt_misslog_start, imt_misslog_stop},
  {"proposals", imt_proposals_start, imt_proposals_stop},
  {"sparql", imt_sparql_pool_start, imt_sparql_pool_stop, imt_sparql_pool_swap},
  {NULL, NULL, NULL}
};
#pragma GCC diagnostic pop

/* lock: current_store and the services' start/stop. reload_lock: one reload at a time (the long
 * part, loading the data, holds only this one, so requests never wait for a reload). status_lock:
 * the figures /health reads. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t status_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t async_done = PTHREAD_COND_INITIALIZER;
static imt_store *current_store;
static imt_reload_status status;
static unsigned async_running;   /* background reload threads alive, under status_lock */

static int start_all(const imt_config *cfg, imt_store *st, imt_error *err)
{
  for (const service *s = services; s->name; s++)
    if (s->start(cfg, st, err))
      return err ? err->code : IMT_ERR_INTERNAL;
  return 0;
}

static void stop_all(void)
{
  for (const service *s = services; s->name; s++)
    s->stop();
}

/* Move every service onto st: swap() where a service has it, else stop() and start(). On failure
 * every service is put back on current_store. Under lock. Returns 0 or the error's code. */
static int swap_all(const imt_config *cfg, imt_store *st, imt_error *err)
{
  const service *s;
  for (s = services; s->name; s++) {
    int rc;
    if (s->swap)
      rc = s->swap(cfg, st, err);
    else {
      s->stop();
      rc = s->start(cfg, st, err);
    }
    if (rc)
      break;
  }
  if (!s->name)
    return 0;
  {
    /* undo: the failed one and those before it go back to the old store */
    imt_error err2 = {0};
    for (const service *u = services; u <= s && u->name; u++) {
      int rc2;
      if (u->swap && u != s)
        rc2 = u->swap(cfg, current_store, &err2);
      else {
        u->stop();
        rc2 = u->start(cfg, current_store, &err2);
      }
      if (rc2)
        imt_log("error", "reload: service %s failed on the old data too: %s", u->name, err2.message);
    }
  }
  return err ? err->code : IMT_ERR_INTERNAL;
}

int imt_services_load(const imt_config *cfg, imt_snapshot **snap, imt_error *err)
{
  imt_store *st = NULL;
  imt_snapshot *s = imt_vocab_load(cfg->data_dir, &st, 1, err);
  if (!s)
    return err ? err->code : IMT_ERR_INTERNAL;
  if (start_all(cfg, st, err)) {
    imt_snapshot_free(s);
    imt_store_free(st);
    return err ? err->code : IMT_ERR_INTERNAL;
  }
  pthread_mutex_lock(&lock);
  current_store = st;
  pthread_mutex_unlock(&lock);
  *snap = s;
  return 0;
}

/* Record the outcome of a reload for /health. */
static void set_status(int ok, const char *error, double seconds)
{
  pthread_mutex_lock(&status_lock);
  status.attempts++;
  if (!ok)
    status.failures++;
  status.ok = ok;
  status.at = time(NULL);
  status.seconds = seconds;
  snprintf(status.error, sizeof status.error, "%s", ok ? "" : error);
  pthread_mutex_unlock(&status_lock);
}

/* 0 if the last reload succeeded, 1 otherwise. */
static int status_ok_last(void)
{
  int ok;
  pthread_mutex_lock(&status_lock);
  ok = status.ok;
  pthread_mutex_unlock(&status_lock);
  return ok ? 0 : 1;
}

int imt_services_reload(const imt_config *cfg)
{
  imt_error err = {0};
  imt_store *st = NULL, *old;
  imt_snapshot *s;
  double t0 = imt_now();

  pthread_mutex_lock(&reload_lock);
  pthread_mutex_lock(&status_lock);
  status.running = 1;
  pthread_mutex_unlock(&status_lock);
  /* the long part: requests keep reading the published snapshot meanwhile */
  s = imt_vocab_load(cfg->data_dir, &st, 0, &err);
  if (!s) {
    imt_log("error", "reload failed, still serving the previous data: %s", err.message);
    set_status(0, err.message, imt_now() - t0);
    goto out;
  }
  pthread_mutex_lock(&lock);
  if (swap_all(cfg, st, &err)) {
    imt_log("error", "reload: services failed on the new data (%s); they run on the old data", err.message);
    pthread_mutex_unlock(&lock);
    imt_snapshot_free(s);
    imt_store_free(st);
    set_status(0, err.message, imt_now() - t0);
    goto out;
  }
  old = current_store;
  current_store = st;
  pthread_mutex_unlock(&lock);
  {
    unsigned nc = s->n_concepts;
    size_t nt = s->n_triples;
    /* swap: readers move to the new snapshot at once; the old one is freed when its last
     * reader is done (waits here, in the reloading thread only) */
    imt_snapshot_publish(s);
    imt_store_free(old);
    set_status(1, "", imt_now() - t0);
    imt_log("info", "reloaded: %u concepts, %zu triples (%.2f s)", nc, nt, imt_now() - t0);
  }
out:
  pthread_mutex_lock(&status_lock);
  status.running = 0;
  pthread_mutex_unlock(&status_lock);
  pthread_mutex_unlock(&reload_lock);
  return status_ok_last();
}

/* A background reload. Threads are joinable and joined (not detached) so that nothing of theirs,
 * such as libxml2's per-thread state freed by a TLS destructor, is still alive at exit. The list
 * is under status_lock. */
typedef struct async_job {
  struct async_job *next;
  pthread_t thread;
  int finished;                   /* async_main returned (join will not block for long) */
  const imt_config *cfg;
  void (*done)(int rc, void *arg);
  void *arg;
} async_job;
static async_job *jobs;

static void *async_main(void *p)
{
  async_job *job = p;
  int rc = imt_services_reload(job->cfg);
  if (job->done)
    job->done(rc, job->arg);
  pthread_mutex_lock(&status_lock);
  job->finished = 1;
  async_running--;
  pthread_cond_broadcast(&async_done);
  pthread_mutex_unlock(&status_lock);
  return NULL;
}

/* Join and free finished jobs (all == 0) or every job (all == 1, after they have finished).
 * Called without status_lock held. */
static void reap_jobs(int all)
{
  for (;;) {
    async_job *j = NULL;
    pthread_mutex_lock(&status_lock);
    for (async_job **pp = &jobs; *pp; pp = &(*pp)->next)
      if (all || (*pp)->finished) {
        j = *pp;
        *pp = j->next;
        break;
      }
    pthread_mutex_unlock(&status_lock);
    if (!j)
      return;
    pthread_join(j->thread, NULL);
    free(j);
  }
}

int imt_services_reload_async(const imt_config *cfg, void (*done)(int rc, void *arg), void *arg)
{
  async_job *job;
  reap_jobs(0);
  job = IMT_CALLOC(async_job, 1);
  if (!job)
    return IMT_ERR_NOMEM;
  job->cfg = cfg;
  job->done = done;
  job->arg = arg;
  pthread_mutex_lock(&status_lock);
  async_running++;
  if (pthread_create(&job->thread, NULL, async_main, job)) {
    async_running--;
    pthread_mutex_unlock(&status_lock);
    free(job);
    return IMT_ERR_INTERNAL;
  }
  job->next = jobs;
  jobs = job;
  pthread_mutex_unlock(&status_lock);
  return 0;
}

void imt_services_wait_reloads(void)
{
  pthread_mutex_lock(&status_lock);
  while (async_running)
    pthread_cond_wait(&async_done, &status_lock);
  pthread_mutex_unlock(&status_lock);
  reap_jobs(1);
}

void imt_services_status(imt_reload_status *out)
{
  pthread_mutex_lock(&status_lock);
  *out = status;
  pthread_mutex_unlock(&status_lock);
}

void imt_services_last_error(char *buf, size_t len)
{
  pthread_mutex_lock(&status_lock);
  snprintf(buf, len, "%s", status.ok || !status.attempts ? "" : status.error);
  pthread_mutex_unlock(&status_lock);
}

void imt_services_stop(void)
{
  imt_services_wait_reloads();
  pthread_mutex_lock(&lock);
  stop_all();
  imt_store_free(current_store);
  current_store = NULL;
  pthread_mutex_unlock(&lock);
}
