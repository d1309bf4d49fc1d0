/* imt_text.c - matching normalization: a per-code-point fold table for the BMP (NFKC + case
 * folding + mark stripping from utf8proc, punctuation folding, OpenCC t2s), built once, then
 * whitespace collapsing and a domain word table, with a map from every output byte back to its
 * input code point. */
#include "config.h"
#include "imt.h"
#include "imt_text.h"

#include <opencc/opencc.h>
#include <utf8proc.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- data: punctuation folding ---------------------------------------------------------------
 * Applied to each code point after NFKC/case folding/lumping. "" drops the character; " " makes
 * it a word separator (collapsed with neighbouring whitespace). */
static const struct { uint32_t cp; const char *to; } punct_fold[] = {
  {'"', ""}, {'\'', ""}, {'`', ""},                 /* quotes: ＂ＧＧＯ＂ -> ggo, crohn's -> crohns */
  {0x2018, ""}, {0x2019, ""}, {0x201C, ""}, {0x201D, ""}, {0x201E, ""}, {0x2032, ""},
  {0x300C, ""}, {0x300D, ""}, {0x300E, ""}, {0x300F, ""},  /* 「」『』 */
  {0x301D, ""}, {0x301E, ""}, {0x301F, ""},                /* 〝〞〟 */
  {0x300A, ""}, {0x300B, ""}, {0x3008, ""}, {0x3009, ""},  /* 《》〈〉 title marks */
  {'-', " "}, {'_', " "}, {0x2010, " "}, {0x2011, " "}, {0x2012, " "}, {0x2013, " "},
  {0x2014, " "}, {0x2015, " "}, {0x2212, " "}, {0x30FC, " "},
  {0x00B7, " "}, {0x2022, " "}, {0x2027, " "}, {0x30FB, " "}, {0x2219, " "},  /* middle dots */
  {0x3002, "."}, {0xFF61, "."},                           /* 。 */
  {0x3001, ","}, {0xFF64, ","},                           /* 、 */
  {0x00D7, "x"}, {0x2715, "x"}, {0x2716, "x"}, {0x2A2F, "x"},  /* × ✕ ✖ ⨯ (3×4 cm) */
  {0x3010, "["}, {0x3011, "]"}, {0x3016, "["}, {0x3017, "]"},  /* 【】〖〗 */
  {0x3014, "("}, {0x3015, ")"}, {0x3018, "("}, {0x3019, ")"},  /* 〔〕〘〙 */
  {0x2236, ":"}, {0xFE30, ":"},                           /* ∶ ︰ ratio colons */
};

/* ---- data: domain words -----------------------------------------------------------------------
 * Regional (Taiwan/Hong Kong) imaging terms that OpenCC's t2s converts character by character
 * but that mainland reports write differently. Written in folded (simplified, lower-case) form;
 * applied after the per-character fold, to labels and queries alike. */
static const struct { const char *from, *to; } domain_words[] = {
  {"电脑断层", "计算机断层"},     /* 電腦斷層(掃描): CT */
  {"电算机断层", "计算机断层"},
  {"磁振造影", "磁共振成像"},     /* Taiwan: MRI */
  {"核磁共振", "磁共振"},         /* colloquial mainland for MR */
  {"超音波", "超声"},             /* Taiwan: ultrasound */
  {"正子断层", "正电子断层"},     /* Taiwan: PET */
  {"正子发射", "正电子发射"},
  {"显影剂", "造影剂"},           /* Taiwan: contrast agent */
  {"血管摄影", "血管造影"},       /* Taiwan: angiography */
  {"肋膜", "胸膜"},               /* Taiwan: pleura (肋膜積水) */
  {"荧光透视", "透视"},
};

/* ---- the BMP table ---------------------------------------------------------------------------- */
#define F_DOMAIN 0x1   /* output starts with the first character of a domain word */

typedef struct fold_entry {
  uint32_t off;   /* into pool */
  uint8_t len;    /* output bytes (0 = dropped) */
  uint8_t flags;
} fold_entry;

