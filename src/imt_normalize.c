/* imt_normalize.c - mentions found by the matcher get a status from the cue and scope rules
 * (imt_cues.c), and are rendered as the API's JSON. */
#include "config.h"
#include "imt.h"
#include "imt_cues.h"
#include "imt_matcher.h"
#include "imt_normalize.h"

#include <stdlib.h>
#include <string.h>

const char *imt_status_name(int status)
{
  return status == IMT_STATUS_ABSENT ? "absent" : status == IMT_STATUS_UNCERTAIN ? "uncertain" : "present";
}

const char *imt_match_name(int match)
{
  switch (match) {
  case IMT_MATCH_SYNONYM: return "synonym";
  case IMT_MATCH_VARIANT: return "variant";
  case IMT_MATCH_FUZZY: return "fuzzy";
  default: return "exact";
  }
}

unsigned imt_normalize_langs(const char *lang)
{
  if (!lang || !*lang || !strcmp(lang, "auto")) return IMT_MATCH_LANG_ALL;
  if (!strcmp(lang, "zh")) return IMT_MATCH_LANG_ZH | IMT_MATCH_LANG_ABBR;
  if (!strcmp(lang, "en")) return IMT_MATCH_LANG_EN;
  return 0;
}

void imt_normalized_free(imt_normalized *n)
{
  if (!n) return;
  IMT_FREE(n->mentions);
  IMT_FREE(n->cues);
  IMT_FREE(n->cp_byte);
  IMT_FREE(n->misses);
  n->n_mentions = n->n_cues = n->n_misses = 0;
}

static int status_of(int cue_type)
{
  return cue_type == IMT_CUE_NEG ? IMT_STATUS_ABSENT : IMT_STATUS_UNCERTAIN;
}

/* The later (forward pass) or earlier (backward pass) of two open cues, -1 when none. */
static long nearest(long a, long b, int later)
{
  if (a < 0) return b;
  if (b < 0) return a;
  return later ? (a > b ? a : b) : (a < b ? a : b);
}

int imt_normalize(const imt_snapshot *s, const char *text, size_t len, unsigned langs,
                  imt_normalized *out)
{
  const imt_matcher *m = imt_matcher_of(s);
  imt_scan sc;
  long *gov = NULL, *cue_slot = NULL;
  uint32_t *governed = NULL;
  size_t nm = 0;
  int rc;

  memset(out, 0, sizeof *out);
  if (!m) return IMT_ERR_INTERNAL;
  if ((rc = imt_matcher_scan(m, text, len, langs, &sc))) return rc;
  rc = IMT_ERR_NOMEM;
  gov = imt_malloc((sc.n + 1) * sizeof *gov);
  governed = imt_calloc(sc.n + 1, sizeof *governed);
  cue_slot = imt_malloc((sc.n + 1) * sizeof *cue_slot);
  if (!gov || !governed || !cue_slot) goto done;
  for (size_t i = 0; i < sc.n; i++) { gov[i] = -1; cue_slot[i] = -1; }

  /* forward: a cue governs what follows it in its scope */
  {
    long act[3] = {-1, -1, -1};
    for (size_t i = 0; i < sc.n; i++) {
      const imt_event *e = &sc.ev[i];
      if (e->kind == IMT_EV_MENTION) {
        long c = nearest(act[IMT_SCOPE_CLAUSE], act[IMT_SCOPE_SENTENCE], 1);
        nm++;
        if (c >= 0) { gov[i] = c; governed[c]++; }
      } else if (e->kind == IMT_EV_CUE) {
        const imt_cue *cu = &imt_cues[e->ref];
        if (cu->type == IMT_CUE_TERM) act[1] = act[2] = -1;
        else if ((cu->type == IMT_CUE_NEG || cu->type == IMT_CUE_UNC) && (cu->dir & IMT_CUE_FWD))
          act[cu->scope] = (long)i;
      } else if (e->kind == IMT_EV_CLAUSE) {
        act[IMT_SCOPE_CLAUSE] = -1;
      } else {
        act[1] = act[2] = -1;
      }
    }
  }
  /* backward: "X is not seen", X待排, and two-way cues that governed nothing forward */
  {
    long act[3] = {-1, -1, -1};
    for (size_t i = sc.n; i-- > 0;) {
      const imt_event *e = &sc.ev[i];
      if (e->kind == IMT_EV_MENTION) {
        if (gov[i] < 0) {
          long c = nearest(act[IMT_SCOPE_CLAUSE], act[IMT_SCOPE_SENTENCE], 0);
          if (c >= 0) { gov[i] = c; governed[c]++; }
        }
      } else if (e->kind == IMT_EV_CUE) {
        const imt_cue *cu = &imt_cues[e->ref];
        if (cu->type == IMT_CUE_TERM) act[1] = act[2] = -1;
        else if ((cu->type == IMT_CUE_NEG || cu->type == IMT_CUE_UNC) &&
                 (cu->dir == IMT_CUE_BACK || (cu->dir == IMT_CUE_BOTH && !governed[i])))
          act[cu->scope] = (long)i;
      } else if (e->kind == IMT_EV_CLAUSE) {
        act[IMT_SCOPE_CLAUSE] = -1;
      } else {
        act[1] = act[2] = -1;
      }
    }
  }

  out->mentions = IMT_CALLOC(imt_mention, nm + 1);
  out->cues = IMT_CALLOC(imt_cue_hit, sc.n + 1);
  if (!out->mentions || !out->cues) goto done;
  {
    /* clauses without a mention or a cue: candidates for the miss log */
    size_t capm = 0;
    uint32_t clause_start = 0;
    int clause_hit = 0;
    for (size_t i = 0; i <= sc.n; i++) {
      const imt_event *e = i < sc.n ? &sc.ev[i] : NULL;
      if (!e || e->kind == IMT_EV_CLAUSE || e->kind == IMT_EV_SENTENCE) {
        uint32_t end = e ? e->start : sc.n_input_cp;
        if (!clause_hit && end > clause_start + 1) {
          if (out->n_misses == capm) {
            size_t nc = capm * 2 + 8;
            uint32_t (*t)[2] = imt_realloc(out->misses, nc * sizeof *t);
            if (!t) goto done;
            out->misses = t;
            capm = nc;
          }
          out->misses[out->n_misses][0] = clause_start;
          out->misses[out->n_misses++][1] = end;
        }
        clause_start = e ? e->end : 0;
        clause_hit = 0;
        continue;
      }
      if (e->kind == IMT_EV_MENTION) {
        imt_mention *mt = &out->mentions[out->n_mentions++];
        clause_hit = 1;
        mt->start = e->start;
        mt->end = e->end;
        mt->concept = e->ref;
        mt->match = e->match;
        mt->cue = -1;
        mt->status = IMT_STATUS_PRESENT;
        if (gov[i] >= 0) {
          const imt_event *ce = &sc.ev[gov[i]];
          if (cue_slot[gov[i]] < 0) {
            imt_cue_hit *h = &out->cues[out->n_cues];
            h->start = ce->start;
            h->end = ce->end;
            h->rule = ce->ref;
            cue_slot[gov[i]] = (long)out->n_cues++;
          }
          mt->cue = (int32_t)cue_slot[gov[i]];
          mt->status = (uint8_t)status_of(imt_cues[ce->ref].type);
        }
      } else if (e->kind == IMT_EV_CUE) {
        int t = imt_cues[e->ref].type;
        if (t == IMT_CUE_NEG || t == IMT_CUE_UNC || t == IMT_CUE_PSEUDO) clause_hit = 1;
      }
    }
  }
  out->cp_byte = sc.cp_byte;
  out->n_input_cp = sc.n_input_cp;
  sc.cp_byte = NULL;
  rc = 0;
done:
  if (rc) imt_normalized_free(out);
  imt_scan_free(&sc);
  free(gov);
  free(governed);
  free(cue_slot);
  return rc;
}

