#!/usr/bin/env python3
"""A firmware whose main loop hangs stops servicing the watchdog; the board
resets itself and comes back with reset cause watchdog.  A firmware crash
is restarted by init and counted."""
import time

import vgwtest


def wait_status(run, name, pred, seconds):
    deadline = time.monotonic() + seconds
    st = None
    while time.monotonic() < deadline:
        st = run.status(name)
        if st and pred(st):
            return st
        time.sleep(3)
    return st


def test(run):
    run.up('wdt')

    p = run.vgw('maint', '--name', 'wdt', 'debug', 'crash')
    run.check(p.returncode == 0, 'the test hook crashes the firmware', p.stdout + p.stderr)
    st = wait_status(run, 'wdt', lambda s: s.get('crash_count') == 1, 120)
    run.check(st is not None and st.get('crash_count') == 1 and st.get('reset_cause') == 'power-on',
              'init restarted the firmware, counted the crash, and the board did not reset',
              str(st) + run.console_tail('wdt'))

    p = run.vgw('maint', '--name', 'wdt', 'debug', 'watchdog-stall')
    run.check(p.returncode == 0, 'the test hook hangs the firmware main loop', p.stdout + p.stderr)
    st = wait_status(run, 'wdt', lambda s: s.get('reset_cause') == 'watchdog', 240)
    run.check(st is not None and st.get('reset_cause') == 'watchdog',
              'the board came back by itself with reset cause watchdog',
              str(st) + run.console_tail('wdt'))
    run.check(st is not None and st.get('reset_count') == 1 and st.get('crash_count') == 0,
              'after the watchdog reset the reset count is 1 and the crash count starts over', st)


vgwtest.main(test)
