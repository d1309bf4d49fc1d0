/* imt_json.c - request JSON with limits: depth is checked by a linear scan before cJSON (whose
 * parser recurses once per level) ever sees the text, and bytes must be UTF-8. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_json.h"
#include "imt_url.h"

#include <string.h>

int imt_json_depth(const char *s, size_t len, int limit)
{
  int depth = 0, max = 0, in_str = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (in_str) {
      if (c == '\\') i++;
      else if (c == '"') in_str = 0;
      continue;
    }
    if (c == '"') in_str = 1;
    else if (c == '[' || c == '{') {
      if (++depth > max) {
        max = depth;
        if (max > limit)
          return limit + 1;
      }
    } else if ((c == ']' || c == '}') && depth > 0)
      depth--;
  }
  return max;
}

/* Line and column (1-based, in bytes) of offset off in s. */
static void line_col(const char *s, size_t off, size_t *line, size_t *col)
{
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++) {
    if (s[i] == '\n') { (*line)++; *col = 1; }
    else (*col)++;
  }
}

/* 1 if the len bytes of s are all JSON whitespace (s need not be NUL-terminated). */
static int blank(const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
      return 0;
  return 1;
}

cJSON *imt_json_parse_text(const char *s, size_t len, int max_depth, imt_error *err)
{
  const char *end = NULL;
  cJSON *j;
  size_t line, col, off;

  if (!imt_utf8_valid(s, len)) {
    imt_error_set(err, IMT_ERR_INVALID, "the JSON text is not valid UTF-8 (or contains a NUL byte)");
    return NULL;
  }
  if (imt_json_depth(s, len, max_depth) > max_depth) {
    imt_error_set(err, IMT_ERR_LIMIT, "the JSON nests arrays and objects deeper than %d levels", max_depth);
    return NULL;
  }
  j = cJSON_ParseWithLengthOpts(s, len, &end, 0);
  if (!j) {
    /* end points at the error (cJSON's global error pointer is not thread-safe: not used) */
    off = end && end >= s && end <= s + len ? (size_t)(end - s) : 0;
    line_col(s, off, &line, &col);
    if (blank(s, len))
      imt_error_set(err, IMT_ERR_SYNTAX, "the request body is empty; a JSON value was expected");
    else
      imt_error_set(err, IMT_ERR_SYNTAX, "the body is not valid JSON (line %zu, column %zu)", line, col);
    return NULL;
  }
  /* only whitespace may follow the value */
  off = end ? (size_t)(end - s) : len;
  while (off < len && (s[off] == ' ' || s[off] == '\t' || s[off] == '\r' || s[off] == '\n'))
    off++;
  if (off < len) {
    line_col(s, off, &line, &col);
    cJSON_Delete(j);
    imt_error_set(err, IMT_ERR_SYNTAX, "unexpected data after the JSON value (line %zu, column %zu)", line, col);
    return NULL;
  }
  return j;
}

int imt_json_put_string(imt_buf *b, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = s;
  imt_buf_putc(b, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    imt_buf_append(b, run, (size_t)(s - run));
    if (c == '"') imt_buf_append(b, "\\\"", 2);
    else if (c == '\\') imt_buf_append(b, "\\\\", 2);
    else if (c == '\n') imt_buf_append(b, "\\n", 2);
    else if (c == '\t') imt_buf_append(b, "\\t", 2);
    else if (c == '\r') imt_buf_append(b, "\\r", 2);
    else {
      char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      imt_buf_append(b, u, 6);
    }
    run = s + 1;
  }
  imt_buf_append(b, run, (size_t)(s - run));
  return imt_buf_putc(b, '"');
}

int imt_json_put_key(imt_buf *b, const char *key)
{
  imt_json_put_string(b, key);
  return imt_buf_putc(b, ':');
}
