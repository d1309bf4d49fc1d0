/* imt_buf.h - a growable byte buffer, always NUL-terminated (like Redis' sds, but a struct). */
#ifndef IMT_BUF_H
#define IMT_BUF_H

#include <stddef.h>
#include <stdarg.h>

typedef struct imt_buf {
  char *data;   /* owned; NUL-terminated when len > 0 or after any append */
  size_t len;
  size_t cap;
  int oom;      /* sticky: set once an append failed; later appends are no-ops */
} imt_buf;

#define IMT_BUF_INIT {NULL, 0, 0, 0}

int imt_buf_append(imt_buf *b, const void *data, size_t n);  /* 0 or IMT_ERR_NOMEM */
int imt_buf_puts(imt_buf *b, const char *s);
int imt_buf_putc(imt_buf *b, char c);
int imt_buf_printf(imt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int imt_buf_vprintf(imt_buf *b, const char *fmt, va_list ap);
/* Take ownership of the data (caller frees); the buffer is reset to empty. Never NULL unless OOM. */
char *imt_buf_steal(imt_buf *b, size_t *len);
void imt_buf_reset(imt_buf *b);  /* keep capacity, len = 0 */
void imt_buf_free(imt_buf *b);   /* frees data; b may be reused after */

#endif
