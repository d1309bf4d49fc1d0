/* imt_service.c - owns the store behind the published snapshot, starts dependent services, and
 * reloads them together. */
#include "config.h"
#include "imt.h"
#include "imt_config.h"
#include "imt_service.h"
#include "imt_store.h"
#include "imt_vocab.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Services started on a store, declared as data. start() receives the new store; stop() is
 * called for the old one after a successful swap, or at shutdown. */
typedef struct service {
  const char *name;
  int (*start)(const imt_config *cfg, imt_store *st, imt_error *err);
  void (*stop)(void);
} service;

static const service services[] = {
  {NULL, NULL, NULL}
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static imt_store *current_store;
static char last_error[512];

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

int imt_services_reload(const imt_config *cfg)
{
  imt_error err = {0};
  imt_store *st = NULL, *old;
  imt_snapshot *s;
  pthread_mutex_lock(&lock);
  s = imt_vocab_load(cfg->data_dir, &st, 1, &err);
  if (!s) {
    snprintf(last_error, sizeof last_error, "%s", err.message);
    imt_log("error", "reload failed, still serving the previous data: %s", err.message);
    pthread_mutex_unlock(&lock);
    return 1;
  }
  stop_all();
  if (start_all(cfg, st, &err)) {
    snprintf(last_error, sizeof last_error, "%s", err.message);
    imt_log("error", "reload: services failed on the new data (%s); restarting them on the old data", err.message);
    stop_all();
    start_all(cfg, current_store, &err);
    imt_snapshot_free(s);
    imt_store_free(st);
    pthread_mutex_unlock(&lock);
    return 1;
  }
  old = current_store;
  current_store = st;
  last_error[0] = '\0';
  imt_snapshot_publish(s);
  imt_store_free(old);
  imt_log("info", "reloaded: %u concepts, %zu triples", s->n_concepts, s->n_triples);
  pthread_mutex_unlock(&lock);
  return 0;
}

void imt_services_last_error(char *buf, size_t len)
{
  pthread_mutex_lock(&lock);
  snprintf(buf, len, "%s", last_error);
  pthread_mutex_unlock(&lock);
}

void imt_services_stop(void)
{
  pthread_mutex_lock(&lock);
  stop_all();
  imt_store_free(current_store);
  current_store = NULL;
  pthread_mutex_unlock(&lock);
}
