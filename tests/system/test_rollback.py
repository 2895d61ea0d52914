#!/usr/bin/env python3
"""A damaged newest flash generation is not a silent rollback (issue 9,
probe 5): the gateway boots the older generation, and both `status` and
the console log say that the newest generation was skipped and why.

The newest generation is damaged in the stopped gateway's flash.img by
flipping one payload byte, located from the slot headers as
docs/flash-store.md lays them out."""
import json
import os
import struct

import vgwtest

GW = 'rb'
HEADER_BLOCK = 4096      # payload starts this far into a slot
SLOT_MAX = 64 * 1024 * 1024


def slot_headers(image):
    """Returns [(slot offset, sequence)] of the slots whose header has the
    store magic (docs/flash-store.md, "Geometry" and "Slot header")."""
    size = len(image)
    slot_size = min(size // 2 // 4096 * 4096, SLOT_MAX)
    out = []
    for i in range(2):
        off = i * slot_size
        if image[off:off + 8] == b'VGWSTOR1':
            out.append((off, struct.unpack_from('<Q', image, off + 32)[0]))
    return out


def debug_level(run):
    """Returns `vgw param get --json GwDebugLevel`'s value, or the error."""
    p = run.vgw('param', 'get', '--json', '--name', GW, 'GwDebugLevel', timeout=60)
    try:
        return json.loads(p.stdout).get('value')
    except ValueError:
        return 'rc=%d %s%s' % (p.returncode, p.stdout, p.stderr)


def save_level(run, level):
    p = run.vgw('param', 'set', '--name', GW, 'GwDebugLevel', level, timeout=60)
    run.check(p.returncode == 0, 'vgw param set GwDebugLevel %s' % level, p.stdout + p.stderr)
    p = run.vgw('save', '--name', GW, timeout=60)
    run.check(p.returncode == 0, 'vgw save (GwDebugLevel %s)' % level, p.stdout + p.stderr)


def test(run):
    if not run.up(GW).returncode == 0:
        return
    st = run.status(GW) or {}
    run.check(st.get('config_source') == {'generation': None, 'skipped': []},
              'a factory boot reports config_source generation null, nothing skipped',
              st.get('config_source'))

    # Two saves: GwDebugLevel 3 in one generation, 4 in the next, which is
    # the newest (the first boot already wrote one with the TLS
    # certificate, so the numbers are read from the flash).
    save_level(run, '3')
    save_level(run, '4')
    p = run.vgw('down', '--name', GW, timeout=120)
    run.check(p.returncode == 0, 'vgw down', p.stdout + p.stderr)

    flash = os.path.join(run.state_root, GW, 'flash.img')
    with open(flash, 'rb') as f:
        image = bytearray(f.read())
    slots = slot_headers(image)
    seqs = sorted(seq for _, seq in slots)
    run.check(len(seqs) == 2 and seqs[1] == seqs[0] + 1,
              'the flash holds two successive generations', slots)
    if len(seqs) != 2:
        return
    older, newer = seqs
    newest = max(slots, key=lambda s: s[1])[0]
    image[newest + HEADER_BLOCK + 20] ^= 0x01
    with open(flash, 'r+b') as f:
        f.seek(newest + HEADER_BLOCK + 20)
        f.write(image[newest + HEADER_BLOCK + 20:newest + HEADER_BLOCK + 21])

    if not run.up(GW).returncode == 0:
        return
    st = run.status(GW) or {}
    run.check(st.get('config_source') ==
              {'generation': older, 'skipped': [{'generation': newer, 'reason': 'payload-checksum'}]},
              'status config_source: generation %d, generation %d skipped (payload-checksum)'
              % (older, newer), st.get('config_source'))
    run.check((st.get('config') or {}).get('generation') == older,
              'status config.generation is %d' % older, st.get('config'))
    level = debug_level(run)
    run.check(level == '3', 'the configuration is the older one (GwDebugLevel 3)', level)
    with open(os.path.join(run.state_root, GW, 'console.log'), errors='replace') as f:
        log = f.read()
    line = ('config: rolled back: flash generation %d skipped (payload-checksum); '
            'the configuration comes from flash generation %d' % (newer, older))
    run.check(line in log, 'the console log says: ' + line, run.console_tail(GW, 60))


if __name__ == '__main__':
    vgwtest.main(test)
