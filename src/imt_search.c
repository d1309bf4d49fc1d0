/* imt_search.c - label search over a snapshot: an index built once per load (folded keys, an
 * exact-key hash, suffix arrays per language group and a sorted pinyin key array, each with a
 * range-minimum tree over ranking scores) and the ranked query that reads it.
 *
 * Why suffix arrays with a min tree: a short autocomplete prefix ("a", "结") matches tens of
 * thousands of labels, and the page wants the best few by (tier, length, depth). The suffix
 * array turns every prefix, word-prefix and substring match into one contiguous range; the min
 * tree yields the range's best positions one by one in O(log n) each, so a query costs
 * O((offset + limit) log n) however many labels match. */
#include "config.h"
#include "imt.h"
#include "imt_search.h"
#include "imt_pinyin.h"
#include "imt_text.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- index -------------------------------------------------------------------------------- */
enum { TIER_PREFIX = 0, TIER_WORD = 1, TIER_PINYIN = 2, TIER_SUB = 3 };
enum { GROUP_ZH = 0, GROUP_EN = 1 };

typedef struct sx_entry {
  uint32_t concept;
  uint32_t key;       /* offset of the folded key in the index pool */
  uint16_t klen;      /* bytes */
  uint16_t clen;      /* characters */
  uint16_t label;     /* index in the concept's labels */
  uint8_t kind;       /* enum imt_label_kind */
  uint8_t group;      /* GROUP_ZH (zh, zh-Hant) or GROUP_EN (everything else) */
  uint32_t rank;      /* score bits without the tier: deprecated, length, depth, kind */
} sx_entry;

/* Strings sorted in byte order, each a position in a pool, with a range-min tree. */
typedef struct sx_sa {
  const char *pool;
  uint32_t n;
  uint32_t *pos;      /* pool offset of the string, sorted by the string there */
  uint32_t *ent;      /* entry the string belongs to */
  uint32_t *score;    /* tier << 30 | entry rank: lower is better */
  uint32_t *con;      /* concept of the entry: counting the total reads it without the entry */
  uint8_t group;      /* GROUP_ZH or GROUP_EN: every string here is of this language group */
  uint32_t *tree;     /* [2n]: tree[n + i] = i, tree[k] = argmin of its two children */
} sx_sa;

typedef struct sx_index {
  sx_entry *e;
  uint32_t n_e;
  char *pool;         /* folded keys, NUL-terminated */
  size_t pool_len;
  char *ppool;        /* pinyin keys */
  size_t ppool_len;
  uint32_t *ex_order; /* entries sorted by key, then rank */
  imt_map exact;      /* key -> first index in ex_order */
  sx_sa sa[2];        /* suffixes per language group */
  sx_sa py;           /* pinyin keys (full and initials) of Chinese labels */
  char *wpool;        /* English words (letters only, >= 3), NUL-terminated */
  size_t wpool_len;
  uint32_t *words;    /* sorted offsets into wpool */
  uint32_t n_words;
  _Atomic(char *) *rendered;   /* [n_concepts]: concept JSON, filled on first request */
  uint32_t n_rendered;
  atomic_size_t rendered_bytes;
} sx_index;

#define RANK_DEPRECATED (1u << 29)

static uint32_t rank_of(const imt_concept *c, uint32_t clen, uint8_t kind)
{
  uint32_t len = clen > 1023 ? 1023 : clen, depth = c->depth > 255 ? 255 : c->depth;
  return ((uint32_t)(c->deprecated ? 1 : 0) << 29) | (len << 19) | (depth << 11) | ((uint32_t)(kind & 3) << 9);
}

static int pool_add(char **pool, size_t *len, size_t *cap, const char *s, size_t n, uint32_t *off)
{
  if (*len + n + 1 > *cap) {
    size_t nc = *cap ? *cap : 4096;
    char *p;
    while (nc < *len + n + 1) nc *= 2;
    p = imt_realloc(*pool, nc);
    if (!p) return IMT_ERR_NOMEM;
    *pool = p;
    *cap = nc;
  }
  if (*len > UINT32_MAX - n - 1) return IMT_ERR_LIMIT;
  memcpy(*pool + *len, s, n);
  (*pool)[*len + n] = '\0';
  *off = (uint32_t)*len;
  *len += n + 1;
  return 0;
}

static size_t utf8_chars(const char *s, size_t n)
{
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
  return c;
}

/* --- sorting strings by byte order: multikey quicksort on 8-byte chunks ---
 * Each item caches the chunk of its string at the current depth; equal chunks recurse one chunk
 * deeper, so shared prefixes are compared 8 bytes at a time and mostly in cache. */
typedef struct sx_sortitem { uint64_t pre; uint32_t pos, ent; uint32_t score; } sx_sortitem;

static uint64_t prefix64(const char *s)
{
  uint64_t v = 0;
  int i = 0;
  for (; i < 8 && s[i]; i++) v = (v << 8) | (unsigned char)s[i];
  for (; i < 8; i++) v <<= 8;
  return v;
}

/* Chunk `depth` of the string at pos, or 0 past its end. */
static uint64_t chunk_at(const char *pool, uint32_t pos, size_t depth)
{
  const char *s = pool + pos;
  for (size_t i = 0; i < depth * 8; i++) if (!s[i]) return 0;
  return prefix64(s + depth * 8);
}

