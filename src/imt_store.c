/* imt_store.c - loads Turtle and SSSOM into a librdf `trees` model and materializes SKOS
 * inferences that Rasqal cannot compute (no property paths). */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_map.h"
#include "imt_sssom.h"
#include "imt_store.h"

#include <redland.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct imt_store {
  librdf_world *world;
  librdf_storage *storage;
  librdf_model *model;
  imt_store_stats stats;
  /* parser diagnostics, filled by the logger while a file is parsed */
  const char *cur_file;
  int parse_errors;
  char first_error[400];
  /* progress */
  void (*progress)(const char *line);
  double t_start, t_last_progress;
};

/* librdf logger: keep the first error (with file and line) of the file being parsed; warnings
 * are logged. Returns 1: handled. */
static int store_logger(void *user, librdf_log_message *m)
{
  imt_store *st = user;
  raptor_locator *loc = librdf_log_message_locator(m);
  int line = loc ? raptor_locator_line(loc) : -1;
  const char *msg = librdf_log_message_message(m);
  if (librdf_log_message_level(m) >= LIBRDF_LOG_ERROR) {
    if (!st->parse_errors++) {
      if (line > 0)
        snprintf(st->first_error, sizeof st->first_error, "%s:%d: %s", st->cur_file ? st->cur_file : "?", line, msg ? msg : "error");
      else
        snprintf(st->first_error, sizeof st->first_error, "%s: %s", st->cur_file ? st->cur_file : "?", msg ? msg : "error");
    }
  } else if (librdf_log_message_level(m) >= LIBRDF_LOG_WARN) {
    if (line > 0)
      imt_log("warn", "%s:%d: %s", st->cur_file ? st->cur_file : "?", line, msg ? msg : "");
    else
      imt_log("warn", "%s", msg ? msg : "");
  }
  return 1;
}

imt_store *imt_store_new(imt_error *err)
{
  imt_store *st = IMT_CALLOC(imt_store, 1);
  if (!st) {
    imt_error_set(err, IMT_ERR_NOMEM, "out of memory creating the RDF store");
    return NULL;
  }
  st->world = librdf_new_world();
  if (!st->world)
    goto fail;
  librdf_world_open(st->world);
  librdf_world_set_logger(st->world, st, store_logger);
  /* `trees` indexes every access pattern; `hashes` and `memory` scan (../shared/redland-facts.md). */
  st->storage = librdf_new_storage(st->world, "trees", NULL, NULL);
  if (!st->storage)
    goto fail;
  st->model = librdf_new_model(st->world, st->storage, NULL);
  if (!st->model)
    goto fail;
  return st;
fail:
  imt_error_set(err, IMT_ERR_INTERNAL, "cannot create a librdf model on 'trees' storage");
  imt_store_free(st);
  return NULL;
}

void imt_store_free(imt_store *st)
{
  if (!st)
    return;
  if (st->model) librdf_free_model(st->model);
  if (st->storage) librdf_free_storage(st->storage);
  if (st->world) librdf_free_world(st->world);
  free(st);
}

void *imt_store_world(imt_store *st) { return st->world; }
void *imt_store_model(imt_store *st) { return st->model; }
const imt_store_stats *imt_store_stats_get(const imt_store *st) { return &st->stats; }

size_t imt_store_size(imt_store *st)
{
  int n = librdf_model_size(st->model);
  return n < 0 ? 0 : (size_t)n;
}

static void maybe_progress(imt_store *st, const char *what, size_t n)
{
  double now = imt_now();
  char line[256];
  if (!st->progress || now - st->t_last_progress < 1.0)
    return;
  st->t_last_progress = now;
  snprintf(line, sizeof line, "%s: %zu triples, %.1f s", what, n, now - st->t_start);
  st->progress(line);
}

static librdf_node *uri_node(imt_store *st, const char *iri)
{
  return librdf_new_node_from_uri_string(st->world, (const unsigned char *)iri);
}

