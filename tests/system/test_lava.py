#!/usr/bin/env python3
"""The vgw regression scenarios under LAVA's own dispatcher: lava/'s device
dictionary, job template and scenarios, run by `lava-run` (Debian's
lava-dispatcher) on this machine, offline, as root.

A gateway is provisioned once with `vgw up` (its first boot writes the
configuration flash and generates its device key into the keystore) and
stopped; the LAVA job then deploys that flash and keystore with the
kernel and initramfs, boots them with our QEMU and -M vgw, and runs every
scenario in lava/scenarios/.  lava-run passes a job whose test cases fail,
so the verdict is lava/results-junit.py's: every case passed.  Then a
scenario that must fail (lava_must_fail.yaml) is run the same way, and
the converter must report that case as failed."""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import tlspeers
import vgwtest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
RENDER = os.path.join(TOP, 'lava', 'render-job.py')
JUNIT = os.path.join(TOP, 'lava', 'results-junit.py')
MUST_FAIL = os.path.join(HERE, 'lava_must_fail.yaml')

# Engine slot of TLS Context 0's device key, generated on first boot.
DEVICE_KEY_SLOT = '0'

SCENARIOS = os.path.join(TOP, 'lava', 'scenarios')


def scenario_cases():
    """{JUnit suite: [case names in order]} that lava/scenarios/ declare:
    LAVA names an interactive test's suite <stage>_<name>, and every
    scenario runs after the one boot (stage 0)."""
    expected = {}
    for name in sorted(os.listdir(SCENARIOS)):
        if name.endswith('.yaml'):
            with open(os.path.join(SCENARIOS, name)) as f:
                for test in yaml.safe_load(f)['interactive']:
                    expected['0_' + test['name']] = [c['name'] for c in test['script']]
    return expected

def provision(run, name):
    """Boots gateway NAME once and stops it; returns its identity and the
    files a LAVA job deploys (None if it failed)."""
    if run.up(name).returncode != 0:
        return None
    st = run.status(name) or {}
    p = run.vgw('keystore', 'pub', '--name', name, '--slot', DEVICE_KEY_SLOT, timeout=120)
    der = tlspeers.pem_to_der(p.stdout) if p.returncode == 0 else b''
    run.check(bool(der), 'vgw keystore pub reads the provisioned device key', p.stdout + p.stderr)
    run.vgw('down', '--name', name, timeout=120)
    state = os.path.join(run.state_root, name)
    board = {
        'serial': st.get('serial'),
        'mac_base': st.get('mac_base'),
        'flash': os.path.join(state, 'flash.img'),
        'keystore': os.path.join(state, 'keystore.bin'),
        'secret': os.path.join(state, 'keystore.secret'),
        'device_key_sha256': hashlib.sha256(der).hexdigest() if der else None,
    }
    ok = run.check(board['serial'] and board['mac_base'] and
                   all(os.path.isfile(board[k]) for k in ('flash', 'keystore', 'secret')),
                   'the provisioned gateway has a serial, a MAC base, a flash, a keystore '
                   'and its board secret', json.dumps(board))
    return board if ok else None


def qemu_left(job_id):
    """PIDs of processes whose command line names the job's directory."""
    pids = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                if ('/tmp/%s/' % job_id).encode() in f.read():
                    pids.append(int(pid))
        except OSError:
            pass
    return pids


