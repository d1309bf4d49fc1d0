/* imt_misslog.c - the miss log: a lock-free bounded ring filled by request threads and drained by
 * one writer thread that aggregates each batch and upserts it into SQLite (see imt_misslog.h). */
#include "config.h"
#include "imt.h"
#include "imt_config.h"
#include "imt_db.h"
#include "imt_map.h"
#include "imt_misslog.h"
#include "imt_text.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MASK (IMT_MISSLOG_SLOTS - 1)
#define CTX_BYTES (IMT_MISSLOG_CONTEXT_BYTES + 1)
#define BATCH_MAX 2048   /* misses per transaction */

/* One ring slot. seq follows Vyukov's bounded queue: seq == pos means free for the producer that
 * claimed pos; seq == pos + 1 means filled and ready for the consumer. */
typedef struct slot {
  _Atomic size_t seq;
  time_t t;
  char endpoint[16];
  char lang[16];
  char term[IMT_MISSLOG_TERM_MAX + 1];
  char ctx[CTX_BYTES];
} slot;

static slot ring[IMT_MISSLOG_SLOTS];
static _Atomic size_t enq_pos;        /* next position producers claim */
static _Atomic size_t committed_pos;  /* every position below this was written or dropped */
static size_t deq_pos;                /* writer thread only */
static atomic_int enabled;            /* record() keeps misses */
static int ring_ready;                /* ring sequence numbers initialized */

static _Atomic uint64_t n_recorded, n_dropped, n_written, n_batches, n_errors, writer_cpu_ns;

/* writer state, under wlock */
static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t fcond = PTHREAD_COND_INITIALIZER;  /* signalled after each drain */
static pthread_t writer;
static int writer_running, writer_stop, kick;
static sqlite3 *wdb;          /* writer connection; kept open across stop/start with the same path */
static char *wdb_path;
static pthread_mutex_t life = PTHREAD_MUTEX_INITIALIZER;  /* start/stop/open/close */

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS misses ("
  " term TEXT NOT NULL, lang TEXT NOT NULL, endpoint TEXT NOT NULL,"
  " count INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
  " context TEXT NOT NULL DEFAULT '', ctx_given INTEGER NOT NULL DEFAULT 0,"
  " PRIMARY KEY (term, lang, endpoint)) WITHOUT ROWID;";
/* No index on last_seen: every miss updates it, and the table holds one row per distinct term,
 * small enough for GET /api/misses to scan. */

static const char upsert_sql[] =
  "INSERT INTO misses(term, lang, endpoint, count, first_seen, last_seen, context, ctx_given)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
  " ON CONFLICT(term, lang, endpoint) DO UPDATE SET count = count + excluded.count,"
  " first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),"
  " context = CASE WHEN ctx_given = 0 AND excluded.ctx_given = 1 THEN excluded.context ELSE context END,"
  " ctx_given = max(ctx_given, excluded.ctx_given)";

/* Copy at most max bytes of s into dst (size max+1), cut at a UTF-8 boundary and, when chars > 0,
 * at most chars code points. Returns the bytes copied. */
static size_t copy_utf8(char *dst, size_t max, const char *s, size_t chars)
{
  size_t n = 0, cp = 0;
  if (s)
    while (s[n] && n < max) {
      unsigned char c = (unsigned char)s[n];
      if ((c & 0xC0) != 0x80) {       /* a character starts here */
        size_t w = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (n + w > max || (chars && cp == chars))
          break;
        cp++;
      }
      n++;
    }
  memcpy(dst, s ? s : "", n);
  dst[n] = '\0';
  return n;
}

/* Copy a short token (endpoint, language tag), keeping only [A-Za-z0-9_-]. */
static void copy_token(char *dst, size_t size, const char *s)
{
  size_t n = 0;
  for (; s && *s && n + 1 < size; s++)
    if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_')
      dst[n++] = *s;
  dst[n] = '\0';
}

void imt_misslog_record(const char *endpoint, const char *lang, const char *term, const char *context)
{
  size_t pos;
  slot *s;
  if (!term || !*term || !atomic_load_explicit(&enabled, memory_order_acquire))
    return;
  pos = atomic_load_explicit(&enq_pos, memory_order_relaxed);
  for (;;) {
    size_t seq;
    intptr_t diff;
    s = &ring[pos & MASK];
    seq = atomic_load_explicit(&s->seq, memory_order_acquire);
    diff = (intptr_t)seq - (intptr_t)pos;
    if (diff == 0) {
      if (atomic_compare_exchange_weak_explicit(&enq_pos, &pos, pos + 1, memory_order_relaxed,
                                                memory_order_relaxed))
        break;
    } else if (diff < 0) {          /* full: the writer has not freed this slot yet */
      atomic_fetch_add_explicit(&n_dropped, 1, memory_order_relaxed);
      return;
    } else
      pos = atomic_load_explicit(&enq_pos, memory_order_relaxed);
  }
  s->t = time(NULL);
  copy_token(s->endpoint, sizeof s->endpoint, endpoint);
  copy_token(s->lang, sizeof s->lang, lang);
  copy_utf8(s->term, IMT_MISSLOG_TERM_MAX, term, 0);
  copy_utf8(s->ctx, CTX_BYTES - 1, context, IMT_MISSLOG_CONTEXT_CHARS);
  atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
  atomic_fetch_add_explicit(&n_recorded, 1, memory_order_relaxed);
  /* a burst: wake the writer every quarter ring instead of waiting for its timer (signalling
   * without the mutex may miss a wake-up; the timer covers that) */
  if ((pos & (IMT_MISSLOG_SLOTS / 4 - 1)) == IMT_MISSLOG_SLOTS / 4 - 1)
    pthread_cond_signal(&wcond);
}

int imt_misslog_enabled(void)
{
  return atomic_load(&enabled);
}

/* ---- writer --------------------------------------------------------------------------------- */

typedef struct agg {
  char *term;           /* folded, owned */
  const char *lang, *endpoint;  /* point into the entry copies below */
  char lang_buf[16], endpoint_buf[16];
  char *ctx;            /* owned */
  int ctx_given;        /* ctx is a context sent by the caller, not the term as sent */
  long long count, first, last;
} agg;

/* 1 if s is valid UTF-8 (no overlongs or surrogates checked beyond lead/continuation shape). */
static int utf8_ok(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    int w = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
    if (!w || (w == 2 && *p < 0xC2))
      return 0;
    for (int i = 1; i < w; i++)
      if ((p[i] & 0xC0) != 0x80)
        return 0;
    p += w;
  }
  return 1;
}

