/* h_sparql.c - routes of the sparql endpoint group (filled in by its issue). */
#include "config.h"
#include "imt_http.h"

const imt_route imt_routes_sparql[] = {
  {NULL, NULL, NULL, 0, 0}
};
