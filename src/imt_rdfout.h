/* imt_rdfout.h - RDF out of the vocabulary snapshot: concepts, the whole vocabulary and the
 * DCAT/VoID dataset description as triples, written as Turtle, N-Triples, RDF/XML or JSON-LD.
 *
 * Everything here reads only the snapshot (never the librdf store), so HTTP handlers can call it
 * without a lock. A graph is a list of triples in the order they were added, grouped by subject;
 * the four serializers write the same triples (tests/suites/fhir.sh checks that JSON-LD and Turtle
 * give the same canonical N-Quads).
 */
#ifndef IMT_RDFOUT_H
#define IMT_RDFOUT_H

#include <stddef.h>
#include "imt_snapshot.h"

typedef enum imt_rdf_format {
  IMT_RDF_TURTLE = 0, IMT_RDF_NTRIPLES, IMT_RDF_RDFXML, IMT_RDF_JSONLD, IMT_RDF_NFORMATS
} imt_rdf_format;

/* Static description of a format: names accepted by ?format= and --format, media type, file
 * extension. Borrowed (static). */
typedef struct imt_rdf_format_info {
  imt_rdf_format format;
  const char *name;        /* canonical short name: "ttl", "nt", "rdf", "jsonld" */
  const char *aliases;     /* other names, '|' separated */
  const char *media_type;  /* "text/turtle", ... */
  const char *ext;         /* ".ttl", ... */
} imt_rdf_format_info;

extern const imt_rdf_format_info imt_rdf_formats[IMT_RDF_NFORMATS];
/* Format by short name or alias (case-insensitive), or by media type; NULL when unknown. */
const imt_rdf_format_info *imt_rdf_format_by_name(const char *name);
const imt_rdf_format_info *imt_rdf_format_by_media_type(const char *media_type);

typedef struct imt_rdf_graph imt_rdf_graph;

/* New empty graph (caller owns; free with imt_rdf_graph_free) or NULL on OOM. Strings added from
 * the snapshot are borrowed: the snapshot must outlive the graph. */
imt_rdf_graph *imt_rdf_graph_new(void);
void imt_rdf_graph_free(imt_rdf_graph *g);
size_t imt_rdf_graph_size(const imt_rdf_graph *g);

/* Add the triples of one concept: types, scheme, labels, definitions, broader/narrower,
 * top concept, deprecation and replacement, source, and one skos:*Match triple per mapping.
 * Returns 0 or IMT_ERR_NOMEM. */
int imt_rdf_add_concept(imt_rdf_graph *g, const imt_snapshot *s, const imt_concept *c);
/* Add the concept scheme's own triples (titles, version, licence, dates, top concepts). */
int imt_rdf_add_scheme(imt_rdf_graph *g, const imt_snapshot *s);
/* Scheme plus every concept. */
int imt_rdf_add_vocabulary(imt_rdf_graph *g, const imt_snapshot *s);
/* DCAT + VoID description of the dataset. base_url ("http://host:port", no trailing slash) is
 * where this server's endpoints and downloads live. */
int imt_rdf_add_dataset(imt_rdf_graph *g, const imt_snapshot *s, const char *base_url);

/* IRI of the dataset described by imt_rdf_add_dataset. */
#define IMT_DATASET_IRI "https://w3id.org/imterm/dataset"

/* Serialize the graph. Returns a NUL-terminated string (caller frees) and its length in *len,
 * or NULL on OOM. */
char *imt_rdf_serialize(const imt_rdf_graph *g, imt_rdf_format fmt, size_t *len);

#endif
