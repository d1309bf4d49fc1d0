/* imt_auth.h - bearer tokens for write endpoints, compared in constant time. */
#ifndef IMT_AUTH_H
#define IMT_AUTH_H

#include <stddef.h>

enum imt_auth_result {
  IMT_AUTH_OK = 0,
  IMT_AUTH_DISABLED,   /* no token configured: writes are off (HTTP 403) */
  IMT_AUTH_MISSING,    /* no "Authorization: Bearer ..." header (HTTP 401) */
  IMT_AUTH_WRONG       /* a token that does not match (HTTP 401) */
};

/* 1 if given (glen bytes) equals expected (elen bytes). Runs in time that depends only on elen
 * (every byte of expected is compared, whatever the content or length of given). */
int imt_token_equal(const char *given, size_t glen, const char *expected, size_t elen);
/* Check an Authorization header value (may be NULL) against the configured token (NULL or ""
 * = none configured). */
enum imt_auth_result imt_auth_bearer(const char *configured, const char *authorization);

#endif
