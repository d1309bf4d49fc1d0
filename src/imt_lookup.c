/* imt_lookup.c - reference and label resolution, validation and crosswalks for the CLI and the
 * API, reading the snapshot and its search index only. */
#include "config.h"
#include "imt.h"
#include "imt_lookup.h"
#include "imt_render.h"
#include "imt_search.h"
#include "imt_systems.h"
#include "imt_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

uint32_t imt_lookup_label(const imt_snapshot *s, const char *text, uint32_t *out, uint32_t max)
{
  imt_search_hit hits[64];
  uint32_t n = imt_search_exact(s, text, hits, max < 64 ? max : 64);
  for (uint32_t i = 0; i < n; i++) out[i] = hits[i].concept;
  return n;
}

uint32_t imt_lookup_resolve(const imt_snapshot *s, const char *ref, uint32_t *out, uint32_t max)
{
  const uint32_t *idx = NULL;
  uint32_t n;
  if (!ref || !*ref || !max) return 0;
  n = imt_snapshot_resolve(s, ref, &idx);
  if (n) {
    uint32_t k = n < max ? n : max;
    memcpy(out, idx, k * sizeof *out);
    return k;
  }
  return imt_lookup_label(s, ref, out, max);
}

cJSON *imt_lookup_ref(const imt_snapshot *s, const char *ref, int *status)
{
  uint32_t found[64];
  uint32_t n = imt_lookup_resolve(s, ref, found, 64);
  cJSON *o;
  if (n == 1) {
    if (status) *status = 200;
    return imt_render_concept(s, &s->concepts[found[0]]);
  }
  o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "input", ref ? ref : "");
  if (n == 0) {
    if (status) *status = 404;
    cJSON_AddStringToObject(o, "error", "not_found");
    cJSON_AddStringToObject(o, "message", "no concept has this id, code, IRI or label");
  } else {
    cJSON *arr;
    if (status) *status = 300;
    cJSON_AddStringToObject(o, "message", "several concepts match: choose one of the candidates");
    arr = cJSON_AddArrayToObject(o, "candidates");
    for (uint32_t i = 0; i < n && arr; i++)
      cJSON_AddItemToArray(arr, imt_render_concept_brief(s, &s->concepts[found[i]]));
  }
  return o;
}

cJSON *imt_lookup_json(const imt_snapshot *s, const char *ref)
{
  return imt_lookup_ref(s, ref, NULL);
}

/* ---- validate --------------------------------------------------------------------------------- */
/* 1 if the term as sent equals the label except for ASCII case and surrounding whitespace. */
static int same_as_written(const char *term, const char *label)
{
  size_t a = 0, b = strlen(term);
  while (a < b && (term[a] == ' ' || term[a] == '\t')) a++;
  while (b > a && (term[b - 1] == ' ' || term[b - 1] == '\t')) b--;
  return strlen(label) == b - a && strncasecmp(term + a, label, b - a) == 0;
}

static cJSON *validation(const char *input, int valid, const char *match)
{
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "input", input);
  cJSON_AddBoolToObject(o, "valid", valid);
  cJSON_AddStringToObject(o, "match", match);
  return o;
}

static void add_suggestions(const imt_snapshot *s, cJSON *o, const imt_search_hit *h, uint32_t n)
{
  cJSON *arr = cJSON_AddArrayToObject(o, "suggestions");
  for (uint32_t i = 0; i < n && arr; i++) {
    cJSON *b = imt_render_concept_brief(s, &s->concepts[h[i].concept]);
    if (!b) continue;
    cJSON_AddStringToObject(b, "matched", imt_search_hit_label(s, &h[i]));
    cJSON_AddStringToObject(b, "matchType", imt_hit_type_name(h[i].type));
    cJSON_AddItemToArray(arr, b);
  }
}

/* The verdict for a concept found exactly: deprecated concepts are not valid, and suggest their
 * replacement. */
static cJSON *found(const imt_snapshot *s, const char *input, const imt_concept *c, const char *match,
                    const char *matched)
{
  cJSON *o = validation(input, !c->deprecated, c->deprecated ? "deprecated" : match), *arr;
  if (!o) return NULL;
  cJSON_AddItemToObject(o, "concept", imt_render_concept_brief(s, c));
  if (matched) cJSON_AddStringToObject(o, "matched", matched);
  arr = cJSON_AddArrayToObject(o, "suggestions");
  if (c->deprecated && c->replaced_by >= 0 && arr)
    cJSON_AddItemToArray(arr, imt_render_concept_brief(s, &s->concepts[c->replaced_by]));
  return o;
}

