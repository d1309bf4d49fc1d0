/* imt_query.c - the SPARQL engine run inside the worker processes: Rasqal with imterm's own
 * triples source over the librdf model, the guard, join reordering by selectivity, the service's
 * DESCRIBE (concise bounded description) and the result writers (SPARQL JSON/XML/CSV/TSV written
 * here, so that they are valid for every Unicode character and keep language tags' case; graphs
 * through Raptor's serializers, JSON-LD written here). */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_map.h"
#include "imt_query.h"
#include "imt_sparql_guard.h"
#include "imt_store.h"

#include <cjson/cJSON.h>
#include <redland.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Rasqal internals that are exported by librasqal.so.3 but not declared in rasqal.h: rebuilding the
 * variable-use maps after the triple patterns of a BGP were permuted (the maps record, per
 * triple pattern, which variables it binds and which it only reads). */
extern void *rasqal_query_get_projection(rasqal_query *query);
extern int rasqal_query_build_variables_use(rasqal_query *query, void *projection);

#define XSD "http://www.w3.org/2001/XMLSchema#"
#define EXACT_COUNT_CAP 2000   /* exact match counts for constant patterns stop here */
#define MAX_BGP 64             /* patterns per BGP that are reordered (more: left alone) */
#define MAX_CARRY 256          /* patterns per query that read variables from a join's left side */
#define MAX_LIVE 256           /* variables known bound by the left side of a join */

typedef struct pstat {
  double count, subjects, objects;
} pstat;

/* A pattern on the right side of a join (or OPTIONAL) whose variables at the positions in mask are
 * bound by every row of the left side. Rasqal marks them as bound by the pattern itself, so that
 * resetting the right side clears them and every left row re-reads the whole right side; the
 * triples source instead reads them as inputs (an index nested-loop join). See carry_parts(). */
typedef struct carry {
  rasqal_triple *t;
  unsigned mask;     /* RASQAL_TRIPLE_SUBJECT | _PREDICATE | _OBJECT */
  unsigned orig;     /* Rasqal's parts for the pattern, as first seen */
  int seen;
} carry;

struct imt_query_engine {
  imt_store *store;
  librdf_world *lw;
  librdf_model *model;
  raptor_world *raw;
  rasqal_world *rw;
  raptor_uri *base;
  /* statistics, computed once */
  imt_map pred_index;   /* predicate IRI -> index into preds */
  pstat *preds;
  char **pred_keys;     /* owned keys of pred_index */
  size_t npred;
  double total, subjects;
  imt_map lang_index;   /* lowercased language tag -> index into langs (the tag as stored) */
  char **langs;         /* 2 per tag: as stored, lowercased (owned key of lang_index) */
  size_t nlang;
  /* per query */
  char errmsg[600];
  int nerrors;
  carry carries[MAX_CARRY];
  int ncarry;
  unsigned long n_matches, n_read;   /* pattern matches started, statements read (imt_query_result) */
};

/* ---- small helpers -------------------------------------------------------------------------- */

static void set_error(imt_query_result *res, int status, const char *code, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));
static void set_error(imt_query_result *res, int status, const char *code, const char *fmt, ...)
{
  va_list ap;
  res->status = status;
  snprintf(res->code, sizeof res->code, "%s", code);
  va_start(ap, fmt);
  vsnprintf(res->message, sizeof res->message, fmt, ap);
  va_end(ap);
}

const char *imt_query_format_ctype(const char *fmt)
{
  static const struct { const char *name, *ctype; } t[] = {
    {"json", "application/sparql-results+json"}, {"xml", "application/sparql-results+xml"},
    {"csv", "text/csv; charset=utf-8"}, {"tsv", "text/tab-separated-values; charset=utf-8"},
    {"turtle", "text/turtle; charset=utf-8"}, {"ntriples", "application/n-triples"},
    {"rdfxml", "application/rdf+xml"}, {"jsonld", "application/ld+json"}};
  if (!fmt)
    return NULL;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (!strcmp(fmt, t[i].name))
      return t[i].ctype;
  return NULL;
}

static void log_handler(void *ud, raptor_log_message *m)
{
  imt_query_engine *e = ud;
  if (m->level < RAPTOR_LOG_LEVEL_ERROR)
    return;
  if (!e->nerrors++) {
    if (m->locator && m->locator->line > 0)
      snprintf(e->errmsg, sizeof e->errmsg, "line %d: %s", m->locator->line, m->text ? m->text : "error");
    else
      snprintf(e->errmsg, sizeof e->errmsg, "%s", m->text ? m->text : "error");
  }
}

/* A simple open-addressing set of 64-bit hashes (for distinct counts). */
typedef struct hset {
  uint64_t *slot;
  size_t cap, n;
} hset;

static int hset_add(hset *s, uint64_t h)
{
  size_t i;
  if (!h) h = 1;
  if ((s->n + 1) * 2 > s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 1024;
    uint64_t *ns = IMT_CALLOC(uint64_t, ncap);
    if (!ns) return -1;
    for (size_t k = 0; k < s->cap; k++)
      if (s->slot[k]) {
        size_t j = s->slot[k] & (ncap - 1);
        while (ns[j]) j = (j + 1) & (ncap - 1);
        ns[j] = s->slot[k];
      }
    free(s->slot);
    s->slot = ns;
    s->cap = ncap;
  }
  for (i = h & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
    if (s->slot[i] == h) return 0;
  s->slot[i] = h;
  s->n++;
  return 1;
}

static uint64_t node_hash(librdf_node *n)
{
  size_t len = 0;
  const unsigned char *s;
  uint64_t h;
  if (librdf_node_is_resource(n)) {
    s = librdf_uri_as_counted_string(librdf_node_get_uri(n), &len);
    return imt_hash(s, len) * 3 + 1;
  }
  if (librdf_node_is_blank(n)) {
    s = librdf_node_get_blank_identifier(n);
    return imt_hash(s, strlen((const char *)s)) * 3 + 2;
  }
  s = librdf_node_get_literal_value_as_counted_string(n, &len);
  h = imt_hash(s, len);
  if (librdf_node_get_literal_value_language(n)) {
    const char *l = librdf_node_get_literal_value_language(n);
    h ^= imt_hash(l, strlen(l)) * 0x9E3779B97F4A7C15ULL;
  }
  return h * 3;
}

/* ---- statistics ----------------------------------------------------------------------------- */

static int add_lang(imt_query_engine *e, const char *tag)
{
  char low[64];
  size_t n = strlen(tag);
  uint32_t idx;
  char **nl;
  if (n >= sizeof low)
    return 0;
  for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)tag[i]);
  char *key;
  if (imt_map_get(&e->lang_index, low, n, &idx))
    return 0;
  nl = imt_realloc(e->langs, (e->nlang + 1) * 2 * sizeof *nl);
  if (!nl) return IMT_ERR_NOMEM;
  e->langs = nl;
  /* langs[2i] is the tag as stored, langs[2i+1] the lowercased key the map borrows */
  if (!(e->langs[2 * e->nlang] = imt_strdup(tag))) return IMT_ERR_NOMEM;
  if (!(key = e->langs[2 * e->nlang + 1] = imt_strdup(low))) { IMT_FREE(e->langs[2 * e->nlang]); return IMT_ERR_NOMEM; }
  if (imt_map_put(&e->lang_index, key, n, (uint32_t)e->nlang)) return IMT_ERR_NOMEM;
  e->nlang++;
  return 0;
}

