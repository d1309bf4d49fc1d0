/* imt_matcher.c - Aho-Corasick over the folded, stemmed labels of a snapshot plus the cues: one
 * linear pass per text yields concept mentions, cues and clause/sentence boundaries. */
#include "config.h"
#include "imt.h"
#include "imt_cues.h"
#include "imt_map.h"
#include "imt_matcher.h"
#include "imt_text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* One thing a key stands for: a concept label or a cue. */
typedef struct mpay {
  uint32_t ref;          /* concept index or cue index */
  uint8_t is_cue;
  uint8_t kind;          /* label kind (enum imt_label_kind) */
  uint8_t lang;          /* enum imt_lang */
  uint8_t abbr;          /* capitals-only label: the text must have no lower-case letter */
  const char *simple;    /* the label's match text without folding (to tell exact from variant) */
} mpay;

/* One distinct key of the automaton. */
typedef struct mpat {
  uint32_t first, n;     /* payloads [first, first + n) */
  uint32_t len;          /* key length in bytes */
  uint8_t bstart, bend;  /* key starts / ends with an ASCII letter or digit: needs a word boundary */
  uint8_t has_cue, has_concept;
} mpat;

struct imt_matcher {
  /* automaton: node 0 is the root */
  int32_t root_next[256];
  uint32_t *edge_start;  /* per node: first edge; edge_start[n_nodes] = n_edges */
  uint8_t *edge_byte;
  int32_t *edge_to;
  int32_t *fail, *dict, *out;
  size_t n_nodes;
  mpat *pats;
  size_t n_pats;
  mpay *pays;
  size_t n_pays;
  struct imt_arena *arena;   /* simple keys */
};

/* ---- match text --------------------------------------------------------------------------- */

typedef struct xbuf {
  char *t;
  uint32_t *map;        /* byte of match text -> byte of the source (folded) text; may be NULL */
  size_t len, cap;
  int oom;
  imt_event *bounds;    /* boundaries found while rewriting (when collecting) */
  size_t nb, capb;
} xbuf;

static int xb_grow(xbuf *x, size_t extra)
{
  size_t nc;
  char *t;
  if (x->len + extra + 1 <= x->cap) return 0;
  nc = (x->cap + extra + 1) * 2;
  t = imt_realloc(x->t, nc);
  if (!t) { x->oom = 1; return -1; }
  x->t = t;
  if (x->map) {
    uint32_t *m = imt_realloc(x->map, nc * sizeof *m);
    if (!m) { x->oom = 1; return -1; }
    x->map = m;
  }
  x->cap = nc;
  return 0;
}

static void xb_put(xbuf *x, char c, size_t from)
{
  if (xb_grow(x, 1)) return;
  if (x->map) x->map[x->len] = (uint32_t)from;
  x->t[x->len++] = c;
}

static void xb_space(xbuf *x, size_t from)
{
  if (x->len && x->t[x->len - 1] != ' ')
    xb_put(x, ' ', from);
}

