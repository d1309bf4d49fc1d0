/* imt_store.h - the RDF store: a librdf model on `trees` storage holding the ontologies, the
 * SSSOM mappings and the triples imterm materializes. Only the loader, the snapshot builder and
 * the SPARQL worker touch it; it is not thread-safe (Debian's librdf has no locking). */
#ifndef IMT_STORE_H
#define IMT_STORE_H

#include <stddef.h>
#include "imt.h"

typedef struct imt_store imt_store;

typedef struct imt_store_stats {
  size_t n_files_ttl, n_files_sssom;
  size_t n_triples_loaded;      /* parsed from the files (ttl + mapping triples) */
  size_t n_triples_materialized;
  size_t n_mapping_rows;
  double seconds;
} imt_store_stats;

/* New empty store. NULL with err set on failure. */
imt_store *imt_store_new(imt_error *err);
void imt_store_free(imt_store *st);

/* Load DIR/ontologies/ *.ttl and DIR/mappings/ *.sssom.tsv (sorted by name), then materialize.
 * progress (may be NULL) is called about once a second with a short status line.
 * Returns 0, or non-zero with err naming file and line. */
int imt_store_load_dir(imt_store *st, const char *dir, void (*progress)(const char *line),
                       imt_error *err);
/* Load one Turtle file or one SSSOM file (the loader's parts, exposed for tests and tools). */
int imt_store_load_turtle(imt_store *st, const char *path, imt_error *err);
int imt_store_load_sssom(imt_store *st, const char *path, imt_error *err);
/* Add the triples described in docs/architecture.md (narrower, transitive closures, ...).
 * Returns 0, or non-zero with err set (e.g. a cycle in skos:broader). */
int imt_store_materialize(imt_store *st, imt_error *err);

size_t imt_store_size(imt_store *st);
const imt_store_stats *imt_store_stats_get(const imt_store *st);

/* Handles for modules below the HTTP layer (snapshot builder, SPARQL runner). Borrowed. */
void *imt_store_world(imt_store *st);   /* librdf_world* */
void *imt_store_model(imt_store *st);   /* librdf_model* */

/* Namespaces used by the loader and materialization. */
#define IMT_NS_SKOS "http://www.w3.org/2004/02/skos/core#"
#define IMT_NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define IMT_NS_RDFS "http://www.w3.org/2000/01/rdf-schema#"
#define IMT_NS_OWL "http://www.w3.org/2002/07/owl#"
#define IMT_NS_DCT "http://purl.org/dc/terms/"
#define IMT_NS_SSSOM "https://w3id.org/sssom/"
#define IMT_NS_IMTO "https://w3id.org/imterm/ontology#"
#define IMT_NS_VOID "http://rdfs.org/ns/void#"
#define IMT_SCHEME_IRI "https://w3id.org/imterm/scheme"
#define IMT_DEFAULT_BASE "https://w3id.org/imterm/concept/"

#endif
