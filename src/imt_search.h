/* imt_search.h - the label search index over a vocabulary snapshot (ext slot IMT_EXT_SEARCH) and
 * ranked search: exact, prefix, word prefix, pinyin (full and initials), substring and fuzzy
 * (edit distance for English words, same-pinyin substitution for Chinese).
 *
 * Ranking (docs/api.md): exact preferred label > exact synonym/abbreviation (alt) > exact hidden
 * variant > prefix > word prefix > pinyin > substring > fuzzy; within a tier, non-deprecated
 * first, then the shorter label, then the shallower concept, then pref before alt labels. Each
 * concept appears once, with its best match. An exact match is always first.
 *
 * The index is built once per snapshot (imt_search_build, from the table in imt_snapshot_ext.c)
 * and read by any number of threads without locks.
 */
#ifndef IMT_SEARCH_H
#define IMT_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "imt.h"
#include "imt_snapshot.h"

enum imt_hit_type {
  IMT_HIT_EXACT = 0,      /* preferred label */
  IMT_HIT_SYNONYM,        /* alt label (synonym or abbreviation) */
  IMT_HIT_VARIANT,        /* hidden label (traditional form, known misspelling) */
  IMT_HIT_PREFIX,
  IMT_HIT_WORD_PREFIX,
  IMT_HIT_PINYIN,
  IMT_HIT_SUBSTRING,
  IMT_HIT_FUZZY,
  IMT_HIT_NONE
};
/* "exact", "synonym", "variant", "prefix", "wordPrefix", "pinyin", "substring", "fuzzy", "none" */
const char *imt_hit_type_name(int t);

enum imt_search_mode { IMT_SEARCH_AUTO = 0, IMT_SEARCH_EXACT, IMT_SEARCH_PREFIX, IMT_SEARCH_FUZZY };
enum imt_search_lang { IMT_SEARCH_ANY = 0, IMT_SEARCH_ZH, IMT_SEARCH_EN };

#define IMT_SEARCH_MAX_LIMIT 100
#define IMT_SEARCH_MAX_OFFSET 1000
#define IMT_SEARCH_MAX_QUERY 256      /* bytes of q */
#define IMT_SEARCH_TOTAL_BUDGET 1000  /* label matches walked to count the total exactly */

typedef struct imt_search_query {
  const char *q;        /* UTF-8 as typed */
  int lang;             /* enum imt_search_lang */
  int mode;             /* enum imt_search_mode */
  uint32_t limit, offset;
  int64_t subtree;      /* concept index whose descendants-or-self only are returned; -1 = all */
  int include_deprecated; /* 0: deprecated concepts are left out */
} imt_search_query;

typedef struct imt_search_hit {
  uint32_t concept;     /* index into snapshot->concepts */
  uint32_t label;       /* index into that concept's labels: the label matched */
  uint8_t type;         /* enum imt_hit_type */
  uint8_t distance;     /* fuzzy: edits (English) or substituted characters (Chinese) */
  double score;         /* (0, 1], higher is better; monotone with the ranking */
} imt_search_hit;

typedef struct imt_search_result {
  imt_search_hit *hits;  /* owned; the page asked for, best first */
  uint32_t n;
  uint64_t total;        /* distinct matching concepts (see total_exact) */
  int total_exact;       /* 0: more than IMT_SEARCH_TOTAL_BUDGET matches, total is a lower bound */
} imt_search_result;

/* Snapshot extension: build / free the index in s->ext[IMT_EXT_SEARCH]. */
int imt_search_build(imt_snapshot *s, imt_error *err);
void imt_search_free(void *index);

/* Run a search. Returns 0 with *out filled (free with imt_search_result_free), IMT_ERR_NOMEM,
 * or IMT_ERR_INVALID when the snapshot has no search index. */
int imt_search_run(const imt_snapshot *s, const imt_search_query *q, imt_search_result *out);
void imt_search_result_free(imt_search_result *r);

/* Concepts with a label equal to text after folding (any language), best first as ranked above;
 * fills up to max hits (type exact/synonym/variant). Returns the number of hits (<= max). */
uint32_t imt_search_exact(const imt_snapshot *s, const char *text, imt_search_hit *out, uint32_t max);

/* Text of the label a hit matched, for display: hidden labels are never shown, the concept's
 * preferred label in the same language is returned instead. Borrowed from the snapshot. */
const char *imt_search_hit_label(const imt_snapshot *s, const imt_search_hit *h);

/* Per-snapshot cache of rendered concept JSON (the lookup hot path): the text for concept idx,
 * made by render (returns a malloc'ed string or NULL) on first use and kept with the snapshot,
 * at most IMT_SEARCH_RENDER_CACHE bytes in all. Borrowed; NULL when not cached (render yourself).
 * Thread-safe, lock-free. */
#define IMT_SEARCH_RENDER_CACHE ((size_t)256 << 20)
const char *imt_search_cached_json(const imt_snapshot *s, uint32_t idx,
                                   char *(*render)(const imt_snapshot *, uint32_t));

#endif