static int is_alnum(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

static int in_list(const char *const *list, const char *w, size_t n)
{
  for (const char *const *u = list; *u; u++)
    if ((*u)[0] == w[0] && strlen(*u) == n && !memcmp(*u, w, n)) return 1;
  return 0;
}

/* Lengths of the suffix rules, measured once (stem() runs for every English word). */
#define MAX_SUFFIX_RULES 256
static uint8_t rule_sl[MAX_SUFFIX_RULES], rule_rl[MAX_SUFFIX_RULES];
static pthread_once_t rule_once = PTHREAD_ONCE_INIT;

static void measure_rules(void)
{
  for (size_t k = 0; k < MAX_SUFFIX_RULES && imt_suffix_rules[k].suffix; k++) {
    rule_sl[k] = (uint8_t)strlen(imt_suffix_rules[k].suffix);
    rule_rl[k] = (uint8_t)strlen(imt_suffix_rules[k].repl);
  }
}

/* Stem the lower-case word w (n bytes) into out (at least n + 8 bytes); returns the length. */
static size_t stem(const char *w, size_t n, char *out)
{
  if (!n)
    return 0;
  pthread_once(&rule_once, measure_rules);
  for (size_t k = 0; k < MAX_SUFFIX_RULES && imt_suffix_rules[k].suffix; k++) {
    const imt_suffix_rule *r = &imt_suffix_rules[k];
    size_t sl = rule_sl[k], rl;
    /* compare the last byte before anything else */
    if (!sl || w[n - 1] != r->suffix[sl - 1]) continue;
    if (n < sl + r->min_stem || memcmp(w + n - sl, r->suffix, sl)) continue;
    rl = rule_rl[k];
    memcpy(out, w, n - sl);
    memcpy(out + n - sl, r->repl, rl);
    return n - sl + rl;
  }
  memcpy(out, w, n);
  return n;
}

static void add_bound(xbuf *x, int kind, size_t from)
{
  imt_event *e;
  if (x->nb == x->capb) {
    size_t nc = x->capb * 2 + 16;
    imt_event *b = imt_realloc(x->bounds, nc * sizeof *b);
    if (!b) { x->oom = 1; return; }
    x->bounds = b;
    x->capb = nc;
  }
  e = &x->bounds[x->nb++];
  memset(e, 0, sizeof *e);
  e->kind = (uint8_t)kind;
  e->mpos = (uint32_t)x->len;
  e->start = (uint32_t)from;   /* source byte for now; turned into code points by the caller */
}

/* Rewrite s (n bytes, folded or raw) into match text. collect: record boundaries. nl: sorted
 * code points of the input's line breaks and src the folded->input map (both may be NULL). */
typedef struct xctx {
  const uint32_t *src;      /* folded byte -> input code point */
  const uint32_t *nl;       /* sorted code points of the input's line breaks */
  size_t n_nl;
  const char *in;           /* the input as sent */
  const uint32_t *cp_byte;  /* input code point -> byte */
} xctx;

/* 1 when the input character behind folded byte i is the enumeration comma 、 (folded to ','),
 * which joins a list (未见A、B及C) instead of ending a clause. */
static int is_dunhao(const xctx *cx, size_t i)
{
  const unsigned char *u;
  if (!cx || !cx->in) return 0;
  u = (const unsigned char *)cx->in + cx->cp_byte[cx->src[i]];
  return u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x81;
}

static void rewrite(xbuf *x, const char *s, size_t n, int collect, const xctx *cx)
{
  const uint32_t *src = cx ? cx->src : NULL, *nl = cx ? cx->nl : NULL;
  size_t n_nl = cx ? cx->n_nl : 0;
  size_t i = 0, k = 0;
  int prev_num = 0;
  uint32_t prev_cp = 0;
  char wbuf[96];
  while (i < n && !x->oom) {
    unsigned char c = (unsigned char)s[i];
    if (is_alnum(c)) {
      size_t j = i, wl;
      int digit = 0;
      while (j < n && is_alnum((unsigned char)s[j])) { digit |= is_digit((unsigned char)s[j]); j++; }
      wl = j - i;
      if (wl < sizeof wbuf - 16) {
        char low[96];
        for (size_t q = 0; q < wl; q++) low[q] = lower(s[i + q]);
        if (!digit && prev_num && in_list(imt_measure_units, low, wl)) {
          xb_space(x, i);
          prev_num = 0;
        } else if (!digit && in_list(imt_skip_words, low, wl)) {
          xb_space(x, i);
        } else {
          size_t sl = digit ? (memcpy(wbuf, low, wl), wl) : stem(low, wl, wbuf);
          if (xb_grow(x, sl)) return;
          for (size_t q = 0; q < sl; q++) {
            if (x->map) x->map[x->len] = (uint32_t)(q + 1 < sl && q < wl ? i + q : j - 1);
            x->t[x->len++] = wbuf[q];
          }
          prev_num = is_digit(c);
        }
      } else {
        if (xb_grow(x, wl)) return;
        for (size_t q = 0; q < wl; q++) {
          if (x->map) x->map[x->len] = (uint32_t)(i + q);
          x->t[x->len++] = lower(s[i + q]);
        }
        prev_num = 0;
      }
      if (src) prev_cp = src[j - 1];
      i = j;
      continue;
    }
    if (c < 0x80) {
      int bound = 0;
      if (is_space(c)) {
        if (collect && src && nl) {
          /* a line break in the whitespace run this space stands for ends the sentence */
          uint32_t here = src[i];
          while (k < n_nl && nl[k] <= prev_cp) k++;
          if (k < n_nl && nl[k] <= here) { add_bound(x, IMT_EV_SENTENCE, i); k++; }
        }
        xb_space(x, i);
        i++;
        continue;
      }
      if (c == '-' || c == '_') { xb_space(x, i); i++; continue; }
      if (c == '.') {
        if (!(i > 0 && is_digit((unsigned char)s[i - 1]) && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
          bound = IMT_EV_SENTENCE;
          prev_num = 0;
        }
      } else if (c == ';' || c == '!' || c == '?') {
        bound = IMT_EV_SENTENCE; prev_num = 0;
      } else if (c == ',' || c == ':') {
        if (!(c == ',' && is_dunhao(cx, i))) bound = IMT_EV_CLAUSE;
        prev_num = 0;
      } else if (c != '(' && c != ')' && c != '/' && c != '*') {
        prev_num = 0;
      }
      if (bound && collect) add_bound(x, bound, i);
      xb_put(x, lower((char)c), i);
      if (src) prev_cp = src[i];
      i++;
      continue;
    }
    {
      size_t cl = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      int bound = 0;
      if (i + cl > n) cl = n - i;
      if (cl == 3) {
        const unsigned char *u = (const unsigned char *)s + i;
        if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x82) bound = IMT_EV_SENTENCE;      /* 。 */
        else if (u[0] == 0xEF && u[1] == 0xBC) {
          if (u[2] == 0x8C || u[2] == 0x9A) bound = IMT_EV_CLAUSE;                      /* ，： */
          else if (u[2] == 0x9B || u[2] == 0x9F || u[2] == 0x81) bound = IMT_EV_SENTENCE; /* ；？！ */
        } else if (u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9)) {
          bound = IMT_EV_SENTENCE;                                                      /* LS PS */
        }
      }
      if (bound && collect) add_bound(x, bound, i);
      /* × between numbers keeps the measurement going (5×6 mm) */
      if (!(cl == 2 && (unsigned char)s[i] == 0xC3 && (unsigned char)s[i + 1] == 0x97)) prev_num = 0;
      if (xb_grow(x, cl)) return;
      for (size_t q = 0; q < cl; q++) {
        if (x->map) x->map[x->len] = (uint32_t)i;
        x->t[x->len++] = s[i + q];
      }
      if (src) prev_cp = src[i];
      i += cl;
    }
  }
  /* drop a trailing space */
  if (x->len && x->t[x->len - 1] == ' ') x->len--;
  if (!x->oom && !xb_grow(x, 0)) x->t[x->len] = '\0';
}

