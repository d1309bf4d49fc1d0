/* imt_text.c - matching normalization: NFKC + case folding per character (utf8proc), whitespace
 * collapsed, with a map from every output byte back to its input code point. */
#include "config.h"
#include "imt.h"
#include "imt_text.h"

#include <utf8proc.h>

#include <stdlib.h>
#include <string.h>

void imt_folded_free(imt_folded *f)
{
  if (!f) return;
  IMT_FREE(f->text);
  IMT_FREE(f->src);
  f->len = f->n_input_cp = 0;
}

/* Append one code point's folded form; returns 0 or IMT_ERR_NOMEM. */
static int emit(imt_folded *o, size_t *cap, utf8proc_int32_t cp, uint32_t from)
{
  utf8proc_int32_t buf[18];
  utf8proc_ssize_t n = utf8proc_decompose_char(cp, buf, 18, UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STABLE, NULL);
  if (n < 0) { buf[0] = 0xFFFD; n = 1; }
  if (n > 18) n = 18;
  n = utf8proc_reencode(buf, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
  if (n < 0) { buf[0] = 0xFFFD; n = 1; }
  for (utf8proc_ssize_t i = 0; i < n; i++) {
    utf8proc_uint8_t bytes[4];
    utf8proc_ssize_t nb = utf8proc_encode_char(buf[i], bytes);
    if (o->len + (size_t)nb + 1 > *cap) {
      size_t nc = *cap * 2 + 16;
      char *t = imt_realloc(o->text, nc);
      uint32_t *s;
      if (!t) return IMT_ERR_NOMEM;
      o->text = t;
      s = imt_realloc(o->src, nc * sizeof *s);
      if (!s) return IMT_ERR_NOMEM;
      o->src = s;
      *cap = nc;
    }
    for (utf8proc_ssize_t b = 0; b < nb; b++) {
      o->text[o->len] = (char)bytes[b];
      o->src[o->len++] = from;
    }
  }
  return 0;
}

int imt_text_fold(const char *in, size_t len, imt_folded *out)
{
  size_t cap = len + 16, pos = 0;
  uint32_t cpi = 0;
  int space = 0;
  memset(out, 0, sizeof *out);
  out->text = imt_malloc(cap);
  out->src = imt_malloc(cap * sizeof *out->src);
  if (!out->text || !out->src) { imt_folded_free(out); return IMT_ERR_NOMEM; }
  while (pos < len) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)in + pos, (utf8proc_ssize_t)(len - pos), &cp);
    if (n <= 0) { cp = 0xFFFD; n = 1; }
    pos += (size_t)n;
    if (utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v') {
      space = 1;
      cpi++;
      continue;
    }
    if (space && out->len) {
      if (emit(out, &cap, ' ', cpi - 1)) { imt_folded_free(out); return IMT_ERR_NOMEM; }
    }
    space = 0;
    if (emit(out, &cap, cp, cpi)) { imt_folded_free(out); return IMT_ERR_NOMEM; }
    cpi++;
  }
  out->text[out->len] = '\0';
  out->src[out->len] = cpi;
  out->n_input_cp = cpi;
  return 0;
}

char *imt_text_key(const char *in)
{
  imt_folded f;
  if (imt_text_fold(in, strlen(in), &f))
    return NULL;
  free(f.src);
  return f.text;
}