static fold_entry *tab;          /* [0x10000] */
static char *pool;
static size_t pool_len;
static uint8_t max_out = 8;      /* longest entry */
static uint32_t *t2s_map;        /* [0x10000]: simplified form of a Han code point, 0 = same */
static int init_rc;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

int imt_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
  unsigned c = s[0];
  if (c < 0x80) { *cp = c; return 1; }
  if (c >= 0xC2 && c <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80) {
    *cp = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
    uint32_t v = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) { *cp = v; return 3; }
  } else if (c >= 0xF0 && c <= 0xF4 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80
             && (s[3] & 0xC0) == 0x80) {
    uint32_t v = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    if (v >= 0x10000 && v <= 0x10FFFF) { *cp = v; return 4; }
  }
  *cp = 0xFFFD;
  return 1;
}

int imt_is_han(uint32_t cp)
{
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
      || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F);
}

static size_t put_utf8(char *o, uint32_t cp)
{
  return (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)o);
}

static const char *punct_lookup(uint32_t cp)
{
  for (size_t i = 0; i < sizeof punct_fold / sizeof punct_fold[0]; i++)
    if (punct_fold[i].cp == cp)
      return punct_fold[i].to;
  return NULL;
}

static int is_space_cp(uint32_t cp)
{
  return cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0x85
      || cp == 0x2028 || cp == 0x2029 || utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ZS;
}

/* Fold one code point through steps 1-3 into o (at least 80 bytes); returns bytes written.
 * Used to build the BMP table and, at run time, for code points beyond the BMP. */
static size_t fold_cp(uint32_t cp, char *o)
{
  utf8proc_int32_t buf[20];
  utf8proc_ssize_t n;
  size_t w = 0;
  utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
  if (is_space_cp(cp)) { o[0] = ' '; return 1; }
  if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CS)
    return 0;
  n = utf8proc_decompose_char((utf8proc_int32_t)cp, buf, 20,
                              UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STABLE | UTF8PROC_IGNORE
                              | UTF8PROC_LUMP | UTF8PROC_STRIPMARK, NULL);
  if (n < 0 || n > 20) { buf[0] = 0xFFFD; n = 1; }
  if (n > 0)
    n = utf8proc_normalize_utf32(buf, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
  if (n < 0) { buf[0] = 0xFFFD; n = 1; }
  for (utf8proc_ssize_t i = 0; i < n && w < 72; i++) {
    uint32_t c = (uint32_t)buf[i];
    const char *p = punct_lookup(c);
    if (p) {
      size_t pl = strlen(p);
      memcpy(o + w, p, pl);
      w += pl;
      continue;
    }
    if (is_space_cp(c)) { o[w++] = ' '; continue; }
    if (t2s_map && c < 0x10000 && t2s_map[c])
      c = t2s_map[c];
    w += put_utf8(o + w, c);
  }
  return w;
}

/* Fill t2s_map from OpenCC: one conversion of every BMP Han character, one per line (so that
 * phrase segmentation never joins two of them). Returns 0 or non-zero. */
static int build_t2s(void)
{
  opencc_t cc = opencc_open("t2s.json");
  size_t cap = 0x10000 * 4, w = 0;
  char *all, *conv, *p;
  uint32_t cp;
  if (cc == (opencc_t)-1) {
    imt_log("error", "OpenCC t2s.json could not be opened (%s): traditional Chinese will not fold "
            "(apt-get install libopencc-data)", opencc_error());
    return IMT_ERR_IO;
  }
  all = imt_malloc(cap);
  t2s_map = IMT_CALLOC(uint32_t, 0x10000);
  if (!all || !t2s_map) { free(all); IMT_FREE(t2s_map); opencc_close(cc); return IMT_ERR_NOMEM; }
  for (cp = 0x3400; cp < 0x10000; cp++)
    if (imt_is_han(cp)) {
      w += put_utf8(all + w, cp);
      all[w++] = '\n';
    }
  all[w] = '\0';
  conv = opencc_convert_utf8(cc, all, w);
  if (!conv) { free(all); opencc_close(cc); return IMT_ERR_INTERNAL; }
  /* walk input and output lines in step */
  p = conv;
  for (cp = 0x3400; cp < 0x10000; cp++) {
    char *nl;
    uint32_t out;
    int l;
    if (!imt_is_han(cp))
      continue;
    nl = strchr(p, '\n');
    if (!nl) break;
    l = imt_utf8_decode((const unsigned char *)p, (size_t)(nl - p), &out);
    if (p + l == nl && out != cp && out != 0xFFFD && out < 0x10000)
      t2s_map[cp] = out;
    p = nl + 1;
  }
  opencc_convert_utf8_free(conv);
  free(all);
  opencc_close(cc);
  return 0;
}