/* Full comparison from chunk `depth` on (both chunks cached in pre). */
static int cmp_from(const char *pool, const sx_sortitem *x, const sx_sortitem *y, size_t depth)
{
  int c = 0;
  if (x->pre != y->pre) return x->pre < y->pre ? -1 : 1;
  if (x->pre & 0xFF) c = strcmp(pool + x->pos + 8 * (depth + 1), pool + y->pos + 8 * (depth + 1));
  if (c) return c;
  if (x->score != y->score) return x->score < y->score ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_score(const void *a, const void *b)
{
  const sx_sortitem *x = a, *y = b;
  if (x->score != y->score) return x->score < y->score ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void mkqs(const char *pool, sx_sortitem *a, size_t n, size_t depth)
{
  while (n > 1) {
    size_t lt = 0, i = 0, gt = n;
    uint64_t p;
    if (n < 24) {
      for (size_t k = 1; k < n; k++)
        for (size_t j = k; j > 0 && cmp_from(pool, &a[j - 1], &a[j], depth) > 0; j--) {
          sx_sortitem t = a[j]; a[j] = a[j - 1]; a[j - 1] = t;
        }
      return;
    }
    {
      uint64_t x = a[0].pre, y = a[n / 2].pre, z = a[n - 1].pre;
      p = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    }
    while (i < gt) {  /* Dijkstra 3-way partition */
      if (a[i].pre < p) { sx_sortitem t = a[i]; a[i++] = a[lt]; a[lt++] = t; }
      else if (a[i].pre > p) { sx_sortitem t = a[i]; a[i] = a[--gt]; a[gt] = t; }
      else i++;
    }
    mkqs(pool, a, lt, depth);
    mkqs(pool, a + gt, n - gt, depth);
    a += lt;
    n = gt - lt;
    if (!(p & 0xFF)) {  /* strings ended within this chunk: all equal; order by score */
      qsort(a, n, sizeof *a, cmp_score);
      return;
    }
    depth++;
    for (size_t k = 0; k < n; k++) a[k].pre = chunk_at(pool, a[k].pos, depth);
  }
}

static uint32_t better(const sx_sa *sa, uint32_t a, uint32_t b)
{
  return sa->score[b] < sa->score[a] ? b : a;
}

/* Fill sa from items (sorted here) over entries e of language group; takes no ownership of items.
 * 0 or IMT_ERR_NOMEM. */
static int sa_build(sx_sa *sa, const char *pool, sx_sortitem *items, uint32_t n, const sx_entry *e, uint8_t group)
{
  sa->pool = pool;
  sa->n = n;
  sa->group = group;
  if (!n) return 0;
  mkqs(pool, items, n, 0);
  sa->pos = IMT_CALLOC(uint32_t, n);
  sa->ent = IMT_CALLOC(uint32_t, n);
  sa->score = IMT_CALLOC(uint32_t, n);
  sa->tree = IMT_CALLOC(uint32_t, 2 * (size_t)n);
  sa->con = IMT_CALLOC(uint32_t, n);
  if (!sa->pos || !sa->ent || !sa->score || !sa->tree || !sa->con) return IMT_ERR_NOMEM;
  for (uint32_t i = 0; i < n; i++) {
    sa->pos[i] = items[i].pos;
    sa->ent[i] = items[i].ent;
    sa->con[i] = e[items[i].ent].concept;
    sa->score[i] = items[i].score;
    sa->tree[n + i] = i;
  }
  for (uint32_t k = n - 1; k >= 1; k--)
    sa->tree[k] = better(sa, sa->tree[2 * k], sa->tree[2 * k + 1]);
  return 0;
}

static void sa_free(sx_sa *sa)
{
  IMT_FREE(sa->pos);
  IMT_FREE(sa->ent);
  IMT_FREE(sa->score);
  IMT_FREE(sa->tree);
  IMT_FREE(sa->con);
}

/* Index of the best score in [l, r) (l < r). */
static uint32_t sa_argmin(const sx_sa *sa, uint32_t l, uint32_t r)
{
  uint32_t best = l, n = sa->n;
  for (l += n, r += n; l < r; l >>= 1, r >>= 1) {
    if (l & 1) best = better(sa, best, sa->tree[l++]);
    if (r & 1) best = better(sa, best, sa->tree[--r]);
  }
  return best;
}

/* [*lo, *hi): the strings that start with q (qlen bytes). */
static void sa_range(const sx_sa *sa, const char *q, size_t qlen, uint32_t *lo, uint32_t *hi)
{
  uint32_t a = 0, b = sa->n;
  while (a < b) {
    uint32_t m = a + (b - a) / 2;
    if (strncmp(sa->pool + sa->pos[m], q, qlen) < 0) a = m + 1;
    else b = m;
  }
  *lo = a;
  b = sa->n;
  while (a < b) {
    uint32_t m = a + (b - a) / 2;
    if (strncmp(sa->pool + sa->pos[m], q, qlen) <= 0) a = m + 1;
    else b = m;
  }
  *hi = a;
}

static const sx_index *ex_index;  /* for the qsort comparator below (loader thread only) */
static int cmp_ex(const void *a, const void *b)
{
  const sx_entry *x = &ex_index->e[*(const uint32_t *)a], *y = &ex_index->e[*(const uint32_t *)b];
  int c = strcmp(ex_index->pool + x->key, ex_index->pool + y->key);
  if (c) return c;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;  /* pref > alt > hidden */
  if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
  return x->concept < y->concept ? -1 : x->concept > y->concept;
}

static int cmp_word(const void *a, const void *b)
{
  return strcmp(ex_index->wpool + *(const uint32_t *)a, ex_index->wpool + *(const uint32_t *)b);
}

void imt_search_free(void *p)
{
  sx_index *ix = p;
  if (!ix) return;
  IMT_FREE(ix->e);
  IMT_FREE(ix->pool);
  IMT_FREE(ix->ppool);
  IMT_FREE(ix->ex_order);
  imt_map_free(&ix->exact);
  sa_free(&ix->sa[0]);
  sa_free(&ix->sa[1]);
  sa_free(&ix->py);
  IMT_FREE(ix->wpool);
  IMT_FREE(ix->words);
  for (uint32_t i = 0; ix->rendered && i < ix->n_rendered; i++)
    free(atomic_load(&ix->rendered[i]));
  free((void *)ix->rendered);
  free(ix);
}

/* Add every searchable label of every concept as an entry (folded key in the pool). */
static int build_entries(const imt_snapshot *s, sx_index *ix)
{
  size_t n_labels = 0, cap = 0;
  imt_folded f = {0};
  for (uint32_t i = 0; i < s->n_concepts; i++) n_labels += s->concepts[i].n_labels;
  ix->e = IMT_CALLOC(sx_entry, n_labels ? n_labels : 1);
  if (!ix->e) return IMT_ERR_NOMEM;
  for (uint32_t i = 0; i < s->n_concepts; i++) {
    const imt_concept *c = &s->concepts[i];
    uint32_t first = ix->n_e;
    for (uint32_t j = 0; j < c->n_labels && j < 65535; j++) {
      const imt_label *l = &c->labels[j];
      uint8_t group = (l->lang == IMT_LANG_ZH || l->lang == IMT_LANG_ZH_HANT) ? GROUP_ZH : GROUP_EN;
      uint32_t k, off;
      if (imt_text_refold(l->text, strlen(l->text), &f)) return IMT_ERR_NOMEM;
      if (!f.len || f.len > 4000) continue;
      /* one entry per (concept, group, key): keep the best label kind */
      for (k = first; k < ix->n_e; k++)
        if (ix->e[k].group == group && ix->e[k].klen == f.len && !memcmp(ix->pool + ix->e[k].key, f.text, f.len))
          break;
      if (k < ix->n_e) {
        if (l->kind < ix->e[k].kind) {
          ix->e[k].kind = l->kind;
          ix->e[k].label = (uint16_t)j;
          ix->e[k].rank = rank_of(c, ix->e[k].clen, l->kind);
        }
        continue;
      }
      if (pool_add(&ix->pool, &ix->pool_len, &cap, f.text, f.len, &off)) { imt_folded_free(&f); return IMT_ERR_NOMEM; }
      {
        sx_entry *e = &ix->e[ix->n_e++];
        size_t cl = utf8_chars(f.text, f.len);
        e->concept = i;
        e->key = off;
        e->klen = (uint16_t)f.len;
        e->clen = (uint16_t)(cl > 65535 ? 65535 : cl);
        e->label = (uint16_t)j;
        e->kind = l->kind;
        e->group = group;
        e->rank = rank_of(c, e->clen, l->kind);
      }
    }
  }
  imt_folded_free(&f);
  return 0;
}

static int build_exact(sx_index *ix)
{
  ix->ex_order = IMT_CALLOC(uint32_t, ix->n_e ? ix->n_e : 1);
  if (!ix->ex_order || imt_map_init(&ix->exact, ix->n_e + 1)) return IMT_ERR_NOMEM;
  for (uint32_t i = 0; i < ix->n_e; i++) ix->ex_order[i] = i;
  ex_index = ix;
  qsort(ix->ex_order, ix->n_e, sizeof *ix->ex_order, cmp_ex);
  for (uint32_t i = 0; i < ix->n_e; i++) {
    const sx_entry *e = &ix->e[ix->ex_order[i]];
    if (i && !strcmp(ix->pool + ix->e[ix->ex_order[i - 1]].key, ix->pool + e->key))
      continue;
    if (imt_map_put(&ix->exact, ix->pool + e->key, e->klen, i)) return IMT_ERR_NOMEM;
  }
  return 0;
}

/* Suffix array of one language group: every character position except spaces. */
static int build_group(sx_index *ix, int group)
{
  size_t n = 0, k = 0;
  sx_sortitem *it;
  int rc;
  for (uint32_t i = 0; i < ix->n_e; i++)
    if (ix->e[i].group == group) n += ix->e[i].clen;  /* an upper bound */
  if (n > UINT32_MAX / 2) return IMT_ERR_LIMIT;
  it = IMT_CALLOC(sx_sortitem, n ? n : 1);
  if (!it) return IMT_ERR_NOMEM;
  for (uint32_t i = 0; i < ix->n_e; i++) {
    const sx_entry *e = &ix->e[i];
    const char *key = ix->pool + e->key;
    if (e->group != group) continue;
    for (uint32_t b = 0; b < e->klen; b++) {
      uint32_t tier;
      if (((unsigned char)key[b] & 0xC0) == 0x80 || key[b] == ' ') continue;
      /* inside a number only its start is indexed (no one searches for "3456" in "123456") */
      if (b && key[b] >= '0' && key[b] <= '9' && key[b - 1] >= '0' && key[b - 1] <= '9') continue;
      tier = b == 0 ? TIER_PREFIX : key[b - 1] == ' ' ? TIER_WORD : TIER_SUB;
      it[k].pos = e->key + b;
      it[k].ent = i;
      it[k].score = (tier << 30) | e->rank;
      it[k].pre = prefix64(key + b);
      k++;
    }
  }
  rc = sa_build(&ix->sa[group], ix->pool, it, (uint32_t)k, ix->e, (uint8_t)group);
  free(it);
  return rc;
}

/* Pinyin keys of Chinese labels: full and initials, primary readings plus up to two variants
 * that use the second reading of a polyphonic character (膀胱 bangguang / pangguang). */
static int build_pinyin(sx_index *ix)
{
  size_t n = 0, cap = 0, pcap = 0;
  sx_sortitem *it = NULL;
  char key[512], prev[6][512];
  int rc = 0;
  for (uint32_t i = 0; i < ix->n_e; i++) {
    const sx_entry *e = &ix->e[i];
    int poly = 0, np = 0;
    if (e->group != GROUP_ZH || e->kind == IMT_LABEL_HIDDEN) continue;
    if (!imt_pinyin_key(ix->pool + e->key, e->klen, 0, 0, key, sizeof key, &poly)) continue;
    for (int alt = 0; alt <= (poly < 2 ? poly : 2); alt++)
      for (int ini = 0; ini < 2; ini++) {
        size_t kl = imt_pinyin_key(ix->pool + e->key, e->klen, ini, alt, key, sizeof key, NULL);
        uint32_t off;
        int dup = 0;
        for (int d = 0; d < np; d++) if (!strcmp(prev[d], key)) dup = 1;
        if (dup || !kl) continue;
        memcpy(prev[np++], key, kl + 1);
        if (n == cap) {
          size_t nc = cap ? cap * 2 : 4096;
          sx_sortitem *t = imt_realloc(it, nc * sizeof *t);
          if (!t) { rc = IMT_ERR_NOMEM; goto out; }
          it = t;
          cap = nc;
        }
        if ((rc = pool_add(&ix->ppool, &ix->ppool_len, &pcap, key, kl, &off))) goto out;
        it[n].pos = off;
        it[n].ent = i;
        it[n].score = ((uint32_t)TIER_PINYIN << 30) | e->rank;
        n++;
      }
  }
  for (size_t i = 0; i < n; i++) it[i].pre = prefix64(ix->ppool + it[i].pos);
  rc = sa_build(&ix->py, ix->ppool, it, (uint32_t)n, ix->e, GROUP_ZH);
out:
  free(it);
  return rc;
}

/* Distinct English words (letters only, 3 or more) for typo correction. */
static int build_words(sx_index *ix)
{
  size_t cap = 0, wcap = 0, n = 0;
  uint32_t *w = NULL;
  int rc = 0;
  for (uint32_t i = 0; i < ix->n_e; i++) {
    const char *k = ix->pool + ix->e[i].key;
    if (ix->e[i].group != GROUP_EN) continue;
    for (size_t a = 0; k[a];) {
      size_t b = a;
      while (k[b] >= 'a' && k[b] <= 'z') b++;
      if (b - a >= 3 && b - a < 64 && (k[b] == ' ' || !k[b]) && (a == 0 || k[a - 1] == ' ')) {
        uint32_t off;
        if (n == wcap) {
          size_t nc = wcap ? wcap * 2 : 1024;
          uint32_t *t = imt_realloc(w, nc * sizeof *t);
          if (!t) { rc = IMT_ERR_NOMEM; goto out; }
          w = t;
          wcap = nc;
        }
        if ((rc = pool_add(&ix->wpool, &ix->wpool_len, &cap, k + a, b - a, &off))) goto out;
        w[n++] = off;
      }
      a = b;
      while (k[a] && k[a] != ' ') a++;
      while (k[a] == ' ') a++;
    }
  }
  ex_index = ix;
  qsort(w, n, sizeof *w, cmp_word);
  ix->n_words = 0;
  for (size_t i = 0; i < n; i++)
    if (!ix->n_words || strcmp(ix->wpool + w[ix->n_words - 1], ix->wpool + w[i]))
      w[ix->n_words++] = w[i];
  ix->words = w;
  w = NULL;
out:
  free(w);
  return rc;
}

typedef struct sx_job { sx_index *ix; int rc; } sx_job;

static void *group_en_job(void *p)
{
  sx_job *j = p;
  j->rc = build_group(j->ix, GROUP_EN);
  return NULL;
}

/* The two suffix arrays and the pinyin keys: English on a second thread (the loader has the
 * machine to itself at start-up and the sorts dominate the build). */
static int build_parallel(sx_index *ix)
{
  sx_job job = {ix, 0};
  pthread_t th;
  int started = pthread_create(&th, NULL, group_en_job, &job) == 0, rc;
  if (!started) job.rc = build_group(ix, GROUP_EN);
  rc = build_group(ix, GROUP_ZH);
  if (!rc) rc = build_pinyin(ix);
  if (started) pthread_join(th, NULL);
  return rc ? rc : job.rc;
}

int imt_search_build(imt_snapshot *s, imt_error *err)
{
  sx_index *ix = IMT_CALLOC(sx_index, 1);
  double t0 = imt_now();
  int rc;
  if (!ix || imt_text_init() == IMT_ERR_NOMEM) {
    free(ix);
    return imt_error_set(err, IMT_ERR_NOMEM, "out of memory building the search index");
  }
  double t1 = 0, t2 = 0, t3 = 0;
  if ((rc = build_entries(s, ix)) || ((t1 = imt_now()), (rc = build_exact(ix)))
      || ((t2 = imt_now()), (rc = build_parallel(ix))) || ((t3 = imt_now()), (rc = build_words(ix)))) {
    imt_search_free(ix);
    return imt_error_set(err, (imt_err)rc, "search index: %s",
                         rc == IMT_ERR_NOMEM ? "out of memory" : "vocabulary too large");
  }
  ix->rendered = imt_calloc(s->n_concepts ? s->n_concepts : 1, sizeof *ix->rendered);
  if (!ix->rendered) {
    imt_search_free(ix);
    return imt_error_set(err, IMT_ERR_NOMEM, "out of memory building the search index");
  }
  ix->n_rendered = s->n_concepts;
  s->ext[IMT_EXT_SEARCH] = ix;
  imt_log("info", "search index: %u labels, %u + %u suffixes, %u pinyin keys, %u words in %.2f s "
          "(fold %.2f, exact %.2f, suffix arrays %.2f, words %.2f)",
          ix->n_e, ix->sa[0].n, ix->sa[1].n, ix->py.n, ix->n_words, imt_now() - t0,
          t1 - t0, t2 - t1, t3 - t2, imt_now() - t3);
  return 0;
}

/* ---- per-thread marks: which concepts a request has already counted ------------------------ */
typedef struct sx_marks { uint32_t *stamp; uint32_t n, gen; } sx_marks;
static pthread_key_t marks_key;
static pthread_once_t marks_once = PTHREAD_ONCE_INIT;

static void marks_destroy(void *p)
{
  sx_marks *m = p;
  if (m) { free(m->stamp); free(m); }
}
static void marks_key_init(void) { pthread_key_create(&marks_key, marks_destroy); }

/* This thread's marks for n concepts, all clear (a new generation). NULL on OOM. */
static sx_marks *marks_get(uint32_t n)
{
  sx_marks *m;
  pthread_once(&marks_once, marks_key_init);
  m = pthread_getspecific(marks_key);
  if (!m) {
    m = IMT_CALLOC(sx_marks, 1);
    if (!m) return NULL;
    pthread_setspecific(marks_key, m);
  }
  if (m->n < n) {
    IMT_FREE(m->stamp);
    m->n = m->gen = 0;
    m->stamp = IMT_CALLOC(uint32_t, n);
    if (!m->stamp) return NULL;
    m->n = n;
  }
  if (++m->gen == 0) {
    memset(m->stamp, 0, m->n * sizeof *m->stamp);
    m->gen = 1;
  }
  return m;
}

/* ---- query ----------------------------------------------------------------------------------- */
const char *imt_hit_type_name(int t)
{
  static const char *const names[] = {"exact", "synonym", "variant", "prefix", "wordPrefix",
                                      "pinyin", "substring", "fuzzy", "none"};
  return t >= 0 && t <= IMT_HIT_NONE ? names[t] : "none";
}

typedef struct sx_ctx {
  const imt_snapshot *s;
  const sx_index *ix;
  const imt_search_query *q;
  sx_marks *m;
  imt_search_hit *hits;
  uint32_t n, cap;          /* cap = offset + limit */
  size_t qclen;             /* characters in the folded query */
  uint64_t total;
  int total_exact;
  int oom;
} sx_ctx;

typedef struct sx_iv { uint32_t score, l, r, m; uint8_t src; } sx_iv;

typedef struct sx_heap { sx_iv *v; size_t n, cap; } sx_heap;

static int heap_push(sx_heap *h, sx_iv iv)
{
  size_t i;
  if (h->n == h->cap) {
    size_t nc = h->cap ? h->cap * 2 : 64;
    sx_iv *t = imt_realloc(h->v, nc * sizeof *t);
    if (!t) return IMT_ERR_NOMEM;
    h->v = t;
    h->cap = nc;
  }
  i = h->n++;
  while (i && h->v[(i - 1) / 2].score > iv.score) {
    h->v[i] = h->v[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->v[i] = iv;
  return 0;
}

static sx_iv heap_pop(sx_heap *h)
{
  sx_iv top = h->v[0], last = h->v[--h->n];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->n) break;
    if (c + 1 < h->n && h->v[c + 1].score < h->v[c].score) c++;
    if (h->v[c].score >= last.score) break;
    h->v[i] = h->v[c];
    i = c;
  }
  if (h->n) h->v[i] = last;
  return top;
}

/* 1 if a label of language group `group` (rank bits `rank`) of concept c passes the query's
 * filters and c was not counted yet (marks it). */
static int accept_label(sx_ctx *x, uint8_t group, uint32_t rank, uint32_t c)
{
  if ((x->q->lang == IMT_SEARCH_ZH && group != GROUP_ZH) || (x->q->lang == IMT_SEARCH_EN && group != GROUP_EN))
    return 0;
  if ((rank & RANK_DEPRECATED) && !x->q->include_deprecated) return 0;
  if (x->m->stamp[c] == x->m->gen) return 0;
  if (x->q->subtree >= 0 && !imt_snapshot_is_a(x->s, c, (uint32_t)x->q->subtree)) return 0;
  x->m->stamp[c] = x->m->gen;
  return 1;
}

static int accept(sx_ctx *x, const sx_entry *e)
{
  return accept_label(x, e->group, e->rank, e->concept);
}

/* The same from a suffix array position, from the array's own columns (no entry is read). */
static int accept_at(sx_ctx *x, const sx_sa *sa, uint32_t p)
{
  return accept_label(x, sa->group, sa->score[p], sa->con[p]);
}

static void add_hit(sx_ctx *x, const sx_entry *e, int type, int dist)
{
  static const double base[] = {1.0, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.0};
  x->total++;
  if (x->n < x->cap) {
    imt_search_hit *h = &x->hits[x->n++];
    double sc = base[type];
    h->concept = e->concept;
    h->label = e->label;
    h->type = (uint8_t)type;
    h->distance = (uint8_t)(dist > 255 ? 255 : dist);
    if (type >= IMT_HIT_PREFIX) {
      double ratio = e->clen ? (double)x->qclen / e->clen : 0;
      if (ratio > 1) ratio = 1;
      sc += 0.049 * ratio;
      if (type == IMT_HIT_FUZZY) sc -= 0.05 * (dist > 6 ? 6 : dist);
    }
    h->score = (double)(long)(sc * 10000 + 0.5) / 10000;
  }
}

static int type_of_kind(uint8_t kind)
{
  return kind == IMT_LABEL_PREF ? IMT_HIT_EXACT : kind == IMT_LABEL_ALT ? IMT_HIT_SYNONYM : IMT_HIT_VARIANT;
}

/* Labels equal to fq: exact, synonym, variant (or `as` when >= 0). */
static void stage_exact(sx_ctx *x, const char *fq, size_t flen, int as, int dist)
{
  uint32_t start;
  const sx_index *ix = x->ix;
  if (!imt_map_get(&ix->exact, fq, flen, &start)) return;
  for (uint32_t i = start; i < ix->n_e; i++) {
    const sx_entry *e = &ix->e[ix->ex_order[i]];
    if (e->klen != flen || memcmp(ix->pool + e->key, fq, flen)) break;
    if (accept(x, e)) add_hit(x, e, as >= 0 ? as : type_of_kind(e->kind), dist);
  }
}

typedef int (*sx_verify)(sx_ctx *x, const sx_entry *e, int *dist);

/* Best-first walk over ranges of several sorted arrays: hits until the page is full, then count
 * the rest (up to the budget) for the total. as >= 0 forces the match type; verify (optional)
 * filters candidates and sets their distance. max_tier: positions of a higher tier are ignored. */
static void stage_ranges(sx_ctx *x, const sx_sa *const *src, const uint32_t (*rg)[2], int nsrc,
                         int as, int dist, sx_verify verify, uint32_t max_tier)
{
  static const int tier_type[] = {IMT_HIT_PREFIX, IMT_HIT_WORD_PREFIX, IMT_HIT_PINYIN, IMT_HIT_SUBSTRING};
  sx_heap h = {0};
  size_t pops = 0, walked = 0;
  for (int i = 0; i < nsrc; i++)
    if (rg[i][0] < rg[i][1]) {
      uint32_t m = sa_argmin(src[i], rg[i][0], rg[i][1]);
      sx_iv iv = {src[i]->score[m], rg[i][0], rg[i][1], m, (uint8_t)i};
      if (heap_push(&h, iv)) { x->oom = 1; goto out; }
    }
  while (h.n && x->n < x->cap && pops < 50000) {
    sx_iv iv = heap_pop(&h);
    const sx_sa *sa = src[iv.src];
    const sx_entry *e = &x->ix->e[sa->ent[iv.m]];
    uint32_t tier = sa->score[iv.m] >> 30;
    int d = dist;
    pops++;
    if (tier > max_tier) { h.n = 0; break; }  /* everything left is of a lower tier */
    if ((!verify || verify(x, e, &d)) && accept(x, e))
      add_hit(x, e, as >= 0 ? as : tier_type[tier], d);
    if (iv.l < iv.m) {
      sx_iv a = {0, iv.l, iv.m, 0, iv.src};
      a.m = sa_argmin(sa, a.l, a.r);
      a.score = sa->score[a.m];
      if (heap_push(&h, a)) { x->oom = 1; goto out; }
    }
    if (iv.m + 1 < iv.r) {
      sx_iv b = {0, iv.m + 1, iv.r, 0, iv.src};
      b.m = sa_argmin(sa, b.l, b.r);
      b.score = sa->score[b.m];
      if (heap_push(&h, b)) { x->oom = 1; goto out; }
    }
  }
  if (h.n && x->n < x->cap) x->total_exact = 0;  /* pop budget spent (very selective filters) */
  /* count what is left, without ordering: exactly when it is small, else a lower bound from a
   * sample (walking tens of thousands of matches would cost more than the page) */
  {
    size_t left = 0, budget = IMT_SEARCH_TOTAL_BUDGET;
    for (size_t k = 0; k < h.n; k++) left += h.v[k].r - h.v[k].l;
    if (left > budget) { x->total_exact = 0; budget = 128; }
    for (size_t k = 0; k < h.n; k++) {
      const sx_sa *sa = src[h.v[k].src];
      for (uint32_t p = h.v[k].l; p < h.v[k].r; p++) {
        int d = dist;
        if (++walked > budget) goto out;
        if ((sa->score[p] >> 30) > max_tier) continue;
        if (verify ? verify(x, &x->ix->e[sa->ent[p]], &d) && accept(x, &x->ix->e[sa->ent[p]]) : accept_at(x, sa, p))
          x->total++;
      }
    }
  }
out:
  free(h.v);
}

/* ---- fuzzy: same-pinyin substitution (Chinese) ---- */

typedef struct sx_fz { sx_ctx base; const char *fq; size_t flen; } sx_fz;

/* The entry's key starts with the query's characters, each equal or a homophone, with at least
 * one substitution; *dist = substitutions. */
static int verify_homophone(sx_ctx *x, const sx_entry *e, int *dist)
{
  const sx_fz *fz = (const sx_fz *)x;
  const unsigned char *a = (const unsigned char *)fz->fq, *b = (const unsigned char *)x->ix->pool + e->key;
  size_t i = 0, j = 0;
  int subs = 0;
  while (i < fz->flen) {
    uint32_t ca, cb;
    if (j >= e->klen) return 0;
    i += (size_t)imt_utf8_decode(a + i, fz->flen - i, &ca);
    j += (size_t)imt_utf8_decode(b + j, e->klen - j, &cb);
    if (ca == cb) continue;
    if (!imt_is_han(ca) || !imt_is_han(cb) || !imt_pinyin_homophone(ca, cb)) return 0;
    subs++;
  }
  *dist = subs;
  return subs > 0;
}

static void fuzzy_chinese(sx_ctx *x, const char *fq, size_t flen)
{
  char pq[512];
  size_t pl = imt_pinyin_key(fq, flen, 0, 0, pq, sizeof pq, NULL);
  uint32_t rg[1][2];
  const sx_sa *src[1] = {&x->ix->py};
  sx_fz *fz = (sx_fz *)x;
  if (!pl || !x->ix->py.n) return;
  fz->fq = fq;
  fz->flen = flen;
  sa_range(&x->ix->py, pq, pl, &rg[0][0], &rg[0][1]);
  stage_ranges(x, src, (const uint32_t (*)[2])rg, 1, IMT_HIT_FUZZY, 1, verify_homophone, TIER_SUB);
}

/* ---- fuzzy: edit distance on English words ---- */
/* Optimal-string-alignment distance between a (la) and b (lb), or (prefix) between a and the
 * closest prefix of b; returns maxd + 1 as soon as it must exceed maxd. Words < 64 bytes. */
static int osa(const char *a, size_t la, const char *b, size_t lb, int maxd, int prefix)
{
  int r0[65], r1[65], r2[65], *pp = r0, *p = r1, *c = r2, best;
  for (size_t j = 0; j <= lb; j++) p[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int rowmin = c[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int cost = a[i - 1] != b[j - 1], v = p[j - 1] + cost;
      if (p[j] + 1 < v) v = p[j] + 1;
      if (c[j - 1] + 1 < v) v = c[j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v) v = pp[j - 2] + 1;
      c[j] = v;
      if (v < rowmin) rowmin = v;
    }
    if (rowmin > maxd) return maxd + 1;
    { int *t = pp; pp = p; p = c; c = t; }
  }
  best = p[lb];
  if (prefix)
    for (size_t j = 0; j <= lb; j++) if (p[j] < best) best = p[j];
  return best;
}

static int word_known(const sx_index *ix, const char *w, size_t wl, int as_prefix)
{
  uint32_t a = 0, b = ix->n_words;
  while (a < b) {
    uint32_t m = a + (b - a) / 2;
    if (strncmp(ix->wpool + ix->words[m], w, wl) < 0) a = m + 1;
    else b = m;
  }
  if (a >= ix->n_words || strncmp(ix->wpool + ix->words[a], w, wl)) return 0;
  return as_prefix || ix->wpool[ix->words[a] + wl] == '\0';
}

#define FZ_MAXW 8
#define FZ_CAND 3

static void fuzzy_english(sx_ctx *x, const char *fq, size_t flen)
{
  const sx_index *ix = x->ix;
  const char *ws[FZ_MAXW];
  size_t wl[FZ_MAXW];
  const char *cand[FZ_MAXW][FZ_CAND];
  int cd[FZ_MAXW][FZ_CAND], nc[FZ_MAXW];
  int nw = 0, any = 0;
  for (size_t a = 0; a < flen && nw < FZ_MAXW;) {
    size_t b = a;
    while (b < flen && fq[b] != ' ') b++;
    ws[nw] = fq + a;
    wl[nw++] = b - a;
    a = b + 1;
  }
  for (int i = 0; i < nw; i++) {
    int alpha = 1, last = i == nw - 1 && fq[flen - 1] != ' ';
    int maxd = wl[i] >= 8 ? 2 : 1;
    nc[i] = 0;
    for (size_t k = 0; k < wl[i]; k++) if (ws[i][k] < 'a' || ws[i][k] > 'z') alpha = 0;
    if (!alpha || wl[i] < 4 || wl[i] > 63 || word_known(ix, ws[i], wl[i], last)) continue;
    for (uint32_t k = 0; k < ix->n_words; k++) {
      const char *v = ix->wpool + ix->words[k];
      size_t vl = strlen(v);
      int d, slot;
      if (last ? vl + (size_t)maxd < wl[i] : (vl > wl[i] + (size_t)maxd || vl + (size_t)maxd < wl[i])) continue;
      d = osa(ws[i], wl[i], v, vl, maxd, last);
      if (d > maxd) continue;
      /* keep the FZ_CAND best (distance, then shorter word) */
      slot = nc[i] < FZ_CAND ? nc[i]++ : -1;
      if (slot < 0) {
        int worst = 0;
        for (int s = 1; s < FZ_CAND; s++)
          if (cd[i][s] > cd[i][worst] || (cd[i][s] == cd[i][worst] && strlen(cand[i][s]) > strlen(cand[i][worst]))) worst = s;
        if (d > cd[i][worst] || (d == cd[i][worst] && vl >= strlen(cand[i][worst]))) continue;
        slot = worst;
      }
      cand[i][slot] = v;
      cd[i][slot] = d;
    }
    if (nc[i]) any = 1;
  }
  if (!any) return;
  /* corrected queries, best first: correct one word at a time, then all words at once */
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < nw; i++) {
      if (!nc[i]) continue;
      for (int c = 0; c < nc[i]; c++) {
        char buf[IMT_SEARCH_MAX_QUERY * 2 + 64];
        size_t w = 0;
        int dist = 0;
        for (int k = 0; k < nw; k++) {
          const char *src = ws[k];
          size_t sl = wl[k];
          if (nc[k] && (k == i || round == 1)) {
            int use = k == i ? c : 0;
            src = cand[k][use];
            sl = strlen(src);
            dist += cd[k][use];
          }
          if (w + sl + 2 > sizeof buf) return;
          if (k) buf[w++] = ' ';
          memcpy(buf + w, src, sl);
          w += sl;
        }
        buf[w] = '\0';
        if (round == 1 && dist == cd[i][c]) continue;  /* only one word was wrong: done in round 0 */
        {
          uint32_t rg[1][2];
          const sx_sa *src[1] = {&ix->sa[GROUP_EN]};
          stage_exact(x, buf, w, IMT_HIT_FUZZY, dist);
          sa_range(&ix->sa[GROUP_EN], buf, w, &rg[0][0], &rg[0][1]);
          stage_ranges(x, src, (const uint32_t (*)[2])rg, 1, IMT_HIT_FUZZY, dist, NULL, TIER_WORD);
        }
      }
      if (round == 1) break;
    }
  }
}

