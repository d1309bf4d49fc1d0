/* imt_service.h - what `serve` starts beside the HTTP server: the vocabulary (store + snapshot)
 * and the background services that depend on it (SPARQL workers, miss log, ...). Reload goes
 * through here so every service sees the new data. */
#ifndef IMT_SERVICE_H
#define IMT_SERVICE_H

#include "imt.h"
#include "imt_snapshot.h"

#include <time.h>

struct imt_config;

/* Load cfg->data_dir and start the services on it. *snap receives the snapshot to publish.
 * Returns 0 or non-zero with err naming file and line. */
int imt_services_load(const struct imt_config *cfg, imt_snapshot **snap, imt_error *err);
/* Reload the data in the calling thread; on success swap store, services and snapshot; on
 * failure keep serving the old data and record the error (reported by /health).
 * Returns 0 on success. Serialized internally. */
int imt_services_reload(const struct imt_config *cfg);
/* Run imt_services_reload in a new background thread; done (may be NULL) is called from that
 * thread with its result (0 = reloaded) when it finishes. Returns 0 if the thread started. */
int imt_services_reload_async(const struct imt_config *cfg, void (*done)(int rc, void *arg), void *arg);
/* Wait until every background reload has finished (imt_services_stop does this first). */
void imt_services_wait_reloads(void);

/* What /health reports about reloads. */
typedef struct imt_reload_status {
  unsigned attempts, failures;   /* reloads since start (the first load is not one) */
  int ok;                        /* the last reload succeeded (meaningless when attempts == 0) */
  int running;                   /* a reload is in progress */
  time_t at;                     /* when the last one ended */
  double seconds;                /* how long it took */
  char error[512];               /* its error, naming file and line; "" when ok */
} imt_reload_status;
void imt_services_status(imt_reload_status *out);

/* Last reload error message, or "" when the last reload succeeded (copied into buf). */
void imt_services_last_error(char *buf, size_t len);
void imt_services_stop(void);

#endif
