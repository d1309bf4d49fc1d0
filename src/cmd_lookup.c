/* cmd_lookup.c - `imterm lookup`: resolve ids, CURIEs, IRIs and labels from the shell. */
#include "config.h"
#include "imt.h"
#include "imt_cli.h"
#include "imt_lookup.h"
#include "imt_render.h"
#include "imt_snapshot.h"
#include "imt_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int imt_cmd_lookup(int argc, char **argv)
{
  const char *data = imt_cli_default_data();
  const char *refs[256];
  int nrefs = 0, rc = 0;
  imt_error err = {0};
  imt_snapshot *s;
  cJSON *out;

  for (int i = 1; i < argc; i++) {
    int m;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: imterm lookup [--data DIR] REF...\n\n"
             "REF is a local id (IMT0001010), a CURIE (RADLEX:RID5741, SCT:..., NCIT:C..., DCM:...), an IRI,\n"
             "or a label in Chinese or English (normalized as the API does). Prints one JSON object per REF\n"
             "(an array when several): the concept, or {\"input\",\"error\"} when nothing matches.\n"
             "Exit 0 when every REF was found, 1 otherwise.\n");
      return 0;
    }
    if ((m = imt_cli_opt(argc, argv, &i, "--data", &data))) {
      if (m < 0) return 2;
      continue;
    }
    if (nrefs < 256) refs[nrefs++] = argv[i];
  }
  if (!nrefs) {
    fprintf(stderr, "imterm lookup: nothing to look up (try --help)\n");
    return 2;
  }
  imt_log_set_quiet(1);
  s = imt_vocab_load(data, NULL, 0, &err);
  if (!s) {
    fprintf(stderr, "imterm lookup: %s\n", err.message);
    return 1;
  }
  out = cJSON_CreateArray();
  for (int i = 0; i < nrefs; i++) {
    cJSON *item = imt_lookup_json(s, refs[i]);
    if (!item) { rc = 1; continue; }
    if (cJSON_GetObjectItem(item, "error")) rc = 1;
    cJSON_AddItemToArray(out, item);
  }
  {
    char *txt = cJSON_Print(nrefs == 1 ? cJSON_GetArrayItem(out, 0) : out);
    if (txt) { puts(txt); free(txt); }
  }
  cJSON_Delete(out);
  imt_snapshot_free(s);
  return rc;
}
