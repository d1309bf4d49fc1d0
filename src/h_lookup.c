/* h_lookup.c - the lookup API: concepts by reference and their neighbourhood (children, parents,
 * ancestors, descendants, paths), roots, search/autocomplete, validate and translate. Every
 * handler reads only the request's snapshot (no store, no lock); the work is in imt_lookup.c and
 * imt_search.c. Contract: docs/api.md. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_http.h"
#include "imt_json.h"
#include "imt_lookup.h"
#include "imt_misslog.h"
#include "imt_render.h"
#include "imt_search.h"
#include "imt_systems.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PAGE_DEFAULT 50
#define PAGE_MAX 1000
#define VALIDATE_MAX_ITEMS 1000
#define REF_MAX 2048
#define PATHS_MAX 100

/* A query parameter that must be valid UTF-8 and not longer than max bytes: returns it (NULL
 * when absent), or replies 400 and sets *bad. */
static const char *text_param(imt_req *rq, const char *name, size_t max, int *bad)
{
  const char *v = imt_req_query(rq, name);
  *bad = 0;
  if (!v) return NULL;
  if (!imt_utf8_valid(v, strlen(v))) {
    imt_reply_error(rq, 400, "invalid_utf8", "parameter %s is not valid UTF-8", name);
    *bad = 1;
  } else if (strlen(v) > max) {
    imt_reply_error(rq, 400, "too_long", "parameter %s is longer than %zu bytes", name, max);
    *bad = 1;
  }
  return v;
}

/* The one concept {ref} names, or NULL after replying 404/300/400. */
static const imt_concept *one_concept(imt_req *rq, const imt_snapshot *s)
{
  const char *ref = imt_req_param(rq, "ref");
  uint32_t found[64], n;
  if (!ref || !*ref || strlen(ref) > REF_MAX || !imt_utf8_valid(ref, strlen(ref))) {
    imt_reply_error(rq, 400, "bad_ref", "the concept reference is empty, too long or not valid UTF-8");
    return NULL;
  }
  n = imt_lookup_resolve(s, ref, found, 64);
  if (n == 1) return &s->concepts[found[0]];
  if (n == 0) {
    imt_reply_error(rq, 404, "not_found", "no concept has this id, code, IRI or label");
    return NULL;
  }
  {
    int status;
    cJSON *o = imt_lookup_ref(s, ref, &status);
    if (!o) { imt_reply_oom(rq); return NULL; }
    imt_reply_json(rq, 300, o);
  }
  return NULL;
}

/* limit/offset of a paged list; 0, or replied 400 and returns -1. */
static int paging(imt_req *rq, long dflt, long max_limit, long max_offset, long *limit, long *offset)
{
  if (imt_req_uint(rq, "limit", dflt, 1, max_limit, limit)) {
    imt_reply_error(rq, 400, "bad_limit", "limit must be an integer from 1 to %ld", max_limit);
    return -1;
  }
  if (imt_req_uint(rq, "offset", 0, 0, max_offset, offset)) {
    imt_reply_error(rq, 400, "bad_offset", "offset must be an integer from 0 to %ld", max_offset);
    return -1;
  }
  return 0;
}

static cJSON *page_object(const imt_snapshot *s, const imt_concept *c, uint64_t total, long limit, long offset,
                          cJSON **results)
{
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  if (c) cJSON_AddItemToObject(o, "concept", imt_render_concept_brief(s, c));
  cJSON_AddNumberToObject(o, "total", (double)total);
  cJSON_AddNumberToObject(o, "limit", limit);
  cJSON_AddNumberToObject(o, "offset", offset);
  *results = cJSON_AddArrayToObject(o, "results");
  return o;
}

/* Brief concept with its childCount (for tree widgets). */
static cJSON *tree_item(const imt_snapshot *s, const imt_concept *c)
{
  cJSON *b = imt_render_concept_brief(s, c);
  if (b) cJSON_AddNumberToObject(b, "childCount", c->n_children);
  return b;
}

static void reply_list(imt_req *rq, const imt_snapshot *s, const imt_concept *c, const uint32_t *list,
                       uint32_t n, long limit, long offset)
{
  cJSON *results, *o = page_object(s, c, n, limit, offset, &results);
  if (!o || !results) { cJSON_Delete(o); imt_reply_oom(rq); return; }
  for (long i = offset; i < (long)n && i < offset + limit; i++)
    cJSON_AddItemToArray(results, tree_item(s, &s->concepts[list[i]]));
  imt_reply_json(rq, 200, o);
}

