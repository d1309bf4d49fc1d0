/* imt_url.h - pure helpers for the pieces of a request URL: UTF-8 checks, percent-decoding,
 * query strings and route patterns. No server state: the HTTP layer and the fuzz targets share
 * them (tests/fuzz/fuzz_url.c). imt_http.h includes this header. */
#ifndef IMT_URL_H
#define IMT_URL_H

#include <stddef.h>

/* 1 if s (len bytes) is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF)
 * without NUL bytes; 0 otherwise. */
int imt_utf8_valid(const char *s, size_t len);

/* Percent-decode s (len bytes) into a new NUL-terminated string (caller frees); plus_is_space
 * turns '+' into ' '. Returns NULL for a bad escape, on OOM or, when utf8 is set, for invalid
 * UTF-8 (which includes a decoded NUL byte). */
char *imt_percent_decode(const char *s, size_t len, int plus_is_space, int utf8);

/* Called once per "key=value" pair of a query string, both decoded; the callee takes ownership
 * of key and val (free with free()). Returns 0 to go on, non-zero to stop (returned by
 * imt_query_parse). */
typedef int (*imt_query_fn)(char *key, char *val, void *arg);

/* Split q (len bytes, without the '?') at '&' and ';', decode each key and value ('+' is a space,
 * UTF-8 required) and pass them to fn. A pair that does not decode is skipped and counted in
 * *bad (if bad is not NULL). Returns 0, IMT_ERR_NOMEM, or what fn returned. */
int imt_query_parse(const char *q, size_t len, imt_query_fn fn, void *arg, size_t *bad);

/* A captured path parameter: name points into the pattern (name_len bytes, no NUL); value is
 * decoded and owned by the caller (free with imt_route_params_free). */
typedef struct imt_route_param {
  const char *name;
  size_t name_len;
  char *value;
} imt_route_param;

#define IMT_ROUTE_MAX_PARAMS 8   /* captures per pattern (max is capped at this) */

/* Match a raw path against a route pattern ("{name}" = one non-empty segment, "{name*}" = the
 * non-empty rest of the path). The shape is matched first; only a matching route's captures are
 * percent-decoded. On a match returns 1 and fills out[0..*n) (max entries at most); returns 0
 * when it does not match (nothing to free) and -1 when a captured segment of the matching route
 * has a bad escape or is not UTF-8 (nothing to free). */
int imt_route_match(const char *pattern, const char *path, imt_route_param *out, int max, int *n);
void imt_route_params_free(imt_route_param *p, int n);

#endif
