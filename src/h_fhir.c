/* h_fhir.c - routes of the fhir endpoint group (filled in by its issue). */
#include "config.h"
#include "imt_http.h"

const imt_route imt_routes_fhir[] = {
  {NULL, NULL, NULL, 0, 0}
};
