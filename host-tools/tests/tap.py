"""TAP for the vgw command's Python tests: one line per check, the plan
at the end, and the exit status."""
import sys

count = failed = 0


def check(cond, what, detail=''):
    """Records one check; a failed one shows the last lines of |detail|."""
    global count, failed
    count += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', count, what), flush=True)
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[-20:]:
            print('#   ' + line, flush=True)
    return cond


def finish():
    """Prints the plan and exits: 1 if any check failed."""
    print('1..%d' % count)
    sys.exit(1 if failed else 0)
