/* imt_sssom.h - reader for SSSOM 1.0 mapping sets in TSV form (YAML metadata block + table). */
#ifndef IMT_SSSOM_H
#define IMT_SSSOM_H

#include <stddef.h>
#include "imt.h"

/* Slots the reader knows by name; any other column is kept and reachable by imt_sssom_cell(). */
enum imt_sssom_col {
  IMT_SSSOM_SUBJECT_ID, IMT_SSSOM_SUBJECT_LABEL, IMT_SSSOM_PREDICATE_ID, IMT_SSSOM_OBJECT_ID,
  IMT_SSSOM_OBJECT_LABEL, IMT_SSSOM_JUSTIFICATION, IMT_SSSOM_CONFIDENCE, IMT_SSSOM_COMMENT,
  IMT_SSSOM_N_KNOWN
};

typedef struct imt_sssom_row {
  size_t line;    /* 1-based line in the file where the row starts */
  char **cells;   /* ncols cells, each owned by the set ("" for an empty cell) */
} imt_sssom_row;

typedef struct imt_sssom {
  char *name;               /* file name used in messages */
  char *mapping_set_id, *license, *title, *mapping_date, *version;
  char **prefixes, **expansions;  /* curie_map, n_prefixes entries */
  size_t n_prefixes;
  char **columns;           /* header names, ncols entries */
  size_t ncols;
  int col[IMT_SSSOM_N_KNOWN];     /* index of each known slot, -1 when absent */
  imt_sssom_row *rows;
  size_t n_rows;
} imt_sssom;

/* Parse an SSSOM/TSV document held in memory. name is used in error messages.
 * Returns a new set (caller frees with imt_sssom_free) or NULL with err filled, naming the line.
 * Rules: '#' metadata block first (YAML subset: scalars, one-level maps and lists), with
 * curie_map, mapping_set_id and license; a header row with subject_id, predicate_id, object_id
 * and mapping_justification; RFC 4180 quoting ("a""b", tabs and newlines inside quotes); every
 * CURIE in the id columns must use a prefix declared in curie_map or built into SSSOM. */
imt_sssom *imt_sssom_parse(const char *data, size_t len, const char *name, imt_error *err);
/* Read and parse a file; as imt_sssom_parse. */
imt_sssom *imt_sssom_read_file(const char *path, imt_error *err);
void imt_sssom_free(imt_sssom *s);

/* Cell of a row by known slot; "" when the column is absent. Borrowed. */
const char *imt_sssom_get(const imt_sssom *s, const imt_sssom_row *r, enum imt_sssom_col c);
/* Expansion of prefix (NUL-terminated or pfxlen bytes) from curie_map or SSSOM's built-ins;
 * NULL when undeclared. Borrowed. */
const char *imt_sssom_prefix(const imt_sssom *s, const char *pfx, size_t pfxlen);
/* Expand a CURIE to a newly allocated IRI (caller frees); NULL if the prefix is undeclared or the
 * value is not a CURIE. */
char *imt_sssom_expand(const imt_sssom *s, const char *curie);

#endif
