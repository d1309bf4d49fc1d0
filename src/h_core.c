/* h_core.c - service-level endpoints: /health. */
#include "config.h"
#include "imt.h"
#include "imt_http.h"
#include "imt_snapshot.h"

#include <time.h>

/* GET /health: {"status","version","concepts","triples","loaded_at",...} from the snapshot. */
static void h_health(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  cJSON *j = cJSON_CreateObject();
  char ts[32];
  struct tm tm;

  gmtime_r(&s->loaded_at, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  cJSON_AddStringToObject(j, "status", "ok");
  cJSON_AddStringToObject(j, "version", IMT_VERSION_STRING);
  cJSON_AddStringToObject(j, "vocabulary_version", s->version);
  cJSON_AddNumberToObject(j, "concepts", s->n_concepts);
  cJSON_AddNumberToObject(j, "triples", (double)s->n_triples);
  cJSON_AddNumberToObject(j, "mappings", (double)s->n_mappings);
  cJSON_AddStringToObject(j, "loaded_at", ts);
  cJSON_AddNumberToObject(j, "load_seconds", s->build_seconds);
  cJSON_AddNumberToObject(j, "out_of_memory_events", (double)imt_oom_count());
  imt_reply_header(rq, "Cache-Control", "no-store");
  imt_reply_json(rq, 200, j);
}

const imt_route imt_routes_core[] = {
  {"GET", "/health", h_health, 0, 0},
  {NULL, NULL, NULL, 0, 0}
};