static int compute_stats(imt_query_engine *e, imt_error *err)
{
  librdf_stream *s = librdf_model_as_stream(e->model);
  hset subj = {0}, obj = {0}, all_subj = {0};
  size_t cap = 0;
  int rc = 0;
  if (!s)
    return imt_error_set(err, IMT_ERR_INTERNAL, "cannot iterate the store for SPARQL statistics");
  for (; !librdf_stream_end(s); librdf_stream_next(s)) {
    librdf_statement *st = librdf_stream_get_object(s);
    librdf_node *sn = librdf_statement_get_subject(st), *pn = librdf_statement_get_predicate(st);
    librdf_node *on = librdf_statement_get_object(st);
    size_t plen = 0;
    const unsigned char *p;
    uint32_t idx;
    uint64_t ph;
    int r;
    if (!librdf_node_is_resource(pn))
      continue;
    p = librdf_uri_as_counted_string(librdf_node_get_uri(pn), &plen);
    if (!imt_map_get(&e->pred_index, (const char *)p, plen, &idx)) {
      if (e->npred == cap) {
        size_t ncap = cap ? cap * 2 : 64;
        pstat *np = imt_realloc(e->preds, ncap * sizeof *np);
        char **nk = imt_realloc(e->pred_keys, ncap * sizeof *nk);
        if (np) e->preds = np;
        if (nk) e->pred_keys = nk;
        if (!np || !nk) { rc = IMT_ERR_NOMEM; break; }
        cap = ncap;
      }
      idx = (uint32_t)e->npred;
      memset(&e->preds[idx], 0, sizeof e->preds[idx]);
      if (!(e->pred_keys[idx] = imt_strndup((const char *)p, plen))) { rc = IMT_ERR_NOMEM; break; }
      e->npred++;
      if (imt_map_put(&e->pred_index, e->pred_keys[idx], plen, idx)) { rc = IMT_ERR_NOMEM; break; }
    }
    ph = (uint64_t)(idx + 1) * 0x9E3779B97F4A7C15ULL;
    e->preds[idx].count++;
    e->total++;
    if ((r = hset_add(&subj, node_hash(sn) ^ ph)) < 0) { rc = IMT_ERR_NOMEM; break; }
    e->preds[idx].subjects += r;
    if ((r = hset_add(&obj, node_hash(on) ^ ph)) < 0) { rc = IMT_ERR_NOMEM; break; }
    e->preds[idx].objects += r;
    if ((r = hset_add(&all_subj, node_hash(sn))) < 0) { rc = IMT_ERR_NOMEM; break; }
    e->subjects += r;
    if (librdf_node_is_literal(on) && librdf_node_get_literal_value_language(on) &&
        add_lang(e, librdf_node_get_literal_value_language(on))) { rc = IMT_ERR_NOMEM; break; }
  }
  librdf_free_stream(s);
  free(subj.slot);
  free(obj.slot);
  free(all_subj.slot);
  if (rc)
    return imt_error_set(err, IMT_ERR_NOMEM, "out of memory computing SPARQL statistics");
  return 0;
}

/* ---- triples source over the librdf model --------------------------------------------------- */

typedef struct ts_ctx {
  imt_query_engine *e;
} ts_ctx;

typedef struct tm_ctx {
  imt_query_engine *e;
  librdf_statement *qstatement;
  librdf_stream *stream;
} tm_ctx;

/* A new librdf node for a constant rasqal literal (caller owns), or NULL. */
static librdf_node *literal_to_node(imt_query_engine *e, rasqal_literal *l)
{
  rasqal_literal_type type;
  if (!l)
    return NULL;
  type = rasqal_literal_get_rdf_term_type(l);
  if (type == RASQAL_LITERAL_URI)
    return librdf_new_node_from_uri(e->lw, (librdf_uri *)l->value.uri);
  if (type == RASQAL_LITERAL_BLANK)
    return librdf_new_node_from_blank_identifier(e->lw, l->string);
  if (type == RASQAL_LITERAL_STRING || l->string)
    return librdf_new_node_from_typed_literal(e->lw, l->string, l->language, (librdf_uri *)l->datatype);
  return NULL;
}

