/* test_search.c - ranking and matching of the search index over a fixture vocabulary
 * (tests/data/search): every tier of the ranking, ties, filters, paging and totals. */
#include "config.h"
#include "imt.h"
#include "imt_search.h"
#include "imt_pinyin.h"
#include "imt_buf.h"
#include "imt_render.h"
#include "imt_snapshot.h"
#include "imt_vocab.h"
#include "tap.h"

static const imt_snapshot *S;

static imt_search_result run(const char *q, int lang, int mode, uint32_t limit, uint32_t offset)
{
  imt_search_query sq = {q, lang, mode, limit, offset, -1, 0};
  imt_search_result r;
  if (imt_search_run(S, &sq, &r)) memset(&r, 0, sizeof r);
  return r;
}

static const char *id(const imt_search_result *r, uint32_t i)
{
  return i < r->n ? S->concepts[r->hits[i].concept].id : "(none)";
}

int main(void)
{
  char dir[4096];
  imt_error err = {0};
  imt_snapshot *s;
  imt_search_result r;
  const char *py[3];
  char key[64];
  imt_log_set_quiet(1);
  snprintf(dir, sizeof dir, "%s/tests/data/search", tap_srcdir());
  s = imt_vocab_load(dir, NULL, 0, &err);
  CHECK(s != NULL, "fixture vocabulary loads");
  if (!s) { printf("# %s\n", err.message); return TAP_DONE(); }
  S = s;
  CHECK(s->ext[IMT_EXT_SEARCH] != NULL, "search index built with the snapshot");

  /* exact pref > exact synonym > prefix (shorter first, then shallower) > word prefix */
  r = run("lung", IMT_SEARCH_EN, IMT_SEARCH_AUTO, 10, 0);
  CHECK_STR(id(&r, 0), "T0000002", "exact preferred label first");
  CHECK(r.n > 0 && r.hits[0].type == IMT_HIT_EXACT, "type exact");
  CHECK_STR(id(&r, 1), "T0000004", "exact synonym second");
  CHECK(r.n > 1 && r.hits[1].type == IMT_HIT_SYNONYM, "type synonym");
  CHECK_STR(id(&r, 2), "T0000005", "prefix: shortest label (lungs) next");
  CHECK_STR(id(&r, 3), "T0000007", "same length: shallower concept (lungyy, depth 1) first");
  CHECK_STR(id(&r, 4), "T0000006", "then the deeper one (lungxx, depth 3)");
  CHECK_STR(id(&r, 5), "T0000003", "longer prefix label last among prefixes");
  CHECK(r.n == 6 && r.total == 6 && r.total_exact, "deprecated 'old lung' left out; total 6");
  CHECK(r.hits[0].score > r.hits[1].score && r.hits[1].score > r.hits[2].score
        && r.hits[4].score >= r.hits[5].score, "scores decrease with rank");
  imt_search_result_free(&r);

  /* deprecated included on request, as a word-prefix match after the prefix ones */
  {
    imt_search_query q = {"lung", IMT_SEARCH_EN, IMT_SEARCH_AUTO, 10, 0, -1, 1};
    CHECK(imt_search_run(S, &q, &r) == 0 && r.n == 7, "deprecated included on request");
    CHECK_STR(id(&r, 6), "T0000008", "word prefix after prefixes");
    CHECK(r.n == 7 && r.hits[6].type == IMT_HIT_WORD_PREFIX, "type word prefix");
    imt_search_result_free(&r);
  }

  /* paging */
  r = run("lung", IMT_SEARCH_EN, IMT_SEARCH_AUTO, 2, 2);
  CHECK(r.n == 2 && r.total == 6, "page of 2 at offset 2, total unchanged");
  CHECK_STR(id(&r, 0), "T0000005", "offset 2 starts at the third result");
  imt_search_result_free(&r);
  r = run("lung", IMT_SEARCH_EN, IMT_SEARCH_AUTO, 5, 100);
  CHECK(r.n == 0 && r.total == 6, "offset past the end: empty page, total kept");
  imt_search_result_free(&r);

  /* mode exact and prefix */
  r = run("lung", IMT_SEARCH_ANY, IMT_SEARCH_EXACT, 10, 0);
  CHECK(r.n == 2 && r.total == 2, "mode exact: only the two exact labels");
  imt_search_result_free(&r);
  r = run("结节", IMT_SEARCH_ZH, IMT_SEARCH_PREFIX, 10, 0);
  CHECK(r.n == 1 && !strcmp(id(&r, 0), "T0000010"), "mode prefix leaves substring matches out");
  imt_search_result_free(&r);

  /* Chinese: exact first, then substring */
  r = run("结节", IMT_SEARCH_ZH, IMT_SEARCH_AUTO, 10, 0);
  CHECK_STR(id(&r, 0), "T0000010", "Chinese exact first");
  CHECK_STR(id(&r, 1), "T0000003", "肺结节 as a substring match");
  CHECK(r.n == 2 && r.hits[1].type == IMT_HIT_SUBSTRING, "type substring");
  imt_search_result_free(&r);

  /* traditional hidden label and folding */
  r = run("縱隔", IMT_SEARCH_ANY, IMT_SEARCH_AUTO, 10, 0);
  CHECK(r.n >= 1 && !strcmp(id(&r, 0), "T0000009") && r.hits[0].type == IMT_HIT_EXACT,
        "traditional form folds to the simplified preferred label");
  CHECK_STR(imt_search_hit_label(S, &r.hits[0]), "纵隔", "matched label shown is the visible one");
  imt_search_result_free(&r);
  r = run("ＬＵＮＧ", IMT_SEARCH_ANY, IMT_SEARCH_EXACT, 10, 0);
  CHECK_STR(id(&r, 0), "T0000002", "full-width upper case matches");
  imt_search_result_free(&r);

  /* pinyin */
  CHECK(imt_pinyin_of(0x9694, py) >= 1 && !strcmp(py[0], "ge"), "隔 reads ge (Unihan)");
  CHECK(imt_pinyin_homophone(0x8188, 0x9694), "膈 and 隔 share a reading");
  CHECK(imt_pinyin_key("磨玻璃影", strlen("磨玻璃影"), 1, 0, key, sizeof key, NULL) == 4 && !strcmp(key, "mbly"),
        "initials key of 磨玻璃影 is mbly");
  CHECK(imt_pinyin_key("abc", 3, 0, 0, key, sizeof key, NULL) == 0, "no pinyin key without Chinese");
  r = run("zongge", IMT_SEARCH_ANY, IMT_SEARCH_AUTO, 10, 0);
  CHECK(r.n >= 1 && !strcmp(id(&r, 0), "T0000009") && r.hits[0].type == IMT_HIT_PINYIN, "full pinyin finds 纵隔");
  imt_search_result_free(&r);
  r = run("pangguang", IMT_SEARCH_ANY, IMT_SEARCH_AUTO, 10, 0);
  CHECK(r.n >= 1 && !strcmp(id(&r, 0), "T0000011"), "second reading of a polyphone (膀 pang) is indexed");
  imt_search_result_free(&r);
  r = run("zg", IMT_SEARCH_ZH, IMT_SEARCH_AUTO, 10, 0);
  CHECK(r.n >= 1 && !strcmp(id(&r, 0), "T0000009"), "pinyin initials zg find 纵隔");
  imt_search_result_free(&r);

  /* fuzzy */
  r = run("纵膈", IMT_SEARCH_ANY, IMT_SEARCH_AUTO, 10, 0);
  CHECK(r.n == 1 && !strcmp(id(&r, 0), "T0000009") && r.hits[0].type == IMT_HIT_FUZZY && r.hits[0].distance == 1,
        "same-pinyin substitution: 纵膈 -> 纵隔");
  imt_search_result_free(&r);
  r = run("mediastinun", IMT_SEARCH_ANY, IMT_SEARCH_AUTO, 10, 0);
  CHECK(r.n == 1 && !strcmp(id(&r, 0), "T0000009") && r.hits[0].type == IMT_HIT_FUZZY, "edit distance 1 in English");
  imt_search_result_free(&r);
  r = run("urinary bladdr", IMT_SEARCH_ANY, IMT_SEARCH_AUTO, 10, 0);
  CHECK(r.n == 1 && !strcmp(id(&r, 0), "T0000011"), "typo in the last word of a phrase");
  imt_search_result_free(&r);
  r = run("nodlue", IMT_SEARCH_EN, IMT_SEARCH_AUTO, 10, 0);
  CHECK(r.n >= 1 && !strcmp(id(&r, 0), "T0000010") && r.hits[0].distance == 1, "transposition counts as one edit");
  imt_search_result_free(&r);
  r = run("qwertyuiop", IMT_SEARCH_ANY, IMT_SEARCH_AUTO, 10, 0);
  CHECK(r.n == 0 && r.total == 0, "nonsense finds nothing");
  imt_search_result_free(&r);
  r = run("lung", IMT_SEARCH_EN, IMT_SEARCH_FUZZY, 10, 0);
  CHECK_STR(id(&r, 0), "T0000002", "mode fuzzy keeps exact first");
  imt_search_result_free(&r);

  /* subtree */
  {
    imt_search_query q = {"lung", IMT_SEARCH_ANY, IMT_SEARCH_AUTO, 10, 0, -1, 0};
    q.subtree = imt_snapshot_by_id(S, "T0000003")->idx;
    CHECK(imt_search_run(S, &q, &r) == 0 && r.n == 2 && !strcmp(id(&r, 0), "T0000006") && !strcmp(id(&r, 1), "T0000003"),
          "subtree keeps descendants-or-self only");
    imt_search_result_free(&r);
  }
  {
    imt_search_hit h[4];
    CHECK(imt_search_exact(S, "LN", h, 4) == 1 && h[0].type == IMT_HIT_SYNONYM, "exact lookup of an abbreviation");
  }
  {
    /* search writes concepts without cJSON: the text must equal the cJSON rendering, for every
     * concept (deprecated ones carry "deprecated":true) */
    uint32_t same = 0;
    for (uint32_t i = 0; i < S->n_concepts; i++) {
      imt_buf b = IMT_BUF_INIT;
      cJSON *o = imt_render_concept_brief(S, &S->concepts[i]);
      char *t = o ? cJSON_PrintUnformatted(o) : NULL;
      imt_render_concept_brief_buf(&b, S, &S->concepts[i]);
      imt_buf_putc(&b, '\0');
      if (t && b.data && !strcmp(t, b.data)) same++;
      else printf("# %s\n# %s\n", t ? t : "(null)", b.data ? b.data : "(null)");
      free(t);
      cJSON_Delete(o);
      imt_buf_free(&b);
    }
    CHECK(S->n_concepts > 0 && same == S->n_concepts, "brief concept JSON written directly equals the cJSON form");
  }
  imt_snapshot_free(s);
  return TAP_DONE();
}
