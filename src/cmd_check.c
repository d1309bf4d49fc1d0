/* cmd_check.c - `imterm check`: validate the data without serving it. */
#include "config.h"
#include "imt.h"
#include "imt_check.h"
#include "imt_cli.h"

#include <stdio.h>
#include <string.h>

int imt_cmd_check(int argc, char **argv)
{
  const char *data = imt_cli_default_data(), *ref = NULL;
  int n;
  for (int i = 1; i < argc; i++) {
    int m;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: imterm check [--data DIR] [--reference DIR]\n\n"
             "Load DIR/ontologies/*.ttl and DIR/mappings/*.sssom.tsv as `serve` would and check the rules of\n"
             "ontologies/README.md: one zh and one en preferred label per concept, no label shared by two\n"
             "concepts unless declared, no cycles, existing broader targets and mapping subjects, SSSOM\n"
             "format, SNOMED CT check digits; with --reference, every code must be in the reference lists\n"
             "(radlex_terms.tsv, snomed_terms.tsv, ncit_terms.tsv, dicom_concepts.tsv).\n"
             "Prints problems and a QA summary. Exit 0 when there is no error, 1 otherwise.\n");
      return 0;
    }
    if ((m = imt_cli_opt(argc, argv, &i, "--data", &data)) || (m = imt_cli_opt(argc, argv, &i, "--reference", &ref))) {
      if (m < 0) return 2;
      continue;
    }
    fprintf(stderr, "imterm check: unknown option '%s' (try --help)\n", argv[i]);
    return 2;
  }
  n = imt_check_run(data, ref, stdout, 0);
  return n == 0 ? 0 : 1;
}
