/* imt_systems.h - the external code systems imterm maps to, declared once as data. */
#ifndef IMT_SYSTEMS_H
#define IMT_SYSTEMS_H

typedef struct imt_system {
  const char *name;        /* short name used in the API and CURIEs: "RADLEX", "SCT", "NCIT", "DCM" */
  const char *iri_prefix;  /* IRI namespace of codes: code IRI = iri_prefix + code */
  const char *fhir_uri;    /* HL7 terminology registry system URI */
  const char *dicom_scheme;/* DICOM Coding Scheme Designator */
  const char *title;       /* human name */
  const char *browser;     /* printf template with one %s for the code: a page for humans */
  const char *aliases;     /* other accepted names, '|' separated, case-insensitive */
} imt_system;

extern const imt_system imt_systems[];
extern const unsigned imt_n_systems;

/* System by name or alias (case-insensitive), by FHIR URI, or NULL. Borrowed (static). */
const imt_system *imt_system_by_name(const char *name);
const imt_system *imt_system_by_fhir_uri(const char *uri);
/* System whose iri_prefix starts iri; *code is set to the rest. NULL when none. */
const imt_system *imt_system_by_iri(const char *iri, const char **code);

#endif
