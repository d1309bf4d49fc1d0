/* imt_systems.c - the table of external code systems (RadLex, SNOMED CT, NCIt, DICOM). */
#include "config.h"
#include "imt.h"
#include "imt_systems.h"

#include <string.h>
#include <strings.h>

const imt_system imt_systems[] = {
  {"RADLEX", "http://radlex.org/RID/", "http://radlex.org", "RADLEX", "RadLex",
   "https://radlex.org/RID/%s", "RID|RADLEX|RadLex"},
  {"SCT", "http://snomed.info/id/", "http://snomed.info/sct", "SCT", "SNOMED CT",
   "https://browser.ihtsdotools.org/?perspective=full&conceptId1=%s", "SNOMED|SNOMEDCT|SNOMED-CT|SCTID"},
  {"NCIT", "http://purl.obolibrary.org/obo/NCIT_", "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl", "NCIt",
   "NCI Thesaurus", "https://ncit.nci.nih.gov/ncitbrowser/ConceptReport.jsp?dictionary=NCI_Thesaurus&code=%s", "NCI|NCIt"},
  {"DCM", "http://dicom.nema.org/resources/ontology/DCM/", "http://dicom.nema.org/resources/ontology/DCM", "DCM",
   "DICOM Controlled Terminology", "https://dicom.nema.org/medical/dicom/current/output/chtml/part16/chapter_D.html#DCM_%s", "DICOM"},
};
const unsigned imt_n_systems = sizeof imt_systems / sizeof imt_systems[0];

const imt_system *imt_system_by_name(const char *name)
{
  unsigned i;
  if (!name)
    return NULL;
  for (i = 0; i < imt_n_systems; i++)
    if (strcasecmp(imt_systems[i].name, name) == 0 || imt_in_alias_list(imt_systems[i].aliases, name))
      return &imt_systems[i];
  return imt_system_by_fhir_uri(name);
}

const imt_system *imt_system_by_fhir_uri(const char *uri)
{
  unsigned i;
  if (!uri)
    return NULL;
  for (i = 0; i < imt_n_systems; i++)
    if (strcmp(imt_systems[i].fhir_uri, uri) == 0)
      return &imt_systems[i];
  return NULL;
}

const imt_system *imt_system_by_iri(const char *iri, const char **code)
{
  unsigned i;
  for (i = 0; i < imt_n_systems; i++) {
    size_t n = strlen(imt_systems[i].iri_prefix);
    if (strncmp(iri, imt_systems[i].iri_prefix, n) == 0 && iri[n]) {
      if (code)
        *code = iri + n;
      return &imt_systems[i];
    }
  }
  return NULL;
}
