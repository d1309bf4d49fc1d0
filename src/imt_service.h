/* imt_service.h - what `serve` starts beside the HTTP server: the vocabulary (store + snapshot)
 * and the background services that depend on it (SPARQL workers, miss log, ...). Reload goes
 * through here so every service sees the new data. */
#ifndef IMT_SERVICE_H
#define IMT_SERVICE_H

#include "imt.h"
#include "imt_snapshot.h"

struct imt_config;

/* Load cfg->data_dir and start the services on it. *snap receives the snapshot to publish.
 * Returns 0 or non-zero with err naming file and line. */
int imt_services_load(const struct imt_config *cfg, imt_snapshot **snap, imt_error *err);
/* Reload the data in the calling thread; on success swap store, services and snapshot; on
 * failure keep serving the old data and record the error (reported by /health).
 * Returns 0 on success. Serialized internally. */
int imt_services_reload(const struct imt_config *cfg);
/* Last reload error message, or "" (copied into buf). */
void imt_services_last_error(char *buf, size_t len);
void imt_services_stop(void);

#endif