/* The concept's JSON as imt_lookup_ref renders it (for the cache). */
static char *render_concept(const imt_snapshot *s, uint32_t idx)
{
  cJSON *o = imt_render_concept(s, &s->concepts[idx]);
  char *t = o ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  return t;
}

static void h_concept(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  const char *ref = imt_req_param(rq, "ref");
  int status = 200;
  cJSON *o;
  uint32_t found[2];
  if (!ref || !*ref || strlen(ref) > REF_MAX || !imt_utf8_valid(ref, strlen(ref))) {
    imt_reply_error(rq, 400, "bad_ref", "the concept reference is empty, too long or not valid UTF-8");
    return;
  }
  /* one concept: the same JSON as below, rendered once per snapshot */
  if (imt_lookup_resolve(s, ref, found, 2) == 1) {
    const char *t = imt_search_cached_json(s, found[0], render_concept);
    if (t) {
      imt_reply(rq, 200, "application/json; charset=utf-8", t, strlen(t));
      return;
    }
  }
  o = imt_lookup_ref(s, ref, &status);
  if (!o) { imt_reply_oom(rq); return; }
  if (status == 404) {
    cJSON_Delete(o);
    imt_reply_error(rq, 404, "not_found", "no concept has this id, code, IRI or label");
    return;
  }
  imt_reply_json(rq, status, o);
}

static void relation(imt_req *rq, int which)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  const imt_concept *c = one_concept(rq, s);
  long limit, offset;
  if (!c || paging(rq, PAGE_DEFAULT, PAGE_MAX, UINT32_MAX, &limit, &offset)) return;
  switch (which) {
  case 0: reply_list(rq, s, c, c->children, c->n_children, limit, offset); break;
  case 1: reply_list(rq, s, c, c->parents, c->n_parents, limit, offset); break;
  default: reply_list(rq, s, c, c->ancestors, c->n_ancestors, limit, offset); break;
  }
}

static void h_children(imt_req *rq) { relation(rq, 0); }
static void h_parents(imt_req *rq) { relation(rq, 1); }
static void h_ancestors(imt_req *rq) { relation(rq, 2); }

/* Descendants in breadth-first order (nearest first), each once (the graph is a DAG). */
static void h_descendants(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  const imt_concept *c = one_concept(rq, s);
  long limit, offset;
  uint32_t *queue, head = 0, tail = 0, want;
  unsigned char *seen;
  cJSON *results, *o;
  if (!c || paging(rq, PAGE_DEFAULT, PAGE_MAX, UINT32_MAX, &limit, &offset)) return;
  want = (uint32_t)(offset + limit < (long)c->n_descendants ? offset + limit : c->n_descendants);
  queue = imt_req_alloc(rq, ((size_t)c->n_descendants + 1) * sizeof *queue);
  seen = imt_req_alloc(rq, s->n_concepts / 8 + 1);
  o = page_object(s, c, c->n_descendants, limit, offset, &results);
  if (!queue || !seen || !o || !results) { cJSON_Delete(o); imt_reply_oom(rq); return; }
  memset(seen, 0, s->n_concepts / 8 + 1);
  seen[c->idx / 8] |= (unsigned char)(1u << (c->idx % 8));
  queue[tail++] = c->idx;
  /* queue[0] is the concept itself; descendants are queue[1..] */
  while (head < tail && tail - 1 < want) {
    const imt_concept *p = &s->concepts[queue[head++]];
    for (uint32_t k = 0; k < p->n_children && tail - 1 < want; k++) {
      uint32_t ch = p->children[k];
      if (seen[ch / 8] & (1u << (ch % 8))) continue;
      seen[ch / 8] |= (unsigned char)(1u << (ch % 8));
      queue[tail++] = ch;
    }
  }
  for (uint32_t i = (uint32_t)offset + 1; i < tail; i++)
    cJSON_AddItemToArray(results, tree_item(s, &s->concepts[queue[i]]));
  imt_reply_json(rq, 200, o);
}

/* Every root-to-concept path (at most PATHS_MAX), each an array of brief concepts from a top
 * concept down to the concept. Depth-first over parents. */
typedef struct path_walk {
  const imt_snapshot *s;
  uint32_t *stack;
  uint32_t depth, max_depth;
  cJSON *paths;
  unsigned n;
  int truncated;
} path_walk;

