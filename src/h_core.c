/* h_core.c - service-level endpoints: /health. */
#include "config.h"
#include "imt.h"
#include "imt_http.h"
#include "imt_config.h"
#include "imt_snapshot.h"

#include <time.h>

/* h_admin.c: the reload status as JSON (NULL on OOM). */
cJSON *imt_admin_reload_json(void);

/* GET /health: {"status","version","concepts","triples","loaded_at",...} from the snapshot,
 * "last_reload" {ok, at, error, ...} and "connections" {open, in_flight, refused, timed_out, ...}. */
static void h_health(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  cJSON *j = cJSON_CreateObject();
  char ts[32];
  struct tm tm;
  cJSON *reload = imt_admin_reload_json();
  cJSON *conns = cJSON_CreateObject();
  imt_server_counters sc;
  const imt_config *cfg = imt_server_config(imt_req_server(rq));

  if (!j || !reload || !conns) {
    cJSON_Delete(j);
    cJSON_Delete(reload);
    cJSON_Delete(conns);
    imt_reply_oom(rq);
    return;
  }
  gmtime_r(&s->loaded_at, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  /* degraded: serving, but the last reload failed (the previous data is still served) */
  cJSON_AddStringToObject(j, "status", cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(reload, "ok")) ? "degraded" : "ok");
  cJSON_AddStringToObject(j, "version", IMT_VERSION_STRING);
  cJSON_AddStringToObject(j, "vocabulary_version", s->version);
  cJSON_AddNumberToObject(j, "concepts", s->n_concepts);
  cJSON_AddNumberToObject(j, "triples", (double)s->n_triples);
  cJSON_AddNumberToObject(j, "mappings", (double)s->n_mappings);
  cJSON_AddStringToObject(j, "loaded_at", ts);
  cJSON_AddNumberToObject(j, "load_seconds", s->build_seconds);
  cJSON_AddNumberToObject(j, "out_of_memory_events", (double)imt_oom_count());
  cJSON_AddItemToObject(j, "last_reload", reload);
  imt_server_stats(imt_req_server(rq), &sc);
  cJSON_AddNumberToObject(conns, "open", sc.connections);
  cJSON_AddNumberToObject(conns, "in_flight", sc.in_flight);
  cJSON_AddNumberToObject(conns, "max", cfg->max_connections);
  cJSON_AddNumberToObject(conns, "max_per_client", cfg->max_per_ip);
  cJSON_AddNumberToObject(conns, "refused", (double)sc.refused);
  cJSON_AddNumberToObject(conns, "timed_out", (double)sc.timed_out);
  cJSON_AddItemToObject(j, "connections", conns);
  imt_reply_header(rq, "Cache-Control", "no-store");
  imt_reply_json(rq, 200, j);
}

const imt_route imt_routes_core[] = {
  {"GET", "/health", h_health, 0, 0},
  {NULL, NULL, NULL, 0, 0}
};
