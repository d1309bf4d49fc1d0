/* imt_check.c - quality rules for the vocabulary: labels, tree, mappings, codes. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_check.h"
#include "imt_map.h"
#include "imt_snapshot.h"
#include "imt_store.h"
#include "imt_systems.h"
#include "imt_vocab.h"

#include <redland.h>
#include <utf8proc.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int imt_sctid_valid(const char *id)
{
  static const int d[10][10] = {
    {0,1,2,3,4,5,6,7,8,9},{1,2,3,4,0,6,7,8,9,5},{2,3,4,0,1,7,8,9,5,6},{3,4,0,1,2,8,9,5,6,7},{4,0,1,2,3,9,5,6,7,8},
    {5,9,8,7,6,0,4,3,2,1},{6,5,9,8,7,1,0,4,3,2},{7,6,5,9,8,2,1,0,4,3},{8,7,6,5,9,3,2,1,0,4},{9,8,7,6,5,4,3,2,1,0}};
  static const int p[8][10] = {
    {0,1,2,3,4,5,6,7,8,9},{1,5,7,6,2,8,3,0,9,4},{5,8,0,3,7,9,6,1,4,2},{8,9,1,6,0,4,3,5,2,7},
    {9,4,5,3,1,2,6,8,7,0},{4,2,8,6,5,7,3,9,0,1},{2,7,9,3,8,0,6,4,1,5},{7,0,4,6,9,1,3,2,5,8}};
  size_t n = strlen(id);
  int c = 0;
  if (n < 6 || n > 18)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)id[i]))
      return 0;
  for (size_t i = 0; i < n; i++)
    c = d[c][p[i % 8][id[n - 1 - i] - '0']];
  /* partition identifier (digits 2-3 from the right): 00 or 10 for concepts */
  return c == 0 && (id[n - 3] == '0' || id[n - 3] == '1') && id[n - 2] == '0';
}

typedef struct checker {
  FILE *out;
  int errors, warnings;
} checker;

static void problem(checker *k, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(checker *k, int error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs(error ? "error: " : "warning: ", k->out);
  vfprintf(k->out, fmt, ap);
  fputc('\n', k->out);
  va_end(ap);
  if (error) k->errors++; else k->warnings++;
}

/* NFKC + case fold; caller frees. */
static char *fold(const char *s)
{
  return (char *)utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)s);
}

/* Reference code sets, loaded from TSV files: key "SYSTEM:code". */
typedef struct refset {
  imt_map codes;
  char **keys;
  size_t n, cap;
} refset;

static void ref_add(refset *r, const char *sys, const char *code)
{
  imt_buf b = IMT_BUF_INIT;
  char *k;
  imt_buf_printf(&b, "%s:%s", sys, code);
  k = imt_buf_steal(&b, NULL);
  if (!k) return;
  if (imt_map_get(&r->codes, k, strlen(k), NULL)) { free(k); return; }
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 4096;
    char **n = imt_realloc(r->keys, cap * sizeof *n);
    if (!n) { free(k); return; }
    r->keys = n;
    r->cap = cap;
  }
  r->keys[r->n++] = k;
  imt_map_put(&r->codes, k, strlen(k), 1);
}

/* Read column col_code (0-based) of a TSV with a header; with col_scheme >= 0, only rows whose
 * scheme column equals scheme. Returns rows read or -1. */
static long ref_load(refset *r, const char *dir, const char *file, int col_code, int col_scheme,
                     const char *scheme, const char *sys)
{
  imt_buf path = IMT_BUF_INIT;
  FILE *f;
  char *line = NULL;
  size_t cap = 0;
  long n = 0;
  imt_buf_printf(&path, "%s/%s", dir, file);
  f = path.data ? fopen(path.data, "r") : NULL;
  imt_buf_free(&path);
  if (!f)
    return -1;
  if (getline(&line, &cap, f) < 0) { fclose(f); free(line); return -1; }
  while (getline(&line, &cap, f) >= 0) {
    char *cols[8] = {0};
    int nc = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    while (nc < 8) {
      cols[nc++] = p;
      p = strchr(p, '\t');
      if (!p) break;
      *p++ = '\0';
    }
    if (col_code >= nc) continue;
    if (col_scheme >= 0 && (col_scheme >= nc || strcmp(cols[col_scheme], scheme) != 0)) continue;
    ref_add(r, sys, cols[col_code]);
    n++;
  }
  free(line);
  fclose(f);
  return n;
}

