/* h_normalize.c - routes of the normalize endpoint group (filled in by its issue). */
#include "config.h"
#include "imt_http.h"

const imt_route imt_routes_normalize[] = {
  {NULL, NULL, NULL, 0, 0}
};
