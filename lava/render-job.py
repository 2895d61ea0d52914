#!/usr/bin/env python3
"""Renders the LAVA files for one vgw board and one job into a directory.

    lava/render-job.py --qemu QEMU --serial S --mac-base M --board-secret FILE
                       --images DIR --flash FILE --keystore FILE --out DIR
                       [SCENARIO ...]

Writes DIR/device.yaml (device-types/vgw.jinja2 rendered, as a LAVA
server renders a device dictionary), DIR/job.yaml (job-vgw.yaml.jinja2
plus one `test:` action per scenario, default: every file in
lava/scenarios/, in name order) and DIR/dispatcher.yaml.  The QEMU and
the board secret are paths on this machine; the kernel, initramfs, flash
and keystore are URLs or local files.  Every local path must exist and
is written absolute: LAVA finds a relative QEMU nowhere, and file:// URLs
need absolute paths.  Run the job with

    lava-run --job-id ID --output-dir OUT --device DIR/device.yaml \\
             --dispatcher DIR/dispatcher.yaml DIR/job.yaml
"""
import argparse
import os
import re
import sys

import jinja2
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


def url(location):
    """LOCATION as a URL LAVA can download: a URL stays, a local file
    becomes an absolute file:// URL (and must exist)."""
    if re.match(r'(https?|file)://', location):
        return location
    return 'file://' + existing(location, 'file')


def wan_mac(mac_base):
    """The MAC after MAC_BASE (the WAN port's); exits when it is no MAC."""
    octets = mac_base.split(':')
    if len(octets) != 6 or not all(re.fullmatch(r'[0-9A-Fa-f]{2}', o) for o in octets):
        sys.exit('render-job: --mac-base %r is not a MAC address' % mac_base)
    n = (int(''.join(octets), 16) + 1) % (1 << 48)
    return ':'.join('%02x' % ((n >> s) & 0xff) for s in range(40, -8, -8))


def render(template, **values):
    """lava/TEMPLATE rendered with VALUES; every variable it uses must be
    given."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([HERE, os.path.join(HERE, 'device-types')]),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        return env.get_template(template).render(**values)
    except jinja2.UndefinedError as e:
        sys.exit('render-job: %s: %s' % (template, e))


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
    ap.add_argument('--images', required=True, help='directory (or URL) with Image and initramfs.cpio')
    ap.add_argument('--flash', required=True, help='configuration flash image (file or URL)')
    ap.add_argument('--keystore', required=True, help='keystore (file or URL)')
    ap.add_argument('--out', required=True, help='directory to write the YAML files into')
    ap.add_argument('scenario', nargs='*', help='scenario names (lava/scenarios/NAME.yaml) or files')
    a = ap.parse_args()

    device = render('vgw.jinja2', qemu_command=existing(a.qemu, 'file'),
                    board_serial=a.serial, board_mac_base=a.mac_base,
                    board_wan_mac=wan_mac(a.mac_base),
                    board_secret=existing(a.board_secret, 'file'))
    job = yaml.safe_load(render('job-vgw.yaml.jinja2',
                                kernel_url=url(os.path.join(a.images, 'Image')),
                                ramdisk_url=url(os.path.join(a.images, 'initramfs.cpio')),
                                flash_url=url(a.flash), keystore_url=url(a.keystore)))
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