static void build_tables(void)
{
  char tmp[96];
  size_t cap = 0x10000 * 4;
  uint32_t first_domain[sizeof domain_words / sizeof domain_words[0]];
  init_rc = build_t2s();
  tab = IMT_CALLOC(fold_entry, 0x10000);
  pool = imt_malloc(cap);
  if (!tab || !pool) { IMT_FREE(tab); IMT_FREE(pool); init_rc = IMT_ERR_NOMEM; return; }
  for (size_t i = 0; i < sizeof domain_words / sizeof domain_words[0]; i++)
    imt_utf8_decode((const unsigned char *)domain_words[i].from, strlen(domain_words[i].from),
                    &first_domain[i]);
  for (uint32_t cp = 0; cp < 0x10000; cp++) {
    size_t n;
    if (cp >= 0xD800 && cp <= 0xDFFF) { tab[cp].len = 3; n = put_utf8(tmp, 0xFFFD); }
    else n = fold_cp(cp, tmp);
    if (n > 255) n = 255;
    if (pool_len + n > cap) {
      char *np = imt_realloc(pool, cap * 2);
      if (!np) { IMT_FREE(tab); IMT_FREE(pool); init_rc = IMT_ERR_NOMEM; return; }
      pool = np;
      cap *= 2;
    }
    memcpy(pool + pool_len, tmp, n);
    tab[cp].off = (uint32_t)pool_len;
    tab[cp].len = (uint8_t)n;
    pool_len += n;
    if (n > max_out) max_out = (uint8_t)n;
    if (n) {
      uint32_t f;
      imt_utf8_decode((const unsigned char *)tmp, n, &f);
      for (size_t i = 0; i < sizeof first_domain / sizeof first_domain[0]; i++)
        if (first_domain[i] == f) tab[cp].flags |= F_DOMAIN;
    }
  }
}

int imt_text_init(void)
{
  pthread_once(&init_once, build_tables);
  return tab ? init_rc : IMT_ERR_NOMEM;
}

/* ---- folding ---------------------------------------------------------------------------------- */
void imt_folded_free(imt_folded *f)
{
  if (!f) return;
  IMT_FREE(f->text);
  IMT_FREE(f->src);
  f->len = f->n_input_cp = f->cap = 0;
}

static int grow(imt_folded *o, size_t need)
{
  size_t nc = o->cap ? o->cap : 64;
  char *t;
  uint32_t *s;
  while (nc < need) nc *= 2;
  t = imt_realloc(o->text, nc);
  if (!t) return IMT_ERR_NOMEM;
  o->text = t;
  s = imt_realloc(o->src, nc * sizeof *s);
  if (!s) return IMT_ERR_NOMEM;
  o->src = s;
  o->cap = nc;
  return 0;
}

