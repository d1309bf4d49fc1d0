#!/bin/sh
# sparql_plan.sh - the SPARQL planner's answers checked against Oxigraph, an independent engine
# (the queries are in tests/sparql/planner.rq, the checks in sparql_plan.py). Prints TAP.
exec python3 "$(dirname "$0")/sparql_plan.py"
