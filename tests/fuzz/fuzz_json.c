/* fuzz_json.c - libFuzzer target: request JSON bodies through imt_json_parse_text (the layer
 * under imt_json_parse) with the default depth limit. Accepted documents must print and
 * re-parse; rejected ones must say why. */
#include "config.h"
#include "imt.h"
#include "imt_json.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  imt_error err = {0};
  char *copy = malloc(size ? size : 1);
  cJSON *j;
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  j = imt_json_parse_text(copy, size, 64, &err);
  if (j) {
    char *out = cJSON_PrintUnformatted(j);
    if (out) {
      imt_error e2 = {0};
      cJSON *again = imt_json_parse_text(out, strlen(out), 65, &e2);
      /* cJSON prints NaN/Infinity-free numbers; anything it printed must parse again */
      if (!again && e2.code != IMT_ERR_NOMEM)
        abort();
      cJSON_Delete(again);
      free(out);
    }
    cJSON_Delete(j);
  } else if (!err.message[0] || err.code == IMT_OK) {
    abort();
  }
  free(copy);
  return 0;
}
