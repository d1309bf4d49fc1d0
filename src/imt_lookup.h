/* imt_lookup.h - resolving what a user typed (id, CURIE, IRI or label) to concepts, on the
 * snapshot only. */
#ifndef IMT_LOOKUP_H
#define IMT_LOOKUP_H

#include <cjson/cJSON.h>
#include "imt_snapshot.h"

/* Resolve ref (id/CURIE/IRI, else an exact label after normalization) and render the result:
 * the concept object, {"input","candidates":[...]} when several match, or
 * {"input","error":"not_found","message"}. Caller owns the JSON. NULL on OOM. */
cJSON *imt_lookup_json(const imt_snapshot *s, const char *ref);

/* Concepts whose label equals text after NFKC case folding; returns count, fills up to max
 * indexes into out. */
uint32_t imt_lookup_label(const imt_snapshot *s, const char *text, uint32_t *out, uint32_t max);

#endif
