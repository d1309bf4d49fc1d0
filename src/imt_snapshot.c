/* imt_snapshot.c - builds the immutable vocabulary snapshot from the RDF store, answers
 * lookups on it, and publishes new snapshots to readers without a lock. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_snapshot.h"
#include "imt_store.h"
#include "imt_systems.h"

#include <redland.h>

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Builders of extension indexes; defined in imt_snapshot_ext.c. */
extern int imt_snapshot_build_exts(imt_snapshot *s, imt_error *err);
extern void imt_snapshot_free_exts(imt_snapshot *s);

/* ---- building ------------------------------------------------------------------------------- */

typedef struct tmp_concept {
  const char *iri;
  imt_label *labels;
  uint32_t n_labels, cap_labels;
  uint32_t *parents, n_parents, cap_parents;
  imt_mapping *maps;
  uint32_t n_maps, cap_maps;
  const char *replaced_by_iri;
} tmp_concept;

typedef struct builder {
  imt_store *store;
  librdf_world *world;
  librdf_model *model;
  imt_snapshot *s;
  struct imt_arena *a;
  tmp_concept *tmp;
  int oom;
} builder;

#define GROW(arr, n, cap, b)                                                     \
  do {                                                                           \
    if ((n) == (cap)) {                                                          \
      uint32_t nc_ = (cap) ? (cap) * 2 : 4;                                      \
      void *np_ = imt_realloc((arr), nc_ * sizeof *(arr));                       \
      if (!np_) { (b)->oom = 1; break; }                                         \
      (arr) = np_;                                                               \
      (cap) = nc_;                                                               \
    }                                                                            \
  } while (0)

