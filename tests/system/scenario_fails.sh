#!/bin/sh
# A scenario that must fail (test_runner.py): one check passes, one does
# not, and it says why on stderr.
echo "ok 1 - the gateway is named $VGW_NAME"
echo "not ok 2 - a check that fails on purpose"
echo "scenario_fails: failing on purpose" >&2
echo "1..2"
exit 1
