#!/usr/bin/env python3
"""vgw reset (through the firmware) and vgw reset --hard (QMP) each give a
second boot whose reported reset cause is right."""
import vgwtest


def test(run):
    run.up('rst')

    p = run.vgw('reset', '--name', 'rst')
    run.check(p.returncode == 0, 'vgw reset returns after the gateway is ready again (%.1f s)' % p.elapsed,
              p.stdout + p.stderr + run.console_tail('rst'))
    st = run.status('rst') or {}
    run.check(st.get('reset_cause') == 'firmware', 'vgw reset reports reset cause firmware', st)
    run.check(st.get('reset_count') == 1, 'reset count is 1 after one reset', st)

    p = run.vgw('reset', '--name', 'rst', '--hard')
    run.check(p.returncode == 0, 'vgw reset --hard returns after the gateway is ready again (%.1f s)' % p.elapsed,
              p.stdout + p.stderr + run.console_tail('rst'))
    st = run.status('rst') or {}
    run.check(st.get('reset_cause') == 'host', 'vgw reset --hard reports reset cause host', st)
    run.check(st.get('reset_count') == 2, 'reset count is 2 after two resets', st)


vgwtest.main(test)