static char *rasqal_strdup(const char *s, size_t n)
{
  char *d = rasqal_alloc_memory(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

/* A new rasqal literal for a librdf node (caller owns), or NULL. */
static rasqal_literal *node_to_literal(imt_query_engine *e, librdf_node *n)
{
  if (librdf_node_is_resource(n))
    return rasqal_new_uri_literal(e->rw, raptor_uri_copy(librdf_node_get_uri(n)));
  if (librdf_node_is_literal(n)) {
    size_t len = 0;
    const unsigned char *v = librdf_node_get_literal_value_as_counted_string(n, &len);
    const char *lang = librdf_node_get_literal_value_language(n);
    librdf_uri *dt = librdf_node_get_literal_value_datatype_uri(n);
    char *sv = rasqal_strdup((const char *)v, len), *sl = NULL;
    if (!sv) return NULL;
    if (lang && !(sl = rasqal_strdup(lang, strlen(lang)))) {
      rasqal_free_memory(sv);
      return NULL;
    }
    return rasqal_new_string_literal(e->rw, (unsigned char *)sv, sl, dt ? raptor_uri_copy(dt) : NULL, NULL);
  }
  if (librdf_node_is_blank(n)) {
    const char *b = (const char *)librdf_node_get_blank_identifier(n);
    char *sb = b ? rasqal_strdup(b, strlen(b)) : NULL;
    return sb ? rasqal_new_simple_literal(e->rw, RASQAL_LITERAL_BLANK, (unsigned char *)sb) : NULL;
  }
  return NULL;
}

static rasqal_triple_parts tm_bind(rasqal_triples_match *rtm, void *ud, rasqal_variable *b[4],
                                   rasqal_triple_parts parts)
{
  tm_ctx *c = rtm->user_data;
  imt_query_engine *e = c->e;
  librdf_statement *st = librdf_stream_get_object(c->stream);
  librdf_node *sn, *pn, *on;
  rasqal_triple_parts result = 0;
  if (!st)
    return 0;
  sn = librdf_statement_get_subject(st);
  pn = librdf_statement_get_predicate(st);
  on = librdf_statement_get_object(st);
  /* repeated variables in one pattern (?x ?x ...) must match equal terms */
  if (b[0] && b[1] && b[0] == b[1] && (parts & RASQAL_TRIPLE_PREDICATE) && !librdf_node_equals(sn, pn))
    return 0;
  if (b[0] && b[2] && b[0] == b[2] && (parts & RASQAL_TRIPLE_OBJECT) && !librdf_node_equals(sn, on))
    return 0;
  if (b[1] && b[2] && b[1] == b[2] && (parts & RASQAL_TRIPLE_OBJECT) && !librdf_node_equals(pn, on))
    return 0;
  if (b[0] && (parts & RASQAL_TRIPLE_SUBJECT)) {
    rasqal_variable_set_value(b[0], node_to_literal(e, sn));
    result |= RASQAL_TRIPLE_SUBJECT;
  }
  if (b[1] && (parts & RASQAL_TRIPLE_PREDICATE) && b[1] != b[0]) {
    rasqal_variable_set_value(b[1], node_to_literal(e, pn));
    result |= RASQAL_TRIPLE_PREDICATE;
  }
  if (b[2] && (parts & RASQAL_TRIPLE_OBJECT) && b[2] != b[0] && b[2] != b[1]) {
    rasqal_variable_set_value(b[2], node_to_literal(e, on));
    result |= RASQAL_TRIPLE_OBJECT;
  }
  if (b[3] && (parts & RASQAL_TRIPLE_ORIGIN)) {
    rasqal_variable_set_value(b[3], NULL);   /* no named graphs */
    result |= RASQAL_TRIPLE_ORIGIN;
  }
  return result ? result : parts;
}

static void tm_next(rasqal_triples_match *rtm, void *ud)
{
  tm_ctx *c = rtm->user_data;
  (void)ud;
  c->e->n_read++;
  librdf_stream_next(c->stream);
}

static int tm_is_end(rasqal_triples_match *rtm, void *ud)
{
  tm_ctx *c = rtm->user_data;
  (void)ud;
  return librdf_stream_end(c->stream);
}

static void tm_finish(rasqal_triples_match *rtm, void *ud)
{
  tm_ctx *c = rtm->user_data;
  (void)ud;
  if (!c)
    return;
  if (c->stream) librdf_free_stream(c->stream);
  if (c->qstatement) librdf_free_statement(c->qstatement);
  free(c);
  rtm->user_data = NULL;
}

/* The node a pattern position matches: the constant, the variable's current value, or NULL. */
static librdf_node *position_node(imt_query_engine *e, rasqal_literal *l, rasqal_variable **var)
{
  rasqal_variable *v = rasqal_literal_as_variable(l);
  *var = v;
  if (v)
    return v->value ? literal_to_node(e, v->value) : NULL;
  return literal_to_node(e, l);
}

/* Before a pattern is matched: positions whose variable the join's left side has bound are read
 * as inputs, not bound (and so not cleared when Rasqal resets the right side for the next left
 * row). Should such a variable ever be unbound here, the pattern binds it as Rasqal planned. */
static void carry_parts(imt_query_engine *e, rasqal_triple *t, rasqal_triple_meta *m)
{
  for (int i = 0; i < e->ncarry; i++) {
    carry *c = &e->carries[i];
    if (c->t != t)
      continue;
    if (!c->seen) {
      c->orig = (unsigned)m->parts;
      c->seen = 1;
    }
    for (int k = 0; k < 3; k++) {
      unsigned bit = 1u << k;   /* RASQAL_TRIPLE_SUBJECT, _PREDICATE, _OBJECT */
      if (!(c->mask & bit))
        continue;
      if (m->bindings[k] && m->bindings[k]->value)
        m->parts = (rasqal_triple_parts)((unsigned)m->parts & ~bit);
      else
        m->parts = (rasqal_triple_parts)((unsigned)m->parts | (c->orig & bit));
    }
    return;
  }
}

static int ts_init_match(rasqal_triples_match *rtm, rasqal_triples_source *rts, void *ud,
                         rasqal_triple_meta *m, rasqal_triple *t)
{
  ts_ctx *tc = ud;
  imt_query_engine *e = tc->e;
  tm_ctx *c = IMT_CALLOC(tm_ctx, 1);
  librdf_node *n[3];
  (void)rts;
  rtm->bind_match = tm_bind;
  rtm->next_match = tm_next;
  rtm->is_end = tm_is_end;
  rtm->finish = tm_finish;
  if (!c)
    return 1;
  c->e = e;
  rtm->user_data = c;
  e->n_matches++;
  n[0] = position_node(e, t->subject, &m->bindings[0]);
  n[1] = position_node(e, t->predicate, &m->bindings[1]);
  n[2] = position_node(e, t->object, &m->bindings[2]);
  m->bindings[3] = t->origin ? rasqal_literal_as_variable(t->origin) : NULL;
  carry_parts(e, t, m);
  c->qstatement = librdf_new_statement_from_nodes(e->lw, n[0], n[1], n[2]);
  if (!c->qstatement)
    return 1;
  c->stream = librdf_model_find_statements(e->model, c->qstatement);
  return c->stream ? 0 : 1;
}

static int ts_present(rasqal_triples_source *rts, void *ud, rasqal_triple *t)
{
  imt_query_engine *e = ((ts_ctx *)ud)->e;
  librdf_statement *s;
  int rc;
  (void)rts;
  s = librdf_new_statement_from_nodes(e->lw, literal_to_node(e, t->subject), literal_to_node(e, t->predicate),
                                      literal_to_node(e, t->object));
  if (!s)
    return 0;
  /* librdf_model_contains_statement answers -1 (unsupported) on `trees` storage: find instead */
  {
    librdf_stream *st = librdf_model_find_statements(e->model, s);
    rc = st && !librdf_stream_end(st);
    if (st) librdf_free_stream(st);
  }
  librdf_free_statement(s);
  return rc;
}

static void ts_free(void *ud) { (void)ud; }

static int ts_new(rasqal_query *q, void *factory_ud, void *ud, rasqal_triples_source *rts)
{
  ts_ctx *c = ud;
  (void)q;
  c->e = factory_ud;
  rts->version = 1;
  rts->init_triples_match = ts_init_match;
  rts->triple_present = ts_present;
  rts->free_triples_source = ts_free;
  return 0;
}

static int register_factory(rasqal_triples_source_factory *f)
{
  f->version = 1;
  f->user_data_size = sizeof(ts_ctx);
  f->new_triples_source = ts_new;
  return 0;
}

/* ---- engine lifecycle ----------------------------------------------------------------------- */

imt_query_engine *imt_query_engine_new(imt_store *st, imt_error *err)
{
  imt_query_engine *e = IMT_CALLOC(imt_query_engine, 1);
  if (!e) {
    imt_error_set(err, IMT_ERR_NOMEM, "out of memory");
    return NULL;
  }
  e->store = st;
  e->lw = imt_store_world(st);
  e->model = imt_store_model(st);
  e->raw = librdf_world_get_raptor(e->lw);
  if (imt_map_init(&e->pred_index, 64) || imt_map_init(&e->lang_index, 8)) {
    imt_error_set(err, IMT_ERR_NOMEM, "out of memory");
    goto fail;
  }
  e->rw = rasqal_new_world();
  if (!e->rw) {
    imt_error_set(err, IMT_ERR_INTERNAL, "cannot create a Rasqal world");
    goto fail;
  }
  rasqal_world_set_raptor(e->rw, e->raw);
  rasqal_set_triples_source_factory(e->rw, register_factory, e);
  rasqal_world_set_log_handler(e->rw, e, log_handler);
  if (rasqal_world_open(e->rw)) {
    imt_error_set(err, IMT_ERR_INTERNAL, "cannot open the Rasqal world");
    goto fail;
  }
  e->base = raptor_new_uri(e->raw, (const unsigned char *)"https://w3id.org/imterm/");
  if (!e->base || compute_stats(e, err))
    goto fail;
  return e;
fail:
  imt_query_engine_free(e);
  return NULL;
}

void imt_query_engine_free(imt_query_engine *e)
{
  if (!e)
    return;
  if (e->base) raptor_free_uri(e->base);
  if (e->rw) rasqal_free_world(e->rw);
  imt_map_free(&e->pred_index);
  imt_map_free(&e->lang_index);
  for (size_t i = 0; i < 2 * e->nlang; i++) free(e->langs[i]);
  free(e->langs);
  for (size_t i = 0; i < e->npred; i++) free(e->pred_keys[i]);
  free(e->pred_keys);
  free(e->preds);
  free(e);
}

/* ---- join reordering ------------------------------------------------------------------------ */

typedef struct bgp_item {
  rasqal_triple t;     /* copy of the pattern (shares the literals) */
  int orig;
  double exact;        /* exact match count (capped) when the pattern's constants alone decide it, -1 otherwise */
} bgp_item;

static int var_in(rasqal_variable *v, rasqal_variable **set, int n)
{
  for (int i = 0; i < n; i++)
    if (set[i] == v) return 1;
  return 0;
}

static double count_matches(imt_query_engine *e, rasqal_triple *t)
{
  librdf_node *n[3];
  librdf_statement *q;
  librdf_stream *s;
  double c = 0;
  n[0] = rasqal_literal_as_variable(t->subject) ? NULL : literal_to_node(e, t->subject);
  n[1] = rasqal_literal_as_variable(t->predicate) ? NULL : literal_to_node(e, t->predicate);
  n[2] = rasqal_literal_as_variable(t->object) ? NULL : literal_to_node(e, t->object);
  q = librdf_new_statement_from_nodes(e->lw, n[0], n[1], n[2]);
  if (!q)
    return -1;
  s = librdf_model_find_statements(e->model, q);
  if (s) {
    for (; !librdf_stream_end(s) && c < EXACT_COUNT_CAP; librdf_stream_next(s))
      c++;
    librdf_free_stream(s);
  }
  librdf_free_statement(q);
  return c;
}

static const pstat *pred_stat(imt_query_engine *e, rasqal_literal *p)
{
  static const pstat none = {0, 1, 1};
  size_t len = 0;
  const unsigned char *u;
  uint32_t idx;
  if (rasqal_literal_get_rdf_term_type(p) != RASQAL_LITERAL_URI)
    return &none;
  u = raptor_uri_as_counted_string(p->value.uri, &len);
  if (!imt_map_get(&e->pred_index, (const char *)u, len, &idx))
    return &none;
  return &e->preds[idx];
}

/* Estimated number of matches of pattern it once the variables in bound[] have values. */
static double estimate(imt_query_engine *e, bgp_item *it, rasqal_variable **bound, int nb)
{
  rasqal_triple *t = &it->t;
  rasqal_variable *sv = rasqal_literal_as_variable(t->subject), *pv = rasqal_literal_as_variable(t->predicate);
  rasqal_variable *ov = rasqal_literal_as_variable(t->object);
  int sb = !sv || var_in(sv, bound, nb), pb = !pv || var_in(pv, bound, nb), ob = !ov || var_in(ov, bound, nb);
  int s_by_var = sv && sb, o_by_var = ov && ob, p_by_var = pv && pb;
  double est;
  if (!s_by_var && !o_by_var && !p_by_var && (!sv || !ov || !pv)) {
    /* only constants decide the matches: count them (cached) */
    if (it->exact < 0)
      it->exact = count_matches(e, t);
    if (it->exact >= 0 && it->exact < EXACT_COUNT_CAP)
      return it->exact;
  }
  if (!pv) {
    const pstat *ps = pred_stat(e, t->predicate);
    if (sb && ob) est = ps->count > 0 ? 1 : 0;
    else if (sb) est = ps->count / (ps->subjects > 0 ? ps->subjects : 1);
    else if (ob) est = ps->count / (ps->objects > 0 ? ps->objects : 1);
    else est = ps->count;
  } else {
    double per_subject = e->total / (e->subjects > 0 ? e->subjects : 1);
    if (sb && ob) est = 2;
    else if (sb) est = per_subject;
    else if (ob) est = 10;
    else est = e->total;
    if (pb) est /= 4;
  }
  if (it->exact >= EXACT_COUNT_CAP && est < EXACT_COUNT_CAP)
    est = EXACT_COUNT_CAP;
  return est;
}

static int add_vars(rasqal_triple *t, rasqal_variable **bound, int nb, int cap)
{
  rasqal_literal *parts[3] = {t->subject, t->predicate, t->object};
  for (int i = 0; i < 3; i++) {
    rasqal_variable *v = rasqal_literal_as_variable(parts[i]);
    if (v && !var_in(v, bound, nb) && nb < cap) bound[nb++] = v;
  }
  return nb;
}

static int shares_var(rasqal_triple *t, rasqal_variable **bound, int nb)
{
  rasqal_literal *parts[3] = {t->subject, t->predicate, t->object};
  for (int i = 0; i < 3; i++) {
    rasqal_variable *v = rasqal_literal_as_variable(parts[i]);
    if (v && var_in(v, bound, nb)) return 1;
  }
  return 0;
}

static int has_var(rasqal_triple *t)
{
  return rasqal_literal_as_variable(t->subject) || rasqal_literal_as_variable(t->predicate) ||
         rasqal_literal_as_variable(t->object);
}

/* Greedy order: repeatedly take the cheapest pattern given what earlier ones bind; a pattern
 * sharing no variable with those (a cross product) only when nothing else is left. Writes the
 * chosen original indexes into order[]. */
static void plan_bgp(imt_query_engine *e, bgp_item *items, int n, int *order, rasqal_variable **live, int nlive)
{
  rasqal_variable *bound[3 * MAX_BGP + MAX_LIVE];
  int nb = 0, used[MAX_BGP] = {0};
  for (int i = 0; i < nlive && nb < MAX_LIVE; i++)
    bound[nb++] = live[i];
  for (int k = 0; k < n; k++) {
    int best = -1;
    double best_cost = 0;
    for (int i = 0; i < n; i++) {
      double c;
      if (used[i]) continue;
      c = estimate(e, &items[i], bound, nb);
      if (nb > 0 && has_var(&items[i].t) && !shares_var(&items[i].t, bound, nb))
        c = c * 1e6 + 1e6;
      if (best < 0 || c < best_cost) { best = i; best_cost = c; }
    }
    used[best] = 1;
    order[k] = best;
    nb = add_vars(&items[best].t, bound, nb, 3 * MAX_BGP + MAX_LIVE);
  }
}

/* Collect BGP gp's patterns into items (copies of the structs). Returns the count (0 if too many). */
static int bgp_items(rasqal_graph_pattern *gp, bgp_item *items, rasqal_triple **ptrs)
{
  int n = 0;
  rasqal_triple *t;
  while ((t = rasqal_graph_pattern_get_triple(gp, n)) != NULL) {
    if (n >= MAX_BGP) return 0;
    ptrs[n] = t;
    items[n].t = *t;
    items[n].orig = n;
    items[n].exact = -1;
    n++;
  }
  return n;
}

/* Record which positions of the BGP's patterns hold a variable that is in live[]. */
static void record_carries(imt_query_engine *e, rasqal_triple **ptrs, int n, rasqal_variable **live, int nlive)
{
  for (int k = 0; k < n && nlive > 0; k++) {
    rasqal_literal *parts[3] = {ptrs[k]->subject, ptrs[k]->predicate, ptrs[k]->object};
    unsigned mask = 0;
    for (int i = 0; i < 3; i++) {
      rasqal_variable *v = rasqal_literal_as_variable(parts[i]);
      if (v && var_in(v, live, nlive)) mask |= 1u << i;
    }
    if (mask && e->ncarry < MAX_CARRY)
      e->carries[e->ncarry++] = (carry){ptrs[k], mask, 0, 0};
  }
}

/* Plan graph pattern gp, which Rasqal evaluates only while every variable in live[] is bound (by
 * the left side of the joins and OPTIONALs that enclose it): reorder each BGP by selectivity
 * (when reorder is set) counting live[] as bound, and record the carries. Inside a group, a BGP's
 * variables are bound for the members after it (Rasqal joins a group's members left to right);
 * OPTIONAL and UNION members bind nothing for sure. Sub-SELECTs, GRAPH, BIND and VALUES start
 * afresh: Rasqal evaluates or rebinds their variables on its own. */
static void plan_gp(imt_query_engine *e, rasqal_graph_pattern *gp, rasqal_variable **live, int nlive, int reorder,
                    int *changed)
{
  rasqal_graph_pattern_operator op = rasqal_graph_pattern_get_operator(gp);
  rasqal_graph_pattern *sub;
  rasqal_variable *mine[MAX_LIVE];
  int nmine = 0;
  if (op == RASQAL_GRAPH_PATTERN_OPERATOR_BASIC) {
    bgp_item items[MAX_BGP];
    rasqal_triple *ptrs[MAX_BGP];
    int order[MAX_BGP], n = bgp_items(gp, items, ptrs);
    if (reorder && n >= 2) {
      plan_bgp(e, items, n, order, live, nlive);
      for (int k = 0; k < n; k++) {
        if (order[k] != k) *changed = 1;
        *ptrs[k] = items[order[k]].t;
      }
    }
    if (reorder)
      record_carries(e, ptrs, n, live, nlive);
    return;
  }
  if (op == RASQAL_GRAPH_PATTERN_OPERATOR_GROUP || op == RASQAL_GRAPH_PATTERN_OPERATOR_OPTIONAL ||
      op == RASQAL_GRAPH_PATTERN_OPERATOR_UNION || op == RASQAL_GRAPH_PATTERN_OPERATOR_FILTER)
    for (int i = 0; i < nlive; i++)
      mine[nmine++] = live[i];
  for (int i = 0; (sub = rasqal_graph_pattern_get_sub_graph_pattern(gp, i)) != NULL; i++) {
    plan_gp(e, sub, mine, nmine, reorder, changed);
    if (op == RASQAL_GRAPH_PATTERN_OPERATOR_GROUP &&
        rasqal_graph_pattern_get_operator(sub) == RASQAL_GRAPH_PATTERN_OPERATOR_BASIC) {
      rasqal_triple *t;
      for (int k = 0; (t = rasqal_graph_pattern_get_triple(sub, k)) != NULL; k++)
        nmine = add_vars(t, mine, nmine, MAX_LIVE);
    }
  }
}

int imt_query_engine_plan(imt_query_engine *e, const char *query, char *buf, size_t len)
{
  rasqal_query *q = rasqal_new_query(e->rw, "sparql11-query", NULL);
  rasqal_graph_pattern *gp, *stack[64];
  int top = 0, rc = 1;
  if (!q)
    return 1;
  buf[0] = '\0';
  e->nerrors = 0;
  if (rasqal_query_prepare(q, (const unsigned char *)query, e->base))
    goto done;
  gp = rasqal_query_get_query_graph_pattern(q);
  if (gp) stack[top++] = gp;
  while (top > 0) {
    rasqal_graph_pattern *g = stack[--top], *sub;
    if (rasqal_graph_pattern_get_operator(g) == RASQAL_GRAPH_PATTERN_OPERATOR_BASIC) {
      bgp_item items[MAX_BGP];
      rasqal_triple *ptrs[MAX_BGP];
      int order[MAX_BGP], n = bgp_items(g, items, ptrs);
      size_t off = 0;
      if (n >= 1) {
        plan_bgp(e, items, n, order, NULL, 0);
        for (int k = 0; k < n && off < len; k++)
          off += (size_t)snprintf(buf + off, len - off, "%s%d", k ? "," : "", order[k]);
        rc = 0;
        break;
      }
    }
    /* push children in reverse so that the first is visited first */
    {
      int cnt = 0;
      while (rasqal_graph_pattern_get_sub_graph_pattern(g, cnt)) cnt++;
      for (int i = cnt - 1; i >= 0 && top < 64; i--)
        if ((sub = rasqal_graph_pattern_get_sub_graph_pattern(g, i)) != NULL) stack[top++] = sub;
    }
  }
done:
  rasqal_free_query(q);
  return rc;
}

/* ---- the structural guard ------------------------------------------------------------------- */

static int walk_service(rasqal_graph_pattern *gp)
{
  rasqal_graph_pattern *sub;
  if (rasqal_graph_pattern_get_operator(gp) == RASQAL_GRAPH_PATTERN_OPERATOR_SERVICE)
    return 1;
  for (int i = 0; (sub = rasqal_graph_pattern_get_sub_graph_pattern(gp, i)) != NULL; i++)
    if (walk_service(sub))
      return 1;
  return 0;
}

/* Returns the rule hit, or -1. detail receives the offending IRI where there is one. */
static int guard_structure(rasqal_query *q, char *detail, size_t dlen)
{
  rasqal_graph_pattern *gp = rasqal_query_get_query_graph_pattern(q);
  rasqal_query_verb verb = rasqal_query_get_verb(q);
  rasqal_data_graph *dg;
  raptor_sequence *rows;
  detail[0] = '\0';
  if (verb == RASQAL_QUERY_VERB_DELETE || verb == RASQAL_QUERY_VERB_INSERT || verb == RASQAL_QUERY_VERB_UPDATE)
    return IMT_GUARD_UPDATE;
  if (gp && walk_service(gp))
    return IMT_GUARD_SERVICE;
  for (int i = 0; (dg = rasqal_query_get_data_graph(q, i)) != NULL; i++) {
    const char *u = dg->uri ? (const char *)raptor_uri_as_string(dg->uri) : "";
    if (dg->flags & RASQAL_DATA_GRAPH_NAMED) {
      snprintf(detail, dlen, "%s", dg->name_uri ? (const char *)raptor_uri_as_string(dg->name_uri) : u);
      return IMT_GUARD_FROM_NAMED;
    }
    if (strcmp(u, IMT_SPARQL_DEFAULT_GRAPH) != 0) {
      snprintf(detail, dlen, "%s", u);
      return IMT_GUARD_FROM;
    }
  }
  rows = rasqal_query_get_bindings_rows_sequence(q);
  if (rows && raptor_sequence_size(rows) > 1)
    return IMT_GUARD_VALUES_ROWS;
  return -1;
}

/* ---- term access ---------------------------------------------------------------------------- */

typedef struct term {
  int kind;             /* 0 unbound, 1 uri, 2 bnode, 3 literal */
  const char *value;
  size_t len;
  const char *lang;     /* as stored (case kept) */
  const char *datatype;
} term;

static const char *orig_lang(imt_query_engine *e, const char *lang)
{
  uint32_t idx;
  if (lang && imt_map_get(&e->lang_index, lang, strlen(lang), &idx))
    return e->langs[2 * idx];
  return lang;
}

static void literal_term(imt_query_engine *e, rasqal_literal *l, term *t)
{
  rasqal_literal_type type;
  memset(t, 0, sizeof *t);
  if (!l)
    return;
  type = rasqal_literal_get_rdf_term_type(l);
  if (type == RASQAL_LITERAL_URI) {
    t->kind = 1;
    t->value = (const char *)raptor_uri_as_counted_string(l->value.uri, &t->len);
  } else if (type == RASQAL_LITERAL_BLANK) {
    t->kind = 2;
    t->value = (const char *)l->string;
    t->len = l->string ? strlen(t->value) : 0;
  } else {
    raptor_uri *dt = rasqal_literal_datatype(l);
    t->kind = 3;
    t->value = (const char *)rasqal_literal_as_string(l);
    if (!t->value) t->value = "";
    t->len = strlen(t->value);
    t->lang = l->language && *l->language ? orig_lang(e, l->language) : NULL;
    t->datatype = dt && !t->lang ? (const char *)raptor_uri_as_string(dt) : NULL;
  }
}

static void raptor_term_to_term(imt_query_engine *e, raptor_term *r, term *t)
{
  memset(t, 0, sizeof *t);
  if (!r)
    return;
  if (r->type == RAPTOR_TERM_TYPE_URI) {
    t->kind = 1;
    t->value = (const char *)raptor_uri_as_counted_string(r->value.uri, &t->len);
  } else if (r->type == RAPTOR_TERM_TYPE_BLANK) {
    t->kind = 2;
    t->value = (const char *)r->value.blank.string;
    t->len = r->value.blank.string_len;
  } else if (r->type == RAPTOR_TERM_TYPE_LITERAL) {
    t->kind = 3;
    t->value = (const char *)r->value.literal.string;
    t->len = r->value.literal.string_len;
    t->lang = r->value.literal.language ? orig_lang(e, (const char *)r->value.literal.language) : NULL;
    t->datatype = r->value.literal.datatype ? (const char *)raptor_uri_as_string(r->value.literal.datatype) : NULL;
  }
}

/* ---- result writers: SPARQL JSON ------------------------------------------------------------ */

static cJSON *term_json(const term *t)
{
  cJSON *o = cJSON_CreateObject();
  char *v;
  if (!o)
    return NULL;
  v = imt_strndup(t->value ? t->value : "", t->len);
  if (!v) { cJSON_Delete(o); return NULL; }
  cJSON_AddStringToObject(o, "type", t->kind == 1 ? "uri" : t->kind == 2 ? "bnode" : "literal");
  cJSON_AddStringToObject(o, "value", v);
  free(v);
  if (t->lang) cJSON_AddStringToObject(o, "xml:lang", t->lang);
  if (t->datatype) cJSON_AddStringToObject(o, "datatype", t->datatype);
  return o;
}

/* Append s (n bytes) to out with XML escaping; characters XML 1.0 cannot carry become U+FFFD. */
static void xml_escape(imt_buf *out, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '&') imt_buf_puts(out, "&amp;");
    else if (c == '<') imt_buf_puts(out, "&lt;");
    else if (c == '>') imt_buf_puts(out, "&gt;");
    else if (c == '"') imt_buf_puts(out, "&quot;");
    else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') imt_buf_puts(out, "\xEF\xBF\xBD");
    else if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF && ((unsigned char)s[i + 2] == 0xBE || (unsigned char)s[i + 2] == 0xBF)) {
      imt_buf_puts(out, "\xEF\xBF\xBD");   /* U+FFFE, U+FFFF */
      i += 2;
    } else imt_buf_putc(out, (char)c);
  }
}

