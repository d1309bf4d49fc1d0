/* imt_util.c - the shared basics declared in imt.h: errors, allocation, logging, clocks. */
#include "config.h"
#include "imt.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static atomic_ulong oom_count;
static int log_quiet;

imt_err imt_error_set(imt_error *err, imt_err code, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

static void *oom(void *p)
{
  if (!p)
    atomic_fetch_add(&oom_count, 1);
  return p;
}

void *imt_calloc(size_t n, size_t size) { return oom(calloc(n ? n : 1, size ? size : 1)); }
void *imt_malloc(size_t size) { return oom(malloc(size ? size : 1)); }
void *imt_realloc(void *p, size_t size) { return oom(realloc(p, size ? size : 1)); }
char *imt_strdup(const char *s) { return s ? oom(strdup(s)) : NULL; }
char *imt_strndup(const char *s, size_t n) { return s ? oom(strndup(s, n)) : NULL; }
unsigned long imt_oom_count(void) { return atomic_load(&oom_count); }

void imt_log_set_quiet(int quiet) { log_quiet = quiet; }

void imt_log(const char *level, const char *fmt, ...)
{
  char ts[32];
  struct timespec now;
  struct tm tm;
  va_list ap;

  if (log_quiet && strcmp(level, "error") != 0)
    return;
  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  va_start(ap, fmt);
  flockfile(stderr);
  fprintf(stderr, "%s imterm %s: ", ts, level);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  funlockfile(stderr);
  va_end(ap);
}

double imt_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double imt_thread_cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int imt_in_alias_list(const char *list, const char *name)
{
  size_t n = strlen(name);
  for (const char *p = list; p && *p;) {
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    if (len == n && strncasecmp(p, name, n) == 0)
      return 1;
    p = bar ? bar + 1 : NULL;
  }
  return 0;
}