/* Take one filled slot into the batch (aggregating with an equal key). Returns 0, or non-zero on
 * OOM (the miss is counted as dropped). */
/* Count one more occurrence of an aggregated miss. */
static void bump(agg *a, const slot *s)
{
  a->count++;
  if (s->t < a->first) a->first = s->t;
  if (s->t > a->last) a->last = s->t;
  if (!a->ctx_given && *s->ctx && utf8_ok(s->ctx)) {
    char *c = imt_strdup(s->ctx);
    if (c) { free(a->ctx); a->ctx = c; a->ctx_given = 1; }
  }
}

/* Folded form of a raw term through a direct-mapped cache kept across batches (writer thread
 * only): the same misses recur, and folding (NFKC, OpenCC) is the writer's main cost.
 * Returns a new string (caller frees) or NULL on OOM. */
#define FOLD_CACHE 8192
static struct { char *raw, *key; } fold_cache[FOLD_CACHE];

static char *fold_cached(const char *raw)
{
  size_t i = (size_t)(imt_hash(raw, strlen(raw)) & (FOLD_CACHE - 1));
  char *key;
  if (fold_cache[i].raw && !strcmp(fold_cache[i].raw, raw))
    return imt_strdup(fold_cache[i].key);
  key = imt_text_key(raw);
  if (key) {
    char *r = imt_strdup(raw), *k = imt_strdup(key);
    if (r && k) {
      free(fold_cache[i].raw);
      free(fold_cache[i].key);
      fold_cache[i].raw = r;
      fold_cache[i].key = k;
    } else {
      free(r);
      free(k);
    }
  }
  return key;
}

/* Free the fold cache (writer stopped). */
static void fold_cache_free(void)
{
  for (size_t i = 0; i < FOLD_CACHE; i++) {
    IMT_FREE(fold_cache[i].raw);
    IMT_FREE(fold_cache[i].key);
  }
}

