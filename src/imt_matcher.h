/* imt_matcher.h - the dictionary automaton over a snapshot's labels and the normalization cues.
 *
 * Built once per snapshot load (ext slot IMT_EXT_MATCHER) and read by any number of threads
 * without locks. Every label of every non-deprecated concept and every cue of imt_cues[] is
 * folded (imt_text_fold), rewritten into "match text" (English words reduced by the suffix rules,
 * hyphens as spaces, measurement units after numbers blanked) and inserted into one Aho-Corasick
 * automaton over bytes. Scanning a text folds it, rewrites it the same way and runs the automaton
 * once: time linear in the text, independent of the vocabulary's size. English keys match only
 * on word boundaries; Chinese keys match anywhere; overlapping concept matches are resolved
 * longest first, and so are overlapping cues.
 */
#ifndef IMT_MATCHER_H
#define IMT_MATCHER_H

#include <stddef.h>
#include <stdint.h>
#include "imt.h"
#include "imt_snapshot.h"

typedef struct imt_matcher imt_matcher;

enum imt_match_type { IMT_MATCH_EXACT = 0, IMT_MATCH_SYNONYM, IMT_MATCH_VARIANT, IMT_MATCH_FUZZY };

/* Which labels may match (a bit set). Cues always match. */
#define IMT_MATCH_LANG_ZH 0x1    /* @zh and @zh-Hant labels */
#define IMT_MATCH_LANG_EN 0x2    /* @en labels */
#define IMT_MATCH_LANG_ABBR 0x4  /* @en abbreviations written in capitals (GGO), as Chinese reports use them */
#define IMT_MATCH_LANG_ALL 0x7

enum imt_event_kind {
  IMT_EV_MENTION = 1,   /* a concept label */
  IMT_EV_CUE = 2,       /* a cue of imt_cues[] (negation, uncertainty, pseudo, terminator) */
  IMT_EV_CLAUSE = 3,    /* a comma or colon */
  IMT_EV_SENTENCE = 4   /* . ; ! ? 。 or a line break */
};

/* One event of a scanned text, in text order. */
typedef struct imt_event {
  uint32_t start, end;   /* code points into the input, end exclusive (boundaries: end = start + 1,
                            a line break covers its whitespace run) */
  uint32_t mpos;         /* byte position in the match text (the order key) */
  uint32_t ref;          /* MENTION: concept index; CUE: index into imt_cues[] */
  uint8_t kind;          /* enum imt_event_kind */
  uint8_t match;         /* MENTION: enum imt_match_type */
} imt_event;

typedef struct imt_scan {
  imt_event *ev;         /* owned; sorted by mpos */
  size_t n;
  uint32_t n_input_cp;   /* code points in the input */
  uint32_t *cp_byte;     /* cp_byte[i] = byte offset of input code point i; [n_input_cp] = len; owned */
} imt_scan;

/* Snapshot extension entry points (registered in imt_snapshot_ext.c). */
int imt_matcher_ext_build(imt_snapshot *s, imt_error *err);
void imt_matcher_ext_free(void *p);

/* The matcher of a snapshot (borrowed), or NULL when the snapshot was built without it. */
const imt_matcher *imt_matcher_of(const imt_snapshot *s);

/* Build a matcher over s's labels and imt_cues[]; NULL on OOM (err set). Caller owns. */
imt_matcher *imt_matcher_new(const imt_snapshot *s, imt_error *err);
void imt_matcher_free(imt_matcher *m);

/* Scan len bytes of valid UTF-8 (the caller validates): fills out (caller frees with
 * imt_scan_free). langs: IMT_MATCH_LANG_* bits. Returns 0 or IMT_ERR_NOMEM. */
int imt_matcher_scan(const imt_matcher *m, const char *text, size_t len, unsigned langs,
                     imt_scan *out);
void imt_scan_free(imt_scan *sc);

/* Number of automaton states and keys (for /health-style statistics and tests). */
size_t imt_matcher_states(const imt_matcher *m);
size_t imt_matcher_keys(const imt_matcher *m);

/* The match text of a string: folded, English words stemmed by the suffix rules, hyphens as
 * spaces, units after numbers blanked. Caller frees; NULL on OOM. (Exposed for tests and tools.) */
char *imt_matcher_key(const char *s);

#endif
