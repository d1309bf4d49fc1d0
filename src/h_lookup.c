/* h_lookup.c - routes of the lookup endpoint group (filled in by its issue). */
#include "config.h"
#include "imt_http.h"

const imt_route imt_routes_lookup[] = {
  {NULL, NULL, NULL, 0, 0}
};
