/* imt_url.c - UTF-8 validation, percent-decoding, query strings and route patterns: the parsing
 * of everything a client puts in a URL, kept free of server state so it can be fuzzed. */
#include "config.h"
#include "imt.h"
#include "imt_url.h"

#include <stdlib.h>
#include <string.h>

int imt_utf8_valid(const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *)s, *e = p + len;
  while (p < e) {
    unsigned c = *p;
    size_t n;
    unsigned cp;
    if (c == 0) return 0;
    if (c < 0x80) { p++; continue; }
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; if (c < 0xC2) return 0; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else return 0;
    if ((size_t)(e - p) <= n) return 0;
    for (size_t i = 1; i <= n; i++) {
      if ((p[i] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return 0;
    p += n + 1;
  }
  return 1;
}

static int hexval(int c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char *imt_percent_decode(const char *s, size_t len, int plus_is_space, int utf8)
{
  char *out = imt_malloc(len + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '%') {
      int h, l;
      if (i + 2 >= len) { free(out); return NULL; }
      h = hexval((unsigned char)s[i + 1]);
      l = hexval((unsigned char)s[i + 2]);
      if (h < 0 || l < 0) { free(out); return NULL; }
      *o++ = (char)(h * 16 + l);
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      *o++ = ' ';
    } else {
      *o++ = s[i];
    }
  }
  *o = '\0';
  if (utf8 && !imt_utf8_valid(out, (size_t)(o - out))) {
    free(out);
    return NULL;
  }
  return out;
}

/* One "key[=value]" pair: decode both and hand them to fn. */
static int query_pair(const char *s, size_t len, imt_query_fn fn, void *arg, size_t *bad)
{
  const char *eq = memchr(s, '=', len);
  size_t klen = eq ? (size_t)(eq - s) : len;
  char *k, *v;
  if (!len)
    return 0;
  k = imt_percent_decode(s, klen, 1, 1);
  v = eq ? imt_percent_decode(eq + 1, len - klen - 1, 1, 1) : imt_strdup("");
  if (!k || !v) {
    free(k);
    free(v);
    if (bad) (*bad)++;
    return 0;
  }
  return fn(k, v, arg);
}

int imt_query_parse(const char *q, size_t len, imt_query_fn fn, void *arg, size_t *bad)
{
  size_t start = 0;
  for (size_t i = 0; i <= len; i++)
    if (i == len || q[i] == '&' || q[i] == ';') {
      int rc = query_pair(q + start, i - start, fn, arg, bad);
      if (rc)
        return rc;
      start = i + 1;
    }
  return 0;
}

void imt_route_params_free(imt_route_param *p, int n)
{
  for (int i = 0; i < n; i++)
    IMT_FREE(p[i].value);
}

int imt_route_match(const char *pattern, const char *path, imt_route_param *out, int max, int *nout)
{
  const char *p = pattern, *u = path;
  const char *span[IMT_ROUTE_MAX_PARAMS][2];
  int n = 0;
  *nout = 0;
  if (max > IMT_ROUTE_MAX_PARAMS) max = IMT_ROUTE_MAX_PARAMS;
  /* first the shape, without decoding: most candidate routes fail here */
  while (*p && *u) {
    if (*p == '{') {
      const char *close = strchr(p, '}');
      int rest;
      const char *end;
      if (!close || close == p + 1) return 0;  /* malformed pattern: never matches */
      rest = close[-1] == '*';
      end = rest ? u + strlen(u) : strchr(u, '/');
      if (!end) end = u + strlen(u);
      if (end == u || n >= max) return 0;
      out[n].name = p + 1;
      out[n].name_len = (size_t)(close - p - 1 - rest);
      span[n][0] = u;
      span[n++][1] = end;
      p = close + 1;
      u = end;
      continue;
    }
    if (*p != *u) return 0;
    p++;
    u++;
  }
  if (*p || *u)
    return 0;
  /* then decode the captured segments of the route that matched */
  for (int i = 0; i < n; i++) {
    out[i].value = imt_percent_decode(span[i][0], (size_t)(span[i][1] - span[i][0]), 0, 1);
    if (!out[i].value) {
      imt_route_params_free(out, i);
      return -1;
    }
  }
  *nout = n;
  return 1;
}