static int load_reference(refset *r, const char *dir, FILE *out)
{
  struct { const char *file; int col, scol; const char *scheme, *sys; } parts[] = {
    {"radlex_terms.tsv", 0, -1, NULL, "RADLEX"},
    {"snomed_terms.tsv", 0, -1, NULL, "SCT"},
    {"ncit_terms.tsv", 0, -1, NULL, "NCIT"},
    {"dicom_concepts.tsv", 1, 0, "DCM", "DCM"},
    {"dicom_concepts.tsv", 1, 0, "SCT", "SCT"},
    {"dicom_concepts.tsv", 1, 0, "NCIt", "NCIT"},
  };
  if (imt_map_init(&r->codes, 1 << 17))
    return -1;
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    if (ref_load(r, dir, parts[i].file, parts[i].col, parts[i].scol, parts[i].scheme, parts[i].sys) < 0) {
      fprintf(out, "error: reference list %s/%s cannot be read\n", dir, parts[i].file);
      return -1;
    }
  return 0;
}

static void ref_free(refset *r)
{
  for (size_t i = 0; i < r->n; i++) free(r->keys[i]);
  free(r->keys);
  imt_map_free(&r->codes);
}

/* Objects of (?, pred, ?) as (subject IRI, object string) pairs, passed to fn. */
static void each_triple(imt_store *st, const char *pred,
                        void (*fn)(void *ctx, const char *s, const char *o, const char *lang), void *ctx)
{
  librdf_world *w = imt_store_world(st);
  librdf_model *m = imt_store_model(st);
  librdf_node *p = librdf_new_node_from_uri_string(w, (const unsigned char *)pred);
  librdf_statement *q = librdf_new_statement_from_nodes(w, NULL, p, NULL);
  librdf_stream *s = q ? librdf_model_find_statements(m, q) : NULL;
  while (s && !librdf_stream_end(s)) {
    librdf_statement *t = librdf_stream_get_object(s);
    librdf_node *a = librdf_statement_get_subject(t), *b = librdf_statement_get_object(t);
    const char *sa = librdf_node_is_resource(a) ? (const char *)librdf_uri_as_string(librdf_node_get_uri(a))
                                                : (const char *)librdf_node_get_blank_identifier(a);
    const char *sb = librdf_node_is_literal(b) ? (const char *)librdf_node_get_literal_value(b)
                   : librdf_node_is_resource(b) ? (const char *)librdf_uri_as_string(librdf_node_get_uri(b))
                                                : (const char *)librdf_node_get_blank_identifier(b);
    fn(ctx, sa, sb, librdf_node_is_literal(b) ? librdf_node_get_literal_value_language(b) : NULL);
    librdf_stream_next(s);
  }
  if (s) librdf_free_stream(s);
  if (q) librdf_free_statement(q);
}

typedef struct ctx_t {
  checker *k;
  imt_snapshot *s;
  imt_map shared;   /* "iri\tlang\tfolded" of imto:sharedLabel declarations */
  char **shared_keys;
  size_t n_shared, cap_shared;
} ctx_t;

static void on_broader(void *c, const char *s, const char *o, const char *lang)
{
  ctx_t *x = c;
  (void)lang;
  if (!imt_snapshot_by_iri(x->s, s))
    problem(x->k, 1, "<%s> has skos:broader but is not a skos:Concept", s);
  else if (!imt_snapshot_by_iri(x->s, o))
    problem(x->k, 1, "<%s> skos:broader <%s>: the target is not a concept in the vocabulary", s, o);
}

static void on_source(void *c, const char *s, const char *o, const char *lang)
{
  ctx_t *x = c;
  (void)s;
  (void)lang;
  if (!imt_snapshot_by_iri(x->s, o))
    problem(x->k, 1, "a mapping's subject <%s> is not a concept in the vocabulary", o);
}

static const char *lang_group(const char *tag)
{
  if (!tag) return "";
  if (!strncasecmp(tag, "zh", 2)) return "zh";
  if (!strncasecmp(tag, "en", 2)) return "en";
  return tag;
}

static void on_shared(void *c, const char *s, const char *o, const char *lang)
{
  ctx_t *x = c;
  char *f = fold(o);
  imt_buf b = IMT_BUF_INIT;
  char *key;
  if (!f) return;
  imt_buf_printf(&b, "%s\t%s\t%s", s, lang_group(lang), f);
  free(f);
  key = imt_buf_steal(&b, NULL);
  if (!key) return;
  if (x->n_shared == x->cap_shared) {
    size_t cap = x->cap_shared ? x->cap_shared * 2 : 64;
    char **n = imt_realloc(x->shared_keys, cap * sizeof *n);
    if (!n) { free(key); return; }
    x->shared_keys = n;
    x->cap_shared = cap;
  }
  x->shared_keys[x->n_shared++] = key;
  imt_map_put(&x->shared, key, strlen(key), 1);
}