static int pinyin_like(const char *s, size_t n, char *out, size_t cap)
{
  size_t w = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == ' ') continue;
    if (s[i] < 'a' || s[i] > 'z' || w + 1 >= cap) return 0;
    out[w++] = s[i];
  }
  out[w] = '\0';
  return (int)w;
}

int imt_search_run(const imt_snapshot *s, const imt_search_query *q, imt_search_result *out)
{
  sx_fz fz;
  sx_ctx *x = &fz.base;
  imt_folded f = {0};
  const sx_index *ix = s->ext[IMT_EXT_SEARCH];
  uint32_t want;
  memset(out, 0, sizeof *out);
  out->total_exact = 1;
  if (!ix) return IMT_ERR_INVALID;
  memset(&fz, 0, sizeof fz);
  want = q->offset + q->limit;
  x->s = s;
  x->ix = ix;
  x->q = q;
  x->cap = want;
  x->total_exact = 1;
  x->m = marks_get(s->n_concepts ? s->n_concepts : 1);
  x->hits = IMT_CALLOC(imt_search_hit, want ? want : 1);
  if (!x->m || !x->hits || imt_text_fold(q->q, strlen(q->q), &f)) {
    free(x->hits);
    imt_folded_free(&f);
    return IMT_ERR_NOMEM;
  }
  x->qclen = utf8_chars(f.text, f.len);
  if (f.len) {
    stage_exact(x, f.text, f.len, -1, 0);
    if (q->mode != IMT_SEARCH_EXACT) {
      const sx_sa *src[3];
      uint32_t rg[3][2];
      int n = 0;
      char pq[IMT_SEARCH_MAX_QUERY * 2 + 8];
      size_t pl;
      if (q->lang != IMT_SEARCH_EN) { src[n] = &ix->sa[GROUP_ZH]; sa_range(src[n], f.text, f.len, &rg[n][0], &rg[n][1]); n++; }
      if (q->lang != IMT_SEARCH_ZH) { src[n] = &ix->sa[GROUP_EN]; sa_range(src[n], f.text, f.len, &rg[n][0], &rg[n][1]); n++; }
      if (q->lang != IMT_SEARCH_EN && (pl = (size_t)pinyin_like(f.text, f.len, pq, sizeof pq)) > 0) {
        src[n] = &ix->py;
        sa_range(src[n], pq, pl, &rg[n][0], &rg[n][1]);
        n++;
      }
      stage_ranges(x, src, (const uint32_t (*)[2])rg, n, -1, 0, NULL,
                   q->mode == IMT_SEARCH_PREFIX ? TIER_PINYIN : TIER_SUB);
      if (q->mode == IMT_SEARCH_FUZZY || (q->mode == IMT_SEARCH_AUTO && x->total == 0)) {
        int han = 0;
        for (size_t i = 0; i < f.len; i++) if ((unsigned char)f.text[i] >= 0xE3) han = 1;
        if (han && q->lang != IMT_SEARCH_EN) fuzzy_chinese(x, f.text, f.len);
        if (q->lang != IMT_SEARCH_ZH) fuzzy_english(x, f.text, f.len);
      }
    }
  }
  imt_folded_free(&f);
  if (x->oom) { free(x->hits); return IMT_ERR_NOMEM; }
  out->total = x->total;
  out->total_exact = x->total_exact;
  if (x->n > q->offset) {
    out->n = x->n - q->offset;
    memmove(x->hits, x->hits + q->offset, out->n * sizeof *x->hits);
  }
  out->hits = x->hits;
  return 0;
}