cJSON *imt_validate_term(const imt_snapshot *s, const char *term, int *missed)
{
  imt_search_hit h[5];
  imt_search_query q = {term, IMT_SEARCH_ANY, IMT_SEARCH_EXACT, 1, 0, -1, 1};
  imt_search_result r;
  const uint32_t *idx;
  cJSON *o;
  if (missed) *missed = 0;
  /* an id, CURIE or IRI given as a term */
  if (imt_snapshot_resolve(s, term, &idx) == 1)
    return found(s, term, &s->concepts[idx[0]], "exact", NULL);
  if (imt_search_run(s, &q, &r)) return NULL;
  if (r.n) {
    const imt_search_hit *b = &r.hits[0];
    const imt_concept *c = &s->concepts[b->concept];
    const imt_label *l = &c->labels[b->label];
    const char *match = b->type == IMT_HIT_EXACT ? "exact" : b->type == IMT_HIT_SYNONYM ? "synonym" : "variant";
    /* equal only after folding (full-width, traditional, punctuation): a variant of the label */
    if (b->type != IMT_HIT_VARIANT && !same_as_written(term, l->text)) match = "variant";
    o = found(s, term, c, match, imt_search_hit_label(s, b));
    imt_search_result_free(&r);
    return o;
  }
  imt_search_result_free(&r);
  /* no exact label: fuzzy candidates, else the best partial matches as suggestions */
  q.mode = IMT_SEARCH_FUZZY;
  q.limit = 5;
  q.include_deprecated = 0;
  if (imt_search_run(s, &q, &r)) return NULL;
  {
    uint32_t n = 0, nf = 0;
    for (uint32_t i = 0; i < r.n && n < 5; i++) h[n++] = r.hits[i];
    for (uint32_t i = 0; i < n; i++) if (h[i].type == IMT_HIT_FUZZY) nf++;
    imt_search_result_free(&r);
    if (missed) *missed = 1;
    if (nf) {
      /* the closest fuzzy candidate first */
      uint32_t best = 0;
      for (uint32_t i = 0; i < n; i++) if (h[i].type == IMT_HIT_FUZZY) { best = i; break; }
      o = validation(term, 0, "fuzzy");
      if (!o) return NULL;
      cJSON_AddItemToObject(o, "concept", imt_render_concept_brief(s, &s->concepts[h[best].concept]));
      cJSON_AddStringToObject(o, "matched", imt_search_hit_label(s, &h[best]));
    } else {
      o = validation(term, 0, "none");
      if (!o) return NULL;
      cJSON_AddNullToObject(o, "concept");
    }
    add_suggestions(s, o, h, n);
  }
  return o;
}

cJSON *imt_validate_code(const imt_snapshot *s, const char *system, const char *code, int *missed)
{
  const imt_system *sys = imt_system_by_name(system);
  const uint32_t *idx = NULL;
  uint32_t n = 0, i;
  char input[256];
  cJSON *o;
  snprintf(input, sizeof input, "%s:%s", system, code);
  if (missed) *missed = 0;
  if (!strcasecmp(system, "IMT") || !strcasecmp(system, "IMTERM")) {
    const imt_concept *c = imt_snapshot_by_id(s, code);
    if (c) return found(s, input, c, "exact", NULL);
  } else if (sys) {
    n = imt_snapshot_by_code(s, sys->name, code, &idx);
  }
  if (n == 0) {
    if (missed) *missed = 1;
    o = validation(input, 0, "none");
    if (!o) return NULL;
    cJSON_AddNullToObject(o, "concept");
    cJSON_AddArrayToObject(o, "suggestions");
    if (!sys && strcasecmp(system, "IMT") && strcasecmp(system, "IMTERM"))
      cJSON_AddStringToObject(o, "message", "unknown code system");
    return o;
  }
  /* prefer a current concept when the code is mapped to several */
  for (i = 0; i < n && s->concepts[idx[i]].deprecated; i++) {}
  o = found(s, input, &s->concepts[idx[i < n ? i : 0]], "exact", NULL);
  if (o && n > 1) {
    cJSON *arr = cJSON_AddArrayToObject(o, "candidates");
    for (uint32_t k = 0; k < n && arr; k++)
      cJSON_AddItemToArray(arr, imt_render_concept_brief(s, &s->concepts[idx[k]]));
  }
  return o;
}

/* ---- translate -------------------------------------------------------------------------------- */
static int pred_code(const char *p)
{
  if (!p) return 0;
  if (strstr(p, "exactMatch")) return 'e';
  if (strstr(p, "closeMatch")) return 'c';
  if (strstr(p, "broadMatch")) return 'b';
  if (strstr(p, "narrowMatch")) return 'n';
  return 'r';
}

