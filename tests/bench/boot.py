#!/usr/bin/env python3
"""Boot benchmark: `vgw up` to ready, next to the stock `virt` board booting
the same kernel to a busybox shell, measured in the same run.

    tests/bench/boot.py [--rounds N] [--board-only] [--images DIR] [--seed N]

Needs a built tree (scripts/build.sh).  Prints each measurement, the
medians and their ratio (the budget is 1.3x).  Rounds alternate between the
two so machine noise hits both alike.

--board-only boots the anchor's kernel and busybox initramfs on -M vgw too,
in place of `vgw up`: the boards compared with the firmware left out.

--images DIR boots `vgw up` from another images directory (VGW_IMAGES), e.g.
an older build's kept aside, so two firmware images can be compared in one
session; `virt` keeps the anchor of this tree's build.

--seed N boots every round with QEMU's -seed N (`vgw up --seed N`): the
same KASLR layout each round, and on `vgw up` the same first-boot device
key, whose generation in the engine otherwise takes 25-330 ms by the luck
of its prime search.
"""
import argparse
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QEMU = os.path.join(TOP, 'build', 'qemu', 'qemu-system-aarch64')
IMAGES = os.path.join(TOP, 'build', 'images')
VGW = os.path.join(TOP, 'build', 'host', 'host-tools', 'vgw')
# busybox ash follows its prompt with a cursor-position query (ESC [6n).
PROMPT = re.compile(rb'(^|\n)[^\n]*# (\x1b\[6n)?$')


VIRT = ['-M', 'virt', '-cpu', 'cortex-a53']
VGW_BOARD = ['-M', 'vgw']


def anchor_to_shell(board=VIRT, seed=None, timeout=300):
    """Seconds from starting QEMU on |board| (-M virt unless told) until
    busybox sh, the anchor initramfs' /init, prints its prompt."""
    argv = [QEMU] + board + ['-m', '256', '-nodefaults',
            '-display', 'none', '-kernel', os.path.join(IMAGES, 'Image'),
            '-initrd', os.path.join(IMAGES, 'anchor-initramfs.cpio.gz'),
            '-append', 'console=ttyAMA0 quiet', '-serial', 'stdio']
    if seed is not None:
        argv += ['-seed', str(seed)]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    out = b''
    try:
        while time.monotonic() - t0 < timeout:
            r, _, _ = select.select([p.stdout], [], [], 1)
            if r:
                chunk = os.read(p.stdout.fileno(), 4096)
                if not chunk:
                    break
                out += chunk
                if PROMPT.search(out):
                    return time.monotonic() - t0
        raise RuntimeError('%s did not reach a shell: %r' % (board[1], out[-500:]))
    finally:
        p.kill()
        p.wait()


def vgw_to_ready(state, images=None, seed=None):
    env = dict(os.environ, VGW_STATE_DIR=state)
    if images is not None:
        env['VGW_IMAGES'] = images
    argv = [VGW, 'up', '--name', 'bench', '--detach', '--sip-port', '0', '--sip-tls-port', '0']
    if seed is not None:
        argv += ['--seed', str(seed)]
    t0 = time.monotonic()
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - t0
    subprocess.run([VGW, 'down', '--name', 'bench'], env=env, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError('vgw up failed: ' + p.stderr)
    # A fresh flash copy each round, so every round is a factory first boot.
    shutil.rmtree(os.path.join(state, 'bench'), ignore_errors=True)
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--board-only', action='store_true',
                    help='boot the anchor initramfs on -M vgw instead of `vgw up`')
    ap.add_argument('--images', metavar='DIR',
                    help='images directory for `vgw up` (default: the build\'s)')
    ap.add_argument('--seed', type=int,
                    help='QEMU -seed for every boot (the same device key each round)')
    args = ap.parse_args()
    label = 'vgw board to shell' if args.board_only else 'vgw up to ready'
    state = tempfile.mkdtemp(prefix='vgwbench-', dir='/tmp')
    virt, vgw = [], []
    try:
        for i in range(args.rounds):
            virt.append(anchor_to_shell(seed=args.seed))
            vgw.append(anchor_to_shell(VGW_BOARD, args.seed) if args.board_only
                       else vgw_to_ready(state, args.images, args.seed))
            print('round %d: virt to shell %.2f s, %s %.2f s' % (i + 1, virt[-1], label, vgw[-1]),
                  flush=True)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    mv, mg = statistics.median(virt), statistics.median(vgw)
    print('median: virt to shell %.2f s, %s %.2f s, ratio %.2fx (budget 1.30x)'
          % (mv, label, mg, mg / mv))
    print('spread: virt to shell %.2f-%.2f s, %s %.2f-%.2f s'
          % (min(virt), max(virt), label, min(vgw), max(vgw)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
