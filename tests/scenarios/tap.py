"""TAP for Python scenarios (not a scenario itself: not executable).

    import tap
    tap.check(cond, 'what', detail)   # ok / not ok, DETAIL's last lines as comments
    tap.vgw('status', '--json')       # the gateway's vgw, --name added after the verbs
    tap.finish()                      # the plan; exit 1 if a check failed
"""
import json
import os
import subprocess
import sys

_count = 0
_failed = 0


def check(cond, what, detail=''):
    """Prints one TAP line for WHAT; when COND is false, the last lines of
    DETAIL (anything str() takes) follow as comments. Returns COND."""
    global _count, _failed
    _count += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', _count, what), flush=True)
    if not cond:
        _failed += 1
        for line in str(detail).splitlines()[-20:]:
            print('#   ' + line, flush=True)
    return bool(cond)


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


def finish():
    print('1..%d' % _count)
    sys.exit(1 if _failed else 0)
