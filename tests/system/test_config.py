#!/usr/bin/env python3
"""The parameter engine through `vgw`: staged values pending until reset,
live values, save/reset/down/up persistence, ini load (bad, incremental,
full, export round trip), maintenance-port credentials, up --config and
the offline flash reads."""
import json
import os
import tempfile

import vgwtest

GW = 'cfg'


def param(run, name, gw=GW):
    """Returns `vgw param get NAME --json` as a dict ({} on failure)."""
    return run.param(name, gw)


def pending(run, gw=GW):
    p = run.vgw('pending', '--json', '--name', gw, timeout=60)
    try:
        return json.loads(p.stdout).get('pending')
    except ValueError:
        run.check(False, 'vgw pending --json prints JSON', p.stdout + p.stderr)
        return None


def export(run, path, gw=GW):
    p = run.vgw('ini', 'export', '--name', gw, path, timeout=60)
    run.check(p.returncode == 0, 'vgw ini export %s' % os.path.basename(path), p.stdout + p.stderr)
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def ok(run, p, what):
    return run.check(p.returncode == 0, '%s (%.1f s)' % (what, p.elapsed),
                     'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))


def test(run):
    tmp = tempfile.mkdtemp(prefix='vgwcfg-', dir=run.state_root)

    def write(name, text):
        path = os.path.join(tmp, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    run.up(GW)

    # -- a reset-needed parameter is pending until reset --save ------------
    v = param(run, 'TLSVersion')
    run.check(v.get('value') == '0' and v.get('pending') is None and v.get('reset_required') is True,
              'factory TLSVersion is 0, nothing pending, reset required', v)
    p = run.vgw('param', 'set', '--name', GW, 'TLSVersion', '1')
    ok(run, p, 'vgw param set TLSVersion 1')
    run.check('pending until reset' in p.stdout, 'param set reports TLSVersion pending until reset', p.stdout)
    v = param(run, 'TLSVersion')
    run.check(v.get('value') == '0' and v.get('pending') == '1',
              'TLSVersion not in effect (value 0, pending 1)', v)
    pend = pending(run)
    run.check(pend == [{'name': 'TLSVersion', 'current': '0', 'pending': '1'}],
              'vgw pending lists TLSVersion 0 -> 1', pend)
    p = run.vgw('pending', '--name', GW)
    run.check(p.returncode == 0 and 'TLSVersion: 0 -> 1' in p.stdout, 'vgw pending (text) shows TLSVersion: 0 -> 1', p.stdout + p.stderr)
    st = run.status(GW) or {}
    run.check(st.get('pending') == 1, 'vgw status --json reports pending 1', st)

    # -- a live parameter applies at once ----------------------------------
    p = run.vgw('param', 'set', '--name', GW, 'GwDebugLevel', '5')
    ok(run, p, 'vgw param set GwDebugLevel 5')
    run.check('applied live' in p.stdout, 'param set reports GwDebugLevel applied live', p.stdout)
    v = param(run, 'GwDebugLevel')
    run.check(v.get('value') == '5' and v.get('pending') is None, 'GwDebugLevel 5 in effect at once', v)
    st = run.status(GW) or {}
    run.check(st.get('pending') == 1, 'a live change adds nothing pending', st)
    p = run.vgw('param', 'set', '--name', GW, 'GwDebugLevel', '99')
    run.check(p.returncode == 1 and p.stderr.startswith('vgw: param-set: ') and 'GwDebugLevel' in p.stderr
              and len(p.stderr.splitlines()) == 1,
              'an out-of-range value is refused in one line naming the parameter', p.stderr)

    # -- reset --save: in effect, no longer pending ------------------------
    p = run.vgw('reset', '--save', '--name', GW)
    ok(run, p, 'vgw reset --save')
    v = param(run, 'TLSVersion')
    run.check(v.get('value') == '1' and v.get('pending') is None,
              'after reset --save TLSVersion 1 is in effect and not pending', v)
    run.check(pending(run) == [], 'vgw pending is empty after reset --save')
    st = run.status(GW) or {}
    run.check(st.get('pending') == 0, 'vgw status --json reports pending 0', st)
    cfg = st.get('config') or {}
    run.check(cfg.get('source') == 'flash' and cfg.get('unsaved') is False,
              'status config: source flash, nothing unsaved', st.get('config'))
    run.check(param(run, 'GwDebugLevel').get('value') == '5', 'the live value was saved too')

    # -- unsaved changes vanish on reset -----------------------------------
    ok(run, run.vgw('param', 'set', '--name', GW, 'GwDebugLevel', '2'), 'vgw param set GwDebugLevel 2 (unsaved)')
    st = run.status(GW) or {}
    run.check((st.get('config') or {}).get('unsaved') is True, 'status config reports unsaved changes', st.get('config'))
    ok(run, run.vgw('reset', '--name', GW), 'vgw reset (no save)')
    run.check(param(run, 'GwDebugLevel').get('value') == '5', 'the unsaved GwDebugLevel 2 vanished on reset (5 again)')

    # -- saved changes persist across reset and down/up --------------------
    ok(run, run.vgw('param', 'set', '--name', GW, 'GwDebugLevel', '6'), 'vgw param set GwDebugLevel 6')
    p = run.vgw('save', '--name', GW)
    ok(run, p, 'vgw save')
    run.check('generation' in p.stdout, 'vgw save prints the generation', p.stdout)
    ok(run, run.vgw('reset', '--name', GW), 'vgw reset after save')
    run.check(param(run, 'GwDebugLevel').get('value') == '6', 'the saved GwDebugLevel 6 persists across reset')
    ok(run, run.vgw('down', '--name', GW), 'vgw down')
    # Offline reads of the stopped gateway's flash.
    p = run.vgw('flash', 'show', '--json', '--name', GW)
    try:
        fl = json.loads(p.stdout)
    except ValueError:
        fl = {}
    run.check(p.returncode == 0 and fl.get('blank') is False and isinstance(fl.get('generation'), int)
              and 'GwDebugLevel = 6' in (fl.get('config') or ''),
              'vgw flash show --json (stopped) reads the saved generation with GwDebugLevel = 6',
              p.stdout[:2000] + p.stderr)
    out = os.path.join(tmp, 'flash-export.ini')
    p = run.vgw('flash', 'export-config', '--name', GW, out)
    run.check(p.returncode == 0 and os.path.exists(out) and 'TLSVersion = 1' in open(out).read(),
              'vgw flash export-config writes the saved config.ini', p.stderr)
    run.up(GW)
    run.check(param(run, 'GwDebugLevel').get('value') == '6', 'the saved GwDebugLevel 6 persists across down/up')
    run.check(param(run, 'TLSVersion').get('value') == '1', 'the saved TLSVersion 1 persists across down/up')
    p = run.vgw('flash', 'show', '--name', GW)
    run.check(p.returncode == 1 and 'is running' in p.stderr and len(p.stderr.splitlines()) == 1,
              'vgw flash show refuses a running gateway in one line', p.stderr)

    # -- a bad ini file is rejected and changes nothing --------------------
    before = export(run, os.path.join(tmp, 'before.ini'))
    bad = write('bad.ini', '; bad file\nGwDebugLevel = 1\nTLSVersion = 9\n')
    want = 'bad.ini:3: TLSVersion: value 9 out of range 0..1'
    p = run.vgw('ini', 'load', '--name', GW, bad)
    run.check(p.returncode == 1 and p.stderr == 'vgw: %s\n' % want,
              'vgw ini load bad.ini fails with "%s"' % want, 'rc=%d\n%s' % (p.returncode, p.stderr))
    after = export(run, os.path.join(tmp, 'after.ini'))
    run.check(before is not None and before == after, 'the rejected load changed nothing (export identical)')
    run.check(param(run, 'GwDebugLevel').get('value') == '6', 'GwDebugLevel still 6 after the rejected load')
    p = run.vgw('ini', 'check', bad)
    run.check(p.returncode == 1 and p.stderr == 'vgw: %s\n' % want,
              'vgw ini check (offline) gives the same message', p.stderr)
    bad2 = write('bad2.ini', '[ SIPInterface ]\nFORMAT Index = InterfaceName, TLSContext\n'
                             'SIPInterface 1 = "lan", "nosuch"\n[ \\SIPInterface ]\n')
    p = run.vgw('ini', 'load', '--name', GW, bad2)
    run.check(p.returncode == 1 and p.stderr.startswith('vgw: bad2.ini:3: ') and 'TLSContext' in p.stderr
              and len(p.stderr.splitlines()) == 1,
              'a broken reference is rejected naming file, line and column', p.stderr)
    run.check(export(run, os.path.join(tmp, 'after2.ini')) == before, 'the rejected reference changed nothing')

    # -- incremental vs full -----------------------------------------------
    inc = write('inc.ini', 'SyslogServerPort = 600\nNoSuchParam = 1\n')
    p = run.vgw('ini', 'load', '--incremental', '--name', GW, inc)
    ok(run, p, 'vgw ini load --incremental inc.ini')
    run.check('warning: inc.ini:2: NoSuchParam' in p.stdout, 'the unknown parameter is a warning naming file and line', p.stdout)
    run.check(param(run, 'SyslogServerPort').get('value') == '600', 'incremental load set SyslogServerPort 600')
    run.check(param(run, 'GwDebugLevel').get('value') == '6', 'incremental load kept GwDebugLevel 6')
    full = write('full.ini', 'SyslogServerPort = 700\nTLSVersion = 1\n[ ProxySet ]\nFORMAT Index = ProxyName\n'
                             'ProxySet 1 = "alpha"\n[ \\ProxySet ]\n')
    ok(run, run.vgw('ini', 'load', '--name', GW, full), 'vgw ini load full.ini (full)')
    run.check(param(run, 'SyslogServerPort').get('value') == '700', 'full load set SyslogServerPort 700')
    run.check(param(run, 'GwDebugLevel').get('value') == '0', 'full load reset GwDebugLevel to its default 0')
    ex = export(run, os.path.join(tmp, 'full-export.ini')) or ''
    run.check('"alpha"' in ex or "'alpha'" in ex, 'the full load added ProxySet row "alpha"', ex[-1500:])
    inc2 = write('inc2.ini', 'GwDebugLevel = 4\n')
    ok(run, run.vgw('ini', 'load', '-i', '--name', GW, inc2), 'vgw ini load -i inc2.ini')
    ex = export(run, os.path.join(tmp, 'inc2-export.ini')) or ''
    run.check(('"alpha"' in ex or "'alpha'" in ex) and param(run, 'SyslogServerPort').get('value') == '700',
              'the incremental load kept the ProxySet row and SyslogServerPort')

    # -- export -> load round trip -----------------------------------------
    first = export(run, os.path.join(tmp, 'rt1.ini'))
    ok(run, run.vgw('ini', 'load', '--name', GW, os.path.join(tmp, 'rt1.ini')), 'vgw ini load of the export')
    second = export(run, os.path.join(tmp, 'rt2.ini'))
    run.check(first is not None and first == second, 'export -> load -> export gives the identical file')

    # -- up --config boots with the file's values --------------------------
    boot_cfg = write('boot.ini', 'GwDebugLevel = 7\nTLSVersion = 1\nSyslogServerPort = 1514\n')
    p = run.up('cfgup', '--config', boot_cfg)
    run.check('saved to the flash' in p.stdout, 'vgw up --config reports the configuration saved to the flash', p.stdout)
    for name, want_v in (('GwDebugLevel', '7'), ('TLSVersion', '1'), ('SyslogServerPort', '1514')):
        v = param(run, name, gw='cfgup')
        run.check(v.get('value') == want_v and v.get('pending') is None,
                  'up --config: %s = %s in effect from the first boot' % (name, want_v), v)
    st = run.status('cfgup') or {}
    run.check((st.get('config') or {}).get('source') == 'flash' and st.get('pending') == 0,
              'up --config: status config source flash, nothing pending', st.get('config'))
    ok(run, run.vgw('down', '--name', 'cfgup'), 'vgw down cfgup')
    p = run.vgw('up', '--name', 'cfgbad', '--detach', '--config', bad)
    run.check(p.returncode == 1 and p.stderr.startswith('vgw: ' + want) and len(p.stderr.splitlines()) == 1,
              'vgw up --config bad.ini fails in one line with the ini error', p.stderr)
    st = run.status('cfgbad') or {}
    run.check(st.get('state') != 'running', 'nothing was started for the bad --config', st)

    # -- maintenance-port credentials --------------------------------------
    env = run.env
    run.env = dict(env, VGW_PASSWORD='wrong')
    p = run.vgw('maint', '--name', GW, 'status')
    run.check(p.returncode == 1 and 'login failed' in p.stderr and len(p.stderr.splitlines()) == 1,
              'a wrong password is refused (vgw maint status: login failed)', p.stderr)
    run.env = env
    ok(run, run.vgw('param', 'set', '--name', GW, 'MaintenancePassword', 'S3cret-pw'), 'vgw param set MaintenancePassword')
    run.env = dict(env, VGW_PASSWORD='S3cret-pw')
    ok(run, run.vgw('save', '--name', GW), 'vgw save (new password)')
    ok(run, run.vgw('reset', '--name', GW), 'vgw reset (new password)')
    p = run.vgw('maint', '--name', GW, 'status')
    run.check(p.returncode == 0, 'the new password works after save + reset', p.stderr)
    run.env = env
    p = run.vgw('maint', '--name', GW, 'status')
    run.check(p.returncode == 1 and 'login failed' in p.stderr, 'the old password is refused', p.stderr)
    run.env = dict(env, VGW_PASSWORD='S3cret-pw')


vgwtest.main(test)