void imt_search_result_free(imt_search_result *r)
{
  if (!r) return;
  IMT_FREE(r->hits);
  r->n = 0;
}

uint32_t imt_search_exact(const imt_snapshot *s, const char *text, imt_search_hit *out, uint32_t max)
{
  imt_search_query q = {text, IMT_SEARCH_ANY, IMT_SEARCH_EXACT, max, 0, -1, 1};
  imt_search_result r;
  uint32_t n;
  if (!max || imt_search_run(s, &q, &r)) return 0;
  n = r.n < max ? r.n : max;
  memcpy(out, r.hits, n * sizeof *out);
  imt_search_result_free(&r);
  return n;
}

const char *imt_search_hit_label(const imt_snapshot *s, const imt_search_hit *h)
{
  const imt_concept *c = &s->concepts[h->concept];
  const imt_label *l = h->label < c->n_labels ? &c->labels[h->label] : NULL;
  if (l && l->kind != IMT_LABEL_HIDDEN) return l->text;
  if (l && (l->lang == IMT_LANG_ZH || l->lang == IMT_LANG_ZH_HANT) && *c->pref[IMT_LANG_ZH]) return c->pref[IMT_LANG_ZH];
  return *c->pref[IMT_LANG_EN] ? c->pref[IMT_LANG_EN] : c->pref[IMT_LANG_ZH];
}

/* ---- rendered concept cache ------------------------------------------------------------------ */
const char *imt_search_cached_json(const imt_snapshot *s, uint32_t idx, char *(*render)(const imt_snapshot *, uint32_t))
{
  sx_index *ix = s->ext[IMT_EXT_SEARCH];
  char *cur, *mine;
  if (!ix || idx >= ix->n_rendered) return NULL;
  cur = atomic_load_explicit(&ix->rendered[idx], memory_order_acquire);
  if (cur) return cur;
  if (atomic_load(&ix->rendered_bytes) > IMT_SEARCH_RENDER_CACHE) return NULL;
  mine = render(s, idx);
  if (!mine) return NULL;
  if (atomic_compare_exchange_strong(&ix->rendered[idx], &cur, mine)) {
    atomic_fetch_add(&ix->rendered_bytes, strlen(mine) + 1);
    return mine;
  }
  free(mine);   /* another thread stored the same text first */
  return cur;
}
