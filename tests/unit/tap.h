/* tap.h - minimal TAP output for unit tests: "ok N - name" / "not ok N - name". The runner
 * (tests/run-tests.sh) counts these lines. */
#ifndef IMT_TAP_H
#define IMT_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define CHECK(cond, name) do { \
    tap_n++; \
    if (cond) printf("ok %d - %s\n", tap_n, name); \
    else { tap_failed++; printf("not ok %d - %s (%s:%d: %s)\n", tap_n, name, __FILE__, __LINE__, #cond); } \
  } while (0)

#define CHECK_STR(a, b, name) do { \
    const char *a_ = (a), *b_ = (b); \
    tap_n++; \
    if (a_ && b_ && strcmp(a_, b_) == 0) printf("ok %d - %s\n", tap_n, name); \
    else { tap_failed++; printf("not ok %d - %s (got '%s', want '%s')\n", tap_n, name, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } \
  } while (0)

#define TAP_DONE() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)

/* Source directory of the test data (set by the runner; "." otherwise). */
static inline const char *tap_srcdir(void)
{
  const char *d = getenv("TOP_SRCDIR");
  return d && *d ? d : ".";
}

#endif
