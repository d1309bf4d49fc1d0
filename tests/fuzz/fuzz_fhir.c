/* fuzz_fhir.c - libFuzzer target: FHIR Parameters resources as clients POST them to the
 * terminology operations (imt_fhir_params_parse). A rejection must say why; an accepted resource
 * must have a name on every parameter.
 * requires: src/imt_fhir.c */
#include "config.h"
#include "imt.h"
#include "imt_fhir.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  imt_fhir_params ps = IMT_FHIR_PARAMS_INIT;
  char msg[512] = "";
  char *copy = malloc(size ? size : 1);
  int rc;
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  rc = imt_fhir_params_parse(&ps, copy, size, msg, sizeof msg);
  if (rc == 0) {
    for (size_t i = 0; i < ps.n; i++)
      if (!ps.p[i].name)
        abort();
  } else if (rc != IMT_ERR_NOMEM && !msg[0]) {
    abort();
  }
  imt_fhir_params_free(&ps);
  free(copy);
  return 0;
}