/* Add one triple; takes ownership of the three nodes (librdf_model_add does). */
static int add3(imt_store *st, librdf_node *s, librdf_node *p, librdf_node *o)
{
  if (!s || !p || !o) {
    if (s) librdf_free_node(s);
    if (p) librdf_free_node(p);
    if (o) librdf_free_node(o);
    return IMT_ERR_NOMEM;
  }
  return librdf_model_add(st->model, s, p, o) ? IMT_ERR_INTERNAL : 0;
}

int imt_store_load_turtle(imt_store *st, const char *path, imt_error *err)
{
  librdf_parser *parser = NULL;
  librdf_uri *uri = NULL;
  librdf_stream *stream = NULL;
  size_t n = 0;
  int rc = 0;
  FILE *probe = fopen(path, "rb");

  if (!probe)
    return imt_error_set(err, IMT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  fclose(probe);
  st->cur_file = path;
  st->parse_errors = 0;
  st->first_error[0] = '\0';
  parser = librdf_new_parser(st->world, "turtle", NULL, NULL);
  uri = librdf_new_uri_from_filename(st->world, path);
  if (!parser || !uri) {
    rc = imt_error_set(err, IMT_ERR_NOMEM, "%s: cannot create a Turtle parser", path);
    goto done;
  }
  stream = librdf_parser_parse_as_stream(parser, uri, uri);
  if (!stream) {
    rc = imt_error_set(err, IMT_ERR_SYNTAX, "%s", st->parse_errors ? st->first_error : "cannot parse");
    goto done;
  }
  while (!librdf_stream_end(stream)) {
    librdf_statement *s = librdf_stream_get_object(stream);
    if (s && librdf_model_add_statement(st->model, s)) {
      rc = imt_error_set(err, IMT_ERR_INTERNAL, "%s: cannot add a statement to the model", path);
      goto done;
    }
    n++;
    if ((n & 4095) == 0)
      maybe_progress(st, path, n);
    librdf_stream_next(stream);
  }
  if (st->parse_errors) {
    rc = imt_error_set(err, IMT_ERR_SYNTAX, "%s", st->first_error);
    goto done;
  }
  st->stats.n_triples_loaded += n;
  st->stats.n_files_ttl++;
done:
  if (stream) librdf_free_stream(stream);
  if (uri) librdf_free_uri(uri);
  if (parser) librdf_free_parser(parser);
  st->cur_file = NULL;
  return rc;
}

static librdf_node *literal(imt_store *st, const char *s)
{
  return librdf_new_node_from_literal(st->world, (const unsigned char *)s, NULL, 0);
}

/* SSSOM rows become (a) the mapping triple itself and (b) an owl:Axiom annotation carrying the
 * object label, justification and mapping set, as in SSSOM's RDF serialization. */
int imt_store_load_sssom(imt_store *st, const char *path, imt_error *err)
{
  imt_sssom *s = imt_sssom_read_file(path, err);
  size_t i;
  int rc = 0;
  char *set_iri = NULL;

  if (!s)
    return err ? err->code : IMT_ERR_SYNTAX;
  set_iri = strstr(s->mapping_set_id, "://") ? imt_strdup(s->mapping_set_id) : imt_sssom_expand(s, s->mapping_set_id);
  if (!set_iri) {
    rc = imt_error_set(err, IMT_ERR_INVALID, "%s: mapping_set_id '%s' is neither an IRI nor a declared CURIE", path, s->mapping_set_id);
    goto done;
  }
  rc = add3(st, uri_node(st, set_iri), uri_node(st, IMT_NS_RDF "type"), uri_node(st, IMT_NS_SSSOM "MappingSet"));
  if (!rc && *s->license)
    rc = add3(st, uri_node(st, set_iri), uri_node(st, IMT_NS_DCT "license"),
              strstr(s->license, "://") ? uri_node(st, s->license) : literal(st, s->license));
  if (!rc && s->title)
    rc = add3(st, uri_node(st, set_iri), uri_node(st, IMT_NS_DCT "title"), literal(st, s->title));
  if (!rc && s->mapping_date)
    rc = add3(st, uri_node(st, set_iri), uri_node(st, IMT_NS_SSSOM "mapping_date"), literal(st, s->mapping_date));

  for (i = 0; !rc && i < s->n_rows; i++) {
    const imt_sssom_row *r = &s->rows[i];
    char *subj = imt_sssom_expand(s, imt_sssom_get(s, r, IMT_SSSOM_SUBJECT_ID));
    char *pred = imt_sssom_expand(s, imt_sssom_get(s, r, IMT_SSSOM_PREDICATE_ID));
    char *obj = imt_sssom_expand(s, imt_sssom_get(s, r, IMT_SSSOM_OBJECT_ID));
    char *just = imt_sssom_expand(s, imt_sssom_get(s, r, IMT_SSSOM_JUSTIFICATION));
    const char *olabel = imt_sssom_get(s, r, IMT_SSSOM_OBJECT_LABEL);
    const char *comment = imt_sssom_get(s, r, IMT_SSSOM_COMMENT);
    const char *conf = imt_sssom_get(s, r, IMT_SSSOM_CONFIDENCE);
    librdf_node *ax;

    if (!subj || !pred || !obj || !just) {
      rc = imt_error_set(err, IMT_ERR_NOMEM, "%s:%zu: out of memory", path, r->line);
      goto row_done;
    }
    /* sssom:NoTermFound records that no counterpart exists: annotation only, no mapping triple. */
    if (strcmp(obj, IMT_NS_SSSOM "NoTermFound") != 0)
      rc = add3(st, uri_node(st, subj), uri_node(st, pred), uri_node(st, obj));
    ax = librdf_new_node(st->world);
    if (!rc && !ax)
      rc = IMT_ERR_NOMEM;
    if (!rc) rc = add3(st, librdf_new_node_from_node(ax), uri_node(st, IMT_NS_RDF "type"), uri_node(st, IMT_NS_OWL "Axiom"));
    if (!rc) rc = add3(st, librdf_new_node_from_node(ax), uri_node(st, IMT_NS_OWL "annotatedSource"), uri_node(st, subj));
    if (!rc) rc = add3(st, librdf_new_node_from_node(ax), uri_node(st, IMT_NS_OWL "annotatedProperty"), uri_node(st, pred));
    if (!rc) rc = add3(st, librdf_new_node_from_node(ax), uri_node(st, IMT_NS_OWL "annotatedTarget"), uri_node(st, obj));
    if (!rc) rc = add3(st, librdf_new_node_from_node(ax), uri_node(st, IMT_NS_SSSOM "mapping_justification"), uri_node(st, just));
    if (!rc) rc = add3(st, librdf_new_node_from_node(ax), uri_node(st, IMT_NS_SSSOM "mapping_set"), uri_node(st, set_iri));
    if (!rc && *olabel)
      rc = add3(st, librdf_new_node_from_node(ax), uri_node(st, IMT_NS_SSSOM "object_label"), literal(st, olabel));
    if (!rc && *comment)
      rc = add3(st, librdf_new_node_from_node(ax), uri_node(st, IMT_NS_RDFS "comment"), literal(st, comment));
    if (!rc && *conf)
      rc = add3(st, librdf_new_node_from_node(ax), uri_node(st, IMT_NS_SSSOM "confidence"), literal(st, conf));
    if (ax)
      librdf_free_node(ax);
    if (rc && err && !err->message[0])
      imt_error_set(err, rc, "%s:%zu: cannot add the mapping to the model", path, r->line);
    st->stats.n_mapping_rows++;
  row_done:
    free(subj);
    free(pred);
    free(obj);
    free(just);
  }
  if (!rc)
    st->stats.n_files_sssom++;
done:
  free(set_iri);
  imt_sssom_free(s);
  return rc;
}

/* Sorted list of DIR/SUB files ending in suffix; returns count, *out owned by caller
 * (free each and the array). -1 when the directory cannot be read. */
static int list_files(const char *dir, const char *sub, const char *suffix, char ***out)
{
  imt_buf path = IMT_BUF_INIT;
  DIR *d;
  struct dirent *e;
  char **v = NULL;
  int n = 0;
  size_t sl = strlen(suffix);

  imt_buf_printf(&path, "%s/%s", dir, sub);
  d = opendir(path.data);
  if (!d) {
    imt_buf_free(&path);
    return -1;
  }
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    char **nv;
    if (e->d_name[0] == '.' || l <= sl || strcmp(e->d_name + l - sl, suffix) != 0)
      continue;
    nv = imt_realloc(v, (size_t)(n + 1) * sizeof *v);
    if (!nv)
      break;
    v = nv;
    {
      imt_buf f = IMT_BUF_INIT;
      imt_buf_printf(&f, "%s/%s", path.data, e->d_name);
      v[n++] = imt_buf_steal(&f, NULL);
    }
  }
  closedir(d);
  imt_buf_free(&path);
  /* sort for a deterministic load order */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
      char *t = v[j]; v[j] = v[j - 1]; v[j - 1] = t;
    }
  *out = v;
  return n;
}

