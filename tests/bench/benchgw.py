"""What the gateway benchmarks (restore.py, gateways_at_once.py,
lava_vs_runner.py) share: the built tree, the system tests' harness
(tests/system/vgwtest.py: a private state directory, every gateway
started stopped at the end, pass or fail), and the host's view of a
gateway: its QEMU's memory, the machine's load and free memory, the time
to a SIP OPTIONS answered.

Importing this module puts tests/system on the import path and points
$VGW, $VGW_QEMU and $VGW_IMAGES at build/ unless they are set already."""
import argparse
import os
import socket
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(TOP, 'build')
os.environ.setdefault('VGW', os.path.join(BUILD, 'host', 'host-tools', 'vgw'))
os.environ.setdefault('VGW_QEMU', os.path.join(BUILD, 'qemu', 'qemu-system-aarch64'))
os.environ.setdefault('VGW_IMAGES', os.path.join(BUILD, 'images'))
sys.path.insert(0, os.path.join(TOP, 'tests', 'system'))

import vgwtest  # noqa: E402  (needs $VGW and the path above)
from test_snapshot import options_request  # noqa: E402


def machine():
    """One line on the machine: CPUs, load averages, memory total and
    available."""
    mem = meminfo()
    return ('%d CPUs, load %.2f %.2f %.2f, MemTotal %.1f GiB, MemAvailable %.1f GiB'
            % ((os.cpu_count(),) + os.getloadavg() +
               (mem['MemTotal'] / 2**20, mem['MemAvailable'] / 2**20)))


def meminfo():
    """/proc/meminfo as {field: KiB}."""
    out = {}
    with open('/proc/meminfo') as f:
        for line in f:
            key, value = line.split(':', 1)
            out[key] = int(value.split()[0])
    return out


def qemu_pid(run, name):
    """The pid of gateway NAME's QEMU (its qemu.pid), None if unreadable."""
    try:
        with open(os.path.join(run.state_root, name, 'qemu.pid')) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def process_memory(pid):
    """{'Rss': KiB, 'Pss': KiB, ...} of process PID, summed over its
    mappings (/proc/PID/smaps_rollup); {} if it is gone."""
    out = {}
    try:
        with open('/proc/%d/smaps_rollup' % pid) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[2] == 'kB':
                    out[parts[0].rstrip(':')] = int(parts[1])
    except OSError:
        pass
    return out


def process_cpu_seconds(pid):
    """User plus system CPU seconds process PID has used (/proc/PID/stat),
    None if it is gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            # Fields after the command name (which may hold spaces), from
            # field 3 on: utime and stime are fields 14 and 15.
            fields = f.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def first_200_udp(port, start, timeout=300, interval=0.02):
    """Sends an OPTIONS over UDP to 127.0.0.1:PORT every INTERVAL seconds,
    each with a Call-ID of its own, until one is answered 200; returns the
    seconds from START (a time.monotonic() value) to that answer, or None
    after TIMEOUT seconds.  Before QEMU forwards the port, datagrams are
    refused or lost: that is what the repeats are for."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(interval)
        sent = set()
        n = 0
        while time.monotonic() - start < timeout:
            call_id = 'bench-%d-%d' % (port, n)
            n += 1
            try:
                s.sendto(options_request(call_id), ('127.0.0.1', port))
                sent.add(call_id)
            except OSError:
                pass
            until = time.monotonic() + interval
            while time.monotonic() < until:
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    break
                except OSError:  # ICMP port unreachable: nothing forwarded yet
                    time.sleep(max(0, until - time.monotonic()))
                    break
                now = time.monotonic()
                head, _, _ = data.partition(b'\r\n\r\n')
                lines = head.decode(errors='replace').split('\r\n')
                answered = [l.split(':', 1)[1].strip() for l in lines
                            if l.lower().startswith('call-id:')]
                if lines[0] == 'SIP/2.0 200 OK' and answered and answered[0] in sent:
                    return now - start
    return None


def main(test, option, default, what):
    """Runs TEST(run, N) under vgwtest.main (TAP; every gateway stopped at
    the end), N being the integer command-line OPTION (DEFAULT when not
    given; WHAT its help text)."""
    ap = argparse.ArgumentParser()
    ap.add_argument(option, type=int, default=default, help=what)
    n = vars(ap.parse_args())[option.lstrip('-')]
    vgwtest.main(lambda run: test(run, n))
