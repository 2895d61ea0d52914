#!/usr/bin/env bash
# Builds everything and runs every test suite: unit, qtest, system (and a
# short fuzz smoke where one exists).  The last line printed is
#   N passed, N failed[, N skipped]
# summed over every test case of every suite.
#
#   scripts/check.sh [meson test options, e.g. --suite unit]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if ! bash scripts/build.sh; then
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

# System tests boot gateways; on a 2-core machine they run one at a time
# (they are declared is_parallel: false), the rest in parallel.
meson test -C build/host --print-errorlogs --no-rebuild "$@"
rc=$?
python3 scripts/test-summary.py build/host/meson-logs/testlog.json
sum_rc=$?
[ $rc -eq 0 ] && [ $sum_rc -eq 0 ]