static int take(agg *b, size_t *nb, uint64_t *h, size_t hcap, const slot *s, long *out)
{
  char *key = fold_cached(s->term);
  *out = -1;
  uint64_t hv;
  size_t i;
  if (!key)
    return IMT_ERR_NOMEM;
  {  /* a term that folds to nothing (only spaces) is no miss worth keeping */
    size_t k = strlen(key), lead = strspn(key, " ");
    while (k > lead && key[k - 1] == ' ')
      key[--k] = '\0';
    if (lead)
      memmove(key, key + lead, k - lead + 1);
    if (!*key) {
      free(key);
      return 0;
    }
  }
  hv = imt_hash(key, strlen(key)) ^ (imt_hash(s->lang, strlen(s->lang)) * 31) ^ (imt_hash(s->endpoint, strlen(s->endpoint)) * 131);
  for (i = hv & (hcap - 1);; i = (i + 1) & (hcap - 1)) {
    if (!h[i])
      break;
    {
      agg *a = &b[h[i] - 1];
      if (!strcmp(a->term, key) && !strcmp(a->lang, s->lang) && !strcmp(a->endpoint, s->endpoint)) {
        bump(a, s);
        *out = (long)(h[i] - 1);
        free(key);
        return 0;
      }
    }
  }
  {
    agg *a = &b[*nb];
    int given = *s->ctx && utf8_ok(s->ctx);
    /* no usable context: the term as sent is the example */
    const char *c = given ? s->ctx : utf8_ok(s->term) ? s->term : "";
    char ctxb[CTX_BYTES];
    copy_utf8(ctxb, CTX_BYTES - 1, c, IMT_MISSLOG_CONTEXT_CHARS);
    memset(a, 0, sizeof *a);
    a->term = key;
    a->ctx = imt_strdup(ctxb);
    if (!a->ctx) { free(key); return IMT_ERR_NOMEM; }
    a->ctx_given = given;
    snprintf(a->lang_buf, sizeof a->lang_buf, "%s", s->lang);
    snprintf(a->endpoint_buf, sizeof a->endpoint_buf, "%s", s->endpoint);
    a->lang = a->lang_buf;
    a->endpoint = a->endpoint_buf;
    a->count = 1;
    a->first = a->last = s->t;
    h[i] = ++*nb;
    *out = (long)(*nb - 1);
  }
  return 0;
}

/* Write the aggregated batch in one transaction. Returns 0 or non-zero (logged). */
static int write_batch(sqlite3 *db, agg *b, size_t nb)
{
  sqlite3_stmt *st = NULL;
  imt_error err = {0};
  int rc;
  if (imt_db_exec(db, "BEGIN IMMEDIATE", &err)) {
    imt_log("error", "miss log: %s", err.message);
    return 1;
  }
  rc = sqlite3_prepare_v2(db, upsert_sql, -1, &st, NULL);
  for (size_t i = 0; rc == SQLITE_OK && i < nb; i++) {
    sqlite3_bind_text(st, 1, b[i].term, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b[i].lang, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, b[i].endpoint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, b[i].count);
    sqlite3_bind_int64(st, 5, b[i].first);
    sqlite3_bind_int64(st, 6, b[i].last);
    sqlite3_bind_text(st, 7, b[i].ctx, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, b[i].ctx_given);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_OK) {
    imt_log("error", "miss log: writing a batch failed: %s", sqlite3_errstr(rc));
    imt_db_exec(db, "ROLLBACK", NULL);
    return 1;
  }
  if (imt_db_exec(db, "COMMIT", &err)) {
    imt_log("error", "miss log: %s", err.message);
    imt_db_exec(db, "ROLLBACK", NULL);
    return 1;
  }
  return 0;
}

