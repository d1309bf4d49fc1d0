/* imt_pinyin.h - Mandarin readings of Chinese characters, for pinyin autocomplete and
 * same-pinyin typo tolerance. The table (pinyin_table.c) is generated at build time from
 * Unicode's Unihan_Readings.txt (Debian: unicode-data) by src/gen_pinyin.py. */
#ifndef IMT_PINYIN_H
#define IMT_PINYIN_H

#include <stddef.h>
#include <stdint.h>

#define IMT_PINYIN_MAXR 3   /* readings kept per character, most customary first */

typedef struct imt_pinyin_row {
  uint32_t cp;
  uint16_t r[IMT_PINYIN_MAXR];   /* indexes into imt_pinyin_syllables; 0xFFFF = none */
} imt_pinyin_row;

extern const char *const imt_pinyin_syllables[];   /* toneless, ASCII, ü written v */
extern const unsigned imt_pinyin_n_syllables;
extern const imt_pinyin_row imt_pinyin_rows[];     /* sorted by cp */
extern const unsigned imt_pinyin_n_rows;

/* Readings of cp: returns how many (0 when cp has none) and sets out[0..n) to borrowed
 * syllables ("ge", "zhong"), most customary first. */
int imt_pinyin_of(uint32_t cp, const char *out[IMT_PINYIN_MAXR]);

/* 1 if the two code points share a reading. */
int imt_pinyin_homophone(uint32_t a, uint32_t b);

/* Pinyin key of UTF-8 text (normally folded): Chinese characters become their syllable (alt
 * selects, for the alt-th character that has a second reading, that second reading: alt 0 = all
 * primary), ASCII letters and digits are kept, everything else is dropped. initials: only the
 * first letter of each syllable. Writes at most cap-1 bytes plus NUL into buf; returns the
 * length, or 0 when the text has no Chinese character (no pinyin form worth indexing).
 * *n_poly (optional) receives the number of characters with a second reading. */
size_t imt_pinyin_key(const char *text, size_t len, int initials, int alt, char *buf, size_t cap,
                      int *n_poly);

#endif