char *imt_matcher_key(const char *s)
{
  xbuf x = {0};
  char *f = imt_text_key(s);
  if (!f) return NULL;
  rewrite(&x, f, strlen(f), 0, NULL);
  free(f);
  if (x.oom || !x.t) { free(x.t); return x.oom ? NULL : imt_strdup(""); }
  return x.t;
}

/* Match text of s without folding (ASCII lower-casing only). Caller frees; NULL on OOM. */
static char *simple_key(const char *s, size_t n)
{
  xbuf x = {0};
  rewrite(&x, s, n, 0, NULL);
  if (x.oom || !x.t) { free(x.t); return x.oom ? NULL : imt_strdup(""); }
  return x.t;
}

/* ---- building ----------------------------------------------------------------------------- */

typedef struct tnode {
  int32_t child, sibling;
  uint8_t byte;
  int32_t out;
} tnode;

typedef struct builder {
  tnode *nodes;
  size_t n, cap;
  mpay *pays;
  uint32_t *pay_pat;
  size_t np, capp;
  imt_map keys;         /* key -> pattern id */
  char **keystr;        /* owned keys by pattern id */
  size_t nk, capk;
} builder;

static int32_t trie_child(builder *b, int32_t u, uint8_t c, int create)
{
  int32_t v;
  for (v = b->nodes[u].child; v >= 0; v = b->nodes[v].sibling)
    if (b->nodes[v].byte == c) return v;
  if (!create) return -1;
  if (b->n == b->cap) {
    size_t nc = b->cap * 2 + 1024;
    tnode *t = imt_realloc(b->nodes, nc * sizeof *t);
    if (!t) return -2;
    b->nodes = t;
    b->cap = nc;
  }
  v = (int32_t)b->n++;
  b->nodes[v].child = -1;
  b->nodes[v].byte = c;
  b->nodes[v].out = -1;
  b->nodes[v].sibling = b->nodes[u].child;
  b->nodes[u].child = v;
  return v;
}

