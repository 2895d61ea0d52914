#!/usr/bin/env python3
"""The gateway answers on its maintenance port: `vgw status --json` carries
the firmware's fields, and the ports it names are the runner's."""
import json
import os
import sys

# tap.py is beside this file; no __pycache__ left in the checkout.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

p = tap.vgw('status', '--json', timeout=120)
st = json.loads(p.stdout) if p.returncode == 0 else {}
tap.check(p.returncode == 0, 'vgw status --json exits 0', p.stderr)
tap.check(st.get('state') == 'running' and st.get('run_state') == 'running',
          'the gateway runs (host and QMP)', st)
tap.check(st.get('firmware_state') == 'running' and 'maint_error' not in st,
          'the firmware answers on the maintenance port', st)
ports = st.get('ports') or {}
tap.check(ports.get('sip_udp') == int(os.environ['VGW_SIP_PORT']) and
          ports.get('sips') == int(os.environ['VGW_SIPS_PORT']),
          'status names the ports in VGW_SIP_PORT and VGW_SIPS_PORT', ports)
tap.finish()
