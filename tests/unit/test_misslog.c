/* test_misslog.c - the miss log: no-op before start, aggregation by folded term, context cut,
 * verbatim storage, many threads, a full ring drops and counts, lossless stop/start; and the
 * constant-time bearer token check used by the curation write endpoints. */
#include "config.h"
#include "imt.h"
#include "imt_auth.h"
#include "imt_misslog.h"
#include "imt_text.h"
#include "tap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 4
#define PER_THREAD 20000

static void *hammer(void *arg)
{
  char term[32];
  int t = (int)(intptr_t)arg;
  for (int i = 0; i < PER_THREAD; i++) {
    snprintf(term, sizeof term, "term-%d", (i + t) % 50);
    imt_misslog_record("search", "en", term, NULL);
  }
  return NULL;
}

/* The row for term (folded here the way the log folds it) in a top list, or NULL. */
static const imt_miss *find(const imt_miss *m, size_t n, const char *term)
{
  char *key = imt_text_key(term);
  const imt_miss *r = NULL;
  for (size_t i = 0; key && i < n && !r; i++)
    if (!strcmp(m[i].term, key))
      r = &m[i];
  free(key);
  return r;
}

int main(void)
{
  char dir[] = "/tmp/imterm-misslog-XXXXXX", path[256], longctx[1024];
  imt_error err = {0};
  imt_misslog_stats st0, st;
  imt_miss *m = NULL;
  size_t n = 0;
  imt_miss_query q = {0, NULL, NULL, 1000};
  const imt_miss *r;

  /* ---- not started: a no-op ---- */
  imt_misslog_get_stats(&st0);
  imt_misslog_record("search", "en", "before start", "ctx");
  imt_misslog_record(NULL, NULL, NULL, NULL);
  imt_misslog_get_stats(&st);
  CHECK(!imt_misslog_enabled(), "the log is off before it is started");
  CHECK(st.recorded == st0.recorded && st.dropped == st0.dropped, "recording before start is a no-op");
  CHECK(imt_misslog_flush(0.1) != 0, "flush reports that no writer runs");

  if (!mkdtemp(dir)) { printf("not ok - mkdtemp\n"); return 1; }
  snprintf(path, sizeof path, "%s/imterm.db", dir);
  if (getenv("KEEP_DB")) printf("# db %s\n", path);
  CHECK(imt_misslog_top(path, &q, &m, &n, &err) == 0 && n == 0, "a database that does not exist has no misses");

  CHECK(imt_misslog_open(path, &err) == 0, "the log opens a new database");
  CHECK(imt_misslog_enabled(), "the log is on once started");

  /* ---- aggregation by folded term ---- */
  imt_misslog_record("validate", "en", "ＧＧＯ  Lesion", "found ＧＧＯ  Lesion in RUL");
  imt_misslog_record("validate", "en", "ggo lesion", NULL);
  imt_misslog_record("search", "en", "GGO LESION", "");
  imt_misslog_record("search", "zh", "磨玻璃结灶", NULL);
  imt_misslog_record("search", "en", "x'); DROP TABLE misses;--", NULL);
  imt_misslog_record("search", "en", "   ", NULL);
  imt_misslog_record("search", "en", "", NULL);
  for (int i = 0; i < 300; i++)
    longctx[i] = (char)('a' + i % 26);
  longctx[300] = '\0';
  imt_misslog_record("normalize", "", "longcontext", longctx);
  CHECK(imt_misslog_flush(5) == 0, "flush writes everything recorded");
  CHECK(imt_misslog_top(NULL, &q, &m, &n, &err) == 0, "top reads the running log");
  r = find(m, n, "ggo lesion");
  CHECK(r && r->count == 3, "full-width, case and space variants aggregate under the folded term");
  CHECK_STR(r ? r->endpoints : NULL, "search,validate", "the endpoints that missed are listed, sorted");
  CHECK_STR(r ? r->context : NULL, "found ＧＧＯ  Lesion in RUL", "the first non-empty context is the example");
  CHECK(r && r->first_seen > 0 && r->last_seen >= r->first_seen, "first and last seen are set");
  CHECK(m && n > 0 && r == &m[0], "the most frequent miss comes first");
  r = find(m, n, "x'); DROP TABLE misses;--");
  CHECK(r && r->count == 1, "SQL-looking input is stored verbatim (folded only)");
  r = find(m, n, "磨玻璃结灶");
  CHECK(r && !strcmp(r->lang, "zh") && !strcmp(r->context, "磨玻璃结灶"), "without context the term as sent is the example");
  r = find(m, n, "longcontext");
  CHECK(r && strlen(r->context) == 200, "the example context is cut to 200 characters");
  CHECK(n == 4, "blank terms are not recorded");
  imt_misses_free(m, n);

  {
    imt_miss_query qz = {0, "zh", NULL, 10}, qe = {0, NULL, "validate", 10}, qs = {0, NULL, NULL, 10};
    qs.since = (long long)time(NULL) + 3600;
    CHECK(imt_misslog_top(NULL, &qz, &m, &n, &err) == 0 && n == 1 && find(m, n, "磨玻璃结灶"), "lang filters");
    imt_misses_free(m, n);
    CHECK(imt_misslog_top(NULL, &qe, &m, &n, &err) == 0 && n == 1 && m[0].count == 2, "endpoint filters and counts only its misses");
    imt_misses_free(m, n);
    CHECK(imt_misslog_top(NULL, &qs, &m, &n, &err) == 0 && n == 0, "since in the future returns nothing");
    imt_misses_free(m, n);
  }

  /* ---- many threads ---- */
  {
    pthread_t th[THREADS];
    long long sum = 0;
    imt_miss_query qe = {0, NULL, "search", 1000};
    imt_misslog_get_stats(&st0);
    for (int t = 0; t < THREADS; t++)
      pthread_create(&th[t], NULL, hammer, (void *)(intptr_t)t);
    for (int t = 0; t < THREADS; t++)
      pthread_join(th[t], NULL);
    CHECK(imt_misslog_flush(10) == 0, "flush after concurrent recording");
    imt_misslog_get_stats(&st);
    CHECK(st.recorded - st0.recorded + st.dropped - st0.dropped == THREADS * PER_THREAD,
          "every concurrent miss is either recorded or counted as dropped");
    CHECK(st.written - st0.written == st.recorded - st0.recorded, "every recorded miss is written");
    CHECK(imt_misslog_top(NULL, &qe, &m, &n, &err) == 0, "top after concurrent recording");
    for (int k = 0; k < 50; k++) {
      char term[32];
      snprintf(term, sizeof term, "term-%d", k);
      r = find(m, n, term);
      sum += r ? r->count : 0;
    }
    CHECK(sum == (long long)(st.recorded - st0.recorded), "the stored counts add up to the recorded misses");
    printf("# %d threads: %llu recorded, %llu dropped\n", THREADS, (unsigned long long)(st.recorded - st0.recorded),
           (unsigned long long)(st.dropped - st0.dropped));
    imt_misses_free(m, n);
  }

  /* ---- writer stopped (as during a reload): the ring fills, then drops and counts ---- */
  {
    imt_miss_query qr = {0, NULL, "reload", 10};
    imt_misslog_stop();
    imt_misslog_get_stats(&st0);
    for (int i = 0; i < IMT_MISSLOG_SLOTS + 100; i++)
      imt_misslog_record("reload", "en", "kept across reload", NULL);
    imt_misslog_get_stats(&st);
    CHECK(st.dropped - st0.dropped == 100, "a full ring drops the overflow and counts it");
    CHECK(st.recorded - st0.recorded == IMT_MISSLOG_SLOTS, "the ring keeps its capacity while the writer is stopped");
    CHECK(imt_misslog_open(path, &err) == 0, "the writer starts again on the same database");
    CHECK(imt_misslog_flush(10) == 0, "flush after restart");
    CHECK(imt_misslog_top(NULL, &qr, &m, &n, &err) == 0 && n == 1 && m[0].count == IMT_MISSLOG_SLOTS,
          "misses recorded while the writer was stopped are written after restart");
    imt_misses_free(m, n);
  }

  imt_misslog_close();
  imt_misslog_get_stats(&st0);
  imt_misslog_record("search", "en", "after close", NULL);
  imt_misslog_get_stats(&st);
  CHECK(st.recorded == st0.recorded && !imt_misslog_enabled(), "recording after close is a no-op");
  CHECK(imt_misslog_top(path, &q, &m, &n, &err) == 0 && n == 4 + 50 + 1, "the database keeps every distinct miss after close");
  imt_misses_free(m, n);

  /* ---- time parsing ---- */
  {
    long long t;
    CHECK(imt_time_parse("2026-01-31", &t) == 0 && t == 1769817600LL, "a date is midnight UTC");
    CHECK(imt_time_parse("2026-01-31T08:00:00Z", &t) == 0 && t == 1769817600LL + 8 * 3600, "a UTC time");
    CHECK(imt_time_parse("1700000000", &t) == 0 && t == 1700000000LL, "Unix seconds");
    CHECK(imt_time_parse("2026-13-01", &t) != 0 && imt_time_parse("yesterday", &t) != 0 &&
          imt_time_parse("2026-01-31T08:00junk", &t) != 0, "bad times are refused");
  }

  /* ---- bearer tokens ---- */
  CHECK(imt_token_equal("abc", 3, "abc", 3), "equal tokens match");
  CHECK(!imt_token_equal("abd", 3, "abc", 3), "a different last byte does not match");
  CHECK(!imt_token_equal("ab", 2, "abc", 3), "a prefix does not match");
  CHECK(!imt_token_equal("abcd", 4, "abc", 3), "a longer token does not match");
  CHECK(!imt_token_equal("", 0, "abc", 3), "an empty token does not match");
  CHECK(imt_auth_bearer(NULL, "Bearer x") == IMT_AUTH_DISABLED && imt_auth_bearer("", "Bearer x") == IMT_AUTH_DISABLED,
        "no configured token disables writes");
  CHECK(imt_auth_bearer("s3cret", NULL) == IMT_AUTH_MISSING, "no header is missing");
  CHECK(imt_auth_bearer("s3cret", "Basic czNjcmV0") == IMT_AUTH_MISSING, "another scheme is missing");
  CHECK(imt_auth_bearer("s3cret", "Bearer s3cret") == IMT_AUTH_OK, "the right token passes");
  CHECK(imt_auth_bearer("s3cret", "bearer  s3cret ") == IMT_AUTH_OK, "scheme is case-insensitive, spaces trimmed");
  CHECK(imt_auth_bearer("s3cret", "Bearer s3cre") == IMT_AUTH_WRONG, "a wrong token is wrong");
  CHECK(imt_auth_bearer("s3cret", "Bearer s3cret2") == IMT_AUTH_WRONG, "a longer token is wrong");

  {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (!getenv("KEEP_DB") && system(cmd)) {}
  }
  return TAP_DONE();
}