static void xml_term(imt_buf *out, const term *t)
{
  if (t->kind == 1) {
    imt_buf_puts(out, "<uri>");
    xml_escape(out, t->value, t->len);
    imt_buf_puts(out, "</uri>");
  } else if (t->kind == 2) {
    imt_buf_puts(out, "<bnode>");
    xml_escape(out, t->value, t->len);
    imt_buf_puts(out, "</bnode>");
  } else {
    imt_buf_puts(out, "<literal");
    if (t->lang) {
      imt_buf_puts(out, " xml:lang=\"");
      xml_escape(out, t->lang, strlen(t->lang));
      imt_buf_puts(out, "\"");
    } else if (t->datatype) {
      imt_buf_puts(out, " datatype=\"");
      xml_escape(out, t->datatype, strlen(t->datatype));
      imt_buf_puts(out, "\"");
    }
    imt_buf_puts(out, ">");
    xml_escape(out, t->value, t->len);
    imt_buf_puts(out, "</literal>");
  }
}

static void csv_field(imt_buf *out, const term *t)
{
  int quote = 0;
  if (!t->kind)
    return;
  if (t->kind == 2) imt_buf_puts(out, "_:");
  for (size_t i = 0; i < t->len; i++)
    if (strchr(",\"\r\n", t->value[i])) quote = 1;
  if (!quote) {
    imt_buf_append(out, t->value, t->len);
    return;
  }
  imt_buf_putc(out, '"');
  for (size_t i = 0; i < t->len; i++) {
    if (t->value[i] == '"') imt_buf_putc(out, '"');
    imt_buf_putc(out, t->value[i]);
  }
  imt_buf_putc(out, '"');
}

