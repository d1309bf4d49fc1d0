/* imt_rdfout.c - triples from the snapshot and four serializers (Turtle, N-Triples, RDF/XML,
 * JSON-LD); no librdf, so lookup-style handlers can use it lock-free. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_rdfout.h"
#include "imt_store.h"
#include "imt_systems.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_XSD "http://www.w3.org/2001/XMLSchema#"
#define NS_DCAT "http://www.w3.org/ns/dcat#"
#define NS_FOAF "http://xmlns.com/foaf/0.1/"
#define NS_IMTV "https://w3id.org/imterm/"
#define RDF_TYPE IMT_NS_RDF "type"

const imt_rdf_format_info imt_rdf_formats[IMT_RDF_NFORMATS] = {
  {IMT_RDF_TURTLE, "ttl", "turtle|text/turtle", "text/turtle", ".ttl"},
  {IMT_RDF_NTRIPLES, "nt", "ntriples|n-triples|application/n-triples", "application/n-triples", ".nt"},
  {IMT_RDF_RDFXML, "rdf", "rdfxml|rdf+xml|xml|owl|application/rdf+xml", "application/rdf+xml", ".rdf"},
  {IMT_RDF_JSONLD, "jsonld", "json-ld|ld+json|application/ld+json", "application/ld+json", ".jsonld"},
};

const imt_rdf_format_info *imt_rdf_format_by_name(const char *name)
{
  if (!name)
    return NULL;
  for (int i = 0; i < IMT_RDF_NFORMATS; i++)
    if (!strcasecmp(imt_rdf_formats[i].name, name) || imt_in_alias_list(imt_rdf_formats[i].aliases, name))
      return &imt_rdf_formats[i];
  return NULL;
}

const imt_rdf_format_info *imt_rdf_format_by_media_type(const char *mt)
{
  if (!mt)
    return NULL;
  for (int i = 0; i < IMT_RDF_NFORMATS; i++)
    if (!strcasecmp(imt_rdf_formats[i].media_type, mt))
      return &imt_rdf_formats[i];
  return NULL;
}

/* ---- graph ---------------------------------------------------------------------------------- */

enum term_kind { T_IRI = 0, T_BNODE, T_LIT };

typedef struct triple {
  const char *s;        /* IRI, or blank node label starting "_:" */
  const char *p;        /* IRI */
  const char *o;        /* IRI, "_:label" or lexical form */
  const char *lang;     /* literals: language tag or NULL */
  const char *dtype;    /* literals: datatype IRI or NULL (xsd:string) */
  unsigned char okind;  /* enum term_kind */
} triple;

struct imt_rdf_graph {
  triple *t;
  size_t n, cap;
  char **owned;         /* strings made while building (counts, URLs) */
  size_t nowned, capowned;
  int oom;
};

imt_rdf_graph *imt_rdf_graph_new(void) { return IMT_CALLOC(imt_rdf_graph, 1); }

void imt_rdf_graph_free(imt_rdf_graph *g)
{
  if (!g)
    return;
  for (size_t i = 0; i < g->nowned; i++)
    free(g->owned[i]);
  free(g->owned);
  free(g->t);
  free(g);
}

size_t imt_rdf_graph_size(const imt_rdf_graph *g) { return g->n; }

/* Keep a string made while building; returns it (owned by g) or NULL on OOM. */
static const char *keep(imt_rdf_graph *g, char *str)
{
  if (!str) {
    g->oom = 1;
    return NULL;
  }
  if (g->nowned == g->capowned) {
    size_t cap = g->capowned ? g->capowned * 2 : 32;
    char **n = imt_realloc(g->owned, cap * sizeof *n);
    if (!n) {
      free(str);
      g->oom = 1;
      return NULL;
    }
    g->owned = n;
    g->capowned = cap;
  }
  g->owned[g->nowned++] = str;
  return str;
}