/* Add one key with one payload. Takes ownership of key. Returns 0 or IMT_ERR_NOMEM. */
static int add_key(builder *b, char *key, const mpay *p)
{
  uint32_t pid;
  size_t kl = strlen(key);
  if (!kl) { free(key); return 0; }
  if (imt_map_get(&b->keys, key, kl, &pid)) {
    free(key);
  } else {
    int32_t u = 0;
    if (b->nk == b->capk) {
      size_t nc = b->capk * 2 + 256;
      char **t = imt_realloc(b->keystr, nc * sizeof *t);
      if (!t) { free(key); return IMT_ERR_NOMEM; }
      b->keystr = t;
      b->capk = nc;
    }
    pid = (uint32_t)b->nk;
    b->keystr[b->nk++] = key;
    if (imt_map_put(&b->keys, key, kl, pid)) return IMT_ERR_NOMEM;
    for (size_t i = 0; i < kl; i++) {
      u = trie_child(b, u, (uint8_t)key[i], 1);
      if (u < 0) return IMT_ERR_NOMEM;
    }
    b->nodes[u].out = (int32_t)pid;
  }
  if (b->np == b->capp) {
    size_t nc = b->capp * 2 + 256;
    mpay *t = imt_realloc(b->pays, nc * sizeof *t);
    uint32_t *q;
    if (!t) return IMT_ERR_NOMEM;
    b->pays = t;
    q = imt_realloc(b->pay_pat, nc * sizeof *q);
    if (!q) return IMT_ERR_NOMEM;
    b->pay_pat = q;
    b->capp = nc;
  }
  b->pays[b->np] = *p;
  b->pay_pat[b->np++] = pid;
  return 0;
}

static int label_is_abbr(const char *t)
{
  int upper = 0;
  for (; *t; t++) {
    if (*t >= 'a' && *t <= 'z') return 0;
    if (*t >= 'A' && *t <= 'Z') upper = 1;
  }
  return upper;
}

static int32_t go(const imt_matcher *m, int32_t s, uint8_t c)
{
  uint32_t lo, hi;
  if (s == 0) return m->root_next[c];
  lo = m->edge_start[s];
  hi = m->edge_start[s + 1];
  if (hi - lo <= 8) {
    for (uint32_t e = lo; e < hi; e++)
      if (m->edge_byte[e] == c) return m->edge_to[e];
    return -1;
  }
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (m->edge_byte[mid] < c) lo = mid + 1;
    else if (m->edge_byte[mid] > c) hi = mid;
    else return m->edge_to[mid];
  }
  return -1;
}

