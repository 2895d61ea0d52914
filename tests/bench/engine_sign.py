#!/usr/bin/env python3
"""Crypto engine sign throughput: SIGN commands per second for each key type
and scheme, driven over QEMU's qtest protocol the way offline provisioning
drives the engine (no kernel, -accel qtest).

    tests/bench/engine_sign.py [--ops N] [--qemu PATH]

Two figures per scheme: the median time of a whole SIGN as a qtest client
sees it (writing the digest, running the command, reading the signature
word by word), and the engine's own time: the median of CMD-to-completion
for the SIGN minus the same for a NOP run right after it (a command the
engine completes without cryptography).  The modelled latency is on QEMU's
virtual clock, which only moves when the script steps it, so it adds no
wall time here.  Every SIGN must complete with ERROR 0, and the first
signature of each scheme is checked with python3-cryptography against the
exported public key.
"""
import argparse
import hashlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QEMU = os.path.join(TOP, 'build', 'qemu', 'qemu-system-aarch64')


def regs():
    """Register offsets and values from the contract header (numbers and
    (1u << n) forms)."""
    path = os.path.join(TOP, 'machine', 'regs', 'vgw_crypto.h')
    define = re.compile(r'#define\s+(VGW_\w+)\s+([^/]+?)\s*(/\*.*)?$')
    out = {}
    with open(path) as f:
        for line in f:
            m = define.match(line.strip())
            if not m:
                continue
            value = re.sub(r'\b(0x[0-9a-fA-F]+|\d+)u\b', r'\1', m.group(2))
            if re.fullmatch(r'[0-9a-fA-Fx()<\s]+', value):
                out[m.group(1)] = eval(value)  # digits, parentheses and << only
    return out


R = regs()
BASE = 0x09040000
LATENCY_NS = 1000


