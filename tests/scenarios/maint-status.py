#!/usr/bin/env python3
"""The gateway answers on its maintenance port: `vgw status --json` carries
the firmware's fields, and the ports it names are the runner's."""
import json
import os
import subprocess
import sys

n = 0
failed = 0


def check(cond, what, detail=''):
    global n, failed
    n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, what))
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[-20:]:
            print('#   ' + line)


p = subprocess.run([os.environ['VGW'], 'status', '--json', '--name', os.environ['VGW_NAME']],
                   capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
st = json.loads(p.stdout) if p.returncode == 0 else {}
check(p.returncode == 0, 'vgw status --json exits 0', p.stderr)
check(st.get('state') == 'running' and st.get('run_state') == 'running',
      'the gateway runs (host and QMP)', st)
check(st.get('firmware_state') == 'running' and 'maint_error' not in st,
      'the firmware answers on the maintenance port', st)
ports = st.get('ports') or {}
check(ports.get('sip_udp') == int(os.environ['VGW_SIP_PORT']) and
      ports.get('sips') == int(os.environ['VGW_SIPS_PORT']),
      'status names the ports in VGW_SIP_PORT and VGW_SIPS_PORT', ports)
print('1..%d' % n)
sys.exit(1 if failed else 0)