/* How target relates to source, given concept->source (p1) and concept->target (p2). */
static const char *compose(const char *p1, const char *p2)
{
  int a = pred_code(p1), b = pred_code(p2);
  /* source -> concept is the inverse of concept -> source */
  a = a == 'b' ? 'n' : a == 'n' ? 'b' : a;
  if (a == 'e') a = b, b = 'e';
  if (b == 'e' || a == b) {
    switch (a) {
    case 'e': return "skos:exactMatch";
    case 'c': return "skos:closeMatch";
    case 'b': return "skos:broadMatch";
    case 'n': return "skos:narrowMatch";
    default: break;
    }
  }
  return "skos:relatedMatch";
}

cJSON *imt_translate(const imt_snapshot *s, const char *system, const char *code, const char *target,
                     int *status)
{
  const imt_system *sys = imt_system_by_name(system), *tsys = NULL;
  int self = !strcasecmp(system, "IMT") || !strcasecmp(system, "IMTERM");
  const uint32_t *idx = NULL;
  uint32_t one, n;
  cJSON *o, *src, *arr;
  if ((!sys && !self) || (target && *target && !(tsys = imt_system_by_name(target))
                          && strcasecmp(target, "IMT") && strcasecmp(target, "IMTERM"))) {
    o = cJSON_CreateObject();
    if (!o) return NULL;
    *status = 400;
    cJSON_AddStringToObject(o, "error", "unknown_system");
    cJSON_AddStringToObject(o, "message", (!sys && !self) ? "system is not a known code system (RADLEX, SCT, NCIT, DCM, IMT)"
                                                          : "target is not a known code system (RADLEX, SCT, NCIT, DCM, IMT)");
    return o;
  }
  if (self) {
    const imt_concept *c = imt_snapshot_by_id(s, code);
    n = c ? 1 : 0;
    if (c) { one = c->idx; idx = &one; }
  } else {
    n = imt_snapshot_by_code(s, sys->name, code, &idx);
  }
  o = cJSON_CreateObject();
  if (!o) return NULL;
  if (!n) {
    *status = 404;
    cJSON_AddStringToObject(o, "error", "not_found");
    cJSON_AddStringToObject(o, "message", "no concept is mapped to this code");
    return o;
  }
  *status = 200;
  src = cJSON_AddObjectToObject(o, "source");
  if (src) {
    cJSON_AddStringToObject(src, "system", self ? "IMT" : sys->name);
    cJSON_AddStringToObject(src, "code", code);
  }
  if (target && *target) cJSON_AddStringToObject(o, "target", tsys ? tsys->name : "IMT");
  else cJSON_AddNullToObject(o, "target");
  arr = cJSON_AddArrayToObject(o, "results");
  for (uint32_t i = 0; i < n && arr; i++) {
    const imt_concept *c = &s->concepts[idx[i]];
    const char *p1 = "skos:exactMatch";
    if (!self)
      for (uint32_t k = 0; k < c->n_mappings; k++)
        if (!strcmp(c->mappings[k].system, sys->name) && !strcmp(c->mappings[k].code, code)) {
          p1 = c->mappings[k].predicate;
          break;
        }
    if (target && *target && !tsys) {  /* to imterm itself */
      cJSON *m = cJSON_CreateObject();
      if (!m) continue;
      cJSON_AddStringToObject(m, "system", "IMT");
      cJSON_AddStringToObject(m, "code", c->id);
      cJSON_AddStringToObject(m, "display", *c->pref[IMT_LANG_EN] ? c->pref[IMT_LANG_EN] : c->pref[IMT_LANG_ZH]);
      cJSON_AddStringToObject(m, "iri", c->iri);
      cJSON_AddStringToObject(m, "predicate", compose(p1, "skos:exactMatch"));
      cJSON_AddItemToObject(m, "via", imt_render_concept_brief(s, c));
      cJSON_AddStringToObject(m, "sourcePredicate", p1);
      cJSON_AddItemToArray(arr, m);
      continue;
    }
    for (uint32_t k = 0; k < c->n_mappings; k++) {
      const imt_mapping *mp = &c->mappings[k];
      cJSON *m;
      if (tsys ? strcmp(mp->system, tsys->name) != 0
               : (!self && !strcmp(mp->system, sys->name) && !strcmp(mp->code, code)))
        continue;
      m = imt_render_mapping(mp);
      if (!m) continue;
      /* predicate: how the target code relates to the source code, through the concept */
      cJSON_ReplaceItemInObject(m, "predicate", cJSON_CreateString(compose(p1, mp->predicate)));
      cJSON_AddStringToObject(m, "conceptPredicate", mp->predicate);
      cJSON_AddStringToObject(m, "sourcePredicate", p1);
      cJSON_AddItemToObject(m, "via", imt_render_concept_brief(s, c));
      cJSON_AddItemToArray(arr, m);
    }
  }
  cJSON_AddNumberToObject(o, "total", cJSON_GetArraySize(arr));
  return o;
}
