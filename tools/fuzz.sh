#!/bin/sh
# fuzz.sh - build and run the libFuzzer targets in tests/fuzz/ (clang, ASan + UBSan), apart from
# the main build: objects go to build-fuzz/.
#
#   tools/fuzz.sh --build                      build every target (what `make fuzz` does)
#   tools/fuzz.sh --seconds N [TARGET...]      build, then run each target N seconds on a copy of
#                                              its seed corpus tests/fuzz/corpus/TARGET; prints TAP
#                                              ("ok N - fuzz_sssom: 60 s, 123456 runs, 0 crashes")
#   tools/fuzz.sh --list                       targets and whether their code exists yet
#
# Dictionaries: tests/fuzz/dicts/TARGET.dict (libFuzzer -dict) when present.
#
# A target file may say "requires: src/x.c" in its first comment; it is skipped (# SKIP) while
# that file does not exist or is not yet part of the library build (code of another group).
# Crash inputs are kept in build-fuzz/crashes/TARGET/. Environment: CC (default clang),
# FUZZ_JOBS (parallel compiles, default nproc), FUZZ_OUT (build directory, default build-fuzz),
# FUZZ_UBSAN_SUPP (UBSan suppressions, default tests/fuzz/ubsan.supp; recoverable checks only).
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
out="${FUZZ_OUT:-$top/build-fuzz}"
CC=${CC:-clang}
case "$CC" in *clang*) ;; *) CC=clang ;; esac
mode=build
seconds=60
targets=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) mode=build ;;
    --list) mode=list ;;
    --seconds) seconds=$2; mode=run; shift ;;
    --seconds=*) seconds=${1#--seconds=}; mode=run ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) targets="$targets $1" ;;
  esac
  shift
done
all=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
[ -n "$targets" ] || targets=$all

requires() { sed -n 's/.*requires: *\([^ ]*\).*/\1/p' "tests/fuzz/$1.c" | head -n 1; }
# ready TARGET: its required file exists and, for a .c file, is part of the library build
ready() {
  r=$(requires "$1")
  [ -z "$r" ] && return 0
  [ -f "$r" ] || return 1
  case "$r" in *.c) echo " ${FUZZ_SOURCES:-} " | grep -q "/$r " || return 1 ;; esac
  return 0
}

vars=$(make -s fuzz-vars 2>/dev/null | grep '^FUZZ_') && eval "$vars"
if [ "$mode" = list ]; then
  for t in $all; do if ready "$t"; then echo "$t ready"; else echo "$t waiting for $(requires "$t")"; fi; done
  exit 0
fi

command -v "$CC" >/dev/null 2>&1 || { echo "fuzz.sh: $CC not found (apt-get install clang libclang-rt-14-dev)"; exit 1; }
[ -f config.h ] && [ -f Makefile ] || { echo "fuzz.sh: configure the tree first (./configure)"; exit 1; }

# Library sources and flags come from the Makefile, so the fuzz build follows the real one.
vars=$(make -s fuzz-vars | grep '^FUZZ_') || { echo "fuzz.sh: make fuzz-vars failed"; exit 1; }
eval "$vars"
mkdir -p "$out/obj" "$out/bin"
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fsanitize-recover=nonnull-attribute,float-cast-overflow -std=gnu11 -D_GNU_SOURCE -I$top -I$top/src $FUZZ_DEFS $FUZZ_DEP_CFLAGS"
LDFLAGS="-fsanitize=fuzzer,address,undefined"

# compile the library once (only sources newer than their object)
objs=""
pids=""
jobs=${FUZZ_JOBS:-$(nproc)}
n=0
for src in $FUZZ_SOURCES; do
  case "$src" in *.c) ;; *) continue ;; esac
  o="$out/obj/$(echo "$src" | tr '/' '_' | sed 's/\.c$/.o/')"
  objs="$objs $o"
  if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find src -name '*.h' -newer "$o" 2>/dev/null | head -n 1)" ]; then
    $CC $CFLAGS -c "$src" -o "$o" 2>"$o.log" &
    pids="$pids $!"
    n=$((n + 1))
    if [ "$n" -ge "$jobs" ]; then for p in $pids; do wait "$p" || fail=1; done; pids=""; n=0; fi
  fi
done
fail=0
for p in $pids; do wait "$p" || fail=1; done
for o in $objs; do
  if [ ! -s "$o" ] || [ -s "$o.log" ] && grep -q 'error:' "$o.log"; then
    echo "fuzz.sh: compiling $(basename "$o" .o) failed:"; cat "$o.log"; rm -f "$o"; exit 1
  fi
done
rm -f "$out/libimterm-fuzz.a"
ar rcs "$out/libimterm-fuzz.a" $objs

built=""
for t in $targets; do
  if ! ready "$t"; then continue; fi
  if $CC $CFLAGS "tests/fuzz/$t.c" "$out/libimterm-fuzz.a" $FUZZ_DEP_LIBS $LDFLAGS -o "$out/bin/$t" 2>"$out/$t.log"; then
    built="$built $t"
  else
    echo "fuzz.sh: linking $t failed:"; cat "$out/$t.log"; exit 1
  fi
done
if [ "$mode" = build ]; then
  echo "fuzz targets built in $out/bin:$built"
  exit 0
fi

# run each target: TAP lines
i=0; failed=0
for t in $targets; do
  i=$((i + 1))
  if ! ready "$t"; then echo "ok $i - $t # SKIP $(requires "$t") is not built yet"; continue; fi
  work="$out/corpus/$t"; crashes="$out/crashes/$t"
  mkdir -p "$work" "$crashes"
  [ -d "tests/fuzz/corpus/$t" ] && cp -n tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null
  dict=""; [ -f "tests/fuzz/dicts/$t.dict" ] && dict="-dict=tests/fuzz/dicts/$t.dict"
  log="$out/$t.run.log"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=${FUZZ_UBSAN_SUPP:-$top/tests/fuzz/ubsan.supp} \
    "$out/bin/$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$crashes/" -print_final_stats=1 $dict "$work" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  ncr=$(find "$crashes" -type f | wc -l)
  if [ "$rc" -eq 0 ] && [ "$ncr" -eq 0 ]; then
    echo "ok $i - $t: $seconds s, ${runs:-?} runs, corpus $(ls "$work" | wc -l) inputs, 0 crashes"
  else
    failed=$((failed + 1))
    echo "not ok $i - $t: exit $rc, $ncr crash inputs in $crashes (log $log)"
    grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -n 5 | sed 's/^/# /'
  fi
done
echo "1..$i"
[ "$failed" -eq 0 ]
