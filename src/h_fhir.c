/* h_fhir.c - the HL7 FHIR R4 terminology endpoints under /fhir: capability statements, reads and
 * searches of CodeSystem / ValueSet / ConceptMap, and the operations of imt_fhir.h, by GET (query
 * parameters) or POST (a Parameters resource, or a form). Errors are OperationOutcome resources
 * with content type application/fhir+json. Reads the snapshot only. */
#include "config.h"
#include "imt.h"
#include "imt_fhir.h"
#include "imt_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FHIR_JSON "application/fhir+json; charset=utf-8"

static const char *const fhir_offers[] = {"application/fhir+json", "application/json+fhir", "application/json", NULL};

/* Send a FHIR result (takes the body). */
static void fhir_reply(imt_req *rq, imt_fhir_result r)
{
  if (!r.body) {
    imt_reply_oom(rq);
    return;
  }
  imt_reply_json_as(rq, r.status, FHIR_JSON, r.body);
}

static void fhir_error(imt_req *rq, int status, const char *code, const char *msg)
{
  fhir_reply(rq, (imt_fhir_result){status, imt_fhir_outcome("error", code, "%s", msg)});
}

/* "http://host/fhir" of this request (a well-formed Host header, else loopback). */
static const char *fhir_base(imt_req *rq)
{
  const char *host = imt_req_header(rq, "Host");
  char buf[300];
  if (!host || !*host || strlen(host) > 255 ||
      strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != strlen(host))
    host = "127.0.0.1";
  snprintf(buf, sizeof buf, "http://%s/fhir", host);
  return imt_req_strdup(rq, buf);
}

/* Checks every FHIR request passes: JSON is the only format (_format, Accept). Replies and
 * returns -1 when the request cannot be served. */
static int fhir_precheck(imt_req *rq)
{
  const char *f = imt_req_query(rq, "_format");
  if (f && strcmp(f, "json") && strcmp(f, "application/fhir+json") && strcmp(f, "application/json") &&
      strcmp(f, "application/json+fhir")) {
    fhir_error(rq, 406, "not-supported", "this server speaks FHIR JSON only (_format=json)");
    return -1;
  }
  if (!imt_req_negotiate(rq, fhir_offers)) {
    fhir_error(rq, 406, "not-supported", "this server answers application/fhir+json only");
    return -1;
  }
  return 0;
}

/* _summary: 0 full, 1 summary; -1 after replying 400. */
static int summary_param(imt_req *rq)
{
  const char *v = imt_req_query(rq, "_summary");
  if (!v || !strcmp(v, "false"))
    return 0;
  if (!strcmp(v, "true") || !strcmp(v, "data") || !strcmp(v, "text") || !strcmp(v, "count"))
    return 1;
  fhir_error(rq, 400, "invalid", "_summary must be true, false, data, text or count");
  return -1;
}

/* GET /fhir/metadata[?mode=terminology] */
static void h_metadata(imt_req *rq)
{
  if (fhir_precheck(rq))
    return;
  fhir_reply(rq, imt_fhir_metadata(imt_req_snapshot(rq), imt_req_query(rq, "mode"), fhir_base(rq)));
}

/* Collect the operation's parameters from the query string (GET, or a form POST) or from a
 * Parameters body (POST). Replies and returns -1 on bad input. */
static int collect_params(imt_req *rq, const char *resource, const char *op, imt_fhir_params *ps)
{
  const char *const *coding_names = NULL;
  const char *const *names = imt_fhir_op_params(resource, op, &coding_names);
  const char *ct = imt_req_header(rq, "Content-Type");
  size_t blen = 0;
  const char *body = imt_req_body(rq, &blen);
  if (!names) {
    char msg[160];
    snprintf(msg, sizeof msg, "operation $%.60s is not supported on %.40s", op, resource);
    fhir_error(rq, 404, "not-supported", msg);
    return -1;
  }
  if (!strcmp(imt_req_method(rq), "POST") && blen > 0 &&
      !(ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33))) {
    char msg[300];
    int rc;
    if (!ct || !(strncasecmp(ct, "application/fhir+json", 21) == 0 || strncasecmp(ct, "application/json", 16) == 0 ||
                 strncasecmp(ct, "application/json+fhir", 21) == 0)) {
      fhir_error(rq, 415, "not-supported", "POST a Parameters resource as application/fhir+json (or a form)");
      return -1;
    }
    rc = imt_fhir_params_parse(ps, body, blen, msg, sizeof msg);
    if (rc == IMT_ERR_NOMEM) {
      imt_reply_oom(rq);
      return -1;
    }
    if (rc) {
      fhir_error(rq, 400, rc == IMT_ERR_SYNTAX ? "structure" : "invalid", msg);
      return -1;
    }
    return 0;
  }
  for (int i = 0; names[i]; i++) {
    const char **vals;
    size_t n = imt_req_query_all(rq, names[i], &vals);
    int coding = 0;
    for (int k = 0; coding_names && coding_names[k]; k++)
      if (!strcmp(coding_names[k], names[i]))
        coding = 1;
    for (size_t j = 0; j < n; j++) {
      int rc = coding ? imt_fhir_params_add_coding_text(ps, names[i], vals[j]) : imt_fhir_params_add(ps, names[i], vals[j]);
      if (rc) {
        imt_reply_oom(rq);
        return -1;
      }
    }
  }
  return 0;
}