static uint8_t lang_of(const char *tag)
{
  if (!tag || !*tag)
    return IMT_LANG_OTHER;
  if (strncasecmp(tag, "en", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
    return IMT_LANG_EN;
  if (strncasecmp(tag, "zh", 2) == 0) {
    if (strcasestr(tag, "hant") || strcasestr(tag, "-tw") || strcasestr(tag, "-hk") || strcasestr(tag, "-mo"))
      return IMT_LANG_ZH_HANT;
    return IMT_LANG_ZH;
  }
  return IMT_LANG_OTHER;
}

/* String form of a resource or blank node; NULL for literals. Borrowed from the node. */
static const char *node_id(librdf_node *n)
{
  if (librdf_node_is_resource(n))
    return (const char *)librdf_uri_as_string(librdf_node_get_uri(n));
  if (librdf_node_is_blank(n))
    return (const char *)librdf_node_get_blank_identifier(n);
  return NULL;
}

typedef void (*triple_fn)(builder *b, librdf_node *s, librdf_node *o, void *ctx);

/* Call fn for every (s, pred, o) in the model, or (subj, pred, o) when subj is given. */
static void each(builder *b, librdf_node *subj, const char *pred, triple_fn fn, void *ctx)
{
  librdf_node *p = librdf_new_node_from_uri_string(b->world, (const unsigned char *)pred);
  librdf_statement *q;
  librdf_stream *st;
  if (!p) { b->oom = 1; return; }
  q = librdf_new_statement_from_nodes(b->world, subj ? librdf_new_node_from_node(subj) : NULL, p, NULL);
  if (!q) { b->oom = 1; return; }
  st = librdf_model_find_statements(b->model, q);
  while (st && !librdf_stream_end(st) && !b->oom) {
    librdf_statement *t = librdf_stream_get_object(st);
    fn(b, librdf_statement_get_subject(t), librdf_statement_get_object(t), ctx);
    librdf_stream_next(st);
  }
  if (st) librdf_free_stream(st);
  librdf_free_statement(q);
}

static int concept_of(builder *b, librdf_node *n, uint32_t *idx)
{
  const char *id = node_id(n);
  return id && imt_map_get(&b->s->by_iri, id, strlen(id), idx);
}

static void on_type(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  const char *iri = node_id(s), *cls = node_id(o);
  uint32_t *count = ctx;
  (void)cls;
  if (!iri || !librdf_node_is_resource(s))
    return;
  if (imt_map_get(&b->s->by_iri, iri, strlen(iri), NULL))
    return;
  {
    const char *copy = imt_arena_strdup(b->a, iri);
    if (!copy || imt_map_put(&b->s->by_iri, copy, strlen(copy), (*count)++))
      b->oom = 1;
  }
}

static void on_kind(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  static const struct { const char *cls; uint8_t kind; } kinds[] = {
    {IMT_NS_IMTO "Grouping", IMT_KIND_GROUPING}, {IMT_NS_IMTO "Finding", IMT_KIND_FINDING},
    {IMT_NS_IMTO "Sign", IMT_KIND_SIGN}, {IMT_NS_IMTO "Descriptor", IMT_KIND_DESCRIPTOR},
    {IMT_NS_IMTO "AssessmentCategory", IMT_KIND_CATEGORY}};
  uint32_t i;
  const char *cls = node_id(o);
  (void)ctx;
  if (!cls || !concept_of(b, s, &i))
    return;
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
    if (strcmp(cls, kinds[k].cls) == 0)
      b->s->concepts[i].kind = kinds[k].kind;
}

static void on_label(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  uint32_t i;
  uint8_t kind = (uint8_t)(uintptr_t)ctx;
  tmp_concept *t;
  const char *text, *tag;
  if (!librdf_node_is_literal(o) || !concept_of(b, s, &i))
    return;
  t = &b->tmp[i];
  GROW(t->labels, t->n_labels, t->cap_labels, b);
  if (b->oom) return;
  text = (const char *)librdf_node_get_literal_value(o);
  tag = librdf_node_get_literal_value_language(o);
  t->labels[t->n_labels].text = imt_arena_strdup(b->a, text);
  t->labels[t->n_labels].lang_tag = imt_arena_strdup(b->a, tag ? tag : "");
  t->labels[t->n_labels].lang = lang_of(tag);
  t->labels[t->n_labels].kind = kind;
  if (!t->labels[t->n_labels].text || !t->labels[t->n_labels].lang_tag) { b->oom = 1; return; }
  if (kind == IMT_LABEL_PREF) {
    uint8_t l = t->labels[t->n_labels].lang;
    if (l == IMT_LANG_ZH || l == IMT_LANG_EN) {
      if (!*b->s->concepts[i].pref[l])
        b->s->concepts[i].pref[l] = t->labels[t->n_labels].text;
    }
  }
  t->n_labels++;
}

static void on_definition(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  uint32_t i;
  uint8_t l;
  (void)ctx;
  if (!librdf_node_is_literal(o) || !concept_of(b, s, &i))
    return;
  l = lang_of(librdf_node_get_literal_value_language(o));
  if ((l == IMT_LANG_ZH || l == IMT_LANG_EN) && !*b->s->concepts[i].def[l]) {
    b->s->concepts[i].def[l] = imt_arena_strdup(b->a, (const char *)librdf_node_get_literal_value(o));
    if (!b->s->concepts[i].def[l]) b->oom = 1;
  }
}

static void on_broader(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  uint32_t i, j;
  tmp_concept *t;
  (void)ctx;
  if (!concept_of(b, s, &i) || !concept_of(b, o, &j) || i == j)
    return;
  t = &b->tmp[i];
  for (uint32_t k = 0; k < t->n_parents; k++)
    if (t->parents[k] == j) return;
  GROW(t->parents, t->n_parents, t->cap_parents, b);
  if (!b->oom)
    t->parents[t->n_parents++] = j;
}

static void on_top(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  uint32_t i;
  (void)o; (void)ctx;
  if (concept_of(b, s, &i))
    b->s->concepts[i].top = 1;
}

static void on_has_top(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  uint32_t i;
  (void)s; (void)ctx;
  if (concept_of(b, o, &i))
    b->s->concepts[i].top = 1;
}

static void on_deprecated(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  uint32_t i;
  const char *v;
  (void)ctx;
  if (!librdf_node_is_literal(o) || !concept_of(b, s, &i))
    return;
  v = (const char *)librdf_node_get_literal_value(o);
  if (v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0))
    b->s->concepts[i].deprecated = 1;
}

static void on_replaced(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  uint32_t i;
  (void)ctx;
  if (concept_of(b, s, &i) && node_id(o) && librdf_node_is_resource(o))
    b->tmp[i].replaced_by_iri = imt_arena_strdup(b->a, node_id(o));
}

static void on_source(builder *b, librdf_node *s, librdf_node *o, void *ctx)
{
  uint32_t i;
  (void)ctx;
  if (concept_of(b, s, &i) && !*b->s->concepts[i].source) {
    const char *v = librdf_node_is_literal(o) ? (const char *)librdf_node_get_literal_value(o) : node_id(o);
    if (v) b->s->concepts[i].source = imt_arena_strdup(b->a, v);
  }
}

/* First object of (subj, pred) as a string (IRI or literal value), or NULL. Borrowed from the
 * arena. lang: when given, prefer a literal in that language. */
static const char *first_value(builder *b, librdf_node *subj, const char *pred, const char *lang)
{
  librdf_node *p = librdf_new_node_from_uri_string(b->world, (const unsigned char *)pred);
  librdf_statement *q = librdf_new_statement_from_nodes(b->world, librdf_new_node_from_node(subj), p, NULL);
  librdf_stream *st = q ? librdf_model_find_statements(b->model, q) : NULL;
  const char *out = NULL;
  while (st && !librdf_stream_end(st)) {
    librdf_node *o = librdf_statement_get_object(librdf_stream_get_object(st));
    const char *v = librdf_node_is_literal(o) ? (const char *)librdf_node_get_literal_value(o) : node_id(o);
    const char *l = librdf_node_is_literal(o) ? librdf_node_get_literal_value_language(o) : NULL;
    if (v && (!lang || (l && lang_of(l) == lang_of(lang)))) {
      out = imt_arena_strdup(b->a, v);
      break;
    }
    librdf_stream_next(st);
  }
  if (st) librdf_free_stream(st);
  if (q) librdf_free_statement(q);
  return out;
}

static void on_axiom(builder *b, librdf_node *ax, librdf_node *src, void *ctx)
{
  uint32_t i;
  tmp_concept *t;
  imt_mapping *m;
  const char *target, *code = "";
  const imt_system *sys;
  (void)ctx;
  if (!concept_of(b, src, &i))
    return;
  target = first_value(b, ax, IMT_NS_OWL "annotatedTarget", NULL);
  if (!target || strcmp(target, IMT_NS_SSSOM "NoTermFound") == 0)
    return;
  t = &b->tmp[i];
  GROW(t->maps, t->n_maps, t->cap_maps, b);
  if (b->oom) return;
  m = &t->maps[t->n_maps++];
  memset(m, 0, sizeof *m);
  m->iri = target;
  sys = imt_system_by_iri(target, &code);
  m->system = sys ? sys->name : "";
  m->code = sys ? imt_arena_strdup(b->a, code) : target;
  m->display = first_value(b, ax, IMT_NS_SSSOM "object_label", NULL);
  if (!m->display) m->display = "";
  {
    const char *p = first_value(b, ax, IMT_NS_OWL "annotatedProperty", NULL);
    const char *j = first_value(b, ax, IMT_NS_SSSOM "mapping_justification", NULL);
    imt_buf c = IMT_BUF_INIT;
    if (p && strncmp(p, IMT_NS_SKOS, strlen(IMT_NS_SKOS)) == 0)
      imt_buf_printf(&c, "skos:%s", p + strlen(IMT_NS_SKOS));
    else
      imt_buf_puts(&c, p ? p : "");
    m->predicate = imt_arena_strdup(b->a, c.data ? c.data : "");
    imt_buf_reset(&c);
    if (j && strncmp(j, "https://w3id.org/semapv/vocab/", 30) == 0)
      imt_buf_printf(&c, "semapv:%s", j + 30);
    else
      imt_buf_puts(&c, j ? j : "");
    m->justification = imt_arena_strdup(b->a, c.data ? c.data : "");
    imt_buf_free(&c);
  }
  if (!m->code || !m->predicate || !m->justification)
    b->oom = 1;
}

static int cmp_concept_id(const void *x, const void *y)
{
  const imt_concept *a = x, *c = y;
  return strcmp(a->id, c->id);
}

static int label_order(const void *x, const void *y)
{
  const imt_label *a = x, *c = y;
  if (a->kind != c->kind) return (int)a->kind - (int)c->kind;
  if (a->lang != c->lang) return (int)a->lang - (int)c->lang;
  return strcmp(a->text, c->text);
}

static int map_order(const void *x, const void *y)
{
  const imt_mapping *a = x, *c = y;
  int r = strcmp(a->system, c->system);
  return r ? r : strcmp(a->code, c->code);
}

static uint32_t *arena_u32(builder *b, const uint32_t *src, uint32_t n)
{
  uint32_t *p = imt_arena_alloc(b->a, (n ? n : 1) * sizeof *p);
  if (!p) { b->oom = 1; return NULL; }
  if (n) memcpy(p, src, n * sizeof *p);
  return p;
}

imt_snapshot *imt_snapshot_build(imt_store *store, imt_error *err)
{
  builder b;
  imt_snapshot *s = IMT_CALLOC(imt_snapshot, 1);
  uint32_t n = 0, i;
  double t0 = imt_now();
  librdf_node *scheme = NULL;
  uint32_t *queue = NULL, *seen = NULL;

  memset(&b, 0, sizeof b);
  if (!s || !(s->arena = imt_arena_new())) {
    free(s);
    imt_error_set(err, IMT_ERR_NOMEM, "out of memory building the snapshot");
    return NULL;
  }
  b.store = store;
  b.world = imt_store_world(store);
  b.model = imt_store_model(store);
  b.s = s;
  b.a = s->arena;
  if (imt_map_init(&s->by_iri, 1024) || imt_map_init(&s->by_id, 1024) || imt_map_init(&s->by_code, 1024))
    goto oom;

  /* scheme metadata */
  scheme = librdf_new_node_from_uri_string(b.world, (const unsigned char *)IMT_SCHEME_IRI);
  if (!scheme) goto oom;
  s->scheme_iri = IMT_SCHEME_IRI;
  s->base_iri = first_value(&b, scheme, IMT_NS_VOID "uriSpace", NULL);
  if (!s->base_iri) s->base_iri = IMT_DEFAULT_BASE;
  s->version = first_value(&b, scheme, IMT_NS_OWL "versionInfo", NULL);
  s->license = first_value(&b, scheme, IMT_NS_DCT "license", NULL);
  s->issued = first_value(&b, scheme, IMT_NS_DCT "issued", NULL);
  s->modified = first_value(&b, scheme, IMT_NS_DCT "modified", NULL);
  s->title[IMT_LANG_ZH] = first_value(&b, scheme, IMT_NS_DCT "title", "zh");
  s->title[IMT_LANG_EN] = first_value(&b, scheme, IMT_NS_DCT "title", "en");
  s->description[IMT_LANG_ZH] = first_value(&b, scheme, IMT_NS_DCT "description", "zh");
  s->description[IMT_LANG_EN] = first_value(&b, scheme, IMT_NS_DCT "description", "en");
#define OR_EMPTY(f) if (!(f)) (f) = ""
  OR_EMPTY(s->version); OR_EMPTY(s->license); OR_EMPTY(s->issued); OR_EMPTY(s->modified);
  OR_EMPTY(s->title[0]); OR_EMPTY(s->title[1]); OR_EMPTY(s->description[0]); OR_EMPTY(s->description[1]);
#undef OR_EMPTY
  librdf_free_node(scheme);
  scheme = NULL;

  /* concepts: every rdf:type skos:Concept subject */
  {
    librdf_node *t = librdf_new_node_from_uri_string(b.world, (const unsigned char *)(IMT_NS_SKOS "Concept"));
    librdf_node *p = librdf_new_node_from_uri_string(b.world, (const unsigned char *)(IMT_NS_RDF "type"));
    librdf_statement *q = (t && p) ? librdf_new_statement_from_nodes(b.world, NULL, p, t) : NULL;
    librdf_stream *st = q ? librdf_model_find_statements(b.model, q) : NULL;
    if (!q) goto oom;
    while (st && !librdf_stream_end(st) && !b.oom) {
      librdf_statement *x = librdf_stream_get_object(st);
      on_type(&b, librdf_statement_get_subject(x), librdf_statement_get_object(x), &n);
      librdf_stream_next(st);
    }
    if (st) librdf_free_stream(st);
    librdf_free_statement(q);
    if (b.oom) goto oom;
  }
  s->n_concepts = n;
  s->concepts = imt_arena_alloc(b.a, (n ? n : 1) * sizeof *s->concepts);
  b.tmp = IMT_CALLOC(tmp_concept, n ? n : 1);
  if (!s->concepts || !b.tmp) goto oom;
  {
    size_t base_len = strlen(s->base_iri);
    for (size_t k = 0; k < s->by_iri.cap; k++) {
      const char *iri = s->by_iri.keys[k];
      imt_concept *c;
      if (!iri) continue;
      c = &s->concepts[s->by_iri.vals[k]];
      c->iri = iri;
      if (strncmp(iri, s->base_iri, base_len) == 0 && iri[base_len])
        c->id = iri + base_len;
      else {
        const char *slash = strrchr(iri, '/'), *hash = strrchr(iri, '#');
        const char *cut = hash > slash ? hash : slash;
        c->id = cut && cut[1] ? cut + 1 : iri;
      }
      c->pref[0] = c->pref[1] = c->def[0] = c->def[1] = c->source = "";
      c->replaced_by = -1;
    }
  }

  each(&b, NULL, IMT_NS_RDF "type", on_kind, NULL);
  each(&b, NULL, IMT_NS_SKOS "prefLabel", on_label, (void *)(uintptr_t)IMT_LABEL_PREF);
  each(&b, NULL, IMT_NS_SKOS "altLabel", on_label, (void *)(uintptr_t)IMT_LABEL_ALT);
  each(&b, NULL, IMT_NS_SKOS "hiddenLabel", on_label, (void *)(uintptr_t)IMT_LABEL_HIDDEN);
  each(&b, NULL, IMT_NS_SKOS "definition", on_definition, NULL);
  each(&b, NULL, IMT_NS_SKOS "broader", on_broader, NULL);
  each(&b, NULL, IMT_NS_SKOS "topConceptOf", on_top, NULL);
  each(&b, NULL, IMT_NS_SKOS "hasTopConcept", on_has_top, NULL);
  each(&b, NULL, IMT_NS_OWL "deprecated", on_deprecated, NULL);
  each(&b, NULL, IMT_NS_DCT "isReplacedBy", on_replaced, NULL);
  each(&b, NULL, IMT_NS_DCT "source", on_source, NULL);
  each(&b, NULL, IMT_NS_OWL "annotatedSource", on_axiom, NULL);
  if (b.oom) goto oom;

  /* Sort concepts by id: stable order for every listing. Re-index the temporaries to match. */
  {
    uint32_t *old_of = IMT_CALLOC(uint32_t, n ? n : 1), *new_of = IMT_CALLOC(uint32_t, n ? n : 1);
    tmp_concept *tmp2 = IMT_CALLOC(tmp_concept, n ? n : 1);
    if (!old_of || !new_of || !tmp2) { free(old_of); free(new_of); free(tmp2); goto oom; }
    for (i = 0; i < n; i++) s->concepts[i].idx = i;
    if (n)
      qsort(s->concepts, n, sizeof *s->concepts, cmp_concept_id);
    for (i = 0; i < n; i++) { old_of[i] = s->concepts[i].idx; new_of[s->concepts[i].idx] = i; }
    for (i = 0; i < n; i++) {
      tmp2[i] = b.tmp[old_of[i]];
      s->concepts[i].idx = i;
      for (uint32_t k = 0; k < tmp2[i].n_parents; k++)
        tmp2[i].parents[k] = new_of[tmp2[i].parents[k]];
    }
    free(b.tmp);
    b.tmp = tmp2;
    free(old_of);
    free(new_of);
    imt_map_free(&s->by_iri);
    if (imt_map_init(&s->by_iri, n) ) goto oom;
    for (i = 0; i < n; i++) {
      imt_concept *c = &s->concepts[i];
      if (imt_map_put(&s->by_iri, c->iri, strlen(c->iri), i) || imt_map_put(&s->by_id, c->id, strlen(c->id), i))
        goto oom;
    }
  }

  /* Finalize per-concept arrays. */
  {
    uint32_t *nchild = IMT_CALLOC(uint32_t, n ? n : 1);
    if (!nchild) goto oom;
    for (i = 0; i < n; i++)
      for (uint32_t k = 0; k < b.tmp[i].n_parents; k++)
        nchild[b.tmp[i].parents[k]]++;
    for (i = 0; i < n; i++) {
      imt_concept *c = &s->concepts[i];
      tmp_concept *t = &b.tmp[i];
      if (t->n_labels)
        qsort(t->labels, t->n_labels, sizeof *t->labels, label_order);
      c->labels = imt_arena_alloc(b.a, (t->n_labels ? t->n_labels : 1) * sizeof *c->labels);
      if (!c->labels) { free(nchild); goto oom; }
      if (t->n_labels) memcpy(c->labels, t->labels, t->n_labels * sizeof *c->labels);
      c->n_labels = t->n_labels;
      c->parents = arena_u32(&b, t->parents, t->n_parents);
      c->n_parents = t->n_parents;
      c->children = imt_arena_alloc(b.a, (nchild[i] ? nchild[i] : 1) * sizeof(uint32_t));
      if (!c->children) { free(nchild); goto oom; }
      if (t->n_maps)
        qsort(t->maps, t->n_maps, sizeof *t->maps, map_order);
      c->mappings = imt_arena_alloc(b.a, (t->n_maps ? t->n_maps : 1) * sizeof *c->mappings);
      if (!c->mappings) { free(nchild); goto oom; }
      if (t->n_maps) memcpy(c->mappings, t->maps, t->n_maps * sizeof *c->mappings);
      c->n_mappings = t->n_maps;
      s->n_mappings += t->n_maps;
      if (t->replaced_by_iri) {
        uint32_t r;
        if (imt_map_get(&s->by_iri, t->replaced_by_iri, strlen(t->replaced_by_iri), &r))
          c->replaced_by = (int32_t)r;
      }
    }
    free(nchild);
    /* children in id order: parents are visited in concept (id) order */
    for (i = 0; i < n; i++)
      for (uint32_t k = 0; k < s->concepts[i].n_parents; k++) {
        imt_concept *p = &s->concepts[s->concepts[i].parents[k]];
        p->children[p->n_children++] = i;
      }
    if (b.oom) goto oom;
  }

  /* roots, depth (BFS from the roots), ancestors (BFS up), descendant counts */
  queue = IMT_CALLOC(uint32_t, n ? n : 1);
  seen = IMT_CALLOC(uint32_t, n ? n : 1);
  if (!queue || !seen) goto oom;
  {
    uint32_t nr = 0, head = 0, tail = 0;
    for (i = 0; i < n; i++)
      if (s->concepts[i].top || (s->concepts[i].n_parents == 0 && !s->concepts[i].deprecated)) nr++;
    s->roots = imt_arena_alloc(b.a, (nr ? nr : 1) * sizeof *s->roots);
    if (!s->roots) goto oom;
    for (i = 0; i < n; i++) {
      s->concepts[i].depth = UINT16_MAX;
      if (s->concepts[i].top || (s->concepts[i].n_parents == 0 && !s->concepts[i].deprecated)) {
        s->roots[s->n_roots++] = i;
        s->concepts[i].depth = 0;
        queue[tail++] = i;
      }
    }
    while (head < tail) {
      imt_concept *c = &s->concepts[queue[head++]];
      for (uint32_t k = 0; k < c->n_children; k++) {
        imt_concept *d = &s->concepts[c->children[k]];
        if (d->depth == UINT16_MAX) {
          d->depth = c->depth + 1;
          queue[tail++] = d->idx;
        }
      }
    }
    for (i = 0; i < n; i++)
      if (s->concepts[i].depth == UINT16_MAX) s->concepts[i].depth = 0;  /* only in a cycle */
  }
  for (i = 0; i < n; i++) {
    imt_concept *c = &s->concepts[i];
    uint32_t head = 0, tail = 0;
    seen[i] = i + 1;
    for (uint32_t k = 0; k < c->n_parents; k++)
      if (seen[c->parents[k]] != i + 1) { seen[c->parents[k]] = i + 1; queue[tail++] = c->parents[k]; }
    while (head < tail) {
      imt_concept *p = &s->concepts[queue[head++]];
      for (uint32_t k = 0; k < p->n_parents; k++)
        if (seen[p->parents[k]] != i + 1) { seen[p->parents[k]] = i + 1; queue[tail++] = p->parents[k]; }
    }
    c->ancestors = arena_u32(&b, queue, tail);
    c->n_ancestors = tail;
    for (uint32_t k = 0; k < tail; k++)
      s->concepts[queue[k]].n_descendants++;
    if (b.oom) goto oom;
  }

  /* external code index */
  {
    imt_map tmpmap;
    uint32_t next = 0;
    imt_buf key = IMT_BUF_INIT;
    if (imt_map_init(&tmpmap, s->n_mappings)) goto oom;
    s->code_lists = imt_arena_alloc(b.a, (s->n_mappings ? s->n_mappings : 1) * sizeof *s->code_lists);
    if (!s->code_lists) { imt_map_free(&tmpmap); goto oom; }
    /* first count concepts per code */
    uint32_t *counts = IMT_CALLOC(uint32_t, s->n_mappings ? s->n_mappings : 1);
    if (!counts) { imt_map_free(&tmpmap); goto oom; }
    for (int pass = 0; pass < 2; pass++)
      for (i = 0; i < n; i++)
        for (uint32_t k = 0; k < s->concepts[i].n_mappings; k++) {
          const imt_mapping *m = &s->concepts[i].mappings[k];
          uint32_t slot;
          if (!*m->system) continue;
          imt_buf_reset(&key);
          imt_buf_printf(&key, "%s:%s", m->system, m->code);
          if (!key.data) { b.oom = 1; break; }
          if (pass == 0) {
            if (!imt_map_get(&s->by_code, key.data, key.len, &slot)) {
              const char *kk = imt_arena_strndup(b.a, key.data, key.len);
              if (!kk || imt_map_put(&s->by_code, kk, key.len, next)) { b.oom = 1; break; }
              slot = next++;
            }
            counts[slot]++;
          } else {
            uint32_t *list;
            imt_map_get(&s->by_code, key.data, key.len, &slot);
            list = s->code_lists[slot];
            if (!list) {
              list = s->code_lists[slot] = imt_arena_alloc(b.a, (counts[slot] + 1) * sizeof *list);
              if (!list) { b.oom = 1; break; }
            }
            if (list[0] == 0 || list[list[0]] != i)  /* one concept twice for one code: once */
              list[++list[0]] = i;
          }
        }
    s->n_code_lists = next;
    free(counts);
    imt_buf_free(&key);
    imt_map_free(&tmpmap);
    if (b.oom) goto oom;
  }

  s->n_triples = imt_store_size(store);
  s->loaded_at = time(NULL);
  {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(s->generation, sizeof s->generation, "%lx-%lx", (unsigned long)ts.tv_sec, (unsigned long)ts.tv_nsec);
  }
  for (i = 0; i < n; i++) {
    free(b.tmp[i].labels);
    free(b.tmp[i].parents);
    free(b.tmp[i].maps);
  }
  free(b.tmp);
  free(queue);
  free(seen);
  b.tmp = NULL;
  if (imt_snapshot_build_exts(s, err)) {
    imt_snapshot_free(s);
    return NULL;
  }
  s->build_seconds = imt_now() - t0;
  return s;

oom:
  if (scheme) librdf_free_node(scheme);
  if (b.tmp) {
    for (i = 0; i < n; i++) {
      free(b.tmp[i].labels);
      free(b.tmp[i].parents);
      free(b.tmp[i].maps);
    }
    free(b.tmp);
  }
  free(queue);
  free(seen);
  imt_snapshot_free(s);
  imt_error_set(err, IMT_ERR_NOMEM, "out of memory building the vocabulary snapshot");
  return NULL;
}

void imt_snapshot_free(imt_snapshot *s)
{
  if (!s)
    return;
  imt_snapshot_free_exts(s);
  imt_map_free(&s->by_id);
  imt_map_free(&s->by_iri);
  imt_map_free(&s->by_code);
  imt_arena_free(s->arena);
  free(s);
}

/* ---- lookups -------------------------------------------------------------------------------- */

const imt_concept *imt_snapshot_by_id(const imt_snapshot *s, const char *id)
{
  uint32_t i;
  return imt_map_get(&s->by_id, id, strlen(id), &i) ? &s->concepts[i] : NULL;
}

const imt_concept *imt_snapshot_by_iri(const imt_snapshot *s, const char *iri)
{
  uint32_t i;
  return imt_map_get(&s->by_iri, iri, strlen(iri), &i) ? &s->concepts[i] : NULL;
}

uint32_t imt_snapshot_by_code(const imt_snapshot *s, const char *system, const char *code,
                              const uint32_t **idx)
{
  const imt_system *sys = imt_system_by_name(system);
  char key[256];
  uint32_t slot;
  int n;
  if (!sys || !code)
    return 0;
  if (sys == imt_system_by_name("RADLEX") && strncasecmp(code, "RID", 3) != 0)
    n = snprintf(key, sizeof key, "%s:RID%s", sys->name, code);
  else if (sys == imt_system_by_name("RADLEX"))
    n = snprintf(key, sizeof key, "%s:RID%s", sys->name, code + 3);
  else
    n = snprintf(key, sizeof key, "%s:%s", sys->name, code);
  if (n < 0 || (size_t)n >= sizeof key || !imt_map_get(&s->by_code, key, (size_t)n, &slot))
    return 0;
  *idx = s->code_lists[slot] + 1;
  return s->code_lists[slot][0];
}

uint32_t imt_snapshot_resolve(const imt_snapshot *s, const char *ref, const uint32_t **idx)
{
  uint32_t i;
  const char *colon;
  if (!ref || !*ref)
    return 0;
  if (imt_map_get(&s->by_id, ref, strlen(ref), &i) || imt_map_get(&s->by_iri, ref, strlen(ref), &i)) {
    *idx = &s->concepts[i].idx;
    return 1;
  }
  if (strstr(ref, "://")) {
    const char *code;
    const imt_system *sys = imt_system_by_iri(ref, &code);
    return sys ? imt_snapshot_by_code(s, sys->name, code, idx) : 0;
  }
  colon = strchr(ref, ':');
  if (colon && colon != ref) {
    char sys[32];
    size_t n = (size_t)(colon - ref);
    if (n >= sizeof sys)
      return 0;
    memcpy(sys, ref, n);
    sys[n] = '\0';
    if (strcasecmp(sys, "imt") == 0 || strcasecmp(sys, "imterm") == 0) {
      if (imt_map_get(&s->by_id, colon + 1, strlen(colon + 1), &i)) {
        *idx = &s->concepts[i].idx;
        return 1;
      }
      return 0;
    }
    return imt_snapshot_by_code(s, sys, colon + 1, idx);
  }
  return 0;
}

int imt_snapshot_is_a(const imt_snapshot *s, uint32_t a, uint32_t b)
{
  const imt_concept *c = &s->concepts[a];
  if (a == b)
    return 1;
  for (uint32_t k = 0; k < c->n_ancestors; k++)
    if (c->ancestors[k] == b)
      return 1;
  return 0;
}

/* ---- publication: a two-counter grace period (userspace RCU in miniature) -------------------
 * A reader announces itself in readers[epoch & 1], re-checks that the epoch did not move (else it
 * retries), then loads the current pointer. The publisher swaps the pointer, advances the epoch,
 * and waits until the counter of the old parity drains: no reader can then hold the old snapshot.
 * Readers never block; only the (background) publisher waits. */
static _Atomic(imt_snapshot *) current;
static atomic_uint epoch;
static atomic_uint readers[2];

imt_snapshot_ref imt_snapshot_acquire(void)
{
  imt_snapshot_ref r;
  for (;;) {
    unsigned e = atomic_load(&epoch);
    atomic_fetch_add(&readers[e & 1], 1);
    if (atomic_load(&epoch) == e) {
      r.epoch = e;
      r.snap = atomic_load(&current);
      return r;
    }
    atomic_fetch_sub(&readers[e & 1], 1);
  }
}

void imt_snapshot_release(imt_snapshot_ref ref)
{
  atomic_fetch_sub(&readers[ref.epoch & 1], 1);
}

void imt_snapshot_publish(imt_snapshot *s)
{
  imt_snapshot *old = atomic_exchange(&current, s);
  unsigned e = atomic_fetch_add(&epoch, 1);
  struct timespec pause = {0, 1000000};
  /* Readers of parity e may hold old; wait for them. Readers of the other parity were drained
   * at the previous publish, and any that arrive now see the new epoch or retry. */
  while (atomic_load(&readers[e & 1]) != 0)
    nanosleep(&pause, NULL);
  imt_snapshot_free(old);
}
