"""TAP for Python scenarios (not a scenario itself: not executable).

    import tap
    tap.check(cond, 'what', detail)   # ok / not ok, DETAIL's last lines as comments
    tap.vgw('status', '--json')       # the gateway's vgw, --name added after the verbs
    tap.finish()                      # the plan; exit 1 if a check failed
"""
import importlib.util
import json
import os
import subprocess

# check() and finish() are the vgw command's own Python TAP
# (host-tools/tests/tap.py), loaded by path: its module name is this one's.
_spec = importlib.util.spec_from_file_location(
    'vgw_host_tap', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                 'host-tools', 'tests', 'tap.py'))
_host_tap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_host_tap)
check = _host_tap.check
finish = _host_tap.finish


def vgw(*args, verbs=1, timeout=300):
    """Runs `$VGW ARGS...` on the scenario's gateway: `--name $VGW_NAME`
    goes after the first VERBS words (`vgw('sip', 'proxies', verbs=2)`).
    Returns the CompletedProcess (text)."""
    argv = ([os.environ['VGW']] + list(args[:verbs]) + ['--name', os.environ['VGW_NAME']] +
            list(args[verbs:]))
    return subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=timeout)


def vgw_ok(what, *args, verbs=1):
    """vgw(ARGS) as a check that it exits 0; the process."""
    p = vgw(*args, verbs=verbs)
    check(p.returncode == 0, what, p.stdout + p.stderr)
    return p


def vgw_json(*args, verbs=1):
    """The JSON that `vgw ARGS... --json` prints ({} if it prints none)."""
    p = vgw(*args, '--json', verbs=verbs)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {}


def pki(what, *args):
    """`vgw pki ARGS...` (offline: no --name) as a check."""
    p = subprocess.run([os.environ['VGW'], 'pki'] + list(args), capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=120)
    check(p.returncode == 0, what, p.stdout + p.stderr)
    return p.returncode == 0


def console():
    """The gateway's console log so far."""
    with open(os.environ['VGW_CONSOLE_LOG'], errors='replace') as f:
        return f.read()