class Engine:
    """One QEMU with the vgw board, driven over the qtest protocol."""

    def __init__(self, qemu):
        self.dir = tempfile.TemporaryDirectory(prefix='vgw-bench-')
        path = os.path.join(self.dir.name, 'qtest.sock')
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(path)
        lsock.listen(1)
        self.proc = subprocess.Popen(
            [qemu, '-M', 'vgw,crypto-latency-ns=%d' % LATENCY_NS, '-accel', 'qtest',
             '-qtest', 'unix:' + path, '-qtest-log', '/dev/null', '-display', 'none',
             '-nodefaults'],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        lsock.settimeout(60)
        self.sock, _ = lsock.accept()
        lsock.close()
        self.rfile = self.sock.makefile('rb')

    def close(self):
        self.sock.close()
        self.proc.terminate()
        self.proc.wait()
        self.dir.cleanup()

    def cmd(self, line):
        self.sock.sendall(line.encode() + b'\n')
        while True:
            reply = self.rfile.readline().decode().split()
            if reply and reply[0] == 'OK':
                return reply[1:]
            if not reply or reply[0] != 'IRQ':
                raise RuntimeError('qtest: %r -> %r' % (line, reply))

    def rd(self, reg):
        return int(self.cmd('readl 0x%x' % (BASE + reg))[0], 16)

    def wr(self, reg, value):
        self.cmd('writel 0x%x 0x%x' % (BASE + reg, value))

    def put_input(self, data):
        for i in range(0, len(data), 4):
            self.wr(R['VGW_CRYPTO_IN_BUF'] + i,
                    int.from_bytes(data[i:i + 4].ljust(4, b'\0'), 'little'))
        self.wr(R['VGW_CRYPTO_IN_LEN'], len(data))

    def output(self):
        n = self.rd(R['VGW_CRYPTO_OUT_LEN'])
        out = b''.join(self.rd(R['VGW_CRYPTO_OUT_BUF'] + i).to_bytes(4, 'little')
                       for i in range(0, n, 4))
        return out[:n]

    def run(self, opcode):
        self.wr(R['VGW_CRYPTO_CMD'], opcode)
        self.cmd('clock_step %d' % LATENCY_NS)
        status = self.rd(R['VGW_CRYPTO_STATUS'])
        if status & R['VGW_CRYPTO_STATUS_BUSY']:
            raise RuntimeError('engine still busy')
        return self.rd(R['VGW_CRYPTO_ERROR'])


def setup(eng, slot, scheme, digest):
    eng.wr(R['VGW_CRYPTO_SLOT'], slot)
    eng.wr(R['VGW_CRYPTO_SCHEME'], scheme)
    eng.put_input(digest)


def one_sign(eng, opcode, slot, scheme, digest):
    """Runs @opcode on the inputs; returns OUT_BUF."""
    setup(eng, slot, scheme, digest)
    err = eng.run(opcode)
    if err:
        raise RuntimeError('command failed with ERROR %d' % err)
    return eng.output()


def timed_run(eng, opcode):
    """Wall time from CMD to the completed STATUS/ERROR reads."""
    t0 = time.perf_counter()
    err = eng.run(opcode)
    t = time.perf_counter() - t0
    if err:
        raise RuntimeError('command failed with ERROR %d' % err)
    return t


def verify(spki, scheme, digest, sig, msg):
    pub = serialization.load_der_public_key(spki)
    h = {32: hashes.SHA256(), 48: hashes.SHA384(), 64: hashes.SHA512()}[len(digest)]
    if scheme == R['VGW_SIG_ECDSA']:
        pub.verify(sig, msg, ec.ECDSA(h))
    elif scheme >= R['VGW_SIG_RSA_PSS_SHA256']:
        pub.verify(sig, msg, padding.PSS(padding.MGF1(h), len(digest)), h)
    else:
        pub.verify(sig, msg, padding.PKCS1v15(), h)


def measure(eng, slot, scheme, hashfn, ops):
    """Median wall time of a whole SIGN over qtest (inputs, command, reading
    the signature), and the engine's own time: median of CMD-to-completion
    for SIGN minus the same for a NOP run right before it."""
    msg = b'INVITE sip:bob@example.com SIP/2.0'
    digest = hashfn(msg).digest()
    spki = one_sign(eng, R['VGW_CRYPTO_CMD_EXPORT_PUB'], slot, 0, b'')
    verify(spki, scheme, digest, one_sign(eng, R['VGW_CRYPTO_CMD_SIGN'], slot, scheme,
                                          digest), msg)
    totals, engine = [], []
    for _ in range(ops):
        t0 = time.perf_counter()
        setup(eng, slot, scheme, digest)
        t_sign = timed_run(eng, R['VGW_CRYPTO_CMD_SIGN'])
        eng.output()
        totals.append(time.perf_counter() - t0)
        t_nop = timed_run(eng, R['VGW_CRYPTO_CMD_NOP'])
        engine.append(t_sign - t_nop)
    return statistics.median(totals), statistics.median(engine)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ops', type=int, default=200, help='signatures per scheme')
    ap.add_argument('--qemu', default=QEMU)
    args = ap.parse_args()

    eng = Engine(args.qemu)
    try:
        keys = [('EC P-256', R['VGW_KEY_TYPE_EC_P256']),
                ('RSA-2048', R['VGW_KEY_TYPE_RSA_2048']),
                ('RSA-3072', R['VGW_KEY_TYPE_RSA_3072'])]
        for slot, (_, ktype) in enumerate(keys):
            eng.wr(R['VGW_CRYPTO_SLOT'], slot)
            eng.wr(R['VGW_CRYPTO_KEY_TYPE'], ktype)
            if eng.run(R['VGW_CRYPTO_CMD_GENERATE']):
                raise RuntimeError('GENERATE failed')
        cases = [(0, 'EC P-256', 'ECDSA SHA-256', 'VGW_SIG_ECDSA', hashlib.sha256)]
        for slot, name in ((1, 'RSA-2048'), (2, 'RSA-3072')):
            cases += [(slot, name, 'PKCS#1 v1.5 SHA-256', 'VGW_SIG_RSA_PKCS1_SHA256',
                       hashlib.sha256),
                      (slot, name, 'PKCS#1 v1.5 SHA-384', 'VGW_SIG_RSA_PKCS1_SHA384',
                       hashlib.sha384),
                      (slot, name, 'PSS SHA-256', 'VGW_SIG_RSA_PSS_SHA256',
                       hashlib.sha256)]
        print('%-9s %-21s %14s %14s %16s' % ('key', 'scheme', 'ms/op (qtest)',
                                             'engine ms/op', 'engine signs/s'))
        for slot, name, label, scheme, hashfn in cases:
            total, engine = measure(eng, slot, R[scheme], hashfn, args.ops)
            print('%-9s %-21s %14.3f %14.3f %16.0f' % (name, label, total * 1e3,
                                                      engine * 1e3, 1 / engine))
        print('(medians of %d SIGNs each; "engine": CMD to completion minus the same '
              'for a NOP)' % args.ops)
    finally:
        eng.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
