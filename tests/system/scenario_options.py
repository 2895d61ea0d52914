#!/usr/bin/env python3
"""A scenario that can be recorded (test_test_record.py): one SIP OPTIONS
over UDP to the gateway's SIP port is answered 200.  It uses no `vgw`
verb that goes through the maintenance port: a recording gateway has
none, and VGW_MAINT_SOCK says so by being empty."""
import os
import sys

from test_replay import udp_options


def main(fail_on_purpose=False):
    checks = [
        (os.environ.get('VGW_MAINT_SOCK') == '',
         'VGW_MAINT_SOCK is empty: the recording gateway has no maintenance socket'),
        (udp_options(int(os.environ['VGW_SIP_PORT']), 'record-' + os.environ['VGW_NAME'])
         == 'SIP/2.0 200 OK', 'OPTIONS over UDP to $VGW_SIP_PORT is answered 200'),
    ]
    if fail_on_purpose:
        checks.append((False, 'a check that fails on purpose, after the OPTIONS'))
        print('scenario_options_fails: failing on purpose', file=sys.stderr)
    for i, (ok, what) in enumerate(checks, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, what))
    print('1..%d' % len(checks))
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == '__main__':
    sys.exit(main())
