/* imt_render.h - JSON renderings of snapshot objects shared by the HTTP API and the CLI. */
#ifndef IMT_RENDER_H
#define IMT_RENDER_H

#include <cjson/cJSON.h>
#include "imt_snapshot.h"

/* Full concept object of the lookup API contract (docs/api.md): id, iri, prefLabel, altLabel,
 * definition, parents, childCount, mappings (with DICOM triplets), deprecated, replacedBy.
 * Returns a new cJSON (caller owns) or NULL on OOM. */
cJSON *imt_render_concept(const imt_snapshot *s, const imt_concept *c);
/* Short form {"id","iri","prefLabel":{"zh","en"}} used in lists. */
cJSON *imt_render_concept_brief(const imt_snapshot *s, const imt_concept *c);
/* The short form appended to b as JSON text (same keys and order as imt_render_concept_brief),
 * for responses written without a cJSON tree. 0 or IMT_ERR_NOMEM. */
struct imt_buf;
int imt_render_concept_brief_buf(struct imt_buf *b, const imt_snapshot *s, const imt_concept *c);
/* One mapping {"system","code","display","predicate","dicom":{...}}. */
cJSON *imt_render_mapping(const imt_mapping *m);

#endif