static void free_list(char **v, int n)
{
  for (int i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

int imt_store_load_dir(imt_store *st, const char *dir, void (*progress)(const char *line), imt_error *err)
{
  char **ttl = NULL, **tsv = NULL;
  int nt, nm, i, rc = 0;

  st->progress = progress;
  st->t_start = st->t_last_progress = imt_now();
  nt = list_files(dir, "ontologies", ".ttl", &ttl);
  if (nt < 0)
    return imt_error_set(err, IMT_ERR_IO, "%s/ontologies: cannot read the directory: %s", dir, strerror(errno));
  if (nt == 0) {
    free_list(ttl, nt);
    return imt_error_set(err, IMT_ERR_INVALID, "%s/ontologies: no .ttl files", dir);
  }
  nm = list_files(dir, "mappings", ".sssom.tsv", &tsv);
  if (nm < 0)
    nm = 0;  /* a vocabulary without mappings is allowed */
  for (i = 0; !rc && i < nt; i++)
    rc = imt_store_load_turtle(st, ttl[i], err);
  for (i = 0; !rc && i < nm; i++)
    rc = imt_store_load_sssom(st, tsv[i], err);
  free_list(ttl, nt);
  free_list(tsv, nm);
  if (!rc)
    rc = imt_store_materialize(st, err);
  st->stats.seconds = imt_now() - st->t_start;
  if (!rc && progress && st->stats.seconds > 1.0) {
    char line[200];
    snprintf(line, sizeof line, "loaded %zu triples in %.1f s", imt_store_size(st), st->stats.seconds);
    progress(line);
  }
  return rc;
}

/* ---- materialization ------------------------------------------------------------------------ */

typedef struct edge_graph {
  imt_map ids;          /* IRI -> node number */
  char **iris;          /* node number -> IRI (owned) */
  uint32_t n, cap;
  uint32_t *from, *to;  /* broader edges: from (child) -> to (parent) */
  size_t n_edges, cap_edges;
} edge_graph;

static int node_of(edge_graph *g, const char *iri, uint32_t *out)
{
  size_t len = strlen(iri);
  if (imt_map_get(&g->ids, iri, len, out))
    return 0;
  if (g->n == g->cap) {
    uint32_t cap = g->cap ? g->cap * 2 : 1024;
    char **ni = imt_realloc(g->iris, cap * sizeof *ni);
    if (!ni) return IMT_ERR_NOMEM;
    g->iris = ni;
    g->cap = cap;
  }
  if (!(g->iris[g->n] = imt_strdup(iri)))
    return IMT_ERR_NOMEM;
  if (imt_map_put(&g->ids, g->iris[g->n], len, g->n))
    return IMT_ERR_NOMEM;
  *out = g->n++;
  return 0;
}

static void graph_free(edge_graph *g)
{
  for (uint32_t i = 0; i < g->n; i++)
    free(g->iris[i]);
  free(g->iris);
  free(g->from);
  free(g->to);
  imt_map_free(&g->ids);
}

/* Materialize: skos:narrower as the inverse of skos:broader; skos:broaderTransitive and
 * skos:narrowerTransitive as the transitive closures; skos:topConceptOf <-> skos:hasTopConcept.
 * A cycle in skos:broader is an error (it makes the tree meaningless). */
int imt_store_materialize(imt_store *st, imt_error *err)
{
  edge_graph g;
  librdf_node *pat_p;
  librdf_statement *pat;
  librdf_stream *s;
  uint32_t *off = NULL, *adj = NULL, *stack = NULL, *mark = NULL;
  size_t added = 0;
  int rc = 0;

  memset(&g, 0, sizeof g);
  if (imt_map_init(&g.ids, 1024))
    return imt_error_set(err, IMT_ERR_NOMEM, "out of memory materializing");

  /* collect broader edges */
  pat_p = uri_node(st, IMT_NS_SKOS "broader");
  pat = librdf_new_statement_from_nodes(st->world, NULL, pat_p, NULL);
  s = pat ? librdf_model_find_statements(st->model, pat) : NULL;
  while (s && !librdf_stream_end(s)) {
    librdf_statement *t = librdf_stream_get_object(s);
    librdf_node *a = librdf_statement_get_subject(t), *b = librdf_statement_get_object(t);
    if (librdf_node_is_resource(a) && librdf_node_is_resource(b)) {
      uint32_t x, y;
      if (node_of(&g, (const char *)librdf_uri_as_string(librdf_node_get_uri(a)), &x) ||
          node_of(&g, (const char *)librdf_uri_as_string(librdf_node_get_uri(b)), &y)) {
        rc = IMT_ERR_NOMEM;
        break;
      }
      if (g.n_edges == g.cap_edges) {
        size_t cap = g.cap_edges ? g.cap_edges * 2 : 1024;
        uint32_t *nf = imt_realloc(g.from, cap * sizeof *nf), *nt;
        if (!nf) { rc = IMT_ERR_NOMEM; break; }
        g.from = nf;
        nt = imt_realloc(g.to, cap * sizeof *nt);
        if (!nt) { rc = IMT_ERR_NOMEM; break; }
        g.to = nt;
        g.cap_edges = cap;
      }
      g.from[g.n_edges] = x;
      g.to[g.n_edges] = y;
      g.n_edges++;
    }
    librdf_stream_next(s);
  }
  if (s) librdf_free_stream(s);
  if (pat) librdf_free_statement(pat);
  if (rc)
    goto done;

  /* adjacency (child -> parents) in CSR form */
  off = IMT_CALLOC(uint32_t, g.n + 1);
  adj = IMT_CALLOC(uint32_t, g.n_edges + 1);
  stack = IMT_CALLOC(uint32_t, g.n + 1);
  mark = IMT_CALLOC(uint32_t, g.n + 1);
  if (!off || !adj || !stack || !mark) { rc = IMT_ERR_NOMEM; goto done; }
  for (size_t e = 0; e < g.n_edges; e++) off[g.from[e] + 1]++;
  for (uint32_t i = 0; i < g.n; i++) off[i + 1] += off[i];
  {
    uint32_t *fill = IMT_CALLOC(uint32_t, g.n + 1);
    if (!fill) { rc = IMT_ERR_NOMEM; goto done; }
    for (size_t e = 0; e < g.n_edges; e++)
      adj[off[g.from[e]] + fill[g.from[e]]++] = g.to[e];
    free(fill);
  }

  /* cycle check: iterative DFS with colours (0 white, 1 grey, 2 black) */
  {
    uint32_t *colour = IMT_CALLOC(uint32_t, g.n + 1), *it = IMT_CALLOC(uint32_t, g.n + 1);
    if (!colour || !it) { free(colour); free(it); rc = IMT_ERR_NOMEM; goto done; }
    for (uint32_t r = 0; r < g.n && !rc; r++) {
      uint32_t sp = 0;
      if (colour[r]) continue;
      stack[sp++] = r;
      colour[r] = 1;
      it[r] = off[r];
      while (sp && !rc) {
        uint32_t v = stack[sp - 1];
        if (it[v] < off[v + 1]) {
          uint32_t w = adj[it[v]++];
          if (colour[w] == 1)
            rc = imt_error_set(err, IMT_ERR_INVALID, "skos:broader cycle through <%s> and <%s>", g.iris[v], g.iris[w]);
          else if (!colour[w]) {
            colour[w] = 1;
            it[w] = off[w];
            stack[sp++] = w;
          }
        } else {
          colour[v] = 2;
          sp--;
        }
      }
    }
    free(colour);
    free(it);
    if (rc) goto done;
  }

  /* narrower, then both transitive closures (one DFS over ancestors per node) */
  for (size_t e = 0; e < g.n_edges && !rc; e++, added++)
    rc = add3(st, uri_node(st, g.iris[g.to[e]]), uri_node(st, IMT_NS_SKOS "narrower"), uri_node(st, g.iris[g.from[e]]));
  for (uint32_t v = 0; v < g.n && !rc; v++) {
    uint32_t sp = 0;
    if (off[v] == off[v + 1]) continue;
    stack[sp++] = v;
    mark[v] = v + 1;
    while (sp && !rc) {
      uint32_t x = stack[--sp];
      for (uint32_t k = off[x]; k < off[x + 1] && !rc; k++) {
        uint32_t a = adj[k];
        if (mark[a] == v + 1) continue;
        mark[a] = v + 1;
        stack[sp++] = a;
        rc = add3(st, uri_node(st, g.iris[v]), uri_node(st, IMT_NS_SKOS "broaderTransitive"), uri_node(st, g.iris[a]));
        if (!rc)
          rc = add3(st, uri_node(st, g.iris[a]), uri_node(st, IMT_NS_SKOS "narrowerTransitive"), uri_node(st, g.iris[v]));
        added += 2;
      }
    }
    if ((v & 1023) == 0)
      maybe_progress(st, "materializing", added);
  }
  if (rc) goto done;

  /* topConceptOf <-> hasTopConcept */
  {
    static const char *const pair[2][2] = {
      {IMT_NS_SKOS "topConceptOf", IMT_NS_SKOS "hasTopConcept"},
      {IMT_NS_SKOS "hasTopConcept", IMT_NS_SKOS "topConceptOf"}};
    for (int k = 0; k < 2 && !rc; k++) {
      librdf_statement *q = librdf_new_statement_from_nodes(st->world, NULL, uri_node(st, pair[k][0]), NULL);
      librdf_stream *qs = q ? librdf_model_find_statements(st->model, q) : NULL;
      librdf_statement **todo = NULL;
      size_t nt = 0;
      while (qs && !librdf_stream_end(qs)) {
        librdf_statement *t = librdf_stream_get_object(qs);
        librdf_statement **n2 = imt_realloc(todo, (nt + 1) * sizeof *todo);
        if (!n2) { rc = IMT_ERR_NOMEM; break; }
        todo = n2;
        todo[nt++] = librdf_new_statement_from_nodes(st->world,
            librdf_new_node_from_node(librdf_statement_get_object(t)), uri_node(st, pair[k][1]),
            librdf_new_node_from_node(librdf_statement_get_subject(t)));
        librdf_stream_next(qs);
      }
      if (qs) librdf_free_stream(qs);
      if (q) librdf_free_statement(q);
      for (size_t i = 0; i < nt; i++) {
        if (todo[i]) {
          if (!rc && !librdf_model_contains_statement(st->model, todo[i])) {
            if (librdf_model_add_statement(st->model, todo[i])) rc = IMT_ERR_INTERNAL;
            added++;
          }
          librdf_free_statement(todo[i]);
        }
      }
      free(todo);
    }
  }
done:
  if (rc && err && !err->message[0])
    imt_error_set(err, rc, "materialization failed (out of memory)");
  st->stats.n_triples_materialized += added;
  free(off);
  free(adj);
  free(stack);
  free(mark);
  graph_free(&g);
  return rc;
}