static int bare_number(const term *t)
{
  static const char *const types[] = {XSD "integer", XSD "decimal", XSD "double", XSD "boolean", NULL};
  if (!t->datatype || !t->len)
    return 0;
  for (int i = 0; types[i]; i++)
    if (!strcmp(t->datatype, types[i])) {
      for (size_t k = 0; k < t->len; k++)
        if (!strchr("0123456789+-.eEtrufals", t->value[k])) return 0;
      return 1;
    }
  return 0;
}

/* N-Triples-style term (TSV results, N-Triples fallbacks). */
static void nt_term(imt_buf *out, const term *t, int numbers_bare)
{
  if (t->kind == 1) {
    imt_buf_putc(out, '<');
    for (size_t i = 0; i < t->len; i++) {
      unsigned char c = (unsigned char)t->value[i];
      if (c <= 0x20 || strchr("<>\"{}|^`\\", c)) imt_buf_printf(out, "\\u%04X", c);
      else imt_buf_putc(out, (char)c);
    }
    imt_buf_putc(out, '>');
  } else if (t->kind == 2) {
    imt_buf_puts(out, "_:");
    imt_buf_append(out, t->value, t->len);
  } else if (t->kind == 3) {
    if (numbers_bare && bare_number(t)) {
      imt_buf_append(out, t->value, t->len);
      return;
    }
    imt_buf_putc(out, '"');
    for (size_t i = 0; i < t->len; i++) {
      char c = t->value[i];
      if (c == '"') imt_buf_puts(out, "\\\"");
      else if (c == '\\') imt_buf_puts(out, "\\\\");
      else if (c == '\n') imt_buf_puts(out, "\\n");
      else if (c == '\r') imt_buf_puts(out, "\\r");
      else if (c == '\t') imt_buf_puts(out, "\\t");
      else imt_buf_putc(out, c);
    }
    imt_buf_putc(out, '"');
    if (t->lang) imt_buf_printf(out, "@%s", t->lang);
    else if (t->datatype && strcmp(t->datatype, XSD "string") != 0) imt_buf_printf(out, "^^<%s>", t->datatype);
  }
}

