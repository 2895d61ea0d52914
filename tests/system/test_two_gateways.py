#!/usr/bin/env python3
"""Two named gateways run side by side without clashing."""
import json

import vgwtest


def test(run):
    run.up('gwa')
    run.up('gwb')
    a = run.status('gwa') or {}
    b = run.status('gwb') or {}
    run.check(a.get('state') == 'running' and b.get('state') == 'running',
              'both gateways are running', (a, b))
    run.check(a.get('serial') and a.get('serial') != b.get('serial'),
              'each gateway has its own serial number', (a, b))
    pa, pb = a.get('ports', {}), b.get('ports', {})

    def host_ports(ports):
        # A port, or a list of them (the RTP range).
        out = set()
        for v in ports.values():
            out.update(v if isinstance(v, list) else [v])
        return out
    run.check(bool(pa) and bool(pb) and host_ports(pa).isdisjoint(host_ports(pb)),
              'the two gateways use disjoint host ports, RTP ranges included', (pa, pb))

    p = run.vgw('list', '--json')
    try:
        listed = {g['name']: g for g in json.loads(p.stdout)}
    except (ValueError, KeyError, TypeError):
        listed = {}
    run.check(listed.get('gwa', {}).get('state') == 'running' and
              listed.get('gwb', {}).get('state') == 'running',
              'vgw list --json shows both running', p.stdout + p.stderr)

    d = run.vgw('down', '--name', 'gwa', timeout=120)
    run.check(d.returncode == 0, 'vgw down --name gwa succeeds', d.stderr)
    b = run.status('gwb') or {}
    run.check(b.get('state') == 'running' and b.get('reset_cause') == 'power-on',
              'stopping one gateway leaves the other running untouched', b)


vgwtest.main(test)
