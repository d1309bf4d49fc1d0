/* imt_normalize.h - free text (Chinese and English report sentences) to concepts with a status:
 * present, absent (negated) or uncertain. The one implementation behind POST /api/normalize and
 * `imterm normalize`, so both give identical results.
 *
 * The snapshot's matcher (imt_matcher.h) finds mentions, cues and boundaries in one pass; the
 * scope rules of imt_cues.c then give each mention its status: a forward cue governs the mentions
 * after it up to the end of its scope (Chinese cues: the clause, ended by a comma; English cues:
 * the sentence), a terminator (但, but) ends every open scope, a backward cue ("X is not seen",
 * X待排) governs the mentions before it in its scope, and the nearest governing cue wins, forward
 * cues before backward ones. docs/normalize.md has the details.
 */
#ifndef IMT_NORMALIZE_H
#define IMT_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "imt.h"
#include "imt_snapshot.h"

enum imt_status { IMT_STATUS_PRESENT = 0, IMT_STATUS_ABSENT, IMT_STATUS_UNCERTAIN };

typedef struct imt_mention {
  uint32_t start, end;      /* code points into the input, end exclusive */
  uint32_t concept;         /* index in the snapshot */
  uint8_t match;            /* enum imt_match_type */
  uint8_t status;           /* enum imt_status */
  int32_t cue;              /* index into the result's cues, or -1 (present without a cue) */
} imt_mention;

typedef struct imt_cue_hit {
  uint32_t start, end;      /* code points */
  uint32_t rule;            /* index into imt_cues[] */
} imt_cue_hit;

typedef struct imt_normalized {
  imt_mention *mentions;    /* owned, in text order */
  size_t n_mentions;
  imt_cue_hit *cues;        /* owned: the cues that governed at least one mention */
  size_t n_cues;
  uint32_t *cp_byte;        /* code point -> byte offset into the input; owned */
  uint32_t n_input_cp;
  /* clauses that matched nothing (for the miss log): code point ranges */
  uint32_t (*misses)[2];
  size_t n_misses;
} imt_normalized;

/* Language selection: "zh", "en" or "auto"/NULL/"" (both). Returns IMT_MATCH_LANG_* bits, or 0
 * for an unknown name. */
unsigned imt_normalize_langs(const char *lang);

/* Normalize len bytes of valid UTF-8 (the caller checks: imt_utf8_valid). Returns 0 and fills
 * out (free with imt_normalized_free), IMT_ERR_NOMEM, or IMT_ERR_INTERNAL when the snapshot has
 * no matcher. */
int imt_normalize(const imt_snapshot *s, const char *text, size_t len, unsigned langs,
                  imt_normalized *out);
void imt_normalized_free(imt_normalized *n);

/* The API's JSON: {"mentions":[{"start","end","text","concept":{"id","prefLabel":{"zh","en"}},
 * "match","status","cue"}]}. Returns a new object (caller deletes) or NULL on OOM. */
cJSON *imt_normalized_json(const imt_snapshot *s, const char *text, const imt_normalized *n);

/* Normalize and render in one call. Returns NULL on OOM or error (err set). */
cJSON *imt_normalize_json(const imt_snapshot *s, const char *text, size_t len, unsigned langs,
                          imt_error *err);

const char *imt_status_name(int status);    /* "present", "absent", "uncertain" */
const char *imt_match_name(int match);      /* "exact", "synonym", "variant", "fuzzy" */

#endif
