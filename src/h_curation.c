/* h_curation.c - routes of the curation endpoint group (filled in by its issue). */
#include "config.h"
#include "imt_http.h"

const imt_route imt_routes_curation[] = {
  {NULL, NULL, NULL, 0, 0}
};