static void walk_up(path_walk *w, uint32_t idx)
{
  const imt_concept *c = &w->s->concepts[idx];
  if (w->n >= PATHS_MAX) { w->truncated = 1; return; }
  for (uint32_t i = 0; i < w->depth; i++) if (w->stack[i] == idx) return;  /* cycle guard */
  if (w->depth >= w->max_depth) return;
  w->stack[w->depth++] = idx;
  if (!c->n_parents) {
    cJSON *p = cJSON_CreateArray();
    for (uint32_t i = w->depth; p && i-- > 0;)
      cJSON_AddItemToArray(p, imt_render_concept_brief(w->s, &w->s->concepts[w->stack[i]]));
    if (p) { cJSON_AddItemToArray(w->paths, p); w->n++; }
  } else {
    for (uint32_t k = 0; k < c->n_parents; k++) walk_up(w, c->parents[k]);
  }
  w->depth--;
}

static void h_paths(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  const imt_concept *c = one_concept(rq, s);
  path_walk w = {0};
  cJSON *o;
  if (!c) return;
  o = cJSON_CreateObject();
  w.s = s;
  w.max_depth = 256;
  w.stack = imt_req_alloc(rq, w.max_depth * sizeof *w.stack);
  if (!o || !w.stack) { cJSON_Delete(o); imt_reply_oom(rq); return; }
  cJSON_AddItemToObject(o, "concept", imt_render_concept_brief(s, c));
  w.paths = cJSON_AddArrayToObject(o, "paths");
  if (!w.paths) { cJSON_Delete(o); imt_reply_oom(rq); return; }
  walk_up(&w, c->idx);
  cJSON_AddNumberToObject(o, "total", w.n);
  cJSON_AddBoolToObject(o, "truncated", w.truncated);
  imt_reply_json(rq, 200, o);
}

static void h_roots(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  long limit, offset;
  if (paging(rq, PAGE_DEFAULT, PAGE_MAX, UINT32_MAX, &limit, &offset)) return;
  reply_list(rq, s, NULL, s->roots, s->n_roots, limit, offset);
}

/* ---- search ---------------------------------------------------------------------------------- */
static int parse_lang(const char *v, int *out)
{
  if (!v || !*v || !strcmp(v, "any")) *out = IMT_SEARCH_ANY;
  else if (!strcmp(v, "zh") || !strcasecmp(v, "zh-Hans") || !strcasecmp(v, "zh-Hant") || !strcasecmp(v, "zh-CN")) *out = IMT_SEARCH_ZH;
  else if (!strcmp(v, "en")) *out = IMT_SEARCH_EN;
  else return -1;
  return 0;
}

static const char *lang_name(int l)
{
  return l == IMT_SEARCH_ZH ? "zh" : l == IMT_SEARCH_EN ? "en" : "";
}

