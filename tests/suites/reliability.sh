#!/bin/sh
# reliability.sh - limits, hot reload, graceful shutdown, static-file safety and faults, against
# real `imterm serve` processes on loopback (the cases are in reliability.py). Prints TAP.
exec python3 "$(dirname "$0")/reliability.py"
