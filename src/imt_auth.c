/* imt_auth.c - bearer token checks in constant time. */
#include "config.h"
#include "imt_auth.h"

#include <string.h>
#include <strings.h>

int imt_token_equal(const char *given, size_t glen, const char *expected, size_t elen)
{
  /* volatile: keep the compiler from turning the loop into an early-exit comparison */
  volatile unsigned char diff = (unsigned char)(glen != elen);
  for (size_t i = 0; i < elen; i++) {
    /* read a byte of given for every byte of expected; past its end, read its first byte (or 0)
     * so the work does not depend on where given ends */
    unsigned char g = glen ? (unsigned char)given[i < glen ? i : 0] : 0;
    diff |= (unsigned char)(g ^ (unsigned char)expected[i]);
  }
  return diff == 0;
}

enum imt_auth_result imt_auth_bearer(const char *configured, const char *authorization)
{
  const char *tok;
  size_t n;
  if (!configured || !*configured)
    return IMT_AUTH_DISABLED;
  if (!authorization)
    return IMT_AUTH_MISSING;
  while (*authorization == ' ')
    authorization++;
  if (strncasecmp(authorization, "Bearer ", 7) != 0)
    return IMT_AUTH_MISSING;
  tok = authorization + 7;
  while (*tok == ' ')
    tok++;
  n = strlen(tok);
  while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
    n--;
  return imt_token_equal(tok, n, configured, strlen(configured)) ? IMT_AUTH_OK : IMT_AUTH_WRONG;
}