/* Replace domain words in o (rare: only called when a candidate first character was seen). */
static int apply_domain(imt_folded *o)
{
  size_t i = 0;
  while (i < o->len) {
    size_t k;
    for (k = 0; k < sizeof domain_words / sizeof domain_words[0]; k++) {
      size_t fl, tl;
      uint32_t starts[16];
      size_t nst = 0, tail;
      /* first byte before anything else: this loop runs over every byte of long texts */
      if (o->text[i] != domain_words[k].from[0])
        continue;
      fl = strlen(domain_words[k].from);
      tl = strlen(domain_words[k].to);
      if (fl > o->len - i || memcmp(o->text + i, domain_words[k].from, fl) != 0)
        continue;
      /* source offsets of the characters matched, to spread over the replacement */
      for (size_t b = i; b < i + fl && nst < 16; b++)
        if (((unsigned char)o->text[b] & 0xC0) != 0x80) starts[nst++] = o->src[b];
      if (tl > fl && o->len + (tl - fl) + 1 > o->cap && grow(o, o->len + (tl - fl) + 1))
        return IMT_ERR_NOMEM;
      tail = o->len - (i + fl);
      memmove(o->text + i + tl, o->text + i + fl, tail + 1);
      memmove(o->src + i + tl, o->src + i + fl, (tail + 1) * sizeof *o->src);
      memcpy(o->text + i, domain_words[k].to, tl);
      {
        size_t ci = 0;
        for (size_t b = 0; b < tl; b++) {
          if (b && ((unsigned char)domain_words[k].to[b] & 0xC0) != 0x80 && ci + 1 < nst) ci++;
          o->src[i + b] = starts[ci];
        }
      }
      o->len = o->len - fl + tl;
      i += tl;
      break;
    }
    if (k == sizeof domain_words / sizeof domain_words[0])
      i++;
  }
  return 0;
}

int imt_text_refold(const char *in, size_t len, imt_folded *out)
{
  const unsigned char *s = (const unsigned char *)in;
  size_t pos = 0;
  uint32_t cpi = 0, space_src = 0;
  int space = 0, domain = 0;
  if (!tab) imt_text_init();
  if (!tab) { imt_folded_free(out); return IMT_ERR_NOMEM; }
  out->len = 0;
  if (out->cap < len + 16 && grow(out, len + 16)) { imt_folded_free(out); return IMT_ERR_NOMEM; }
  while (pos < len) {
    const char *bytes;
    char slow[96];
    size_t nb;
    uint32_t cp;
    if (s[pos] < 0x80) { cp = s[pos]; pos++; }
    else pos += (size_t)imt_utf8_decode(s + pos, len - pos, &cp);
    if (cp < 0x10000) {
      const fold_entry *e = &tab[cp];
      bytes = pool + e->off;
      nb = e->len;
      domain |= e->flags & F_DOMAIN;
    } else {
      nb = fold_cp(cp, slow);
      bytes = slow;
    }
    if (out->len + nb + 2 > out->cap && grow(out, out->len + nb + 2)) {
      imt_folded_free(out);
      return IMT_ERR_NOMEM;
    }
    for (size_t b = 0; b < nb; b++) {
      if (bytes[b] == ' ') {
        if (!space) space_src = cpi;
        space = 1;
        continue;
      }
      if (space && out->len) {
        out->text[out->len] = ' ';
        out->src[out->len++] = space_src;
      }
      space = 0;
      out->text[out->len] = bytes[b];
      out->src[out->len++] = cpi;
    }
    cpi++;
  }
  out->text[out->len] = '\0';
  out->src[out->len] = cpi;
  out->n_input_cp = cpi;
  if (domain && apply_domain(out)) { imt_folded_free(out); return IMT_ERR_NOMEM; }
  return 0;
}

int imt_text_fold(const char *in, size_t len, imt_folded *out)
{
  memset(out, 0, sizeof *out);
  return imt_text_refold(in, len, out);
}

char *imt_text_key(const char *in)
{
  imt_folded f;
  if (imt_text_fold(in, strlen(in), &f))
    return NULL;
  free(f.src);
  return f.text;
}

size_t imt_text_key_into(const char *in, size_t len, char *buf, size_t cap)
{
  imt_folded f;
  size_t n;
  if (!cap) return 0;
  if (imt_text_fold(in, len, &f)) { buf[0] = '\0'; return 0; }
  n = f.len;
  if (n < cap) memcpy(buf, f.text, n + 1);
  else {
    size_t c = cap - 1;
    while (c > 0 && ((unsigned char)f.text[c] & 0xC0) == 0x80) c--;
    memcpy(buf, f.text, c);
    buf[c] = '\0';
  }
  imt_folded_free(&f);
  return n;
}