/* Run operation op (with its '$') on resource, type- or instance-level. */
static void run_operation(imt_req *rq, const char *resource, const char *instance, const char *op)
{
  imt_fhir_params ps = IMT_FHIR_PARAMS_INIT;
  if (op[0] != '$') {
    fhir_error(rq, 404, "not-found", "unknown path: operations are named $lookup, $validate-code, $subsumes, $expand, $translate");
    return;
  }
  if (collect_params(rq, resource, op + 1, &ps) == 0)
    fhir_reply(rq, imt_fhir_operation(imt_req_snapshot(rq), resource, instance, op + 1, &ps, fhir_base(rq)));
  imt_fhir_params_free(&ps);
}

static int known_type(imt_req *rq, const char *type)
{
  char msg[160];
  if (!strcmp(type, "CodeSystem") || !strcmp(type, "ValueSet") || !strcmp(type, "ConceptMap"))
    return 1;
  snprintf(msg, sizeof msg, "resource type '%.60s' is not supported: this terminology server has CodeSystem, ValueSet and ConceptMap", type);
  fhir_error(rq, 404, "not-supported", msg);
  return 0;
}

/* Search of a type: criteria from the query string (or a form body for POST _search). */
static void search(imt_req *rq, const char *type)
{
  static const char *const criteria[] = {"url", "version", "name", "title", "status", "_id", "system", "source-system",
                                         "target-system", NULL};
  imt_fhir_params ps = IMT_FHIR_PARAMS_INIT;
  int summary = summary_param(rq);
  if (summary < 0)
    return;
  for (int i = 0; criteria[i]; i++) {
    const char *v = imt_req_query(rq, criteria[i]);
    if (v && imt_fhir_params_add(&ps, criteria[i], v)) {
      imt_fhir_params_free(&ps);
      imt_reply_oom(rq);
      return;
    }
  }
  fhir_reply(rq, imt_fhir_search(imt_req_snapshot(rq), type, &ps, fhir_base(rq), summary));
  imt_fhir_params_free(&ps);
}

/* GET /fhir/{type}: search; POST: create is not supported. */
static void h_type(imt_req *rq)
{
  const char *type = imt_req_param(rq, "type");
  if (fhir_precheck(rq) || !known_type(rq, type))
    return;
  if (!strcmp(imt_req_method(rq), "POST")) {
    imt_reply_header(rq, "Allow", "GET, HEAD");
    fhir_error(rq, 405, "not-supported", "this terminology server is read-only: create is not supported");
    return;
  }
  search(rq, type);
}

/* /fhir/{type}/{x}: x = $operation (type level), _search, or a resource id (read). */
static void h_type_x(imt_req *rq)
{
  const char *type = imt_req_param(rq, "type"), *x = imt_req_param(rq, "x");
  int summary;
  if (fhir_precheck(rq) || !known_type(rq, type))
    return;
  if (x[0] == '$') {
    run_operation(rq, type, NULL, x);
    return;
  }
  if (!strcmp(x, "_search")) {
    search(rq, type);
    return;
  }
  if (!strcmp(imt_req_method(rq), "POST")) {
    imt_reply_header(rq, "Allow", "GET, HEAD");
    fhir_error(rq, 405, "not-supported", "this terminology server is read-only: POST is for operations ($lookup, ...)");
    return;
  }
  if ((summary = summary_param(rq)) < 0)
    return;
  fhir_reply(rq, imt_fhir_read(imt_req_snapshot(rq), type, x, summary));
}

/* /fhir/{type}/{id}/{op}: instance-level operation. */
static void h_instance_op(imt_req *rq)
{
  const char *type = imt_req_param(rq, "type"), *id = imt_req_param(rq, "id"), *op = imt_req_param(rq, "op");
  if (fhir_precheck(rq) || !known_type(rq, type))
    return;
  run_operation(rq, type, id, op);
}

/* Anything else under /fhir. */
static void h_unknown(imt_req *rq)
{
  const char *m = imt_req_method(rq);
  if (strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "POST")) {
    imt_reply_header(rq, "Allow", "GET, HEAD, POST");
    fhir_error(rq, 405, "not-supported", "this terminology server is read-only");
    return;
  }
  fhir_error(rq, 404, "not-found", "no such FHIR endpoint; see /fhir/metadata");
}

const imt_route imt_routes_fhir[] = {
  {"GET", "/fhir/metadata", h_metadata, 0, 0},
  {"GET", "/fhir/{type}", h_type, 0, 0},
  {"POST", "/fhir/{type}", h_type, 64 * 1024, IMT_ROUTE_BODY},
  {"GET", "/fhir/{type}/{x}", h_type_x, 0, 0},
  {"POST", "/fhir/{type}/{x}", h_type_x, 256 * 1024, IMT_ROUTE_BODY},
  {"GET", "/fhir/{type}/{id}/{op}", h_instance_op, 0, 0},
  {"POST", "/fhir/{type}/{id}/{op}", h_instance_op, 256 * 1024, IMT_ROUTE_BODY},
  {"GET", "/fhir", h_unknown, 0, 0},
  {"GET", "/fhir/{rest*}", h_unknown, 0, 0},
  {"POST", "/fhir/{rest*}", h_unknown, 64 * 1024, IMT_ROUTE_BODY},
  {"PUT", "/fhir/{rest*}", h_unknown, 64 * 1024, IMT_ROUTE_BODY},
  {"DELETE", "/fhir/{rest*}", h_unknown, 0, 0},
  {"PATCH", "/fhir/{rest*}", h_unknown, 64 * 1024, IMT_ROUTE_BODY},
  {NULL, NULL, NULL, 0, 0}
};