static void h_search(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  imt_search_query q = {NULL, IMT_SEARCH_ANY, IMT_SEARCH_AUTO, 10, 0, -1, 0};
  imt_search_result r;
  const char *mode, *subtree, *dep;
  long limit, offset;
  int bad;
  if (imt_req_query_invalid(rq)) {
    imt_reply_error(rq, 400, "invalid_utf8", "a query parameter is not valid percent-encoded UTF-8");
    return;
  }
  q.q = text_param(rq, "q", IMT_SEARCH_MAX_QUERY, &bad);
  if (bad) return;
  if (!q.q || !q.q[strspn(q.q, " \t\r\n")]) {
    imt_reply_error(rq, 400, "missing_q", "parameter q (the text to search) is required and must not be empty or blank");
    return;
  }
  if (parse_lang(imt_req_query(rq, "lang"), &q.lang)) {
    imt_reply_error(rq, 400, "bad_lang", "lang must be zh, en or any");
    return;
  }
  mode = imt_req_query(rq, "mode");
  if (!mode || !*mode || !strcmp(mode, "auto")) q.mode = IMT_SEARCH_AUTO;
  else if (!strcmp(mode, "exact")) q.mode = IMT_SEARCH_EXACT;
  else if (!strcmp(mode, "prefix")) q.mode = IMT_SEARCH_PREFIX;
  else if (!strcmp(mode, "fuzzy")) q.mode = IMT_SEARCH_FUZZY;
  else {
    imt_reply_error(rq, 400, "bad_mode", "mode must be auto, exact, prefix or fuzzy");
    return;
  }
  if (paging(rq, 10, IMT_SEARCH_MAX_LIMIT, IMT_SEARCH_MAX_OFFSET, &limit, &offset)) return;
  q.limit = (uint32_t)limit;
  q.offset = (uint32_t)offset;
  dep = imt_req_query(rq, "deprecated");
  q.include_deprecated = dep && (!strcmp(dep, "true") || !strcmp(dep, "1"));
  subtree = text_param(rq, "subtree", REF_MAX, &bad);
  if (bad) return;
  if (subtree && *subtree) {
    uint32_t found[2];
    uint32_t n = imt_lookup_resolve(s, subtree, found, 2);
    if (n != 1) {
      imt_reply_error(rq, 400, "bad_subtree", n ? "subtree names several concepts: use an id"
                                                : "subtree does not name a concept");
      return;
    }
    q.subtree = found[0];
  }
  {
    int rc = imt_search_run(s, &q, &r);
    if (rc == IMT_ERR_NOMEM) { imt_reply_oom(rq); return; }
    if (rc) { imt_reply_error(rq, 503, "no_index", "the search index is not available"); return; }
  }
  if (r.total == 0)
    imt_misslog_record("search", lang_name(q.lang), q.q, NULL);
  {
    /* written directly, not through a cJSON tree: this is the autocomplete's hot path */
    imt_buf b = IMT_BUF_INIT;
    char num[160];
    char *body;
    size_t len;
    imt_buf_putc(&b, '{');
    imt_json_put_key(&b, "query");
    imt_json_put_string(&b, q.q);
    snprintf(num, sizeof num, ",\"total\":%lu,\"totalRelation\":\"%s\",\"limit\":%ld,\"offset\":%ld,\"results\":[",
             (unsigned long)r.total, r.total_exact ? "eq" : "gte", (long)limit, (long)offset);
    imt_buf_puts(&b, num);
    for (uint32_t i = 0; i < r.n; i++) {
      const imt_search_hit *h = &r.hits[i];
      if (i) imt_buf_putc(&b, ',');
      imt_buf_puts(&b, "{\"concept\":");
      imt_render_concept_brief_buf(&b, s, &s->concepts[h->concept]);
      imt_buf_puts(&b, ",\"matched\":");
      imt_json_put_string(&b, imt_search_hit_label(s, h));
      imt_buf_puts(&b, ",\"matchType\":");
      imt_json_put_string(&b, imt_hit_type_name(h->type));
      snprintf(num, sizeof num, ",\"score\":%.15g", (double)h->score);
      imt_buf_puts(&b, num);
      if (h->type == IMT_HIT_FUZZY) {
        snprintf(num, sizeof num, ",\"distance\":%d", (int)h->distance);
        imt_buf_puts(&b, num);
      }
      imt_buf_putc(&b, '}');
    }
    imt_buf_puts(&b, "]}");
    imt_search_result_free(&r);
    body = imt_buf_steal(&b, &len);
    if (!body) { imt_reply_oom(rq); return; }
    imt_reply_take(rq, 200, "application/json; charset=utf-8", body, len);
  }
}

/* ---- validate -------------------------------------------------------------------------------- */
static void h_validate_get(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  const char *term, *system, *code;
  int bad, missed = 0;
  cJSON *o;
  if (imt_req_query_invalid(rq)) {
    imt_reply_error(rq, 400, "invalid_utf8", "a query parameter is not valid percent-encoded UTF-8");
    return;
  }
  term = text_param(rq, "term", IMT_SEARCH_MAX_QUERY, &bad);
  if (bad) return;
  system = text_param(rq, "system", 64, &bad);
  if (bad) return;
  code = text_param(rq, "code", 256, &bad);
  if (bad) return;
  if (term && *term && !system && !code) {
    o = imt_validate_term(s, term, &missed);
    if (missed) imt_misslog_record("validate", "", term, NULL);
  } else if (system && *system && code && *code && !term) {
    o = imt_validate_code(s, system, code, &missed);
  } else {
    imt_reply_error(rq, 400, "bad_request", "give either term, or system and code");
    return;
  }
  if (!o) { imt_reply_oom(rq); return; }
  imt_reply_json(rq, 200, o);
}

