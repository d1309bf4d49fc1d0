/* imt_lookup.h - resolving what a user typed (id, CURIE, IRI or label) to concepts, validating
 * terms and codes, and crosswalks between code systems: on the snapshot only, shared by the HTTP
 * API (h_lookup.c) and the CLI (`imterm lookup`) so that both answer the same. */
#ifndef IMT_LOOKUP_H
#define IMT_LOOKUP_H

#include <cjson/cJSON.h>
#include "imt_snapshot.h"

/* Resolve ref: a local id, a CURIE (imt:, RADLEX:, SCT:, NCIT:, DCM:), a full IRI, else an exact
 * label after the matching normalization (imt_text.h). Returns the number of concepts found and
 * fills up to max concept indexes into out (ordered: id/code matches by id; labels best first). */
uint32_t imt_lookup_resolve(const imt_snapshot *s, const char *ref, uint32_t *out, uint32_t max);

/* Resolve ref and render the answer; *status (optional) gets the HTTP status it means:
 * 200 the concept object (imt_render_concept), 300 {"input","message","candidates":[brief...]}
 * when several concepts match (an external code mapped to several), 404
 * {"input","error":"not_found","message"}. Caller owns the JSON; NULL on OOM. */
cJSON *imt_lookup_ref(const imt_snapshot *s, const char *ref, int *status);
/* Same as imt_lookup_ref without the status (the CLI). */
cJSON *imt_lookup_json(const imt_snapshot *s, const char *ref);

/* Concepts whose label equals text after the matching normalization; returns count, fills up to
 * max indexes into out, best first (preferred label, then synonym, then hidden variant). */
uint32_t imt_lookup_label(const imt_snapshot *s, const char *text, uint32_t *out, uint32_t max);

/* Validate one term (system NULL) or one code of a system. Returns
 * {"input","valid","match":"exact|synonym|variant|deprecated|fuzzy|none","concept","suggestions"}
 * (docs/api.md); *missed (optional) is set when nothing valid matched. NULL on OOM. */
cJSON *imt_validate_term(const imt_snapshot *s, const char *term, int *missed);
cJSON *imt_validate_code(const imt_snapshot *s, const char *system, const char *code, int *missed);

/* Crosswalk: the codes of target (a system name; NULL = every system) reached from system:code
 * through the concepts it is mapped to. Returns {"source","target","results":[...]} with
 * *status 200, or an error object with *status 400 (unknown system) / 404 (no concept has this
 * code). NULL on OOM. */
cJSON *imt_translate(const imt_snapshot *s, const char *system, const char *code, const char *target,
                     int *status);

#endif
