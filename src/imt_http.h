/* imt_http.h - the HTTP layer: server lifecycle, requests, responses, routes as data.
 *
 * A handler receives an imt_req, reads its inputs through the accessors below, and answers
 * exactly once with one of the imt_reply_* functions (or suspends, see imt_req_suspend).
 * Everything a request allocates through imt_req_* is freed when the request completes.
 * The request holds a reference to the current vocabulary snapshot for its whole life.
 */
#ifndef IMT_HTTP_H
#define IMT_HTTP_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "imt.h"
#include "imt_snapshot.h"
#include "imt_url.h"   /* imt_percent_decode, imt_utf8_valid, query strings, route patterns */

struct imt_config;
typedef struct imt_req imt_req;
typedef struct imt_server imt_server;

typedef void (*imt_handler)(imt_req *rq);

/* Route flags */
#define IMT_ROUTE_BODY 0x1   /* reads a request body (max_body applies) */

typedef struct imt_route {
  const char *method;    /* "GET", "POST", ...; GET routes also answer HEAD */
  const char *pattern;   /* "/api/concepts/{ref}/children": {name} captures one path segment,
                            {name*} captures the rest of the path (may contain '/') */
  imt_handler handler;
  size_t max_body;       /* bytes; 0 = the server default; only with IMT_ROUTE_BODY */
  unsigned flags;
} imt_route;

/* Route tables, one per endpoint group, each ended by {NULL}. Listed in imt_routes.c. */
extern const imt_route *const imt_route_tables[];

/* ---- server --------------------------------------------------------------------------------- */
imt_server *imt_server_start(const struct imt_config *cfg, imt_error *err);
/* Port actually bound (useful with port 0). */
unsigned imt_server_port(const imt_server *srv);
/* Stop accepting, finish in-flight requests, free. */
void imt_server_stop(imt_server *srv);
const struct imt_config *imt_server_config(const imt_server *srv);
typedef struct imt_server_counters {
  unsigned connections;      /* open now */
  unsigned in_flight;        /* requests being received or handled now */
  unsigned long refused;     /* answered 503 over max_connections / max_per_ip since start */
  unsigned long timed_out;   /* answered 408 over request_timeout since start */
} imt_server_counters;
void imt_server_stats(const imt_server *srv, imt_server_counters *out);

/* ---- request accessors ---------------------------------------------------------------------- */
const char *imt_req_method(const imt_req *rq);
const char *imt_req_path(const imt_req *rq);          /* raw path, not decoded */
/* Captured path parameter by name, percent-decoded; NULL if the route has no such name. */
const char *imt_req_param(imt_req *rq, const char *name);
/* Query parameter, decoded ('+' is a space); NULL when absent. Repeated: first occurrence.
 * For application/x-www-form-urlencoded POST bodies, form fields are found here too. */
const char *imt_req_query(imt_req *rq, const char *name);
/* All values of a repeated query parameter; returns count, *out borrowed (request lifetime). */
size_t imt_req_query_all(imt_req *rq, const char *name, const char ***out);
/* 1 if any query parameter's value was not valid percent-encoded UTF-8 (then 400 is due). */
int imt_req_query_invalid(imt_req *rq);
const char *imt_req_header(const imt_req *rq, const char *name);  /* request header or NULL */
const char *imt_req_body(const imt_req *rq, size_t *len);         /* NUL-terminated; "" if none */
const char *imt_req_client(const imt_req *rq);                    /* remote address */
/* The vocabulary snapshot this request reads. Never NULL inside a handler. Borrowed. */
const imt_snapshot *imt_req_snapshot(const imt_req *rq);
imt_server *imt_req_server(const imt_req *rq);

/* Request-lifetime memory: freed when the request completes. NULL on OOM. */
void *imt_req_alloc(imt_req *rq, size_t n);
char *imt_req_strdup(imt_req *rq, const char *s);
/* Register p to be freed with free() when the request completes (p may be NULL). */
void *imt_req_own(imt_req *rq, void *p);

/* Content negotiation: the best of `offers` (NULL-terminated media types) for the Accept header,
 * honouring q-values and wildcards; NULL when none is acceptable. A missing Accept header
 * accepts the first offer. */
const char *imt_req_negotiate(const imt_req *rq, const char *const *offers);

/* ---- replies (exactly one per request) ------------------------------------------------------- */
/* Add a response header (copied). */
void imt_reply_header(imt_req *rq, const char *name, const char *value);
/* Body bytes, copied. */
void imt_reply(imt_req *rq, int status, const char *content_type, const char *body, size_t len);
/* Body taken over (freed with free()). */
void imt_reply_take(imt_req *rq, int status, const char *content_type, char *body, size_t len);
/* JSON reply; takes ownership of json (deleted). Content type application/json; charset=utf-8. */
void imt_reply_json(imt_req *rq, int status, cJSON *json);
/* Same with another JSON media type (application/fhir+json, application/ld+json, ...). */
void imt_reply_json_as(imt_req *rq, int status, const char *content_type, cJSON *json);
/* The one place errors are rendered: {"error": code, "message": text}, with status. */
void imt_reply_error(imt_req *rq, int status, const char *code, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));
/* Out of memory while handling: 503 {"error":"out_of_memory"}. */
void imt_reply_oom(imt_req *rq);
int imt_req_replied(const imt_req *rq);

/* ---- asynchronous handlers ------------------------------------------------------------------- */
/* Suspend the connection: the handler returns without replying, and some other thread later
 * replies with imt_reply_* and then calls imt_req_resume(rq) (which may happen before the handler
 * has returned). A handler that suspends and then replies itself need not resume. */
void imt_req_suspend(imt_req *rq);
void imt_req_resume(imt_req *rq);

/* ---- helpers shared by handlers --------------------------------------------------------------- */
/* Parse a non-negative integer parameter; returns 0 and *out, or -1 if present and malformed or
 * out of [min, max]. When absent, *out = dflt. */
int imt_req_uint(imt_req *rq, const char *name, long dflt, long min, long max, long *out);

/* Parse the request body as JSON under the server's limits (max_json_depth, UTF-8, one value).
 * Returns 0 with *out set (caller deletes with cJSON_Delete), or non-zero after replying itself:
 * 400 "bad_json" (syntax, with line and column; or an empty body), 400 "json_too_deep",
 * 400 "bad_encoding" (not UTF-8), 413 "body_too_large", 503 out of memory. Typical use:
 *     cJSON *in;
 *     if (imt_json_parse(rq, &in)) return;      (already answered)  */
int imt_json_parse(imt_req *rq, cJSON **out);

/* Batch endpoints: 0 when n items are within the server's max_batch; otherwise replies 413
 * "batch_too_large" (naming n and the limit) and returns non-zero. */
int imt_req_check_batch(imt_req *rq, size_t n);

/* For a handler that suspends for long without reading the snapshot (POST /admin/reload): give
 * the request's snapshot reference back now, so that publishing a new snapshot does not wait for
 * this request. imt_req_snapshot() returns NULL afterwards. */
void imt_req_drop_snapshot(imt_req *rq);

#endif