/* A JSON string of input code points [a, b); NULL on OOM. */
static cJSON *span_string(const char *text, const imt_normalized *n, uint32_t a, uint32_t b)
{
  uint32_t bs = n->cp_byte[a], be = n->cp_byte[b];
  char *t = imt_strndup(text + bs, be - bs);
  cJSON *j;
  if (!t) return NULL;
  j = cJSON_CreateString(t);
  free(t);
  return j;
}

cJSON *imt_normalized_json(const imt_snapshot *s, const char *text, const imt_normalized *n)
{
  cJSON *root = cJSON_CreateObject(), *arr;
  if (!root) return NULL;
  arr = cJSON_AddArrayToObject(root, "mentions");
  if (!arr) goto oom;
  for (size_t i = 0; i < n->n_mentions; i++) {
    const imt_mention *mt = &n->mentions[i];
    const imt_concept *c = &s->concepts[mt->concept];
    cJSON *o = cJSON_CreateObject(), *co, *pl, *str;
    if (!o) goto oom;
    cJSON_AddItemToArray(arr, o);
    if (!cJSON_AddNumberToObject(o, "start", mt->start) || !cJSON_AddNumberToObject(o, "end", mt->end))
      goto oom;
    if (!(str = span_string(text, n, mt->start, mt->end))) goto oom;
    cJSON_AddItemToObject(o, "text", str);
    if (!(co = cJSON_AddObjectToObject(o, "concept")) || !cJSON_AddStringToObject(co, "id", c->id) ||
        !(pl = cJSON_AddObjectToObject(co, "prefLabel")) ||
        !cJSON_AddStringToObject(pl, "zh", c->pref[IMT_LANG_ZH]) ||
        !cJSON_AddStringToObject(pl, "en", c->pref[IMT_LANG_EN]))
      goto oom;
    if (!cJSON_AddStringToObject(o, "match", imt_match_name(mt->match)) ||
        !cJSON_AddStringToObject(o, "status", imt_status_name(mt->status)))
      goto oom;
    if (mt->cue < 0) {
      if (!cJSON_AddNullToObject(o, "cue")) goto oom;
    } else {
      const imt_cue_hit *h = &n->cues[mt->cue];
      cJSON *cu = cJSON_AddObjectToObject(o, "cue");
      if (!cu || !(str = span_string(text, n, h->start, h->end))) goto oom;
      cJSON_AddItemToObject(cu, "text", str);
      if (!cJSON_AddNumberToObject(cu, "start", h->start) || !cJSON_AddNumberToObject(cu, "end", h->end) ||
          !cJSON_AddStringToObject(cu, "type", imt_cue_type_name(imt_cues[h->rule].type)))
        goto oom;
    }
  }
  return root;
oom:
  cJSON_Delete(root);
  return NULL;
}

cJSON *imt_normalize_json(const imt_snapshot *s, const char *text, size_t len, unsigned langs,
                          imt_error *err)
{
  imt_normalized n;
  cJSON *j;
  int rc = imt_normalize(s, text, len, langs, &n);
  if (rc) {
    imt_error_set(err, (imt_err)rc, rc == IMT_ERR_NOMEM ? "out of memory" : "the vocabulary has no text matcher");
    return NULL;
  }
  j = imt_normalized_json(s, text, &n);
  imt_normalized_free(&n);
  if (!j) imt_error_set(err, IMT_ERR_NOMEM, "out of memory");
  return j;
}
