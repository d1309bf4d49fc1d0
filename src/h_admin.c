/* h_admin.c - routes of the admin endpoint group (filled in by its issue). */
#include "config.h"
#include "imt_http.h"

const imt_route imt_routes_admin[] = {
  {NULL, NULL, NULL, 0, 0}
};
