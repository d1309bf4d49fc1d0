/* imt_routes.c - every route table of the server, in match order. Each endpoint group declares
 * its own table (method, path pattern, handler, limits) in its h_*.c file. */
#include "config.h"
#include "imt_http.h"

extern const imt_route imt_routes_core[], imt_routes_admin[], imt_routes_lookup[],
  imt_routes_sparql[], imt_routes_normalize[], imt_routes_fhir[], imt_routes_curation[];
extern const imt_route imt_routes_fair[];

const imt_route *const imt_route_tables[] = {
  imt_routes_core,
  imt_routes_admin,
  imt_routes_lookup,
  imt_routes_sparql,
  imt_routes_normalize,
  imt_routes_fhir,
  imt_routes_curation,
  imt_routes_fair,
  NULL
};
