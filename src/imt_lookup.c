/* imt_lookup.c - reference and exact-label resolution for the CLI and the API. */
#include "config.h"
#include "imt.h"
#include "imt_lookup.h"
#include "imt_render.h"

#include <utf8proc.h>

#include <stdlib.h>
#include <string.h>

uint32_t imt_lookup_label(const imt_snapshot *s, const char *text, uint32_t *out, uint32_t max)
{
  char *want = (char *)utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)text);
  uint32_t n = 0;
  if (!want)
    return 0;
  for (uint32_t i = 0; i < s->n_concepts; i++) {
    const imt_concept *c = &s->concepts[i];
    for (uint32_t j = 0; j < c->n_labels; j++) {
      char *f = (char *)utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)c->labels[j].text);
      int eq = f && strcmp(f, want) == 0;
      free(f);
      if (eq) {
        if (n < max) out[n] = i;
        n++;
        break;
      }
    }
  }
  free(want);
  return n < max ? n : max;
}

cJSON *imt_lookup_json(const imt_snapshot *s, const char *ref)
{
  const uint32_t *idx = NULL;
  uint32_t found[16];
  uint32_t n = imt_snapshot_resolve(s, ref, &idx);
  cJSON *o;
  if (n == 0) {
    n = imt_lookup_label(s, ref, found, 16);
    idx = found;
  }
  if (n == 1)
    return imt_render_concept(s, &s->concepts[idx[0]]);
  o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "input", ref);
  if (n == 0) {
    cJSON_AddStringToObject(o, "error", "not_found");
    cJSON_AddStringToObject(o, "message", "no concept has this id, code or label");
  } else {
    cJSON *arr = cJSON_AddArrayToObject(o, "candidates");
    for (uint32_t i = 0; i < n && arr; i++)
      cJSON_AddItemToArray(arr, imt_render_concept_brief(s, &s->concepts[idx[i]]));
  }
  return o;
}