/* Write SELECT results in fmt; returns 0 or non-zero (res set). */
static int write_bindings(imt_query_engine *e, rasqal_query_results *r, const imt_query_opts *o,
                          imt_buf *out, imt_query_result *res)
{
  int nv = rasqal_query_results_get_bindings_count(r);
  const char *fmt = o->fmt_bindings;
  cJSON *root = NULL, *bindings = NULL;
  unsigned long rows = 0;
  if (nv < 0) nv = 0;
  if (!strcmp(fmt, "json")) {
    cJSON *head, *vars;
    root = cJSON_CreateObject();
    head = cJSON_AddObjectToObject(root, "head");
    vars = cJSON_AddArrayToObject(head, "vars");
    for (int i = 0; i < nv; i++)
      cJSON_AddItemToArray(vars, cJSON_CreateString((const char *)rasqal_query_results_get_binding_name(r, i)));
    bindings = cJSON_AddArrayToObject(cJSON_AddObjectToObject(root, "results"), "bindings");
    if (!bindings) goto oom;
  } else if (!strcmp(fmt, "xml")) {
    imt_buf_puts(out, "<?xml version=\"1.0\"?>\n<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">\n  <head>\n");
    for (int i = 0; i < nv; i++) {
      const char *name = (const char *)rasqal_query_results_get_binding_name(r, i);
      imt_buf_puts(out, "    <variable name=\"");
      xml_escape(out, name, strlen(name));
      imt_buf_puts(out, "\"/>\n");
    }
    imt_buf_puts(out, "  </head>\n  <results>\n");
  } else {
    int tsv = !strcmp(fmt, "tsv");
    for (int i = 0; i < nv; i++)
      imt_buf_printf(out, "%s%s%s", i ? (tsv ? "\t" : ",") : "", tsv ? "?" : "",
                     (const char *)rasqal_query_results_get_binding_name(r, i));
    imt_buf_puts(out, tsv ? "\n" : "\r\n");
  }
  while (!rasqal_query_results_finished(r)) {
    if (o->row_cap && rows >= o->row_cap) {
      res->truncated = 1;
      break;
    }
    if (!strcmp(fmt, "json")) {
      cJSON *row = cJSON_CreateObject();
      if (!row || !cJSON_AddItemToArray(bindings, row)) { cJSON_Delete(row); goto oom; }
      for (int i = 0; i < nv; i++) {
        term t;
        cJSON *tj;
        literal_term(e, rasqal_query_results_get_binding_value(r, i), &t);
        if (!t.kind) continue;   /* unbound: omitted, as the spec says */
        if (!(tj = term_json(&t))) goto oom;
        cJSON_AddItemToObject(row, (const char *)rasqal_query_results_get_binding_name(r, i), tj);
      }
    } else if (!strcmp(fmt, "xml")) {
      imt_buf_puts(out, "    <result>\n");
      for (int i = 0; i < nv; i++) {
        term t;
        const char *name = (const char *)rasqal_query_results_get_binding_name(r, i);
        literal_term(e, rasqal_query_results_get_binding_value(r, i), &t);
        if (!t.kind) continue;
        imt_buf_puts(out, "      <binding name=\"");
        xml_escape(out, name, strlen(name));
        imt_buf_puts(out, "\">");
        xml_term(out, &t);
        imt_buf_puts(out, "</binding>\n");
      }
      imt_buf_puts(out, "    </result>\n");
    } else {
      int tsv = !strcmp(fmt, "tsv");
      for (int i = 0; i < nv; i++) {
        term t;
        literal_term(e, rasqal_query_results_get_binding_value(r, i), &t);
        if (i) imt_buf_putc(out, tsv ? '\t' : ',');
        if (tsv) nt_term(out, &t, 1);
        else csv_field(out, &t);
      }
      imt_buf_puts(out, tsv ? "\n" : "\r\n");
    }
    rows++;
    if (rasqal_query_results_next(r))
      break;
  }
  if (root) {
    char *s;
    if (res->truncated) {
      cJSON_AddBoolToObject(root, "truncated", 1);
      cJSON_AddNumberToObject(root, "row_cap", o->row_cap);
    }
    s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    root = NULL;
    if (!s) goto oom;
    imt_buf_puts(out, s);
    free(s);
  } else if (!strcmp(fmt, "xml")) {
    imt_buf_puts(out, "  </results>\n");
    if (res->truncated)
      imt_buf_printf(out, "  <!-- truncated: the result was cut at the row cap of %u rows -->\n", o->row_cap);
    imt_buf_puts(out, "</sparql>\n");
  }
  res->rows = rows;
  if (out->oom) goto oom;
  return 0;
oom:
  cJSON_Delete(root);
  set_error(res, 503, "out_of_memory", "the query worker ran out of memory writing the results");
  return 1;
}

static int write_boolean(int value, const char *fmt, imt_buf *out)
{
  if (!strcmp(fmt, "json"))
    imt_buf_printf(out, "{\"head\":{},\"boolean\":%s}", value ? "true" : "false");
  else if (!strcmp(fmt, "xml"))
    imt_buf_printf(out, "<?xml version=\"1.0\"?>\n<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">\n"
                   "  <head/>\n  <boolean>%s</boolean>\n</sparql>\n", value ? "true" : "false");
  else if (!strcmp(fmt, "tsv"))
    imt_buf_printf(out, "?_askResult\n%s\n", value ? "true" : "false");
  else
    imt_buf_printf(out, "_askResult\r\n%s\r\n", value ? "true" : "false");
  return out->oom;
}

/* ---- graphs (CONSTRUCT, DESCRIBE) ----------------------------------------------------------- */

typedef struct graph {
  raptor_statement **st;
  size_t n, cap;
  size_t cap_limit;    /* row cap; 0 = none */
  int truncated;
} graph;

/* Add a copy of (s, p, o) (terms borrowed). Returns 0, 1 when the cap was reached, -1 on OOM. */
static int graph_add(imt_query_engine *e, graph *g, raptor_term *s, raptor_term *p, raptor_term *o)
{
  raptor_statement *st;
  if (g->cap_limit && g->n >= g->cap_limit) {
    g->truncated = 1;
    return 1;
  }
  if (g->n == g->cap) {
    size_t ncap = g->cap ? g->cap * 2 : 64;
    raptor_statement **ns = imt_realloc(g->st, ncap * sizeof *ns);
    if (!ns) return -1;
    g->st = ns;
    g->cap = ncap;
  }
  st = raptor_new_statement_from_nodes(e->raw, raptor_term_copy(s), raptor_term_copy(p), raptor_term_copy(o), NULL);
  if (!st) return -1;
  g->st[g->n++] = st;
  return 0;
}

static void graph_free(graph *g)
{
  for (size_t i = 0; i < g->n; i++)
    raptor_free_statement(g->st[i]);
  free(g->st);
  memset(g, 0, sizeof *g);
}

static const struct { const char *prefix, *uri; } ttl_prefixes[] = {
  {"skos", IMT_NS_SKOS}, {"rdf", IMT_NS_RDF}, {"rdfs", IMT_NS_RDFS}, {"owl", IMT_NS_OWL},
  {"dct", IMT_NS_DCT}, {"imt", IMT_DEFAULT_BASE}, {"imto", IMT_NS_IMTO}, {"xsd", XSD}};

static void jsonld_value(cJSON *arr, const term *t)
{
  cJSON *v = cJSON_CreateObject();
  char *s = imt_strndup(t->value ? t->value : "", t->len);
  if (!v || !s) { cJSON_Delete(v); free(s); return; }
  if (t->kind == 1) cJSON_AddStringToObject(v, "@id", s);
  else if (t->kind == 2) {
    char *b = NULL;
    size_t n = strlen(s) + 3;
    if ((b = imt_malloc(n))) {
      snprintf(b, n, "_:%s", s);
      cJSON_AddStringToObject(v, "@id", b);
      free(b);
    }
  } else {
    cJSON_AddStringToObject(v, "@value", s);
    if (t->lang) cJSON_AddStringToObject(v, "@language", t->lang);
    else if (t->datatype && strcmp(t->datatype, XSD "string") != 0) cJSON_AddStringToObject(v, "@type", t->datatype);
  }
  free(s);
  cJSON_AddItemToArray(arr, v);
}

typedef struct ptrlist {
  char **p;
  size_t n, cap;
} ptrlist;

/* Keep p in l (owned by l); 1 or 0 on OOM. */
static int ptrlist_keep(ptrlist *l, char *p)
{
  if (l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 32;
    char **np = imt_realloc(l->p, ncap * sizeof *np);
    if (!np) return 0;
    l->p = np;
    l->cap = ncap;
  }
  l->p[l->n++] = p;
  return 1;
}

/* Expanded JSON-LD: one node object per subject, in order of first appearance. */
static char *graph_jsonld(imt_query_engine *e, graph *g)
{
  cJSON *root = cJSON_CreateArray();
  imt_map idx;
  ptrlist keys = {0};
  char *out = NULL;
  uint32_t next = 0;
  if (!root || imt_map_init(&idx, g->n + 1)) {
    cJSON_Delete(root);
    return NULL;
  }
  for (size_t i = 0; i < g->n; i++) {
    term s, p, o;
    char key[1024];
    uint32_t k;
    cJSON *node, *arr;
    char *pk;
    raptor_term_to_term(e, g->st[i]->subject, &s);
    raptor_term_to_term(e, g->st[i]->predicate, &p);
    raptor_term_to_term(e, g->st[i]->object, &o);
    snprintf(key, sizeof key, "%s%.*s", s.kind == 2 ? "_:" : "", (int)s.len, s.value ? s.value : "");
    if (!imt_map_get(&idx, key, strlen(key), &k)) {
      char *owned = imt_strdup(key);
      if (!owned || !ptrlist_keep(&keys, owned)) { free(owned); break; }
      node = cJSON_CreateObject();
      cJSON_AddStringToObject(node, "@id", key);
      cJSON_AddItemToArray(root, node);
      k = next++;
      if (imt_map_put(&idx, owned, strlen(owned), k)) break;
    }
    node = cJSON_GetArrayItem(root, (int)k);
    if (!node || !(pk = imt_strndup(p.value ? p.value : "", p.len))) break;
    arr = cJSON_GetObjectItemCaseSensitive(node, pk);
    if (!arr) arr = cJSON_AddArrayToObject(node, pk);
    free(pk);
    if (arr) jsonld_value(arr, &o);
  }
  imt_map_free(&idx);
  for (size_t i = 0; i < keys.n; i++) free(keys.p[i]);
  free(keys.p);
  out = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  return out;
}

static int write_graph(imt_query_engine *e, graph *g, const char *fmt, imt_buf *out, imt_query_result *res)
{
  if (!strcmp(fmt, "jsonld")) {
    char *s = graph_jsonld(e, g);
    if (!s) goto oom;
    imt_buf_puts(out, s);
    free(s);
  } else {
    const char *name = !strcmp(fmt, "ntriples") ? "ntriples" : !strcmp(fmt, "rdfxml") ? "rdfxml-abbrev" : "turtle";
    raptor_serializer *ser = raptor_new_serializer(e->raw, name);
    void *str = NULL;
    size_t len = 0;
    if (!ser) {
      set_error(res, 500, "serializer_missing", "Raptor has no %s serializer", name);
      return 1;
    }
    if (strcmp(name, "ntriples") != 0)
      for (size_t i = 0; i < sizeof ttl_prefixes / sizeof ttl_prefixes[0]; i++) {
        raptor_uri *u = raptor_new_uri(e->raw, (const unsigned char *)ttl_prefixes[i].uri);
        if (u) {
          raptor_serializer_set_namespace(ser, u, (const unsigned char *)ttl_prefixes[i].prefix);
          raptor_free_uri(u);
        }
      }
    if (raptor_serializer_start_to_string(ser, NULL, &str, &len)) {
      raptor_free_serializer(ser);
      goto oom;
    }
    for (size_t i = 0; i < g->n; i++)
      raptor_serializer_serialize_statement(ser, g->st[i]);
    raptor_serializer_serialize_end(ser);
    raptor_free_serializer(ser);   /* finishes the string */
    if (str) {
      imt_buf_append(out, str, len);
      raptor_free_memory(str);
    }
  }
  res->rows = g->n;
  res->truncated = g->truncated;
  if (out->oom) goto oom;
  return 0;
oom:
  set_error(res, 503, "out_of_memory", "the query worker ran out of memory writing the graph");
  return 1;
}

/* ---- DESCRIBE: the concise bounded description of each resource ----------------------------- */

/* Add every triple with subject node n, then (once each) the descriptions of blank-node objects. */
static int describe_node(imt_query_engine *e, librdf_node *n, graph *g, hset *seen)
{
  librdf_statement *q = librdf_new_statement_from_nodes(e->lw, librdf_new_node_from_node(n), NULL, NULL);
  librdf_stream *s;
  librdf_node *blanks[256];
  int nbl = 0, rc = 0;
  if (!q)
    return -1;
  if (hset_add(seen, node_hash(n)) == 0) {   /* described already */
    librdf_free_statement(q);
    return 0;
  }
  s = librdf_model_find_statements(e->model, q);
  for (; s && !librdf_stream_end(s); librdf_stream_next(s)) {
    librdf_statement *st = librdf_stream_get_object(s);
    librdf_node *o = librdf_statement_get_object(st);
    if ((rc = graph_add(e, g, librdf_statement_get_subject(st), librdf_statement_get_predicate(st), o)) != 0)
      break;
    if (librdf_node_is_blank(o) && nbl < 256)
      blanks[nbl++] = librdf_new_node_from_node(o);
  }
  if (s) librdf_free_stream(s);
  librdf_free_statement(q);
  for (int i = 0; i < nbl; i++) {
    if (!rc) rc = describe_node(e, blanks[i], g, seen);
    librdf_free_node(blanks[i]);
  }
  return rc < 0 ? -1 : rc;
}

static int run_select_text(imt_query_engine *e, const char *text, const imt_query_opts *o, imt_query_result *res,
                           librdf_node ***nodes, size_t *nn);

static int do_describe(imt_query_engine *e, rasqal_query *q, const char *text, const imt_query_opts *o,
                       imt_buf *out, imt_query_result *res)
{
  raptor_sequence *seq = rasqal_query_get_describe_sequence(q);
  graph g = {0};
  hset seen = {0};
  imt_buf vars = IMT_BUF_INIT;
  librdf_node **found = NULL;
  size_t nfound = 0;
  int wildcard = rasqal_query_get_wildcard(q), rc = 1, size = seq ? raptor_sequence_size(seq) : 0;
  g.cap_limit = o->row_cap;
  /* constant IRIs are described directly; variables come from running the WHERE part as a SELECT */
  for (int i = 0; i < size; i++) {
    rasqal_literal *l = raptor_sequence_get_at(seq, i);
    rasqal_variable *v = rasqal_literal_as_variable(l);
    if (v) imt_buf_printf(&vars, " ?%s", (const char *)v->name);
  }
  if (vars.len || wildcard) {
    size_t n, body, end;
    imt_tok *t = imt_sparql_tokenize(text, &n);
    imt_buf sel = IMT_BUF_INIT;
    if (!t) goto oom;
    body = imt_sparql_body_start(text, t, n);
    for (end = body + 1; end < n; end++)
      if (imt_tok_is_word(text, &t[end], "WHERE") || (t[end].type == IMT_TOK_PUNCT && text[t[end].start] == '{'))
        break;
    if (end >= n) {
      free(t);
      set_error(res, 400, "query_syntax", "DESCRIBE with variables needs a WHERE clause");
      goto done;
    }
    imt_buf_append(&sel, text, t[body].start);
    imt_buf_printf(&sel, "SELECT DISTINCT %s ", wildcard ? "*" : vars.data);
    imt_buf_puts(&sel, text + t[end].start);
    free(t);
    if (sel.oom) { imt_buf_free(&sel); goto oom; }
    rc = run_select_text(e, sel.data, o, res, &found, &nfound);
    imt_buf_free(&sel);
    if (rc) goto done;
    rc = 1;
  }
  for (int i = 0; i < size; i++) {
    rasqal_literal *l = raptor_sequence_get_at(seq, i);
    if (!rasqal_literal_as_variable(l)) {
      librdf_node *n = literal_to_node(e, l);
      int r = n ? describe_node(e, n, &g, &seen) : -1;
      if (n) librdf_free_node(n);
      if (r < 0) goto oom;
    }
  }
  for (size_t i = 0; i < nfound; i++)
    if (describe_node(e, found[i], &g, &seen) < 0) goto oom;
  snprintf(res->ctype, sizeof res->ctype, "%s", imt_query_format_ctype(o->fmt_graph));
  rc = write_graph(e, &g, o->fmt_graph, out, res);
  goto done;
oom:
  set_error(res, 503, "out_of_memory", "the query worker ran out of memory describing the resources");
  rc = 1;
done:
  for (size_t i = 0; i < nfound; i++) librdf_free_node(found[i]);
  free(found);
  free(seen.slot);
  imt_buf_free(&vars);
  graph_free(&g);
  return rc;
}

/* ---- running a query ------------------------------------------------------------------------ */

/* Parse text into a prepared query after the textual guard; on failure res is set and NULL is
 * returned. */
static rasqal_query *parse_guarded(imt_query_engine *e, const char *text, imt_query_result *res)
{
  char detail[128], msg[900];
  int hit = imt_guard_text(text, 0, detail, sizeof detail);
  rasqal_query *q;
  if (hit >= 0) {
    imt_guard_message(hit, detail, msg, sizeof msg);
    set_error(res, 400, imt_guard_rules[hit].code, "%s", msg);
    return NULL;
  }
  q = rasqal_new_query(e->rw, "sparql11-query", NULL);
  if (!q) {
    set_error(res, 503, "out_of_memory", "cannot create a query object");
    return NULL;
  }
  e->nerrors = 0;
  e->errmsg[0] = '\0';
  if (rasqal_query_prepare(q, (const unsigned char *)text, e->base)) {
    hit = imt_guard_text(text, 1, detail, sizeof detail);
    if (hit >= 0) {
      imt_guard_message(hit, detail, msg, sizeof msg);
      set_error(res, 400, imt_guard_rules[hit].code, "%s", msg);
    } else
      set_error(res, 400, "query_syntax", "the query is not valid SPARQL 1.1 (as Rasqal reads it): %s",
                e->errmsg[0] ? e->errmsg : "syntax error");
    rasqal_free_query(q);
    return NULL;
  }
  hit = guard_structure(q, detail, sizeof detail);
  if (hit >= 0) {
    imt_guard_message(hit, detail, msg, sizeof msg);
    set_error(res, 400, imt_guard_rules[hit].code, "%s", msg);
    rasqal_free_query(q);
    return NULL;
  }
  return q;
}

static int plan_query(imt_query_engine *e, rasqal_query *q, int reorder)
{
  rasqal_graph_pattern *gp = rasqal_query_get_query_graph_pattern(q);
  int changed = 0;
  e->ncarry = 0;
  if (!gp)
    return 0;
  plan_gp(e, gp, NULL, 0, reorder, &changed);
  if (changed)
    return rasqal_query_build_variables_use(q, rasqal_query_get_projection(q));
  return 0;
}

static rasqal_query_results *execute(imt_query_engine *e, rasqal_query *q, const imt_query_opts *o,
                                     imt_query_result *res)
{
  rasqal_query_results *r;
  if (plan_query(e, q, !o->no_reorder)) {
    set_error(res, 500, "planner_failed", "could not reorder the query's triple patterns");
    return NULL;
  }
  e->nerrors = 0;
  e->errmsg[0] = '\0';
  r = rasqal_query_execute(q);
  if (!r)
    set_error(res, 500, "query_failed", "Rasqal could not execute the query%s%s",
              e->errmsg[0] ? ": " : "", e->errmsg);
  return r;
}

/* Run a SELECT (the WHERE part of a DESCRIBE) and collect its URI and blank-node values. */
static int run_select_text(imt_query_engine *e, const char *text, const imt_query_opts *o, imt_query_result *res,
                           librdf_node ***nodes, size_t *nn)
{
  rasqal_query *q = parse_guarded(e, text, res);
  rasqal_query_results *r;
  size_t cap = 0, limit = o->row_cap ? o->row_cap : 100000;
  if (!q)
    return 1;
  r = execute(e, q, o, res);
  if (!r) {
    rasqal_free_query(q);
    return 1;
  }
  while (!rasqal_query_results_finished(r) && *nn < limit) {
    int nv = rasqal_query_results_get_bindings_count(r);
    for (int i = 0; i < nv && *nn < limit; i++) {
      rasqal_literal *l = rasqal_query_results_get_binding_value(r, i);
      rasqal_literal_type ty = l ? rasqal_literal_get_rdf_term_type(l) : RASQAL_LITERAL_UNKNOWN;
      librdf_node *n;
      if (ty != RASQAL_LITERAL_URI && ty != RASQAL_LITERAL_BLANK) continue;
      if (!(n = literal_to_node(e, l))) continue;
      if (*nn == cap) {
        size_t ncap = cap ? cap * 2 : 16;
        librdf_node **nv2 = imt_realloc(*nodes, ncap * sizeof *nv2);
        if (!nv2) { librdf_free_node(n); break; }
        *nodes = nv2;
        cap = ncap;
      }
      (*nodes)[(*nn)++] = n;
    }
    if (rasqal_query_results_next(r)) break;
  }
  rasqal_free_query_results(r);
  rasqal_free_query(q);
  return 0;
}

int imt_query_engine_run(imt_query_engine *e, const char *text, const imt_query_opts *o, imt_buf *out,
                         imt_query_result *res)
{
  rasqal_query *q;
  rasqal_query_results *r = NULL;
  rasqal_query_verb verb;
  int rc = 1;
  memset(res, 0, sizeof *res);
  res->status = 200;
  e->n_matches = e->n_read = 0;
  if (!(q = parse_guarded(e, text, res)))
    return 1;
  verb = rasqal_query_get_verb(q);
  if (verb == RASQAL_QUERY_VERB_SELECT || verb == RASQAL_QUERY_VERB_ASK) {
    if (!o->fmt_bindings) {
      set_error(res, 406, "not_acceptable",
                "no acceptable media type for %s results; this endpoint offers application/sparql-results+json, "
                "application/sparql-results+xml, text/csv and text/tab-separated-values",
                verb == RASQAL_QUERY_VERB_ASK ? "ASK" : "SELECT");
      goto done;
    }
  } else if (verb == RASQAL_QUERY_VERB_CONSTRUCT || verb == RASQAL_QUERY_VERB_DESCRIBE) {
    if (!o->fmt_graph) {
      set_error(res, 406, "not_acceptable",
                "no acceptable media type for %s results; this endpoint offers text/turtle, application/n-triples, "
                "application/rdf+xml and application/ld+json",
                verb == RASQAL_QUERY_VERB_DESCRIBE ? "DESCRIBE" : "CONSTRUCT");
      goto done;
    }
  } else {
    set_error(res, 400, "unsupported_query", "only SELECT, ASK, CONSTRUCT and DESCRIBE queries are answered");
    goto done;
  }
  if (verb == RASQAL_QUERY_VERB_DESCRIBE) {
    rc = do_describe(e, q, text, o, out, res);
    goto done;
  }
  if (!(r = execute(e, q, o, res)))
    goto done;
  if (verb == RASQAL_QUERY_VERB_SELECT) {
    snprintf(res->ctype, sizeof res->ctype, "%s", imt_query_format_ctype(o->fmt_bindings));
    rc = write_bindings(e, r, o, out, res);
  } else if (verb == RASQAL_QUERY_VERB_ASK) {
    int b = rasqal_query_results_get_boolean(r);
    snprintf(res->ctype, sizeof res->ctype, "%s", imt_query_format_ctype(o->fmt_bindings));
    if (b < 0) {
      set_error(res, 500, "query_failed", "Rasqal could not evaluate the ASK query%s%s", e->errmsg[0] ? ": " : "", e->errmsg);
      goto done;
    }
    res->rows = 1;
    rc = write_boolean(b, o->fmt_bindings, out);
    if (rc) set_error(res, 503, "out_of_memory", "out of memory");
  } else {
    graph g = {0};
    g.cap_limit = o->row_cap;
    while (1) {
      raptor_statement *st = rasqal_query_results_get_triple(r);
      int a;
      if (!st) break;
      a = graph_add(e, &g, st->subject, st->predicate, st->object);
      if (a < 0) {
        graph_free(&g);
        set_error(res, 503, "out_of_memory", "out of memory building the graph");
        goto done;
      }
      if (a > 0 || rasqal_query_results_next_triple(r)) break;
    }
    snprintf(res->ctype, sizeof res->ctype, "%s", imt_query_format_ctype(o->fmt_graph));
    rc = write_graph(e, &g, o->fmt_graph, out, res);
    graph_free(&g);
  }
done:
  if (r) rasqal_free_query_results(r);
  rasqal_free_query(q);
  res->matches = e->n_matches;
  res->statements = e->n_read;
  if (rc) {
    if (res->status == 200) set_error(res, 500, "query_failed", "the query failed");
    imt_buf_reset(out);
  }
  return rc;
}
