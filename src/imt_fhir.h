/* imt_fhir.h - HL7 FHIR R4 terminology services over the vocabulary snapshot: the imterm
 * CodeSystem, its implicit ValueSets, one ConceptMap per mapped terminology, and the operations
 * $lookup, $validate-code, $subsumes, $expand and $translate. Pure functions of the snapshot and
 * the operation's parameters: no HTTP, no librdf. docs/fhir.md is the contract.
 *
 * Every operation returns an HTTP status and a FHIR resource as cJSON (Parameters on success,
 * OperationOutcome on failure); the caller owns the resource. A NULL body means out of memory.
 */
#ifndef IMT_FHIR_H
#define IMT_FHIR_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "imt_snapshot.h"

#define IMT_FHIR_VERSION "4.0.1"
#define IMT_FHIR_CS_ID "imterm"
#define IMT_FHIR_CM_BASE "https://w3id.org/imterm/fhir/ConceptMap/"

/* ---- operation parameters ------------------------------------------------------------------- */
typedef struct imt_fhir_coding {
  char *system, *version, *code, *display;   /* owned; NULL when absent */
} imt_fhir_coding;

typedef struct imt_fhir_param {
  char *name;                 /* owned */
  char *value;                /* primitive value as text ("true", "10", a code, a URI); NULL for
                                 Coding / CodeableConcept / resource parameters */
  imt_fhir_coding *codings;   /* valueCoding: 1 coding; valueCodeableConcept: its codings */
  size_t n_codings;
  int kind;                   /* enum imt_fhir_param_kind */
} imt_fhir_param;

enum imt_fhir_param_kind { IMT_FHIR_P_PRIMITIVE = 0, IMT_FHIR_P_CODING, IMT_FHIR_P_CONCEPT, IMT_FHIR_P_RESOURCE };

typedef struct imt_fhir_params {
  imt_fhir_param *p;
  size_t n, cap;
} imt_fhir_params;

#define IMT_FHIR_PARAMS_INIT {NULL, 0, 0}
void imt_fhir_params_free(imt_fhir_params *ps);
/* Add a primitive parameter (copied). 0 or IMT_ERR_NOMEM. */
int imt_fhir_params_add(imt_fhir_params *ps, const char *name, const char *value);
/* Add a Coding parameter given as text "system|code" (or just "code"), as some servers accept in
 * GET requests. 0 or IMT_ERR_NOMEM. */
int imt_fhir_params_add_coding_text(imt_fhir_params *ps, const char *name, const char *text);
/* Parse a FHIR Parameters resource (JSON text). Strict: resourceType must be "Parameters",
 * "parameter" an array of objects each with a string "name" and exactly one value[x] of a
 * supported type (or a "resource"), no unknown members. Returns 0, or IMT_ERR_SYNTAX (not JSON)
 * / IMT_ERR_INVALID (not a valid Parameters) with msg filled; IMT_ERR_NOMEM. */
int imt_fhir_params_parse(imt_fhir_params *ps, const char *json, size_t len, char *msg, size_t msglen);

/* Names of the input parameters an operation accepts (NULL-terminated), or NULL when the
 * resource type has no such operation. op is without '$' ("lookup"). Names listed in
 * *coding_names take a Coding ("system|code" in GET). Borrowed (static). */
const char *const *imt_fhir_op_params(const char *resource, const char *op, const char *const **coding_names);

/* ---- results --------------------------------------------------------------------------------- */
typedef struct imt_fhir_result {
  int status;     /* HTTP status */
  cJSON *body;    /* resource, caller owns; NULL = out of memory */
} imt_fhir_result;

/* OperationOutcome with one issue; severity "error"/"warning"/"information", code from the FHIR
 * IssueType value set ("invalid", "not-found", "not-supported", "required", ...). */
cJSON *imt_fhir_outcome(const char *severity, const char *code, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

/* Run operation op (without '$') on resource type (CodeSystem, ValueSet, ConceptMap) with the
 * given parameters; instance_id is the {id} of an instance-level call or NULL. base_url is the
 * server's FHIR base ("http://host/fhir"), used in references. */
imt_fhir_result imt_fhir_operation(const imt_snapshot *s, const char *resource, const char *instance_id,
                                   const char *op, const imt_fhir_params *ps, const char *base_url);

/* ---- resources ------------------------------------------------------------------------------- */
/* The imterm code system url (the concept scheme IRI). Borrowed from the snapshot. */
const char *imt_fhir_cs_url(const imt_snapshot *s);
/* CapabilityStatement (mode NULL/"full"/"normative") or TerminologyCapabilities
 * (mode "terminology"); status 400 OperationOutcome for another mode. */
imt_fhir_result imt_fhir_metadata(const imt_snapshot *s, const char *mode, const char *base_url);
/* Read one resource by type and id: 200 with it, or 404 OperationOutcome. summary != 0 leaves
 * out CodeSystem.concept (and sets meta.tag SUBSETTED). */
imt_fhir_result imt_fhir_read(const imt_snapshot *s, const char *resource, const char *id, int summary);
/* Search: a searchset Bundle of the resources of that type matching the given criteria
 * (url, version, name, _id, system/target-system/source-system; others ignored). */
imt_fhir_result imt_fhir_search(const imt_snapshot *s, const char *resource, const imt_fhir_params *criteria,
                                const char *base_url, int summary);

/* Whole resources for the exporter. */
cJSON *imt_fhir_codesystem(const imt_snapshot *s, int with_concepts);
/* ConceptMap to one mapped system (name "RADLEX", "SCT", ...); NULL when unknown or OOM. */
cJSON *imt_fhir_conceptmap(const imt_snapshot *s, const char *system_name);
/* A Bundle (type collection) of every ConceptMap. */
cJSON *imt_fhir_conceptmap_bundle(const imt_snapshot *s, const char *base_url);

#endif