/* Drain the ring in batches until it is empty. Writer thread only. */
static void drain(sqlite3 *db)
{
  static agg batch[BATCH_MAX];
  static uint64_t hash[BATCH_MAX * 2];
  /* Raw forms seen in this batch -> their aggregate, so that a term repeated as sent is folded
   * once per batch, not once per request (folding is the writer's main cost). */
  static struct { uint64_t h; char *term; char lang[16], endpoint[16]; long agg; } raw[BATCH_MAX * 2];
  for (;;) {
    size_t nb = 0, taken = 0;
    memset(hash, 0, sizeof hash);
    memset(raw, 0, sizeof raw);
    while (taken < BATCH_MAX) {
      slot *s = &ring[deq_pos & MASK];
      uint64_t rh;
      size_t r;
      long idx;
      if (atomic_load_explicit(&s->seq, memory_order_acquire) != deq_pos + 1)
        break;
      rh = imt_hash(s->term, strlen(s->term)) ^ (imt_hash(s->lang, strlen(s->lang)) * 31) ^
           (imt_hash(s->endpoint, strlen(s->endpoint)) * 131);
      rh |= 1;  /* 0 marks a free entry */
      for (r = rh & (BATCH_MAX * 2 - 1); raw[r].h; r = (r + 1) & (BATCH_MAX * 2 - 1))
        if (raw[r].h == rh && !strcmp(raw[r].term, s->term) && !strcmp(raw[r].lang, s->lang) &&
            !strcmp(raw[r].endpoint, s->endpoint))
          break;
      if (raw[r].h) {                    /* seen as sent in this batch */
        if (raw[r].agg >= 0)
          bump(&batch[raw[r].agg], s);
      } else if (take(batch, &nb, hash, BATCH_MAX * 2, s, &idx))
        atomic_fetch_add(&n_dropped, 1);
      else if ((raw[r].term = imt_strdup(s->term)) != NULL) {
        raw[r].h = rh;
        memcpy(raw[r].lang, s->lang, sizeof raw[r].lang);    /* the slot is reused once released */
        memcpy(raw[r].endpoint, s->endpoint, sizeof raw[r].endpoint);
        raw[r].agg = idx;
      }
      atomic_store_explicit(&s->seq, deq_pos + IMT_MISSLOG_SLOTS, memory_order_release);
      deq_pos++;
      taken++;
    }
    if (nb) {
      if (write_batch(db, batch, nb))
        atomic_fetch_add(&n_errors, 1);
      else {
        atomic_fetch_add(&n_batches, 1);
        atomic_fetch_add(&n_written, taken);
      }
    }
    for (size_t i = 0; i < nb; i++) {
      free(batch[i].term);
      free(batch[i].ctx);
    }
    for (size_t i = 0; i < BATCH_MAX * 2; i++)
      free(raw[i].term);
    atomic_store(&committed_pos, deq_pos);
    if (taken < BATCH_MAX)
      break;
  }
}

static void *writer_main(void *arg)
{
  sqlite3 *db = arg;
  pthread_mutex_lock(&wlock);
  for (;;) {
    int stop;
    if (!writer_stop && !kick) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_nsec += IMT_MISSLOG_FLUSH_MS * 1000000L;
      if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
      pthread_cond_timedwait(&wcond, &wlock, &ts);
    }
    stop = writer_stop;
    kick = 0;
    pthread_mutex_unlock(&wlock);
    {
      struct timespec a, b;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
      drain(db);
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
      atomic_fetch_add(&writer_cpu_ns, (uint64_t)((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec)));
    }
    pthread_mutex_lock(&wlock);
    pthread_cond_broadcast(&fcond);
    if (stop)
      break;
  }
  pthread_mutex_unlock(&wlock);
  return NULL;
}

/* Stop the writer thread after a last drain (life held). */
static void writer_halt(void)
{
  if (!writer_running)
    return;
  pthread_mutex_lock(&wlock);
  writer_stop = 1;
  pthread_cond_signal(&wcond);
  pthread_mutex_unlock(&wlock);
  pthread_join(writer, NULL);
  writer_running = 0;
  fold_cache_free();   /* a reload may bring another folding; start the cache afresh */
}

/* Open (or keep) the database for path and start the writer (life held). */
static int writer_launch(const char *path, imt_error *err)
{
  if (wdb && wdb_path && strcmp(wdb_path, path) != 0) {
    sqlite3_close(wdb);
    wdb = NULL;
    IMT_FREE(wdb_path);
  }
  if (!wdb) {
    wdb = imt_db_open(path, IMT_DB_WRITE, err);
    if (!wdb)
      return err ? err->code : IMT_ERR_IO;
    if (imt_db_exec(wdb, schema, err)) {
      sqlite3_close(wdb);
      wdb = NULL;
      return err ? err->code : IMT_ERR_IO;
    }
    wdb_path = imt_strdup(path);
    if (!wdb_path) {
      sqlite3_close(wdb);
      wdb = NULL;
      return imt_error_set(err, IMT_ERR_NOMEM, "out of memory");
    }
  }
  if (!ring_ready) {
    for (size_t i = 0; i < IMT_MISSLOG_SLOTS; i++)
      atomic_init(&ring[i].seq, i);
    ring_ready = 1;
  }
  writer_stop = 0;
  kick = 0;
  if (pthread_create(&writer, NULL, writer_main, wdb)) {
    return imt_error_set(err, IMT_ERR_INTERNAL, "miss log: cannot start the writer thread: %s", strerror(errno));
  }
  writer_running = 1;
  atomic_store_explicit(&enabled, 1, memory_order_release);
  return 0;
}