static const char *keepf(imt_rdf_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *keepf(imt_rdf_graph *g, const char *fmt, ...)
{
  imt_buf b = IMT_BUF_INIT;
  va_list ap;
  va_start(ap, fmt);
  imt_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  return keep(g, b.oom ? (imt_buf_free(&b), NULL) : imt_buf_steal(&b, NULL));
}

static void add(imt_rdf_graph *g, const char *s, const char *p, unsigned okind, const char *o,
                const char *lang, const char *dtype)
{
  if (g->oom || !s || !p || !o)
    return;
  if (g->n == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 256;
    triple *n = imt_realloc(g->t, cap * sizeof *n);
    if (!n) {
      g->oom = 1;
      return;
    }
    g->t = n;
    g->cap = cap;
  }
  g->t[g->n++] = (triple){s, p, o, lang && *lang ? lang : NULL, dtype, (unsigned char)okind};
}

static void add_iri(imt_rdf_graph *g, const char *s, const char *p, const char *o)
{
  add(g, s, p, o && o[0] == '_' && o[1] == ':' ? T_BNODE : T_IRI, o, NULL, NULL);
}
static void add_lit(imt_rdf_graph *g, const char *s, const char *p, const char *o, const char *lang)
{
  if (o && *o)
    add(g, s, p, T_LIT, o, lang, NULL);
}
static void add_typed(imt_rdf_graph *g, const char *s, const char *p, const char *o, const char *dt)
{
  if (o && *o)
    add(g, s, p, T_LIT, o, NULL, dt);
}

/* ---- vocabulary triples --------------------------------------------------------------------- */

static const char *kind_class(uint8_t k)
{
  switch (k) {
  case IMT_KIND_GROUPING: return IMT_NS_IMTO "Grouping";
  case IMT_KIND_FINDING: return IMT_NS_IMTO "Finding";
  case IMT_KIND_SIGN: return IMT_NS_IMTO "Sign";
  case IMT_KIND_DESCRIPTOR: return IMT_NS_IMTO "Descriptor";
  case IMT_KIND_CATEGORY: return IMT_NS_IMTO "AssessmentCategory";
  default: return NULL;
  }
}

/* "skos:exactMatch" -> full IRI; NULL when not a skos mapping predicate. */
static const char *match_predicate(const char *curie)
{
  static const char *const preds[] = {
    IMT_NS_SKOS "exactMatch", IMT_NS_SKOS "closeMatch", IMT_NS_SKOS "broadMatch",
    IMT_NS_SKOS "narrowMatch", IMT_NS_SKOS "relatedMatch"};
  if (!curie || strncmp(curie, "skos:", 5) != 0)
    return NULL;
  for (size_t i = 0; i < sizeof preds / sizeof preds[0]; i++)
    if (!strcmp(preds[i] + strlen(IMT_NS_SKOS), curie + 5))
      return preds[i];
  return NULL;
}

int imt_rdf_add_concept(imt_rdf_graph *g, const imt_snapshot *s, const imt_concept *c)
{
  static const char *const label_pred[] = {IMT_NS_SKOS "prefLabel", IMT_NS_SKOS "altLabel",
                                           IMT_NS_SKOS "hiddenLabel"};
  const char *iri = c->iri;
  add_iri(g, iri, RDF_TYPE, IMT_NS_SKOS "Concept");
  if (kind_class(c->kind))
    add_iri(g, iri, RDF_TYPE, kind_class(c->kind));
  add_iri(g, iri, IMT_NS_SKOS "inScheme", s->scheme_iri);
  if (c->top)
    add_iri(g, iri, IMT_NS_SKOS "topConceptOf", s->scheme_iri);
  for (uint32_t i = 0; i < c->n_labels; i++)
    if (c->labels[i].kind <= IMT_LABEL_HIDDEN)
      add_lit(g, iri, label_pred[c->labels[i].kind], c->labels[i].text, c->labels[i].lang_tag);
  add_lit(g, iri, IMT_NS_SKOS "definition", c->def[IMT_LANG_ZH], "zh");
  add_lit(g, iri, IMT_NS_SKOS "definition", c->def[IMT_LANG_EN], "en");
  for (uint32_t i = 0; i < c->n_parents; i++)
    add_iri(g, iri, IMT_NS_SKOS "broader", s->concepts[c->parents[i]].iri);
  for (uint32_t i = 0; i < c->n_children; i++)
    add_iri(g, iri, IMT_NS_SKOS "narrower", s->concepts[c->children[i]].iri);
  if (c->deprecated)
    add_typed(g, iri, IMT_NS_OWL "deprecated", "true", NS_XSD "boolean");
  if (c->replaced_by >= 0)
    add_iri(g, iri, IMT_NS_DCT "isReplacedBy", s->concepts[c->replaced_by].iri);
  if (c->source && *c->source)
    add_iri(g, iri, IMT_NS_DCT "source", c->source);
  for (uint32_t i = 0; i < c->n_mappings; i++) {
    const char *p = match_predicate(c->mappings[i].predicate);
    if (p && c->mappings[i].iri && *c->mappings[i].iri)
      add_iri(g, iri, p, c->mappings[i].iri);
  }
  return g->oom ? IMT_ERR_NOMEM : 0;
}

int imt_rdf_add_scheme(imt_rdf_graph *g, const imt_snapshot *s)
{
  const char *sc = s->scheme_iri;
  add_iri(g, sc, RDF_TYPE, IMT_NS_SKOS "ConceptScheme");
  add_lit(g, sc, IMT_NS_DCT "title", s->title[IMT_LANG_ZH], "zh");
  add_lit(g, sc, IMT_NS_DCT "title", s->title[IMT_LANG_EN], "en");
  add_lit(g, sc, IMT_NS_DCT "description", s->description[IMT_LANG_ZH], "zh");
  add_lit(g, sc, IMT_NS_DCT "description", s->description[IMT_LANG_EN], "en");
  add_lit(g, sc, IMT_NS_OWL "versionInfo", s->version, NULL);
  add_typed(g, sc, IMT_NS_DCT "issued", s->issued, NS_XSD "date");
  add_typed(g, sc, IMT_NS_DCT "modified", s->modified, NS_XSD "date");
  if (s->license && *s->license)
    add_iri(g, sc, IMT_NS_DCT "license", s->license);
  add_lit(g, sc, IMT_NS_VOID "uriSpace", s->base_iri, NULL);
  for (uint32_t i = 0; i < s->n_roots; i++)
    add_iri(g, sc, IMT_NS_SKOS "hasTopConcept", s->concepts[s->roots[i]].iri);
  return g->oom ? IMT_ERR_NOMEM : 0;
}

int imt_rdf_add_vocabulary(imt_rdf_graph *g, const imt_snapshot *s)
{
  if (imt_rdf_add_scheme(g, s))
    return IMT_ERR_NOMEM;
  for (uint32_t i = 0; i < s->n_concepts; i++)
    if (imt_rdf_add_concept(g, s, &s->concepts[i]))
      return IMT_ERR_NOMEM;
  return 0;
}

/* Downloads listed as DCAT distributions: path under the server, media type, title. */
static const struct {
  const char *path, *media, *title;
} distributions[] = {
  {"/dataset/imterm.ttl", "text/turtle", "imterm vocabulary (Turtle)"},
  {"/dataset/imterm.jsonld", "application/ld+json", "imterm vocabulary (JSON-LD)"},
  {"/dataset/imterm.nt", "application/n-triples", "imterm vocabulary (N-Triples)"},
  {"/dataset/imterm.rdf", "application/rdf+xml", "imterm vocabulary (RDF/XML)"},
  {"/dataset/imterm.sssom.tsv", "text/tab-separated-values", "imterm mappings (SSSOM TSV)"},
  {"/fhir/CodeSystem/imterm", "application/fhir+json", "imterm as an HL7 FHIR R4 CodeSystem"},
  {"/fhir/ConceptMap", "application/fhir+json", "imterm mappings as HL7 FHIR R4 ConceptMaps (Bundle)"},
};

int imt_rdf_add_dataset(imt_rdf_graph *g, const imt_snapshot *s, const char *base)
{
  const char *d = IMT_DATASET_IRI;
  const char *pub = "_:publisher", *sparql = "_:sparql-service", *fhir = "_:fhir-service";
  static const char *const vocabularies[] = {
    "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/", "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2000/01/rdf-schema#", "https://w3id.org/imterm/ontology#"};
  size_t per_system[8] = {0};

  add_iri(g, d, RDF_TYPE, NS_DCAT "Dataset");
  add_iri(g, d, RDF_TYPE, IMT_NS_VOID "Dataset");
  add_lit(g, d, IMT_NS_DCT "title", s->title[IMT_LANG_ZH], "zh");
  add_lit(g, d, IMT_NS_DCT "title", s->title[IMT_LANG_EN], "en");
  add_lit(g, d, IMT_NS_DCT "description", s->description[IMT_LANG_ZH], "zh");
  add_lit(g, d, IMT_NS_DCT "description", s->description[IMT_LANG_EN], "en");
  add_lit(g, d, NS_DCAT "version", s->version, NULL);
  add_lit(g, d, IMT_NS_OWL "versionInfo", s->version, NULL);
  if (s->license && *s->license)
    add_iri(g, d, IMT_NS_DCT "license", s->license);
  add_typed(g, d, IMT_NS_DCT "issued", s->issued, NS_XSD "date");
  add_typed(g, d, IMT_NS_DCT "modified", s->modified, NS_XSD "date");
  add_iri(g, d, IMT_NS_DCT "publisher", pub);
  add_iri(g, d, IMT_NS_DCT "language", "http://id.loc.gov/vocabulary/iso639-1/zh");
  add_iri(g, d, IMT_NS_DCT "language", "http://id.loc.gov/vocabulary/iso639-1/en");
  add_iri(g, d, IMT_NS_DCT "conformsTo", "http://www.w3.org/2004/02/skos/core");
  add_lit(g, d, NS_DCAT "keyword", "医学影像", "zh");
  add_lit(g, d, NS_DCAT "keyword", "术语", "zh");
  add_lit(g, d, NS_DCAT "keyword", "radiology", "en");
  add_lit(g, d, NS_DCAT "keyword", "terminology", "en");
  add_lit(g, d, NS_DCAT "keyword", "SKOS", "en");
  add_iri(g, d, NS_DCAT "landingPage", keepf(g, "%s/", base));
  add_iri(g, d, IMT_NS_DCT "hasPart", s->scheme_iri);
  add_iri(g, d, IMT_NS_VOID "rootResource", s->scheme_iri);
  if (s->n_concepts)
    add_iri(g, d, IMT_NS_VOID "exampleResource", s->concepts[s->n_concepts > 20 ? 20 : 0].iri);
  add_lit(g, d, IMT_NS_VOID "uriSpace", s->base_iri, NULL);
  add_iri(g, d, IMT_NS_VOID "sparqlEndpoint", keepf(g, "%s/sparql", base));
  add_iri(g, d, IMT_NS_VOID "uriLookupEndpoint", keepf(g, "%s/concept/", base));
  add_iri(g, d, IMT_NS_VOID "dataDump", keepf(g, "%s/dataset/imterm.ttl", base));
  add_typed(g, d, IMT_NS_VOID "triples", keepf(g, "%zu", s->n_triples), NS_XSD "integer");
  add_typed(g, d, IMT_NS_VOID "entities", keepf(g, "%u", s->n_concepts), NS_XSD "integer");
  for (size_t i = 0; i < sizeof vocabularies / sizeof vocabularies[0]; i++)
    add_iri(g, d, IMT_NS_VOID "vocabulary", vocabularies[i]);
  for (size_t i = 0; i < sizeof distributions / sizeof distributions[0]; i++)
    add_iri(g, d, NS_DCAT "distribution", keepf(g, "_:dist%zu", i));
  for (unsigned i = 0; i < imt_n_systems && i < 8; i++)
    add_iri(g, d, IMT_NS_VOID "subset", keepf(g, "%s/linkset/%s", d, imt_systems[i].name));

  add_iri(g, pub, RDF_TYPE, NS_FOAF "Organization");
  add_lit(g, pub, NS_FOAF "name", "imterm project", NULL);

  for (size_t i = 0; i < sizeof distributions / sizeof distributions[0]; i++) {
    const char *dn = keepf(g, "_:dist%zu", i), *url = keepf(g, "%s%s", base, distributions[i].path);
    add_iri(g, dn, RDF_TYPE, NS_DCAT "Distribution");
    add_lit(g, dn, IMT_NS_DCT "title", distributions[i].title, "en");
    add_iri(g, dn, NS_DCAT "downloadURL", url);
    add_iri(g, dn, NS_DCAT "accessURL", url);
    add_iri(g, dn, NS_DCAT "mediaType", keepf(g, "https://www.iana.org/assignments/media-types/%s", distributions[i].media));
    if (s->license && *s->license)
      add_iri(g, dn, IMT_NS_DCT "license", s->license);
  }

  add_iri(g, sparql, RDF_TYPE, NS_DCAT "DataService");
  add_lit(g, sparql, IMT_NS_DCT "title", "imterm SPARQL 1.1 endpoint", "en");
  add_iri(g, sparql, NS_DCAT "endpointURL", keepf(g, "%s/sparql", base));
  add_iri(g, sparql, IMT_NS_DCT "conformsTo", "https://www.w3.org/TR/sparql11-protocol/");
  add_iri(g, sparql, NS_DCAT "servesDataset", d);
  add_iri(g, fhir, RDF_TYPE, NS_DCAT "DataService");
  add_lit(g, fhir, IMT_NS_DCT "title", "imterm HL7 FHIR R4 terminology service", "en");
  add_iri(g, fhir, NS_DCAT "endpointURL", keepf(g, "%s/fhir", base));
  add_iri(g, fhir, IMT_NS_DCT "conformsTo", "http://hl7.org/fhir/R4");
  add_iri(g, fhir, NS_DCAT "servesDataset", d);

  /* one VoID linkset per mapped terminology, with its link predicates and size */
  for (uint32_t i = 0; i < s->n_concepts; i++)
    for (uint32_t j = 0; j < s->concepts[i].n_mappings; j++) {
      const imt_system *sys = imt_system_by_name(s->concepts[i].mappings[j].system);
      if (sys)
        per_system[sys - imt_systems]++;
    }
  for (unsigned i = 0; i < imt_n_systems && i < 8; i++) {
    const char *ls = keepf(g, "%s/linkset/%s", d, imt_systems[i].name);
    static const char *const preds[] = {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch"};
    add_iri(g, ls, RDF_TYPE, IMT_NS_VOID "Linkset");
    add_lit(g, ls, IMT_NS_DCT "title", keepf(g, "imterm to %s mappings", imt_systems[i].title), "en");
    add_iri(g, ls, IMT_NS_VOID "subjectsTarget", d);
    add_iri(g, ls, IMT_NS_VOID "objectsTarget", imt_systems[i].fhir_uri);
    add_typed(g, ls, IMT_NS_VOID "triples", keepf(g, "%zu", per_system[i]), NS_XSD "integer");
    for (size_t k = 0; k < sizeof preds / sizeof preds[0]; k++)
      add_iri(g, ls, IMT_NS_VOID "linkPredicate", match_predicate(preds[k]));
  }
  return g->oom ? IMT_ERR_NOMEM : 0;
}

/* ---- serializers ---------------------------------------------------------------------------- */

static const struct {
  const char *prefix, *ns;
} prefixes[] = {
  {"rdf", IMT_NS_RDF}, {"rdfs", IMT_NS_RDFS}, {"xsd", NS_XSD}, {"owl", IMT_NS_OWL},
  {"skos", IMT_NS_SKOS}, {"dct", IMT_NS_DCT}, {"dcat", NS_DCAT}, {"void", IMT_NS_VOID},
  {"foaf", NS_FOAF}, {"imto", IMT_NS_IMTO}, {"imt", IMT_DEFAULT_BASE}, {"imtv", NS_IMTV},
};
#define NPREFIXES (sizeof prefixes / sizeof prefixes[0])

/* 1 if local is safe as the local part of a prefixed name in Turtle, JSON-LD and XML. */
static int safe_local(const char *local)
{
  if (!*local || !((*local >= 'A' && *local <= 'Z') || (*local >= 'a' && *local <= 'z') || *local == '_'))
    return 0;
  for (const char *p = local; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
      return 0;
  return 1;
}

/* Prefix index whose namespace starts iri with a safe rest (longest namespace wins), or -1. */
static int find_prefix(const char *iri, const char **local)
{
  int best = -1;
  size_t blen = 0;
  for (size_t i = 0; i < NPREFIXES; i++) {
    size_t n = strlen(prefixes[i].ns);
    if (n > blen && !strncmp(iri, prefixes[i].ns, n) && safe_local(iri + n)) {
      best = (int)i;
      blen = n;
    }
  }
  if (best >= 0)
    *local = iri + blen;
  return best;
}

/* Escape a string for a Turtle/N-Triples quoted literal or IRI. UTF-8 passes through. */
static void nt_escape(imt_buf *b, const char *s, int iri)
{
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': imt_buf_puts(b, iri ? "\\u0022" : "\\\""); break;
    case '\\': imt_buf_puts(b, iri ? "\\u005C" : "\\\\"); break;
    case '\n': imt_buf_puts(b, "\\n"); break;
    case '\r': imt_buf_puts(b, "\\r"); break;
    case '\t': imt_buf_puts(b, "\\t"); break;
    default:
      if (*p < 0x20 || (iri && (*p == '<' || *p == '>' || *p == ' ' || *p == '{' || *p == '}' || *p == '|' || *p == '^' || *p == '`')))
        imt_buf_printf(b, "\\u%04X", *p);
      else
        imt_buf_putc(b, (char)*p);
    }
  }
}

static void ttl_term(imt_buf *b, const char *iri, int abbreviate)
{
  const char *local;
  int px;
  if (iri[0] == '_' && iri[1] == ':') {
    imt_buf_puts(b, iri);
    return;
  }
  if (abbreviate && !strcmp(iri, RDF_TYPE)) {
    imt_buf_putc(b, 'a');
    return;
  }
  if (abbreviate && (px = find_prefix(iri, &local)) >= 0) {
    imt_buf_printf(b, "%s:%s", prefixes[px].prefix, local);
    return;
  }
  imt_buf_putc(b, '<');
  nt_escape(b, iri, 1);
  imt_buf_putc(b, '>');
}

static void ttl_object(imt_buf *b, const triple *t, int abbreviate)
{
  if (t->okind != T_LIT) {
    ttl_term(b, t->o, abbreviate);
    return;
  }
  imt_buf_putc(b, '"');
  nt_escape(b, t->o, 0);
  imt_buf_putc(b, '"');
  if (t->lang)
    imt_buf_printf(b, "@%s", t->lang);
  else if (t->dtype) {
    imt_buf_puts(b, "^^");
    ttl_term(b, t->dtype, abbreviate);
  }
}

static void write_turtle(imt_buf *b, const imt_rdf_graph *g)
{
  for (size_t i = 0; i < NPREFIXES; i++)
    imt_buf_printf(b, "@prefix %s: <%s> .\n", prefixes[i].prefix, prefixes[i].ns);
  for (size_t i = 0; i < g->n; i++) {
    const triple *t = &g->t[i], *prev = i ? &g->t[i - 1] : NULL;
    if (prev && !strcmp(prev->s, t->s)) {
      if (!strcmp(prev->p, t->p))
        imt_buf_puts(b, " ,\n        ");
      else {
        imt_buf_puts(b, " ;\n    ");
        ttl_term(b, t->p, 1);
        imt_buf_putc(b, ' ');
      }
    } else {
      imt_buf_puts(b, prev ? " .\n\n" : "\n");
      ttl_term(b, t->s, 1);
      imt_buf_putc(b, ' ');
      ttl_term(b, t->p, 1);
      imt_buf_putc(b, ' ');
    }
    ttl_object(b, t, 1);
  }
  if (g->n)
    imt_buf_puts(b, " .\n");
}

static void write_ntriples(imt_buf *b, const imt_rdf_graph *g)
{
  for (size_t i = 0; i < g->n; i++) {
    const triple *t = &g->t[i];
    ttl_term(b, t->s, 0);
    imt_buf_putc(b, ' ');
    ttl_term(b, t->p, 0);
    imt_buf_putc(b, ' ');
    ttl_object(b, t, 0);
    imt_buf_puts(b, " .\n");
  }
}

static void xml_escape(imt_buf *b, const char *s)
{
  for (const char *p = s; *p; p++) {
    switch (*p) {
    case '&': imt_buf_puts(b, "&amp;"); break;
    case '<': imt_buf_puts(b, "&lt;"); break;
    case '>': imt_buf_puts(b, "&gt;"); break;
    case '"': imt_buf_puts(b, "&quot;"); break;
    case '\r': imt_buf_puts(b, "&#13;"); break;
    case '\n': imt_buf_puts(b, "&#10;"); break;
    case '\t': imt_buf_puts(b, "&#9;"); break;
    default: imt_buf_putc(b, *p);
    }
  }
}

/* Property element name: a declared prefix, or an inline namespace split at the last '#'/'/'. */
static void xml_open_prop(imt_buf *b, const char *p, const char **close_name, char *tmp, size_t tmpn)
{
  const char *local;
  int px = find_prefix(p, &local);
  if (px >= 0) {
    snprintf(tmp, tmpn, "%s:%s", prefixes[px].prefix, local);
    imt_buf_printf(b, "    <%s", tmp);
  } else {
    const char *cut = strrchr(p, '#');
    const char *slash = strrchr(p, '/');
    if (!cut || (slash && slash > cut)) cut = slash;
    cut = cut ? cut + 1 : p;
    snprintf(tmp, tmpn, "ns0:%s", cut);
    imt_buf_printf(b, "    <%s xmlns:ns0=\"", tmp);
    {
      size_t n = (size_t)(cut - p);
      char *ns = imt_strndup(p, n);
      if (ns) { xml_escape(b, ns); free(ns); } else b->oom = 1;
    }
    imt_buf_putc(b, '"');
  }
  *close_name = tmp;
}

static void write_rdfxml(imt_buf *b, const imt_rdf_graph *g)
{
  char name[256];
  imt_buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF");
  for (size_t i = 0; i < NPREFIXES; i++)
    imt_buf_printf(b, "\n    xmlns:%s=\"%s\"", prefixes[i].prefix, prefixes[i].ns);
  imt_buf_puts(b, ">\n");
  for (size_t i = 0; i < g->n; i++) {
    const triple *t = &g->t[i];
    const char *pname;
    if (!i || strcmp(g->t[i - 1].s, t->s)) {
      if (i)
        imt_buf_puts(b, "  </rdf:Description>\n");
      if (t->s[0] == '_' && t->s[1] == ':')
        imt_buf_printf(b, "  <rdf:Description rdf:nodeID=\"%s\">\n", t->s + 2);
      else {
        imt_buf_puts(b, "  <rdf:Description rdf:about=\"");
        xml_escape(b, t->s);
        imt_buf_puts(b, "\">\n");
      }
    }
    xml_open_prop(b, t->p, &pname, name, sizeof name);
    if (t->okind == T_BNODE)
      imt_buf_printf(b, " rdf:nodeID=\"%s\"/>\n", t->o + 2);
    else if (t->okind == T_IRI) {
      imt_buf_puts(b, " rdf:resource=\"");
      xml_escape(b, t->o);
      imt_buf_puts(b, "\"/>\n");
    } else {
      if (t->lang)
        imt_buf_printf(b, " xml:lang=\"%s\"", t->lang);
      else if (t->dtype) {
        imt_buf_puts(b, " rdf:datatype=\"");
        xml_escape(b, t->dtype);
        imt_buf_putc(b, '"');
      }
      imt_buf_putc(b, '>');
      xml_escape(b, t->o);
      imt_buf_printf(b, "</%s>\n", pname);
    }
  }
  if (g->n)
    imt_buf_puts(b, "  </rdf:Description>\n");
  imt_buf_puts(b, "</rdf:RDF>\n");
}

/* Compact IRI for JSON-LD (prefix:local when a declared prefix fits), as a new string. */
static char *jsonld_iri(const char *iri)
{
  const char *local;
  int px;
  imt_buf b = IMT_BUF_INIT;
  if (iri[0] == '_' && iri[1] == ':')
    return imt_strdup(iri);
  px = find_prefix(iri, &local);
  if (px >= 0)
    imt_buf_printf(&b, "%s:%s", prefixes[px].prefix, local);
  else
    imt_buf_puts(&b, iri);
  if (b.oom) {
    imt_buf_free(&b);
    return NULL;
  }
  return imt_buf_steal(&b, NULL);
}

static int jsonld_add_str(cJSON *o, const char *key, const char *iri)
{
  char *c = jsonld_iri(iri);
  int ok = c && cJSON_AddStringToObject(o, key, c);
  free(c);
  return ok;
}

static cJSON *jsonld_doc(const imt_rdf_graph *g)
{
  cJSON *doc = cJSON_CreateObject(), *ctx, *graph, *node = NULL;
  if (!doc)
    return NULL;
  ctx = cJSON_AddObjectToObject(doc, "@context");
  for (size_t i = 0; ctx && i < NPREFIXES; i++)
    cJSON_AddStringToObject(ctx, prefixes[i].prefix, prefixes[i].ns);
  graph = cJSON_AddArrayToObject(doc, "@graph");
  if (!ctx || !graph)
    goto oom;
  for (size_t i = 0; i < g->n; i++) {
    const triple *t = &g->t[i];
    cJSON *arr, *v;
    char *key;
    if (!i || strcmp(g->t[i - 1].s, t->s)) {
      node = cJSON_CreateObject();
      if (!node || !cJSON_AddItemToArray(graph, node) || !jsonld_add_str(node, "@id", t->s))
        goto oom;
    }
    if (!strcmp(t->p, RDF_TYPE) && t->okind == T_IRI) {
      char *c = jsonld_iri(t->o);
      arr = cJSON_GetObjectItemCaseSensitive(node, "@type");
      if (!arr && !(arr = cJSON_AddArrayToObject(node, "@type"))) { free(c); goto oom; }
      v = c ? cJSON_CreateString(c) : NULL;
      free(c);
      if (!v || !cJSON_AddItemToArray(arr, v))
        goto oom;
      continue;
    }
    key = jsonld_iri(t->p);
    if (!key)
      goto oom;
    arr = cJSON_GetObjectItemCaseSensitive(node, key);
    if (!arr && !(arr = cJSON_AddArrayToObject(node, key))) { free(key); goto oom; }
    free(key);
    v = cJSON_CreateObject();
    if (!v || !cJSON_AddItemToArray(arr, v))
      goto oom;
    if (t->okind != T_LIT) {
      if (!jsonld_add_str(v, "@id", t->o))
        goto oom;
    } else {
      cJSON_AddStringToObject(v, "@value", t->o);
      if (t->lang)
        cJSON_AddStringToObject(v, "@language", t->lang);
      else if (t->dtype && !jsonld_add_str(v, "@type", t->dtype))
        goto oom;
    }
  }
  return doc;
oom:
  cJSON_Delete(doc);
  return NULL;
}

char *imt_rdf_serialize(const imt_rdf_graph *g, imt_rdf_format fmt, size_t *len)
{
  imt_buf b = IMT_BUF_INIT;
  if (g->oom)
    return NULL;
  switch (fmt) {
  case IMT_RDF_TURTLE: write_turtle(&b, g); break;
  case IMT_RDF_NTRIPLES: write_ntriples(&b, g); break;
  case IMT_RDF_RDFXML: write_rdfxml(&b, g); break;
  case IMT_RDF_JSONLD: {
    cJSON *doc = jsonld_doc(g);
    char *s = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    if (!s)
      return NULL;
    imt_buf_puts(&b, s);
    imt_buf_putc(&b, '\n');
    free(s);
    break;
  }
  default: return NULL;
  }
  if (b.oom) {
    imt_buf_free(&b);
    return NULL;
  }
  if (!b.data)
    imt_buf_puts(&b, "");
  return imt_buf_steal(&b, len);
}
