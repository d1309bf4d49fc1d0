/* imt_fhir_int.h - helpers shared by imt_fhir.c (resources) and imt_fhir_ops.c (operations). */
#ifndef IMT_FHIR_INT_H
#define IMT_FHIR_INT_H

#include "imt_fhir.h"
#include "imt_systems.h"

#define IMT_FHIR_DESIGNATION_USE "https://w3id.org/imterm/fhir/designation-use"

typedef struct imt_fhir_prop {
  const char *code, *uri, *type, *description;
} imt_fhir_prop;
extern const imt_fhir_prop imt_fhir_props[];   /* ended by {NULL} */

/* Result with an OperationOutcome of one error issue. */
imt_fhir_result imt_fhir_fail(int status, const char *code, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* {"system","version","code","display"} leaving out NULL/empty members; caller owns. */
cJSON *imt_fhir_coding_json(const char *system, const char *version, const char *code, const char *display);
/* Preferred label in lang (IMT_LANG_ZH/EN), else the other language. Borrowed. */
const char *imt_fhir_display(const imt_concept *c, int lang);
/* Designation.use coding for a label kind (enum imt_label_kind; -1 = definition). */
cJSON *imt_fhir_designation_use(int kind);
/* Designations of a concept (labels in every language, definitions); caller owns. */
cJSON *imt_fhir_designations(const imt_concept *c);
/* "finding", "sign", ... for a concept kind. */
const char *imt_fhir_kind_code(uint8_t k);
/* ConceptMap id of a system: "imterm-to-radlex". */
void imt_fhir_cm_id(const imt_system *sys, char *buf, size_t n);
/* R4 ConceptMapEquivalence of a SKOS predicate CURIE (imterm concept -> target). */
const char *imt_fhir_equivalence(const char *predicate);

#endif
