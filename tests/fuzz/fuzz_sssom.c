/* fuzz_sssom.c - libFuzzer target: the SSSOM/TSV reader (imt_sssom_parse) on arbitrary bytes.
 * The input is copied to a buffer of exactly its size (no NUL) so over-reads are caught. On
 * success every row's known cells and CURIE expansions are read back. */
#include "config.h"
#include "imt.h"
#include "imt_sssom.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  imt_error err = {0};
  char *copy = malloc(size ? size : 1);
  imt_sssom *s;
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  s = imt_sssom_parse(copy, size, "fuzz.sssom.tsv", &err);
  if (s) {
    for (size_t i = 0; i < s->n_rows; i++)
      for (int c = 0; c < IMT_SSSOM_N_KNOWN; c++) {
        const char *v = imt_sssom_get(s, &s->rows[i], (enum imt_sssom_col)c);
        char *iri = imt_sssom_expand(s, v);
        free(iri);
      }
    imt_sssom_free(s);
  } else if (!err.message[0]) {
    abort();  /* a failure must say why */
  }
  free(copy);
  return 0;
}
