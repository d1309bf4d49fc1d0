/* fuzz_normalize.c - libFuzzer target: the normalizer (imt_normalize) over the bundled
 * vocabulary, loaded once. Inputs that are not UTF-8 are skipped (the endpoint answers 400
 * before normalizing). Every mention must lie inside the input and name a real concept.
 * requires: src/imt_normalize.c */
#include "config.h"
#include "imt.h"
#include "imt_normalize.h"
#include "imt_url.h"
#include "imt_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static imt_snapshot *snap;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  imt_error err = {0};
  const char *dir = getenv("IMTERM_FUZZ_DATA") ? getenv("IMTERM_FUZZ_DATA") : IMT_SRCDIR;
  (void)argc;
  (void)argv;
  imt_log_set_quiet(1);
  snap = imt_vocab_load(dir, NULL, 0, &err);
  if (!snap) {
    fprintf(stderr, "fuzz_normalize: cannot load %s: %s\n", dir, err.message);
    exit(1);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  imt_normalized n;
  char *text;
  static const char *const langs[] = {"auto", "zh", "en"};
  if (!imt_utf8_valid((const char *)data, size))
    return 0;
  text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  for (int l = 0; l < 3; l++) {
    memset(&n, 0, sizeof n);
    if (imt_normalize(snap, text, size, imt_normalize_langs(langs[l]), &n) == 0) {
      for (size_t i = 0; i < n.n_mentions; i++) {
        const imt_mention *m = &n.mentions[i];
        if (m->start >= m->end || m->end > n.n_input_cp || m->concept >= snap->n_concepts)
          abort();
      }
      if (l == 0) {
        cJSON *j = imt_normalized_json(snap, text, &n);
        cJSON_Delete(j);
      }
      imt_normalized_free(&n);
    }
  }
  free(text);
  return 0;
}
