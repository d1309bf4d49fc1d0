/* imt_buf.c - growable NUL-terminated byte buffer. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(imt_buf *b, size_t need)
{
  size_t cap;
  char *p;

  if (b->oom)
    return IMT_ERR_NOMEM;
  if (b->len + need + 1 <= b->cap)
    return 0;
  cap = b->cap ? b->cap : 64;
  while (cap < b->len + need + 1) {
    if (cap > ((size_t)-1) / 2) { b->oom = 1; return IMT_ERR_NOMEM; }
    cap *= 2;
  }
  p = imt_realloc(b->data, cap);
  if (!p) { b->oom = 1; return IMT_ERR_NOMEM; }
  b->data = p;
  b->cap = cap;
  return 0;
}

int imt_buf_append(imt_buf *b, const void *data, size_t n)
{
  if (grow(b, n))
    return IMT_ERR_NOMEM;
  if (n)
    memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int imt_buf_puts(imt_buf *b, const char *s) { return imt_buf_append(b, s, strlen(s)); }
int imt_buf_putc(imt_buf *b, char c) { return imt_buf_append(b, &c, 1); }

int imt_buf_vprintf(imt_buf *b, const char *fmt, va_list ap)
{
  va_list cp;
  int n;

  va_copy(cp, ap);
  n = vsnprintf(NULL, 0, fmt, cp);
  va_end(cp);
  if (n < 0 || grow(b, (size_t)n))
    return IMT_ERR_NOMEM;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return 0;
}

int imt_buf_printf(imt_buf *b, const char *fmt, ...)
{
  va_list ap;
  int rc;
  va_start(ap, fmt);
  rc = imt_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

char *imt_buf_steal(imt_buf *b, size_t *len)
{
  char *p;
  if (b->oom) { imt_buf_free(b); return NULL; }
  if (!b->data && imt_buf_append(b, "", 0))
    return NULL;
  p = b->data;
  if (len)
    *len = b->len;
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

void imt_buf_reset(imt_buf *b)
{
  b->len = 0;
  b->oom = 0;
  if (b->data)
    b->data[0] = '\0';
}

void imt_buf_free(imt_buf *b)
{
  IMT_FREE(b->data);
  b->len = b->cap = 0;
  b->oom = 0;
}