static int cmp_u8(const void *a, const void *b)
{
  return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

/* Freeze the trie into sorted edge arrays, compute failure and dictionary links. */
static int freeze(imt_matcher *m, builder *b)
{
  size_t n = b->n, ne = 0;
  int32_t *queue;
  size_t qh = 0, qt = 0;
  m->n_nodes = n;
  m->edge_start = IMT_CALLOC(uint32_t, n + 1);
  m->fail = IMT_CALLOC(int32_t, n);
  m->dict = IMT_CALLOC(int32_t, n);
  m->out = IMT_CALLOC(int32_t, n);
  queue = IMT_CALLOC(int32_t, n);
  m->edge_byte = IMT_CALLOC(uint8_t, n);
  m->edge_to = IMT_CALLOC(int32_t, n);
  if (!m->edge_start || !m->fail || !m->dict || !m->out || !queue || !m->edge_byte || !m->edge_to) {
    free(queue);
    return IMT_ERR_NOMEM;
  }
  for (size_t u = 0; u < n; u++) {
    size_t first = ne;
    m->edge_start[u] = (uint32_t)ne;
    m->out[u] = b->nodes[u].out;
    for (int32_t v = b->nodes[u].child; v >= 0; v = b->nodes[v].sibling) {
      m->edge_byte[ne] = b->nodes[v].byte;
      m->edge_to[ne++] = v;
    }
    /* sort edges by byte (insertion sort keeps edge_to paired) */
    for (size_t i = first + 1; i < ne; i++) {
      uint8_t kb = m->edge_byte[i];
      int32_t kt = m->edge_to[i];
      size_t j = i;
      while (j > first && m->edge_byte[j - 1] > kb) {
        m->edge_byte[j] = m->edge_byte[j - 1];
        m->edge_to[j] = m->edge_to[j - 1];
        j--;
      }
      m->edge_byte[j] = kb;
      m->edge_to[j] = kt;
    }
  }
  m->edge_start[n] = (uint32_t)ne;
  (void)cmp_u8;
  for (int c = 0; c < 256; c++) m->root_next[c] = -1;
  for (uint32_t e = m->edge_start[0]; e < m->edge_start[1]; e++) {
    int32_t v = m->edge_to[e];
    m->root_next[m->edge_byte[e]] = v;
    m->fail[v] = 0;
    m->dict[v] = 0;
    queue[qt++] = v;
  }
  while (qh < qt) {
    int32_t u = queue[qh++];
    for (uint32_t e = m->edge_start[u]; e < m->edge_start[u + 1]; e++) {
      int32_t v = m->edge_to[e], f = m->fail[u], g;
      uint8_t c = m->edge_byte[e];
      while (f != 0 && go(m, f, c) < 0) f = m->fail[f];
      g = go(m, f, c);
      m->fail[v] = g >= 0 && g != v ? g : 0;
      m->dict[v] = m->out[m->fail[v]] >= 0 ? m->fail[v] : m->dict[m->fail[v]];
      queue[qt++] = v;
    }
  }
  free(queue);
  return 0;
}

static int pay_better(const mpay *a, const mpay *b)
{
  if (a->is_cue != b->is_cue) return a->is_cue < b->is_cue;
  if (a->kind != b->kind) return a->kind < b->kind;
  return a->ref < b->ref;
}

imt_matcher *imt_matcher_new(const imt_snapshot *s, imt_error *err)
{
  imt_matcher *m = IMT_CALLOC(imt_matcher, 1);
  builder b = {0};
  int rc = 0;
  if (!m || imt_map_init(&b.keys, 4096) || !(m->arena = imt_arena_new())) goto oom;
  b.cap = 4096;
  b.nodes = IMT_CALLOC(tnode, b.cap);
  if (!b.nodes) goto oom;
  b.n = 1;
  b.nodes[0].child = b.nodes[0].sibling = -1;
  b.nodes[0].out = -1;
  for (uint32_t ci = 0; s && ci < s->n_concepts; ci++) {
    const imt_concept *c = &s->concepts[ci];
    if (c->deprecated) continue;
    for (uint32_t li = 0; li < c->n_labels; li++) {
      const imt_label *l = &c->labels[li];
      mpay p = {0};
      char *key, *simple;
      if (l->lang == IMT_LANG_OTHER) continue;
      key = imt_matcher_key(l->text);
      simple = simple_key(l->text, strlen(l->text));
      if (!key || !simple) { free(key); free(simple); goto oom; }
      p.ref = ci;
      p.kind = l->kind;
      p.lang = l->lang;
      p.abbr = l->lang == IMT_LANG_EN && label_is_abbr(l->text);
      p.simple = imt_arena_strdup(m->arena, simple);
      free(simple);
      if (!p.simple) { free(key); goto oom; }
      if ((rc = add_key(&b, key, &p))) goto oom;
    }
  }
  for (uint32_t i = 0; imt_cues[i].text; i++) {
    mpay p = {0};
    char *key = imt_matcher_key(imt_cues[i].text);
    if (!key) goto oom;
    p.ref = i;
    p.is_cue = 1;
    p.simple = "";
    {
      /* the same cue text listed twice (or two spellings folding together): keep the first */
      uint32_t pid;
      int dup = 0;
      if (imt_map_get(&b.keys, key, strlen(key), &pid))
        for (size_t q = 0; q < b.np; q++)
          if (b.pay_pat[q] == pid && b.pays[q].is_cue) { dup = 1; break; }
      if (dup) { free(key); continue; }
    }
    if ((rc = add_key(&b, key, &p))) goto oom;
  }
  /* group payloads by pattern, best first */
  m->n_pats = b.nk;
  m->pats = IMT_CALLOC(mpat, b.nk ? b.nk : 1);
  m->pays = IMT_CALLOC(mpay, b.np ? b.np : 1);
  if (!m->pats || !m->pays) goto oom;
  for (size_t q = 0; q < b.np; q++) m->pats[b.pay_pat[q]].n++;
  {
    uint32_t acc = 0;
    for (size_t p = 0; p < b.nk; p++) {
      size_t kl = strlen(b.keystr[p]);
      m->pats[p].first = acc;
      acc += m->pats[p].n;
      m->pats[p].n = 0;
      m->pats[p].len = (uint32_t)kl;
      m->pats[p].bstart = (uint8_t)is_alnum((unsigned char)b.keystr[p][0]);
      m->pats[p].bend = (uint8_t)is_alnum((unsigned char)b.keystr[p][kl - 1]);
    }
  }
  for (size_t q = 0; q < b.np; q++) {
    mpat *pt = &m->pats[b.pay_pat[q]];
    size_t at = pt->first + pt->n++;
    /* insertion into the pattern's slice, best first */
    while (at > pt->first && pay_better(&b.pays[q], &m->pays[at - 1])) {
      m->pays[at] = m->pays[at - 1];
      at--;
    }
    m->pays[at] = b.pays[q];
    if (b.pays[q].is_cue) pt->has_cue = 1; else pt->has_concept = 1;
  }
  m->n_pays = b.np;
  if (freeze(m, &b)) goto oom;
  for (size_t p = 0; p < b.nk; p++) free(b.keystr[p]);
  free(b.keystr);
  free(b.nodes);
  free(b.pays);
  free(b.pay_pat);
  imt_map_free(&b.keys);
  return m;
oom:
  for (size_t p = 0; p < b.nk; p++) free(b.keystr[p]);
  free(b.keystr);
  free(b.nodes);
  free(b.pays);
  free(b.pay_pat);
  imt_map_free(&b.keys);
  imt_matcher_free(m);
  imt_error_set(err, IMT_ERR_NOMEM, "out of memory building the text matcher");
  return NULL;
}

void imt_matcher_free(imt_matcher *m)
{
  if (!m) return;
  free(m->edge_start);
  free(m->edge_byte);
  free(m->edge_to);
  free(m->fail);
  free(m->dict);
  free(m->out);
  free(m->pats);
  free(m->pays);
  if (m->arena) imt_arena_free(m->arena);
  free(m);
}

size_t imt_matcher_states(const imt_matcher *m) { return m ? m->n_nodes : 0; }
size_t imt_matcher_keys(const imt_matcher *m) { return m ? m->n_pats : 0; }

int imt_matcher_ext_build(imt_snapshot *s, imt_error *err)
{
  imt_matcher *m = imt_matcher_new(s, err);
  if (!m) return IMT_ERR_NOMEM;
  s->ext[IMT_EXT_MATCHER] = m;
  return 0;
}

void imt_matcher_ext_free(void *p) { imt_matcher_free(p); }

const imt_matcher *imt_matcher_of(const imt_snapshot *s)
{
  return s ? (const imt_matcher *)s->ext[IMT_EXT_MATCHER] : NULL;
}

/* ---- scanning ----------------------------------------------------------------------------- */

typedef struct rawm {
  uint32_t pat;
  uint32_t s, e;         /* match-text bytes */
  uint32_t pay;          /* chosen payload (absolute index) */
  uint8_t is_cue;
} rawm;

/* Sort n items of sz bytes (sz <= 32): insertion sort up to `few` items, where glibc's qsort
 * would allocate a buffer on every call; qsort beyond. */
static void sort_few(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *), size_t few)
{
  unsigned char *a = base, v[32];
  if (n > few || sz > sizeof v) {
    if (n > 1) qsort(base, n, sz, cmp);
    return;
  }
  for (size_t i = 1; i < n; i++) {
    size_t j = i;
    memcpy(v, a + i * sz, sz);
    for (; j > 0 && cmp(a + (j - 1) * sz, v) > 0; j--)
      memcpy(a + j * sz, a + (j - 1) * sz, sz);
    memcpy(a + j * sz, v, sz);
  }
}

