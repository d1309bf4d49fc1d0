/* test_sssom.c - the SSSOM reader: metadata, header, quoting, prefixes, errors with lines. */
#include "config.h"
#include "imt.h"
#include "imt_sssom.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const char *META =
  "# curie_map:\n"
  "#   imt: https://w3id.org/imterm/concept/\n"
  "#   RADLEX: \"http://radlex.org/RID/\"\n"
  "# mapping_set_id: https://w3id.org/imterm/mappings/x\n"
  "# license: https://creativecommons.org/licenses/by/4.0/\n"
  "# creator_id:\n"
  "#   - https://example.org/a\n";

static imt_sssom *parse(const char *body, imt_error *err)
{
  char buf[4096];
  snprintf(buf, sizeof buf, "%s%s", META, body);
  memset(err, 0, sizeof *err);
  return imt_sssom_parse(buf, strlen(buf), "t.sssom.tsv", err);
}

int main(void)
{
  imt_error err;
  imt_sssom *s;

  s = parse("subject_id\tpredicate_id\tobject_id\tobject_label\tmapping_justification\n"
            "imt:A\tskos:exactMatch\tRADLEX:RID1\tplain\tsemapv:ManualMappingCuration\n"
            "imt:B\tskos:closeMatch\tRADLEX:RID2\t\"with \"\"quotes\"\"\tand tab\"\tsemapv:ManualMappingCuration\n"
            "\n"
            "imt:C\tskos:broadMatch\tRADLEX:RID3\t\"multi\nline\"\tsemapv:ManualMappingCuration\r\n", &err);
  CHECK(s != NULL, "valid file parses");
  if (s) {
    CHECK(s->n_rows == 3, "three rows, blank line skipped");
    CHECK(s->n_prefixes == 2, "curie_map has two prefixes");
    CHECK_STR(s->mapping_set_id, "https://w3id.org/imterm/mappings/x", "mapping_set_id read");
    CHECK_STR(imt_sssom_get(s, &s->rows[1], IMT_SSSOM_OBJECT_LABEL), "with \"quotes\"\tand tab", "RFC 4180 quotes and tab");
    CHECK_STR(imt_sssom_get(s, &s->rows[2], IMT_SSSOM_OBJECT_LABEL), "multi\nline", "newline inside quotes");
    CHECK(s->rows[2].line == 12, "row line number counts quoted newlines");
    {
      char *iri = imt_sssom_expand(s, "RADLEX:RID5");
      CHECK_STR(iri, "http://radlex.org/RID/RID5", "CURIE expansion (quoted IRI)");
      free(iri);
    }
    CHECK_STR(imt_sssom_get(s, &s->rows[0], IMT_SSSOM_CONFIDENCE), "", "absent column reads as empty");
    imt_sssom_free(s);
  }

  s = parse("subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
            "imt:A\tskos:exactMatch\tRADLEX:RID1\tsemapv:ManualMappingCuration\n"
            "imt:A\tskos:exactMatch\tFOO:1\tsemapv:ManualMappingCuration\n", &err);
  CHECK(s == NULL, "undeclared prefix is rejected");
  CHECK(strstr(err.message, "t.sssom.tsv:10:") != NULL, "error names file and line");
  CHECK(strstr(err.message, "FOO") != NULL, "error names the prefix");

  s = parse("subject_id\tpredicate_id\tobject_label\tmapping_justification\n", &err);
  CHECK(s == NULL && strstr(err.message, "object_id"), "missing required column named");

  s = parse("subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
            "imt:A\tskos:exactMatch\tRADLEX:RID1\n", &err);
  CHECK(s == NULL && strstr(err.message, "3 cells"), "short row rejected");

  s = parse("subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
            "imt:A\tskos:exactMatch\t\"RADLEX:RID1\tsemapv:ManualMappingCuration\n", &err);
  CHECK(s == NULL && strstr(err.message, "unterminated"), "unterminated quote rejected");

  s = parse("subject_id\tpredicate_id\tobject_id\tmapping_justification\tconfidence\n"
            "imt:A\tskos:exactMatch\tRADLEX:RID1\tsemapv:ManualMappingCuration\t1.5\n", &err);
  CHECK(s == NULL && strstr(err.message, "confidence"), "confidence outside [0,1] rejected");

  s = parse("subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
            "imt:A\tskos:exactMatch\tsssom:NoTermFound\tsemapv:ManualMappingCuration\n", &err);
  CHECK(s != NULL, "built-in prefixes (sssom, skos, semapv) need no declaration");
  imt_sssom_free(s);

  {
    const char *nometa = "subject_id\tpredicate_id\tobject_id\tmapping_justification\n";
    memset(&err, 0, sizeof err);
    s = imt_sssom_parse(nometa, strlen(nometa), "n.tsv", &err);
    CHECK(s == NULL && strstr(err.message, "curie_map"), "missing metadata block rejected");
  }
  {
    const char *nolic = "# curie_map:\n#   imt: https://x/\n# mapping_set_id: https://x/set\nsubject_id\tpredicate_id\tobject_id\tmapping_justification\n";
    memset(&err, 0, sizeof err);
    s = imt_sssom_parse(nolic, strlen(nolic), "n.tsv", &err);
    CHECK(s == NULL && strstr(err.message, "license"), "missing license rejected");
  }
  {
    imt_sssom *f;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/mini/mappings/mini.sssom.tsv", tap_srcdir());
    f = imt_sssom_read_file(path, &err);
    CHECK(f && f->n_rows == 3, "reads a file from disk");
    imt_sssom_free(f);
    f = imt_sssom_read_file("/nonexistent/x.sssom.tsv", &err);
    CHECK(!f && err.code == IMT_ERR_IO, "missing file is an I/O error");
  }
  return TAP_DONE();
}