static void h_validate_post(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  cJSON *in, *out, *item;
  int i = 0, n;
  if (imt_json_parse(rq, &in)) return;  /* replied 400/413 */
  if (!cJSON_IsArray(in)) {
    cJSON_Delete(in);
    imt_reply_error(rq, 400, "bad_json", "the body must be a JSON array of terms (strings) or objects {\"term\"} / {\"system\",\"code\"}");
    return;
  }
  n = cJSON_GetArraySize(in);
  if (imt_req_check_batch(rq, (size_t)n)) { cJSON_Delete(in); return; }
  if (n > VALIDATE_MAX_ITEMS) {
    cJSON_Delete(in);
    imt_reply_error(rq, 413, "batch_too_large", "at most %d items per request (got %d)", VALIDATE_MAX_ITEMS, n);
    return;
  }
  /* check every item before doing any work */
  cJSON_ArrayForEach(item, in) {
    const cJSON *t = cJSON_IsObject(item) ? cJSON_GetObjectItemCaseSensitive(item, "term") : item;
    const cJSON *sy = cJSON_IsObject(item) ? cJSON_GetObjectItemCaseSensitive(item, "system") : NULL;
    const cJSON *co = cJSON_IsObject(item) ? cJSON_GetObjectItemCaseSensitive(item, "code") : NULL;
    int ok = (cJSON_IsString(t) && *t->valuestring && strlen(t->valuestring) <= IMT_SEARCH_MAX_QUERY)
          || (cJSON_IsString(sy) && cJSON_IsString(co) && *sy->valuestring && *co->valuestring
              && strlen(sy->valuestring) <= 64 && strlen(co->valuestring) <= 256);
    if (!ok) {
      cJSON_Delete(in);
      imt_reply_error(rq, 400, "bad_item", "item %d is not a non-empty term (at most %d bytes) or {\"system\",\"code\"}",
                      i, IMT_SEARCH_MAX_QUERY);
      return;
    }
    i++;
  }
  out = cJSON_CreateArray();
  if (!out) { cJSON_Delete(in); imt_reply_oom(rq); return; }
  cJSON_ArrayForEach(item, in) {
    const cJSON *t = cJSON_IsObject(item) ? cJSON_GetObjectItemCaseSensitive(item, "term") : item;
    cJSON *v;
    int missed = 0;
    if (cJSON_IsString(t)) {
      v = imt_validate_term(s, t->valuestring, &missed);
      if (missed) imt_misslog_record("validate", "", t->valuestring, NULL);
    } else {
      v = imt_validate_code(s, cJSON_GetObjectItemCaseSensitive(item, "system")->valuestring,
                            cJSON_GetObjectItemCaseSensitive(item, "code")->valuestring, &missed);
    }
    if (!v) { cJSON_Delete(in); cJSON_Delete(out); imt_reply_oom(rq); return; }
    cJSON_AddItemToArray(out, v);
  }
  cJSON_Delete(in);
  imt_reply_json(rq, 200, out);
}

/* ---- translate ------------------------------------------------------------------------------- */
static void h_translate(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  const char *system, *code, *target;
  int bad, status = 200;
  cJSON *o;
  if (imt_req_query_invalid(rq)) {
    imt_reply_error(rq, 400, "invalid_utf8", "a query parameter is not valid percent-encoded UTF-8");
    return;
  }
  system = text_param(rq, "system", 64, &bad);
  if (bad) return;
  code = text_param(rq, "code", 256, &bad);
  if (bad) return;
  target = text_param(rq, "target", 64, &bad);
  if (bad) return;
  if (!system || !*system || !code || !*code) {
    imt_reply_error(rq, 400, "bad_request", "system and code are required (target is optional)");
    return;
  }
  o = imt_translate(s, system, code, target, &status);
  if (!o) { imt_reply_oom(rq); return; }
  if (status != 200) {
    cJSON *m = cJSON_GetObjectItem(o, "message"), *e = cJSON_GetObjectItem(o, "error");
    imt_reply_error(rq, status, e ? e->valuestring : "error", "%s", m ? m->valuestring : "");
    cJSON_Delete(o);
    return;
  }
  imt_reply_json(rq, 200, o);
}

const imt_route imt_routes_lookup[] = {
  {"GET", "/api/concepts/{ref}/children", h_children, 0, 0},
  {"GET", "/api/concepts/{ref}/parents", h_parents, 0, 0},
  {"GET", "/api/concepts/{ref}/ancestors", h_ancestors, 0, 0},
  {"GET", "/api/concepts/{ref}/descendants", h_descendants, 0, 0},
  {"GET", "/api/concepts/{ref}/paths", h_paths, 0, 0},
  {"GET", "/api/concepts/{ref}", h_concept, 0, 0},
  {"GET", "/api/roots", h_roots, 0, 0},
  {"GET", "/api/search", h_search, 0, 0},
  {"GET", "/api/validate", h_validate_get, 0, 0},
  {"POST", "/api/validate", h_validate_post, 1 << 20, IMT_ROUTE_BODY},
  {"GET", "/api/translate", h_translate, 0, 0},
  {NULL, NULL, NULL, 0, 0}
};