static int cmp_longest(const void *a, const void *b)
{
  const rawm *x = a, *y = b;
  uint32_t lx = x->e - x->s, ly = y->e - y->s;
  if (lx != ly) return lx > ly ? -1 : 1;
  if (x->s != y->s) return x->s < y->s ? -1 : 1;
  return 0;
}

static int cmp_event(const void *a, const void *b)
{
  const imt_event *x = a, *y = b;
  if (x->mpos != y->mpos) return x->mpos < y->mpos ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return 0;
}

static int lang_ok(const mpay *p, unsigned langs)
{
  if (p->lang == IMT_LANG_EN)
    return (langs & IMT_MATCH_LANG_EN) || (p->abbr && (langs & IMT_MATCH_LANG_ABBR));
  return (langs & IMT_MATCH_LANG_ZH) != 0;
}

void imt_scan_free(imt_scan *sc)
{
  if (!sc) return;
  IMT_FREE(sc->ev);
  IMT_FREE(sc->cp_byte);
  sc->n = 0;
}

static int push_raw(rawm **r, size_t *n, size_t *cap, const rawm *m)
{
  if (*n == *cap) {
    size_t nc = *cap * 2 + 64;
    rawm *t = imt_realloc(*r, nc * sizeof *t);
    if (!t) return IMT_ERR_NOMEM;
    *r = t;
    *cap = nc;
  }
  (*r)[(*n)++] = *m;
  return 0;
}