/* 1 when the environment turns the miss log off. */
static int disabled_by_env(void)
{
  const char *v = getenv("IMTERM_MISSLOG");
  return v && (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false"));
}

int imt_misslog_start(const imt_config *cfg, struct imt_store *st, imt_error *err)
{
  int rc;
  (void)st;
  if (disabled_by_env()) {
    imt_log("info", "miss log: off (IMTERM_MISSLOG)");
    return 0;
  }
  pthread_mutex_lock(&life);
  writer_halt();
  rc = writer_launch(cfg->db_path, err);
  pthread_mutex_unlock(&life);
  return rc;
}

void imt_misslog_stop(void)
{
  /* Keeps recording into the ring and keeps the database open: a reload starts the writer again
   * right after, and what was recorded in between is written then. */
  pthread_mutex_lock(&life);
  writer_halt();
  pthread_mutex_unlock(&life);
}

int imt_misslog_open(const char *db_path, imt_error *err)
{
  int rc;
  pthread_mutex_lock(&life);
  writer_halt();
  rc = writer_launch(db_path, err);
  pthread_mutex_unlock(&life);
  return rc;
}

void imt_misslog_close(void)
{
  pthread_mutex_lock(&life);
  atomic_store(&enabled, 0);
  writer_halt();
  if (wdb) {
    sqlite3_close(wdb);
    wdb = NULL;
  }
  IMT_FREE(wdb_path);
  pthread_mutex_unlock(&life);
}

int imt_misslog_flush(double timeout)
{
  size_t target = atomic_load(&enq_pos);
  double deadline = imt_now() + timeout;
  int rc = 0;
  pthread_mutex_lock(&wlock);
  if (!writer_running) {
    pthread_mutex_unlock(&wlock);
    return 1;
  }
  while ((intptr_t)(atomic_load(&committed_pos) - target) < 0) {
    struct timespec ts;
    double left = deadline - imt_now();
    if (!writer_running || left <= 0) {
      rc = 1;
      break;
    }
    kick = 1;
    pthread_cond_signal(&wcond);
    clock_gettime(CLOCK_REALTIME, &ts);
    if (left > 0.05) left = 0.05;
    ts.tv_nsec += (long)(left * 1e9);
    while (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
    pthread_cond_timedwait(&fcond, &wlock, &ts);
  }
  pthread_mutex_unlock(&wlock);
  return rc;
}

void imt_misslog_get_stats(imt_misslog_stats *out)
{
  out->recorded = atomic_load(&n_recorded);
  out->dropped = atomic_load(&n_dropped);
  out->written = atomic_load(&n_written);
  out->batches = atomic_load(&n_batches);
  out->errors = atomic_load(&n_errors);
  out->writer_cpu = (double)atomic_load(&writer_cpu_ns) / 1e9;
}

/* Parse a time parameter: Unix seconds, YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS][Z] (UTC).
 * Returns 0 and *out, or -1. */
int imt_time_parse(const char *s, long long *out)
{
  struct tm tm;
  int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
  size_t len = strlen(s);
  if (len && strspn(s, "0123456789") == len && len <= 12) {
    char *end;
    *out = strtoll(s, &end, 10);
    return 0;
  }
  if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
    return -1;
  if (s[10]) {
    int m = 0;
    if ((s[10] != 'T' && s[10] != ' ') || sscanf(s + 11, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
      return -1;
    m += 11;
    if (s[m] == ':') {
      int k = 0;
      if (sscanf(s + m + 1, "%2d%n", &sec, &k) != 1 || k != 2)
        return -1;
      m += 3;
    }
    if (s[m] == 'Z')
      m++;
    if (s[m])
      return -1;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
    return -1;
  memset(&tm, 0, sizeof tm);
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  *out = (long long)timegm(&tm);
  return 0;
}

/* ---- reading -------------------------------------------------------------------------------- */

void imt_misses_free(imt_miss *m, size_t n)
{
  if (!m)
    return;
  for (size_t i = 0; i < n; i++) {
    free(m[i].term);
    free(m[i].lang);
    free(m[i].endpoints);
    free(m[i].context);
  }
  free(m);
}

int imt_misslog_top(const char *db_path, const imt_miss_query *q, imt_miss **out, size_t *n, imt_error *err)
{
  static const char sql[] =
    "SELECT term, lang, group_concat(endpoint, ','), sum(count), min(first_seen), max(last_seen),"
    " (SELECT m2.context FROM misses m2 WHERE m2.term = m.term AND m2.lang = m.lang"
    "  ORDER BY m2.ctx_given DESC, m2.first_seen, m2.endpoint LIMIT 1)"
    " FROM (SELECT * FROM misses WHERE last_seen >= ?1 AND (?2 = '' OR lang = ?2)"
    "       AND (?3 = '' OR endpoint = ?3) ORDER BY endpoint) m"
    " GROUP BY term, lang ORDER BY sum(count) DESC, max(last_seen) DESC, term LIMIT ?4";
  char path_copy[4096];
  sqlite3 *db;
  sqlite3_stmt *st = NULL;
  imt_miss *v = NULL;
  size_t nv = 0, cap = 0;
  int rc;
  long limit = q && q->limit > 0 ? q->limit : 50;
  *out = NULL;
  *n = 0;
  if (!db_path) {
    pthread_mutex_lock(&life);
    snprintf(path_copy, sizeof path_copy, "%s", wdb_path ? wdb_path : "");
    pthread_mutex_unlock(&life);
    if (!*path_copy)
      return imt_error_set(err, IMT_ERR_NOTFOUND, "the miss log is not running (IMTERM_MISSLOG=off?)");
    db_path = path_copy;
  }
  {
    FILE *f = fopen(db_path, "rb");
    if (!f)
      return errno == ENOENT ? 0 : imt_error_set(err, IMT_ERR_IO, "%s: %s", db_path, strerror(errno));
    fclose(f);
  }
  db = imt_db_open(db_path, IMT_DB_READ, err);
  if (!db)
    return err ? err->code : IMT_ERR_IO;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) {
    /* no misses table yet: nothing was ever recorded in this database */
    int none = strstr(sqlite3_errmsg(db), "no such table") != NULL;
    if (!none)
      imt_error_set(err, IMT_ERR_IO, "%s: %s", db_path, sqlite3_errmsg(db));
    sqlite3_close(db);
    return none ? 0 : IMT_ERR_IO;
  }
  sqlite3_bind_int64(st, 1, q ? q->since : 0);
  sqlite3_bind_text(st, 2, q && q->lang ? q->lang : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, q && q->endpoint ? q->endpoint : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, limit);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    imt_miss *m;
    if (nv == cap) {
      size_t nc = cap ? cap * 2 : 16;
      imt_miss *t = imt_realloc(v, nc * sizeof *v);
      if (!t) { rc = SQLITE_NOMEM; break; }
      v = t;
      cap = nc;
    }
    m = &v[nv++];
    memset(m, 0, sizeof *m);
    m->term = imt_db_col_dup(st, 0);
    m->lang = imt_db_col_dup(st, 1);
    m->endpoints = imt_db_col_dup(st, 2);
    m->count = sqlite3_column_int64(st, 3);
    m->first_seen = sqlite3_column_int64(st, 4);
    m->last_seen = sqlite3_column_int64(st, 5);
    m->context = imt_db_col_dup(st, 6);
    if (!m->term || !m->lang || !m->endpoints || !m->context) { rc = SQLITE_NOMEM; break; }
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    imt_error_set(err, rc == SQLITE_NOMEM ? IMT_ERR_NOMEM : IMT_ERR_IO, "%s: reading misses failed: %s", db_path,
                  rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
    sqlite3_close(db);
    imt_misses_free(v, nv);
    return rc == SQLITE_NOMEM ? IMT_ERR_NOMEM : IMT_ERR_IO;
  }
  sqlite3_close(db);
  *out = v;
  *n = nv;
  return 0;
}
