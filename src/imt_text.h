/* imt_text.h - the one matching normalization shared by lookup, search, validate and normalize.
 *
 * Folding maps text to a canonical form so that variants match. Per input character, in order:
 *   1. Unicode NFKC with case folding (utf8proc), marks stripped (é -> e) and "lumped"
 *      punctuation (U+2010 hyphen -> '-', curly quotes -> ASCII): full-width ＧＧＯ -> ggo;
 *   2. punctuation folding (a table in imt_text.c): quotes and title marks dropped (＂ＧＧＯ＂ ->
 *      ggo), 。-> '.', 、-> ',', × -> 'x', hyphens, underscores and middle dots -> space;
 *   3. traditional -> simplified Chinese per character, from OpenCC's t2s conversion
 *      (支氣管充氣徵 -> 支气管充气征);
 *   4. whitespace runs -> one space, none at either end; control and format characters dropped.
 * Then a small domain table replaces regional words OpenCC leaves alone (電腦斷層 -> 计算机断层,
 * 磁振造影 -> 磁共振成像; see imt_text.c). The per-character steps are precomputed once per
 * process for the whole BMP (imt_text_init), so folding is a table walk with no allocation
 * beyond the output buffers.
 *
 * Every output byte remembers the code point of the input it came from (src[]), so matches found
 * in folded text can be reported at offsets into the text as sent. src[] is non-decreasing.
 * Thread-safe: the tables are read-only after initialization.
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
  size_t cap;       /* allocated bytes of text (src has cap entries); internal */
} imt_folded;

/* Build the folding tables (idempotent, thread-safe; folding calls it on first use). Returns 0,
 * or non-zero when OpenCC could not be opened (folding then works without t2s, and logs it). */
int imt_text_init(void);

/* Fold len bytes of UTF-8 (each byte of an invalid sequence becomes one U+FFFD, counted as one
 * input code point). Returns 0 or IMT_ERR_NOMEM. out is overwritten (not freed first); free
 * with imt_folded_free. */
int imt_text_fold(const char *in, size_t len, imt_folded *out);
/* Same, reusing the buffers of out (which must be zeroed or hold an earlier result): for loops
 * that fold many strings without allocating. Returns 0 or IMT_ERR_NOMEM (out then freed). */
int imt_text_refold(const char *in, size_t len, imt_folded *out);
void imt_folded_free(imt_folded *f);
/* Folded form of a NUL-terminated string, without offsets (for index keys). Caller frees;
 * NULL on OOM. */
char *imt_text_key(const char *in);
/* Folded form of len bytes into buf (cap bytes, NUL-terminated, cut at a character boundary
 * when too long). Returns the folded length (may exceed cap-1: then the output was cut). */
size_t imt_text_key_into(const char *in, size_t len, char *buf, size_t cap);

/* Decode one UTF-8 code point at s (n bytes available); returns its length (>= 1) and sets *cp,
 * U+FFFD with length 1 for an invalid sequence. */
int imt_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* 1 if cp is a CJK unified ideograph (BMP blocks and extensions). */
int imt_is_han(uint32_t cp);

#endif
