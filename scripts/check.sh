#!/usr/bin/env bash
# Builds everything and runs every test suite: unit, qtest, system (and a
# short fuzz smoke where one exists).  Prints, per suite, the test
# programs and the checks (TAP lines) they made, and last, alone on its
# line,
#   N passed, N failed[, N skipped]
# summed over the checks of this run only.  Zero tests run is a failure.
#
#   scripts/check.sh [meson test options, e.g. --suite unit]
#   scripts/check.sh --list     lists the tests (no build if configured)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# A log of this run's own (meson's --logbase), so that another `meson test`
# in the same build directory cannot overwrite what is summed here.
logbase=check-$$
testlog=build/host/meson-logs/$logbase.json

for arg in "$@"; do
    if [ "$arg" = "--list" ]; then
        # Listing runs nothing, so there is nothing to sum.
        [ -f build/host/build.ninja ] || bash scripts/build.sh >&2 || exit 1
        exec meson test -C build/host --no-rebuild "$@"
    fi
done

if ! bash scripts/build.sh; then
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

# The summary must come from this run: an old log would reprint the last
# run's result when meson runs nothing (a mistyped --suite, say).
rm -f build/host/meson-logs/check-* build/host/meson-logs/testlog.*

# System tests boot gateways; on a 2-core machine they run one at a time
# (they are declared is_parallel: false), the rest in parallel.
meson test -C build/host --print-errorlogs --no-rebuild --logbase "$logbase" "$@"
rc=$?
if [ ! -s "$testlog" ]; then
    echo "check: meson ran no test (exit $rc); options: ${*:-none}"
    echo "0 passed, 1 failed"
    exit 1
fi
python3 scripts/test-summary.py "$testlog"
sum_rc=$?
[ $rc -eq 0 ] && [ $sum_rc -eq 0 ]
