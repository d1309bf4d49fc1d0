/* imt_pinyin.c - readings lookup over the generated Unihan table and pinyin keys for search. */
#include "config.h"
#include "imt.h"
#include "imt_pinyin.h"
#include "imt_text.h"

#include <string.h>

/* Row of cp or NULL (binary search over the sorted generated table). */
static const imt_pinyin_row *row_of(uint32_t cp)
{
  unsigned lo = 0, hi = imt_pinyin_n_rows;
  while (lo < hi) {
    unsigned mid = lo + (hi - lo) / 2;
    if (imt_pinyin_rows[mid].cp < cp) lo = mid + 1;
    else hi = mid;
  }
  return lo < imt_pinyin_n_rows && imt_pinyin_rows[lo].cp == cp ? &imt_pinyin_rows[lo] : NULL;
}

int imt_pinyin_of(uint32_t cp, const char *out[IMT_PINYIN_MAXR])
{
  const imt_pinyin_row *r = row_of(cp);
  int n = 0;
  if (!r) return 0;
  for (int i = 0; i < IMT_PINYIN_MAXR && r->r[i] != 0xFFFF; i++)
    out[n++] = imt_pinyin_syllables[r->r[i]];
  return n;
}

int imt_pinyin_homophone(uint32_t a, uint32_t b)
{
  const imt_pinyin_row *ra = row_of(a), *rb = row_of(b);
  if (!ra || !rb) return 0;
  for (int i = 0; i < IMT_PINYIN_MAXR && ra->r[i] != 0xFFFF; i++)
    for (int j = 0; j < IMT_PINYIN_MAXR && rb->r[j] != 0xFFFF; j++)
      if (ra->r[i] == rb->r[j]) return 1;
  return 0;
}

size_t imt_pinyin_key(const char *text, size_t len, int initials, int alt, char *buf, size_t cap,
                      int *n_poly)
{
  const unsigned char *s = (const unsigned char *)text;
  size_t pos = 0, w = 0;
  int han = 0, poly = 0;
  if (!cap) return 0;
  while (pos < len) {
    uint32_t cp;
    const char *add = NULL;
    char one[2] = {0, 0};
    pos += (size_t)imt_utf8_decode(s + pos, len - pos, &cp);
    if (cp < 0x80) {
      if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) { one[0] = (char)cp; add = one; }
      else if (cp >= 'A' && cp <= 'Z') { one[0] = (char)(cp - 'A' + 'a'); add = one; }
    } else {
      const imt_pinyin_row *r = row_of(cp);
      if (r) {
        int k = 0;
        han = 1;
        if (r->r[1] != 0xFFFF) {
          poly++;
          if (alt == poly) k = 1;
        }
        add = imt_pinyin_syllables[r->r[k]];
      }
    }
    if (!add) continue;
    if (initials && add[0] && add != one) { one[0] = add[0]; one[1] = 0; add = one; }
    for (const char *p = add; *p && w + 1 < cap; p++)
      buf[w++] = *p;
  }
  buf[w] = '\0';
  if (n_poly) *n_poly = poly;
  return han ? w : 0;
}
