/* imt.h - what every imterm module shares: the error convention, allocation and logging.
 *
 * Error convention (one for the whole code base, as in librdf):
 *   - constructors return a pointer, NULL on failure;
 *   - other functions return 0 on success and non-zero (an imt_err) on failure;
 *   - a function that can fail for a reason a user must read takes an `imt_error *` and fills it
 *     (message names file and line where there is one).
 * Ownership: every function comment says who owns what it returns; "borrowed" means the caller
 * must not free it and it lives as long as the object it came from.
 */
#ifndef IMT_H
#define IMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define IMT_VERSION_STRING PACKAGE_VERSION

typedef enum imt_err {
  IMT_OK = 0,
  IMT_ERR_NOMEM,      /* allocation failed */
  IMT_ERR_IO,         /* file could not be read or written */
  IMT_ERR_SYNTAX,     /* input does not parse */
  IMT_ERR_INVALID,    /* input parses but breaks a rule */
  IMT_ERR_NOTFOUND,
  IMT_ERR_LIMIT,      /* a configured limit was exceeded */
  IMT_ERR_INTERNAL
} imt_err;

/* A user-facing error: code plus a message that names file and line where it can. */
typedef struct imt_error {
  imt_err code;
  char message[512];
} imt_error;

/* Fill err (if not NULL) with code and a printf-style message; returns code. */
imt_err imt_error_set(imt_error *err, imt_err code, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

/* Allocation: one place, so that out-of-memory is counted and reported the same way.
 * imt_calloc/imt_malloc/imt_realloc/imt_strdup return NULL on failure and bump a sticky
 * counter that /health reports; callers turn NULL into IMT_ERR_NOMEM (HTTP 503). */
void *imt_calloc(size_t n, size_t size);
void *imt_malloc(size_t size);
void *imt_realloc(void *p, size_t size);
char *imt_strdup(const char *s);
char *imt_strndup(const char *s, size_t n);
unsigned long imt_oom_count(void);
#define IMT_CALLOC(type, n) ((type *)imt_calloc((n), sizeof(type)))
#define IMT_FREE(p) do { free(p); (p) = NULL; } while (0)

/* Logging to stderr with a timestamp; level is "info", "warn" or "error". */
void imt_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void imt_log_set_quiet(int quiet);

/* 1 if name equals (ASCII case-insensitively) one of the '|'-separated words of list. */
int imt_in_alias_list(const char *list, const char *name);

/* Seconds since an arbitrary monotonic origin. */
double imt_now(void);
/* CPU seconds used by the calling thread (for per-core speed figures, immune to other load). */
double imt_thread_cpu_now(void);

#endif