static int is_shared(ctx_t *x, const imt_concept *c, const char *lang, const char *folded)
{
  imt_buf b = IMT_BUF_INIT;
  int r;
  imt_buf_printf(&b, "%s\t%s\t%s", c->iri, lang, folded);
  r = b.data && imt_map_get(&x->shared, b.data, b.len, NULL);
  imt_buf_free(&b);
  return r;
}

int imt_check_run(const char *data_dir, const char *reference_dir, FILE *out, int json)
{
  imt_error err = {0};
  imt_store *st = NULL;
  imt_snapshot *s = imt_vocab_load(data_dir, &st, 1, &err);
  checker k = {out, 0, 0};
  ctx_t x;
  refset ref;
  int have_ref = 0;
  size_t by_kind[6] = {0};
  size_t mapped[8] = {0}, rows[8] = {0}, any_mapped = 0;
  (void)json;

  if (!s) {
    fprintf(out, "error: %s\n", err.message);
    return -1;
  }
  memset(&x, 0, sizeof x);
  x.k = &k;
  x.s = s;
  memset(&ref, 0, sizeof ref);
  imt_map_init(&x.shared, 64);
  if (reference_dir) {
    if (load_reference(&ref, reference_dir, out)) {
      ref_free(&ref);
      imt_map_free(&x.shared);
      imt_snapshot_free(s);
      imt_store_free(st);
      return -1;
    }
    have_ref = 1;
  }

  each_triple(st, IMT_NS_SKOS "broader", on_broader, &x);
  each_triple(st, IMT_NS_OWL "annotatedSource", on_source, &x);
  each_triple(st, IMT_NS_IMTO "sharedLabel", on_shared, &x);

  /* per-concept rules */
  {
    imt_map seen;           /* "lang\tfolded" -> concept index */
    char **keys = IMT_CALLOC(char *, 1);
    size_t nkeys = 0, capkeys = 1;
    imt_map_init(&seen, s->n_concepts * 4 + 16);
    for (uint32_t i = 0; i < s->n_concepts; i++) {
      const imt_concept *c = &s->concepts[i];
      int npref[4] = {0};
      by_kind[c->kind < 6 ? c->kind : 0]++;
      if (c->kind == IMT_KIND_NONE)
        problem(&k, 0, "%s: no imto: kind (Grouping, Finding, Sign, Descriptor, AssessmentCategory)", c->id);
      for (uint32_t j = 0; j < c->n_labels; j++) {
        const imt_label *l = &c->labels[j];
        char *f;
        imt_buf key = IMT_BUF_INIT;
        uint32_t other;
        const char *lg = lang_group(l->lang_tag);
        if (l->kind == IMT_LABEL_PREF) npref[l->lang]++;
        if (l->lang == IMT_LANG_OTHER)
          problem(&k, 1, "%s: label \"%s\" has language tag '%s' (use zh, zh-Hant or en)", c->id, l->text, l->lang_tag);
        if (l->kind == IMT_LABEL_PREF && l->lang == IMT_LANG_ZH_HANT)
          problem(&k, 1, "%s: preferred label \"%s\" is tagged zh-Hant; traditional forms are hidden labels", c->id, l->text);
        f = fold(l->text);
        if (!f) continue;
        imt_buf_printf(&key, "%s\t%s", lg, f);
        if (key.data && imt_map_get(&seen, key.data, key.len, &other)) {
          if (other != i) {
            const imt_concept *o = &s->concepts[other];
            if (!(is_shared(&x, c, lg, f) && is_shared(&x, o, lg, f)))
              problem(&k, 1, "label \"%s\"@%s is used by %s and %s (declare imto:sharedLabel on both if intended)", l->text, lg, o->id, c->id);
          }
          imt_buf_free(&key);
        } else if (key.data) {
          if (nkeys == capkeys) {
            char **n2 = imt_realloc(keys, capkeys * 2 * sizeof *n2);
            if (n2) { keys = n2; capkeys *= 2; }
          }
          if (nkeys < capkeys) {
            keys[nkeys] = imt_buf_steal(&key, NULL);
            imt_map_put(&seen, keys[nkeys], strlen(keys[nkeys]), i);
            nkeys++;
          } else imt_buf_free(&key);
        }
        free(f);
      }
      if (npref[IMT_LANG_ZH] != 1)
        problem(&k, 1, "%s: has %d skos:prefLabel in Chinese (@zh); exactly one is required", c->id, npref[IMT_LANG_ZH]);
      if (npref[IMT_LANG_EN] != 1)
        problem(&k, 1, "%s: has %d skos:prefLabel in English (@en); exactly one is required", c->id, npref[IMT_LANG_EN]);
      if ((c->kind == IMT_KIND_SIGN || c->kind == IMT_KIND_FINDING) && (!*c->def[0] || !*c->def[1]))
        problem(&k, 1, "%s (%s): a sign or finding needs skos:definition in both zh and en", c->id, c->pref[IMT_LANG_EN]);
      if (!c->top && c->n_parents == 0 && !c->deprecated)
        problem(&k, 1, "%s (%s): neither a top concept nor under one (no skos:broader)", c->id, c->pref[IMT_LANG_EN]);
      if (c->deprecated && c->replaced_by < 0)
        problem(&k, 0, "%s: deprecated without dct:isReplacedBy", c->id);
      {
        int sysmapped[8] = {0};
        for (uint32_t j = 0; j < c->n_mappings; j++) {
          const imt_mapping *m = &c->mappings[j];
          unsigned si = imt_n_systems;
          for (unsigned q = 0; q < imt_n_systems; q++)
            if (!strcmp(imt_systems[q].name, m->system)) si = q;
          if (si == imt_n_systems) {
            problem(&k, 1, "%s: mapping target <%s> is not in a known code system", c->id, m->iri);
            continue;
          }
          rows[si]++;
          sysmapped[si] = 1;
          if (!strcmp(m->system, "SCT") && !imt_sctid_valid(m->code))
            problem(&k, 1, "%s: SNOMED CT id %s fails its Verhoeff check digit or partition", c->id, m->code);
          if (!strcmp(m->system, "RADLEX") && strncmp(m->code, "RID", 3) != 0)
            problem(&k, 1, "%s: RadLex code '%s' is not of the form RID<digits>", c->id, m->code);
          if (strcmp(m->predicate, "skos:exactMatch") && strcmp(m->predicate, "skos:closeMatch") &&
              strcmp(m->predicate, "skos:broadMatch") && strcmp(m->predicate, "skos:narrowMatch") &&
              strcmp(m->predicate, "skos:relatedMatch"))
            problem(&k, 1, "%s: mapping predicate %s is not a SKOS mapping property", c->id, m->predicate);
          if (have_ref) {
            imt_buf key = IMT_BUF_INIT;
            imt_buf_printf(&key, "%s:%s", m->system, m->code);
            if (key.data && !imt_map_get(&ref.codes, key.data, key.len, NULL))
              problem(&k, 1, "%s: %s:%s is not in the reference lists (%s)", c->id, m->system, m->code, reference_dir);
            imt_buf_free(&key);
          }
        }
        for (unsigned q = 0; q < imt_n_systems; q++) mapped[q] += (size_t)sysmapped[q];
        if (c->n_mappings) any_mapped++;
      }
    }
    for (size_t i = 0; i < nkeys; i++) free(keys[i]);
    free(keys);
    imt_map_free(&seen);
  }

  /* QA summary */
  fprintf(out, "\nimterm check: %s\n", data_dir);
  fprintf(out, "concepts: %u (groupings %zu, findings %zu, signs %zu, descriptors %zu, categories %zu, untyped %zu)\n",
          s->n_concepts, by_kind[IMT_KIND_GROUPING], by_kind[IMT_KIND_FINDING], by_kind[IMT_KIND_SIGN],
          by_kind[IMT_KIND_DESCRIPTOR], by_kind[IMT_KIND_CATEGORY], by_kind[IMT_KIND_NONE]);
  fprintf(out, "triples: %zu; mapping rows: %zu\n", s->n_triples, s->n_mappings);
  fprintf(out, "concepts per domain:\n");
  for (uint32_t r = 0; r < s->n_roots; r++) {
    const imt_concept *c = &s->concepts[s->roots[r]];
    fprintf(out, "  %-12s %-40s %u\n", c->id, c->pref[IMT_LANG_EN], c->n_descendants + 1);
  }
  fprintf(out, "mappings per target (rows, concepts, coverage):\n");
  for (unsigned q = 0; q < imt_n_systems; q++)
    fprintf(out, "  %-8s %6zu %6zu %5.1f%%\n", imt_systems[q].name, rows[q], mapped[q],
            s->n_concepts ? 100.0 * (double)mapped[q] / s->n_concepts : 0.0);
  fprintf(out, "  any      %6s %6zu %5.1f%%\n", "", any_mapped, s->n_concepts ? 100.0 * (double)any_mapped / s->n_concepts : 0.0);
  if (have_ref)
    fprintf(out, "reference: every code checked against %s\n", reference_dir);
  fprintf(out, "%d errors, %d warnings\n", k.errors, k.warnings);

  for (size_t i = 0; i < x.n_shared; i++) free(x.shared_keys[i]);
  free(x.shared_keys);
  imt_map_free(&x.shared);
  if (have_ref) ref_free(&ref);
  imt_snapshot_free(s);
  imt_store_free(st);
  return k.errors;
}
