/* imt_text.h - the one matching normalization shared by lookup, search, validate and normalize.
 *
 * Folding maps text to a canonical form so that variants match: Unicode NFKC and case folding
 * (full-width ＧＧＯ -> ggo), whitespace runs to one space, and (see imt_text.c for the current
 * list) traditional -> simplified Chinese and punctuation folding. Every output byte remembers the
 * code point of the input it came from, so matches found in folded text can be reported at
 * offsets into the text as sent.
 */
#ifndef IMT_TEXT_H
#define IMT_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct imt_folded {
  char *text;       /* folded UTF-8, NUL-terminated; owned */
  size_t len;       /* bytes in text */
  uint32_t *src;    /* src[i] = code-point offset in the input of the character that produced
                       byte i of text; src[len] = number of code points in the input; owned */
  size_t n_input_cp;
} imt_folded;

/* Fold len bytes of UTF-8 (invalid sequences are replaced by U+FFFD). Returns 0 or
 * IMT_ERR_NOMEM. out is filled; free with imt_folded_free. */
int imt_text_fold(const char *in, size_t len, imt_folded *out);
void imt_folded_free(imt_folded *f);
/* Folded form of a NUL-terminated string, without offsets (for index keys). Caller frees;
 * NULL on OOM. */
char *imt_text_key(const char *in);

#endif
