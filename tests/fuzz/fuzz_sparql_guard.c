/* fuzz_sparql_guard.c - libFuzzer target: the SPARQL guard that every query passes before
 * Rasqal sees it (imt_sparql_tokenize, imt_guard_text, imt_sparql_body_start). Token spans must
 * stay inside the text; a rule hit must be a known rule.
 * requires: src/imt_sparql_guard.c */
#include "config.h"
#include "imt.h"
#include "imt_sparql_guard.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  char *text = malloc(size + 1);
  char detail[128];
  size_t n = 0, len;
  imt_tok *toks;
  int rule;
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  len = strlen(text);  /* the guard takes NUL-terminated text, as the endpoint passes it */
  toks = imt_sparql_tokenize(text, &n);
  if (toks) {
    for (size_t i = 0; i < n; i++)
      if (toks[i].type == IMT_TOK_END || toks[i].start > len || toks[i].len > len - toks[i].start)
        abort();
    if (toks[n].type != IMT_TOK_END)
      abort();
    if (imt_sparql_body_start(text, toks, n) > n)
      abort();
    free(toks);
  }
  for (int failed = 0; failed < 2; failed++) {
    rule = imt_guard_text(text, failed, detail, sizeof detail);
    if (rule < -1 || rule >= IMT_GUARD_COUNT)
      abort();
    if (rule >= 0) {
      char msg[1024];
      imt_guard_message((imt_guard_id)rule, detail, msg, sizeof msg);
    }
  }
  free(text);
  return 0;
}
