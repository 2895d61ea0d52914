"""Harness for vgw system tests: real gateways driven only through `vgw`.

Each test script makes a Run, whose state directory is private to it, and
records checks with Run.check(); the output is TAP, one line per check.
Every gateway the run started is stopped when the run ends, pass or fail.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

VGW = os.environ.get('VGW', 'vgw')


class Run:
    def __init__(self):
        # Unix socket paths are short-limited: keep the state root short.
        self.state_root = tempfile.mkdtemp(prefix='vgwst-', dir='/tmp')
        self.env = dict(os.environ, VGW_STATE_DIR=self.state_root)
        self.count = 0
        self.console_seen = {}  # console_new's position per gateway
        self.failed = 0
        self.started = set()

    # -- TAP ---------------------------------------------------------------
    def check(self, cond, what, detail=None):
        self.count += 1
        if cond:
            print('ok %d - %s' % (self.count, what), flush=True)
        else:
            self.failed += 1
            print('not ok %d - %s' % (self.count, what), flush=True)
            if detail is not None:
                for line in str(detail).splitlines()[-30:]:
                    print('#   ' + line, flush=True)
        return cond

    def note(self, text):
        for line in str(text).splitlines():
            print('# ' + line, flush=True)

    # -- driving vgw -------------------------------------------------------
    def vgw(self, *args, timeout=600):
        """Runs `vgw ARGS`; returns the CompletedProcess (text mode)."""
        t0 = time.monotonic()
        p = subprocess.run([VGW] + list(args), env=self.env, text=True,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
        p.elapsed = time.monotonic() - t0
        if args and args[0] == 'up':
            name = 'default'
            if '--name' in args:
                name = args[args.index('--name') + 1]
            self.started.add(name)
        return p

    def up(self, name, *extra):
        """Boots gateway NAME detached on free ports; checks that it worked."""
        p = self.vgw('up', '--name', name, '--detach', '--sip-port', '0',
                     '--sip-tls-port', '0', *extra)
        self.check(p.returncode == 0, 'vgw up --name %s reaches ready (%.1f s)' % (name, p.elapsed),
                   p.stdout + p.stderr + self.console_tail(name))
        return p

    def up_config(self, name, ini):
        """Boots gateway NAME as up() does, from the ini text INI (`vgw up
        --config`)."""
        path = os.path.join(self.state_root, name + '-boot.ini')
        with open(path, 'w') as f:
            f.write(ini)
        return self.up(name, '--config', path)

    def status(self, name):
        """Returns `vgw status --json` as a dict, or None with a failed check."""
        p = self.vgw('status', '--name', name, '--json', timeout=60)
        try:
            return json.loads(p.stdout)
        except ValueError:
            self.check(False, 'vgw status --json --name %s prints JSON' % name,
                       'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))
            return None

    def param(self, name, gw):
        """Returns `vgw param get NAME --json` on gateway GW as a dict ({}
        with a failed check when it does not print JSON)."""
        p = self.vgw('param', 'get', '--json', '--name', gw, name, timeout=120)
        try:
            return json.loads(p.stdout)
        except ValueError:
            self.check(False, 'vgw param get %s --json prints JSON' % name,
                       'rc=%d\n%s%s' % (p.returncode, p.stdout, p.stderr))
            return {}

    def ini_load(self, gw, what, ini):
        """Loads the ini text INI into gateway GW with `vgw ini load
        --incremental` (live; a reset applies what needs one); checks it
        worked, as WHAT."""
        path = os.path.join(self.state_root, 'incremental.ini')
        with open(path, 'w') as f:
            f.write(ini)
        p = self.vgw('ini', 'load', '--name', gw, '--incremental', path, timeout=120)
        self.check(p.returncode == 0, 'ini load: %s' % what, p.stdout + p.stderr)

    def console(self, name):
        """The console log of gateway NAME so far ('' when there is none)."""
        try:
            with open(os.path.join(self.state_root, name, 'console.log'), errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def console_new(self, name):
        """The console log of gateway NAME written since the last call
        (all of it the first time, and after a reset started a new log)."""
        log = self.console(name)
        seen = self.console_seen.get(name, 0)
        if len(log) < seen:
            seen = 0
        self.console_seen[name] = len(log)
        return log[seen:]

    def tls_status(self, name):
        """`vgw status --json`'s tls object of gateway NAME ({} when
        there is none)."""
        return (self.status(name) or {}).get('tls') or {}

    def console_tail(self, name, lines=25):
        text = self.console(name)
        if not text:
            return ''
        return '\n--- console tail ---\n' + ''.join(text.splitlines(True)[-lines:])

    def finish(self):
        for name in sorted(self.started):
            self.vgw('down', '--name', name, timeout=120)
        # A gateway that would not go down must not outlive the test.
        for name in sorted(self.started):
            pidfile = os.path.join(self.state_root, name, 'qemu.pid')
            try:
                pid = int(open(pidfile).read().strip())
                os.kill(pid, 9)
            except (OSError, ValueError):
                pass
        print('1..%d' % self.count, flush=True)
        if self.failed == 0:
            shutil.rmtree(self.state_root, ignore_errors=True)
        else:
            print('# state kept in %s' % self.state_root, flush=True)
        return 1 if self.failed or self.count == 0 else 0


def main(test):
    """Runs TEST(run) and exits with the TAP verdict."""
    run = Run()
    try:
        test(run)
    except Exception:
        run.check(False, 'test ran to completion', traceback.format_exc())
    sys.exit(run.finish())


def counter_delta(before, after, key):
    """The counters of dict KEY (of two status snapshots) that changed
    from BEFORE to AFTER, by how much."""
    b, a = before.get(key) or {}, after.get(key) or {}
    return {k: n - b.get(k, 0) for k, n in a.items() if n != b.get(k, 0)}


def busy_port():
    """Returns (socket, port): a TCP listener on 127.0.0.1 held open."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(('127.0.0.1', 0))
    s.listen(1)
    return s, s.getsockname()[1]