def lava_job(run, board, label, scenarios):
    """Renders and runs one LAVA job with SCENARIOS (render-job.py
    arguments); returns (results-junit.py's exit status, the JUnit root
    element, its stderr, the lava-run log's path), or None when the job
    could not be run at all (with a failed check)."""
    out = os.path.join(run.state_root, 'lava-' + label)
    qemu = os.environ['VGW_QEMU']
    p = subprocess.run([sys.executable, RENDER, '--qemu', qemu, '--serial', board['serial'],
                        '--mac-base', board['mac_base'], '--board-secret', board['secret'],
                        '--images', os.environ['VGW_IMAGES'], '--flash', board['flash'],
                        '--keystore', board['keystore'], '--out', out] + scenarios,
                       capture_output=True, text=True)
    if not run.check(p.returncode == 0, '%s: render-job.py writes the device and job' % label,
                     p.stdout + p.stderr):
        return None

    job_id = 'vgw-%s-%d-%d' % (label, os.getpid(), time.time_ns())
    log = os.path.join(out, 'lava-run.log')
    # The job's arch (aarch64) makes lava-run probe `qemu-system-aarch64
    # --version` on $PATH: ours comes first.
    env = dict(os.environ, PATH=os.path.dirname(os.path.realpath(qemu)) + ':' + os.environ['PATH'])
    t0 = time.monotonic()
    with open(log, 'w') as logf:
        proc = subprocess.Popen(['lava-run', '--job-id', job_id, '--output-dir',
                                 os.path.join(out, 'output'), '--device',
                                 os.path.join(out, 'device.yaml'), '--dispatcher',
                                 os.path.join(out, 'dispatcher.yaml'),
                                 os.path.join(out, 'job.yaml')],
                                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
        try:
            rc = proc.wait(timeout=1500)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = None
    run.note('%s: lava-run exited %s after %.1f s (job %s)' % (label, rc, time.monotonic() - t0,
                                                              job_id))
    left = qemu_left(job_id)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    run.check(not left, '%s: lava-run leaves no QEMU running' % label, left)
    if not run.check(rc is not None, '%s: lava-run finishes' % label, log_tail(log)):
        return None

    xml_path = os.path.join(out, 'junit.xml')
    p = subprocess.run([sys.executable, JUNIT, log, '--out', xml_path], capture_output=True, text=True)
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError) as e:
        run.check(False, '%s: results-junit.py writes JUnit XML' % label, '%s\n%s' % (e, p.stderr))
        return None
    return p.returncode, root, p.stderr, log


def log_tail(path, lines=30):
    """The last LINES lines of the file at PATH ('' if unreadable)."""
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError:
        return ''


def cases(root, suite):
    """{case name: 'pass' | 'fail' | 'skip'} of testsuite SUITE."""
    found = {}
    for s in root.iter('testsuite'):
        if s.get('name') != suite:
            continue
        for tc in s.iter('testcase'):
            found[tc.get('name')] = ('fail' if tc.find('failure') is not None else
                                     'skip' if tc.find('skipped') is not None else 'pass')
    return found


def test(run):
    if not run.check(os.geteuid() == 0, 'runs as root (lava-run must)'):
        return
    if not run.check(shutil.which('lava-run') is not None,
                     'lava-run is installed (lava-dispatcher, scripts/bootstrap.sh)'):
        return
    board = provision(run, 'lavagw')
    if board is None:
        return

    job = lava_job(run, board, 'regression', [])
    if job is not None:
        rc, root, stderr, log = job
        for suite, names in scenario_cases().items():
            got = cases(root, suite)
            run.check(list(got) == names, 'the LAVA job reports every case of %s' % suite, got)
        run.check(cases(root, 'lava').get('job') == 'pass', 'the LAVA job itself passed',
                  log_tail(log))
        run.check(rc == 0, 'results-junit.py: every LAVA test case passed',
                  stderr + ET.tostring(root, encoding='unicode'))
        # The deployed keystore opened under the board secret: the firmware
        # found the provisioned key instead of generating one.
        with open(log, errors='replace') as f:
            console = f.read()
        sip = {suite: cases(root, suite) for suite in scenario_cases()
               if suite.startswith('0_sip-options')}
        run.check(len(sip) == 4 and all(set(c.values()) == {'pass'} for c in sip.values()) and
                  'sip: OPTIONS to udp 10.0.2.15:5060: OK' in console and
                  'sip: OPTIONS to tls 10.0.2.15:5061: OK' in console,
                  'under LAVA the gateway answers its own OPTIONS over UDP and over TLS, and '
                  'counts them (sip-options.yaml passed, the outcomes on the console)', sip)
        keys = set(re.findall(r'engine slot %s \(public key sha256 ([0-9a-f]{64})' % DEVICE_KEY_SLOT,
                              console))
        run.check(keys == {board['device_key_sha256']} and 'device key generated' not in console,
                  'the LAVA-booted board serves the provisioned device key from the deployed keystore',
                  'provisioned %s, LAVA boot %s' % (board['device_key_sha256'], sorted(keys)))

    job = lava_job(run, board, 'must-fail', [MUST_FAIL])
    if job is not None:
        rc, root, stderr, log = job
        got = cases(root, '0_must-fail')
        run.check(got == {'login': 'pass', 'logout': 'pass', 'status-after-logout': 'fail'},
                  'JUnit: the case that must fail is a failure, the ones before it passed', got)
        run.check(rc == 1 and '0_must-fail/status-after-logout' in stderr,
                  'results-junit.py exits 1 and names the failed case', 'rc=%s\n%s' % (rc, stderr))


if __name__ == '__main__':
    vgwtest.main(test)
