#!/usr/bin/env python3
"""Renders the LAVA files for one vgw board and one job into a directory.

    lava/render-job.py --qemu QEMU --serial S --mac-base M --board-secret FILE
                       --images DIR --flash FILE --keystore FILE --out DIR
                       [SCENARIO ...]

Writes DIR/device.yaml (from device-vgw.yaml.in), DIR/job.yaml (from
job-vgw.yaml.in plus one `test:` action per scenario, default: every file
in lava/scenarios/, in name order) and DIR/dispatcher.yaml.  Every path
must exist and is written absolute: LAVA finds a relative QEMU nowhere,
and file:// URLs need absolute paths.  Run the job with

    lava-run --job-id ID --output-dir OUT --device DIR/device.yaml \\
             --dispatcher DIR/dispatcher.yaml DIR/job.yaml
"""
import argparse
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, 'scenarios')

# The dispatcher's address for substitutions ({SERVER_IP}).  Named, so a
# worker without an IPv4 default route does not fail validation.
DISPATCHER = 'dispatcher_ip: 127.0.0.1\n'


def existing(path, kind):
    """PATH made absolute; exits with a reason when it is not a KIND."""
    path = os.path.abspath(path)
    ok = os.path.isdir(path) if kind == 'directory' else os.path.isfile(path)
    if not ok:
        sys.exit('render-job: no %s at %s' % (kind, path))
    return path


def wan_mac(mac_base):
    """The MAC after MAC_BASE (the WAN port's); exits when it is no MAC."""
    octets = mac_base.split(':')
    if len(octets) != 6 or not all(re.fullmatch(r'[0-9A-Fa-f]{2}', o) for o in octets):
        sys.exit('render-job: --mac-base %r is not a MAC address' % mac_base)
    n = (int(''.join(octets), 16) + 1) % (1 << 48)
    return ':'.join('%02x' % ((n >> s) & 0xff) for s in range(40, -8, -8))


def fill(template, values):
    """The text of lava/TEMPLATE with each @NAME@ replaced by values[NAME]."""
    with open(os.path.join(HERE, template)) as f:
        text = f.read()
    for name, value in values.items():
        text = text.replace('@%s@' % name, value)
    for line in text.splitlines():
        left = re.search(r'@[A-Z_]+@', line)
        if left and not line.lstrip().startswith('#'):
            sys.exit('render-job: %s: no value for %s' % (template, left.group(0)))
    return text


def scenario_tests(names):
    """The `test:` actions of the scenarios NAMES (every one if empty); a
    name ending in .yaml is a path to a scenario file elsewhere."""
    if not names:
        names = sorted(n[:-len('.yaml')] for n in os.listdir(SCENARIOS) if n.endswith('.yaml'))
    tests = []
    for name in names:
        path = name if name.endswith('.yaml') else os.path.join(SCENARIOS, name + '.yaml')
        if not os.path.isfile(path):
            sys.exit('render-job: no scenario %s (%s)' % (name, path))
        with open(path) as f:
            tests.append({'test': yaml.safe_load(f)})
    return tests


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--qemu', required=True, help='qemu-system-aarch64 with the vgw board')
    ap.add_argument('--serial', required=True, help="the board's serial number")
    ap.add_argument('--mac-base', required=True, help="the board's MAC base")
    ap.add_argument('--board-secret', required=True, help="the board secret wrapping the keystore")
    ap.add_argument('--images', required=True, help='directory with Image and initramfs.cpio.gz')
    ap.add_argument('--flash', required=True, help='configuration flash image')
    ap.add_argument('--keystore', required=True, help='keystore file')
    ap.add_argument('--out', required=True, help='directory to write the YAML files into')
    ap.add_argument('scenario', nargs='*', help='scenario names (lava/scenarios/NAME.yaml) or files')
    a = ap.parse_args()

    device = fill('device-vgw.yaml.in', {
        'QEMU': existing(a.qemu, 'file'),
        'SERIAL': a.serial,
        'MAC_BASE': a.mac_base,
        'WAN_MAC': wan_mac(a.mac_base),
        'BOARD_SECRET': existing(a.board_secret, 'file'),
    })
    job = yaml.safe_load(fill('job-vgw.yaml.in', {
        'IMAGES': existing(a.images, 'directory'),
        'FLASH': existing(a.flash, 'file'),
        'KEYSTORE': existing(a.keystore, 'file'),
    }))
    job['actions'].extend(scenario_tests(a.scenario))

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'device.yaml'), 'w') as f:
        f.write(device)
    with open(os.path.join(a.out, 'job.yaml'), 'w') as f:
        yaml.safe_dump(job, f, sort_keys=False)
    with open(os.path.join(a.out, 'dispatcher.yaml'), 'w') as f:
        f.write(DISPATCHER)


if __name__ == '__main__':
    main()
