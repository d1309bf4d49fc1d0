/* imt_cues.h - the rules of free-text normalization, declared as data (tables in imt_cues.c):
 * negation and uncertainty cues with their direction and scope, scope terminators,
 * pseudo-cues that look like cues but are not, English suffix rules (light morphology applied to
 * labels and text alike) and the measurement units that are ignored after a number.
 * docs/normalize.md explains every rule; tests/normalize/ exercises them.
 */
#ifndef IMT_CUES_H
#define IMT_CUES_H

#include <stdint.h>

enum imt_cue_type {
  IMT_CUE_NEG = 1,     /* negation: governed mentions are absent */
  IMT_CUE_UNC = 2,     /* uncertainty: governed mentions are uncertain */
  IMT_CUE_PSEUDO = 3,  /* looks like a cue ("no change", 未见明显变化): governs nothing */
  IMT_CUE_TERM = 4     /* ends every open scope ("but", 但) */
};

enum imt_cue_dir {
  IMT_CUE_FWD = 1,     /* governs the mentions that follow it in its scope */
  IMT_CUE_BACK = 2,    /* governs the mentions before it in its scope ("X is not seen", X待排) */
  IMT_CUE_BOTH = 3     /* forward when a mention follows in its scope, else backward (可能) */
};

enum imt_cue_scope {
  IMT_SCOPE_CLAUSE = 1,   /* ends at a comma or colon as well as at the end of the sentence */
  IMT_SCOPE_SENTENCE = 2  /* ends at . ; ! ? 。 newline (English lists run over commas) */
};

typedef struct imt_cue {
  const char *text;    /* as written; folded and stemmed like labels when the matcher is built */
  uint8_t type;        /* enum imt_cue_type */
  uint8_t dir;         /* enum imt_cue_dir (unused for PSEUDO and TERM) */
  uint8_t scope;       /* enum imt_cue_scope */
} imt_cue;

/* Suffix rule for one English word: a word ending in `suffix` whose remaining stem has at least
 * min_stem bytes is rewritten to stem + repl. The first matching rule in table order applies (the
 * table lists longer suffixes first); a rule with repl equal to suffix protects a word (mass, -is). */
typedef struct imt_suffix_rule {
  const char *suffix;
  const char *repl;
  uint8_t min_stem;
} imt_suffix_rule;

extern const imt_cue imt_cues[];                 /* ended by {NULL} */
extern const imt_suffix_rule imt_suffix_rules[]; /* ended by {NULL} */
extern const char *const imt_measure_units[];    /* ended by NULL; lower case */
/* English words left out of match text, in labels and text alike: copulas, the article "the" and
 * degree adverbs, so "heart size is mildly enlarged" matches the label "heart size enlarged". */
extern const char *const imt_skip_words[];       /* ended by NULL; lower case */

/* "negation", "uncertainty", "pseudo", "terminator". */
const char *imt_cue_type_name(int type);

#endif
