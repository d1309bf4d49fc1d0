/* imt_check.h - the data checks behind `imterm check` (and the test suite). */
#ifndef IMT_CHECK_H
#define IMT_CHECK_H

#include <stdio.h>

/* Load data_dir, run every rule of ontologies/README.md, print problems and a QA summary to out.
 * reference_dir (may be NULL): also require every mapped code to be in its reference list.
 * Returns the number of errors (0 = the data passes); -1 when the data cannot be loaded (the
 * message, naming file and line, is printed). */
int imt_check_run(const char *data_dir, const char *reference_dir, FILE *out, int json);

/* Verhoeff check digit of a SNOMED CT identifier (digits only); 1 if valid. */
int imt_sctid_valid(const char *id);

#endif
