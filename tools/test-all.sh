#!/bin/sh
# test-all.sh - the whole test suite, as CI runs it: install dependencies, build, `make check`,
# the same suite in an AddressSanitizer+UBSan build, every fuzz target for 60 s, and `make distcheck`.
# Ends with the closing line "N passed, N failed" summed over the runs.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
sh tools/deps.sh --test || { echo "0 passed, 1 failed"; exit 1; }
[ -x configure ] || ./autogen.sh || { echo "0 passed, 1 failed"; exit 1; }
[ -f Makefile ] || ./configure || { echo "0 passed, 1 failed"; exit 1; }
total_p=0; total_f=0
tally() {  # tally LOGFILE: add the closing line of a run to the totals
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
  total_p=$((total_p + ${p:-0})); total_f=$((total_f + ${f:-1}))
}
mkdir -p tests/logs
echo "=== make check"
make -j"$(nproc)" >tests/logs/build.log 2>&1 || { tail -n 30 tests/logs/build.log; echo "0 passed, 1 failed"; exit 1; }
make check 2>&1 | tee tests/logs/check.log
tally tests/logs/check.log

echo "=== make check in a sanitizer build (ASan + UBSan)"
# The source tree is configured in place, so the sanitizer build is made from the distribution
# tarball in its own directory (this also proves the tarball builds).
rm -rf build-asan && mkdir build-asan
make dist >tests/logs/dist.log 2>&1 && tar -xzf imterm-*.tar.gz -C build-asan --strip-components=1 && rm -f imterm-*.tar.gz
( cd build-asan && ./configure --enable-sanitizers >config.out 2>&1 && make -j"$(nproc)" >build.out 2>&1 &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions="$top/tests/lsan.supp" IMTERM_SHARED="$(cd "$top/.." && pwd)/shared" UBSAN_OPTIONS=print_stacktrace=1 IMTERM_SANITIZED=1 make check ) 2>&1 | tee tests/logs/check-asan.log
tally tests/logs/check-asan.log

echo "=== fuzzing: every libFuzzer target for ${IMTERM_FUZZ_SECONDS:-60} s (tools/fuzz.sh)"
sh tools/fuzz.sh --seconds "${IMTERM_FUZZ_SECONDS:-60}" >tests/logs/fuzz.log 2>&1; frc=$?
cat tests/logs/fuzz.log
fp=$(grep '^ok ' tests/logs/fuzz.log | grep -vc '# SKIP'); ff=$(grep -c '^not ok ' tests/logs/fuzz.log)
[ "$frc" -ne 0 ] && [ "$ff" -eq 0 ] && ff=1   # the build itself failed
total_p=$((total_p + fp)); total_f=$((total_f + ff))

if [ "${IMTERM_SKIP_DISTCHECK:-}" != 1 ]; then
  echo "=== make distcheck"
  if make distcheck >tests/logs/distcheck.log 2>&1; then
    total_p=$((total_p + 1)); echo "ok - make distcheck"
  else
    total_f=$((total_f + 1)); echo "not ok - make distcheck"; tail -n 40 tests/logs/distcheck.log
  fi
fi
echo
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
