/* fuzz_text.c - libFuzzer target: matching normalization (imt_text_fold, imt_text_key). The
 * folded text must be UTF-8 (invalid input becomes U+FFFD) and every entry of its offset map
 * must point into the input, the last one at the number of input code points. */
#include "config.h"
#include "imt.h"
#include "imt_text.h"
#include "imt_url.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  imt_folded f;
  char *copy = malloc(size + 1), *key;
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  memset(&f, 0, sizeof f);
  if (imt_text_fold(copy, size, &f) == 0) {
    if (!f.text || strlen(f.text) != f.len || !imt_utf8_valid(f.text, f.len))
      abort();
    for (size_t i = 0; i < f.len; i++)
      if (f.src[i] >= f.n_input_cp)
        abort();
    if (f.src[f.len] != f.n_input_cp)
      abort();
    imt_folded_free(&f);
  }
  key = imt_text_key(copy);  /* stops at the first NUL */
  if (key && !imt_utf8_valid(key, strlen(key)))
    abort();
  free(key);
  free(copy);
  return 0;
}
