/* h_admin.c - operator endpoints: POST /admin/reload rebuilds store and snapshot in the
 * background and swaps them in atomically (the same path as SIGHUP). Guarded by the bearer token
 * admin_token (IMTERM_ADMIN_TOKEN or the config file); off (403) when none is set. */
#include "config.h"
#include "imt.h"
#include "imt_auth.h"
#include "imt_config.h"
#include "imt_http.h"
#include "imt_service.h"

#include <string.h>
#include <time.h>

/* {"ok","error","at","seconds","attempts","failures","running"} of the reload status; NULL on OOM. */
cJSON *imt_admin_reload_json(void)
{
  imt_reload_status st;
  cJSON *j = cJSON_CreateObject();
  char ts[32] = "";
  struct tm tm;
  if (!j)
    return NULL;
  imt_services_status(&st);
  if (st.attempts) {
    gmtime_r(&st.at, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  if (!cJSON_AddBoolToObject(j, "ok", st.attempts ? st.ok : 1) ||
      !(st.attempts ? cJSON_AddStringToObject(j, "at", ts) : cJSON_AddNullToObject(j, "at")) ||
      !(st.ok || !st.attempts ? cJSON_AddNullToObject(j, "error") : cJSON_AddStringToObject(j, "error", st.error)) ||
      !cJSON_AddNumberToObject(j, "seconds", st.seconds) ||
      !cJSON_AddNumberToObject(j, "attempts", st.attempts) ||
      !cJSON_AddNumberToObject(j, "failures", st.failures) ||
      !cJSON_AddBoolToObject(j, "running", st.running)) {
    cJSON_Delete(j);
    return NULL;
  }
  return j;
}

/* Completion of a reload started by a waiting request: answer it (from the reload thread) and
 * resume its connection. */
static void reload_done(int rc, void *arg)
{
  imt_req *rq = arg;
  cJSON *j = imt_admin_reload_json();
  if (!j) {
    imt_reply_oom(rq);
  } else if (rc == 0) {
    const imt_snapshot_ref ref = imt_snapshot_acquire();
    if (ref.snap) {
      cJSON_AddNumberToObject(j, "concepts", ref.snap->n_concepts);
      cJSON_AddStringToObject(j, "generation", ref.snap->generation);
    }
    imt_snapshot_release(ref);
    imt_reply_json(rq, 200, j);
  } else {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    imt_reply_error(rq, 422, "reload_failed", "the new data did not load; the previous version is still served: %s",
                    cJSON_IsString(e) ? e->valuestring : "unknown error");
    cJSON_Delete(j);
  }
  imt_req_resume(rq);
}

/* POST /admin/reload[?wait=false]: 200 with the reload status once the new data is served,
 * 422 "reload_failed" (old data still served) with the error, or with wait=false 202 at once. */
static void h_reload(imt_req *rq)
{
  const imt_config *cfg = imt_server_config(imt_req_server(rq));
  const char *wait = imt_req_query(rq, "wait");
  int async = wait && (!strcmp(wait, "false") || !strcmp(wait, "0") || !strcmp(wait, "no"));

  switch (imt_auth_bearer(cfg->admin_token, imt_req_header(rq, "Authorization"))) {
  case IMT_AUTH_OK:
    break;
  case IMT_AUTH_DISABLED:
    imt_reply_error(rq, 403, "admin_disabled",
                    "admin endpoints are off: set IMTERM_ADMIN_TOKEN or admin_token in the config file");
    return;
  default:
    imt_reply_header(rq, "WWW-Authenticate", "Bearer realm=\"imterm admin\"");
    imt_reply_error(rq, 401, "unauthorized", "send the admin token as 'Authorization: Bearer <token>'");
    return;
  }
  if (wait && !async && strcmp(wait, "true") && strcmp(wait, "1") && strcmp(wait, "yes")) {
    imt_reply_error(rq, 400, "bad_parameter", "wait must be true or false, not '%s'", wait);
    return;
  }
  if (async) {
    cJSON *j;
    if (imt_services_reload_async(cfg, NULL, NULL)) {
      imt_reply_error(rq, 500, "reload_not_started", "could not start a reload thread");
      return;
    }
    j = cJSON_CreateObject();
    if (!j || !cJSON_AddStringToObject(j, "status", "reloading")) {
      cJSON_Delete(j);
      imt_reply_oom(rq);
      return;
    }
    imt_reply_header(rq, "Location", "/health");
    imt_reply_json(rq, 202, j);
    return;
  }
  /* wait for the outcome without holding a worker thread or the old snapshot */
  imt_req_drop_snapshot(rq);
  imt_req_suspend(rq);
  if (imt_services_reload_async(cfg, reload_done, rq)) {
    imt_reply_error(rq, 500, "reload_not_started", "could not start a reload thread");
    imt_req_resume(rq);
  }
}

const imt_route imt_routes_admin[] = {
  {"POST", "/admin/reload", h_reload, 0, 0},
  {NULL, NULL, NULL, 0, 0}
};