int imt_matcher_scan(const imt_matcher *m, const char *text, size_t len, unsigned langs,
                     imt_scan *out)
{
  imt_folded f = {0};
  xbuf x = {0};
  uint32_t *nl = NULL, ncp = 0;
  size_t n_nl = 0, cap_nl = 0, nr = 0, capr = 0, nev = 0;
  rawm *raw = NULL;
  uint8_t *taken = NULL;
  imt_event *ev = NULL;
  int rc = IMT_ERR_NOMEM;

  memset(out, 0, sizeof *out);
  /* code point -> byte offsets and the line breaks of the input */
  out->cp_byte = imt_malloc((len + 1) * sizeof *out->cp_byte);
  if (!out->cp_byte) goto done;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if ((c & 0xC0) == 0x80) continue;
    if (c == '\n' || c == '\r') {
      if (n_nl == cap_nl) {
        size_t nc = cap_nl * 2 + 64;
        uint32_t *t = imt_realloc(nl, nc * sizeof *t);
        if (!t) goto done;
        nl = t;
        cap_nl = nc;
      }
      nl[n_nl++] = ncp;
    }
    out->cp_byte[ncp++] = (uint32_t)i;
  }
  out->cp_byte[ncp] = (uint32_t)len;
  out->n_input_cp = ncp;
  if (imt_text_fold(text, len, &f)) goto done;
  x.cap = f.len * 5 / 4 + 64;
  x.t = imt_malloc(x.cap);
  x.map = imt_malloc(x.cap * sizeof *x.map);
  if (!x.t || !x.map) goto done;
  {
    xctx cx = {f.src, nl, n_nl, text, out->cp_byte};
    rewrite(&x, f.text, f.len, 1, &cx);
  }
  if (x.oom) goto done;

  /* one pass of the automaton */
  if (m) {
    int32_t st = 0;
    const unsigned char *t = (const unsigned char *)x.t;
    for (size_t i = 0; i < x.len; i++) {
      uint8_t c = t[i];
      int32_t o;
      for (;;) {
        int32_t g = go(m, st, c);
        if (g >= 0) { st = g; break; }
        if (st == 0) break;
        st = m->fail[st];
      }
      o = m->out[st] >= 0 ? st : m->dict[st];
      while (o > 0) {
        const mpat *p = &m->pats[m->out[o]];
        uint32_t e = (uint32_t)i + 1, s = e - p->len;
        if ((!p->bstart || s == 0 || !is_alnum(t[s - 1])) && (!p->bend || e >= x.len || !is_alnum(t[e]))) {
          rawm r = {0};
          r.pat = (uint32_t)m->out[o];
          r.s = s;
          r.e = e;
          if (p->has_concept) {
            /* the best payload this text may match (language, capitals of abbreviations) */
            for (uint32_t q = p->first; q < p->first + p->n; q++) {
              const mpay *py = &m->pays[q];
              if (py->is_cue || !lang_ok(py, langs)) continue;
              if (py->abbr) {
                uint32_t a = f.src[x.map[s]], b = f.src[x.map[e - 1]] + 1, bad = 0;
                for (uint32_t bi = out->cp_byte[a]; bi < out->cp_byte[b]; bi++)
                  if (text[bi] >= 'a' && text[bi] <= 'z') { bad = 1; break; }
                if (bad) continue;
              }
              r.pay = q;
              r.is_cue = 0;
              if (push_raw(&raw, &nr, &capr, &r)) goto done;
              break;
            }
          }
          if (p->has_cue) {
            for (uint32_t q = p->first; q < p->first + p->n; q++)
              if (m->pays[q].is_cue) {
                r.pay = q;
                r.is_cue = 1;
                if (push_raw(&raw, &nr, &capr, &r)) goto done;
                break;
              }
          }
        }
        o = m->dict[o];
      }
    }
  }

  /* longest first, separately for concepts and cues; then cues inside a concept and concepts
   * inside a cue are dropped */
  sort_few(raw, nr, sizeof *raw, cmp_longest, 64);
  taken = imt_calloc(x.len + 1, 1);
  if (!taken) goto done;
  for (size_t i = 0; i < nr; i++) {
    uint8_t bit = raw[i].is_cue ? 2 : 1;
    int clash = 0;
    for (uint32_t b = raw[i].s; b < raw[i].e; b++)
      if (taken[b] & bit) { clash = 1; break; }
    if (clash) { raw[i].pat = UINT32_MAX; continue; }
    for (uint32_t b = raw[i].s; b < raw[i].e; b++) taken[b] |= bit;
  }
  for (size_t i = 0; i < nr; i++) {
    /* a kept match fully covered by a kept match of the other group is dropped; a concept
     * covering a cue of the same length wins */
    uint8_t other;
    int covered = 1;
    if (raw[i].pat == UINT32_MAX) continue;
    other = raw[i].is_cue ? 1 : 2;
    for (uint32_t b = raw[i].s; b < raw[i].e; b++)
      if (!(taken[b] & other)) { covered = 0; break; }
    if (!covered) continue;
    if (raw[i].is_cue) {
      raw[i].pat = UINT32_MAX;
    } else {
      /* the covering cue must be strictly longer than this concept to win */
      int longer = 0;
      for (size_t j = 0; j < nr; j++)
        if (raw[j].is_cue && raw[j].pat != UINT32_MAX && raw[j].s <= raw[i].s && raw[j].e >= raw[i].e &&
            raw[j].e - raw[j].s > raw[i].e - raw[i].s) { longer = 1; break; }
      if (longer) raw[i].pat = UINT32_MAX;
    }
  }

  /* events */
  ev = IMT_CALLOC(imt_event, nr + x.nb + 1);
  if (!ev) goto done;
  {
    xbuf sk = {0};
    for (size_t i = 0; i < nr; i++) {
      imt_event *e;
      const mpat *p;
      if (raw[i].pat == UINT32_MAX) continue;
      p = &m->pats[raw[i].pat];
      e = &ev[nev++];
      e->mpos = raw[i].s;
      e->start = f.src[x.map[raw[i].s]];
      e->end = f.src[x.map[raw[i].e - 1]] + 1;
      if (raw[i].is_cue) {
        e->kind = IMT_EV_CUE;
        e->ref = m->pays[raw[i].pay].ref;
        continue;
      }
      e->kind = IMT_EV_MENTION;
      {
        /* exact/synonym/variant: compare the text as sent (ASCII case aside) with each label */
        const mpay *best = &m->pays[raw[i].pay], *same = NULL;
        uint32_t bs = out->cp_byte[e->start], be = out->cp_byte[e->end];
        sk.len = 0;
        rewrite(&sk, text + bs, be - bs, 0, NULL);
        if (sk.oom) { free(sk.t); goto done; }
        for (uint32_t q = p->first; q < p->first + p->n; q++) {
          const mpay *py = &m->pays[q];
          if (py->is_cue || !lang_ok(py, langs) || py->ref != best->ref) continue;
          if (sk.t && !strcmp(py->simple, sk.t)) { same = py; break; }
        }
        e->ref = best->ref;
        if (same) e->match = same->kind == IMT_LABEL_PREF ? IMT_MATCH_EXACT
                           : same->kind == IMT_LABEL_ALT ? IMT_MATCH_SYNONYM : IMT_MATCH_VARIANT;
        else e->match = IMT_MATCH_VARIANT;
      }
    }
    free(sk.t);
  }
  for (size_t i = 0; i < x.nb; i++) {
    imt_event *e = &ev[nev++];
    *e = x.bounds[i];
    e->start = f.src[e->start];
    e->end = e->start + 1;
  }
  sort_few(ev, nev, sizeof *ev, cmp_event, 256);
  out->ev = ev;
  out->n = nev;
  ev = NULL;
  rc = 0;
done:
  if (rc) imt_scan_free(out);
  free(ev);
  free(taken);
  free(raw);
  free(nl);
  free(x.t);
  free(x.map);
  free(x.bounds);
  imt_folded_free(&f);
  return rc;
}
