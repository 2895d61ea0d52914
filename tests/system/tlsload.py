"""A running SIP-over-TLS load on a gateway, for tests and benchmarks that
change something under it (certificate hot swap: test_tls_hotswap.py,
tests/bench/tls_hotswap.py).

Two kinds of traffic, each in threads of its own, until stop():

  Persistent  N TLS connections opened at start; each sends OPTIONS one
              after the other (the next once the previous got its final
              answer) and records what became of every one, and whether
              the connection failed.
  Opener      T threads each opening connection after connection: TCP
              connect, a full TLS 1.3 handshake, the SHA-256 of the
              certificate the gateway served, one OPTIONS and its answer,
              close. Each cycle is recorded with when it started and ended
              (time.monotonic), so a test can tell which certificate
              changes it straddled without assuming anything about speed.

The certificate is not verified: these measure and observe; the tests
verify chains with openssl separately.
"""
import hashlib
import itertools
import socket
import ssl
import threading
import time

from test_sip_options import recv_response, request

_ids = itertools.count(1)


def tls13_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def connect(port, timeout=120):
    s = tls13_context().wrap_socket(socket.create_connection(('127.0.0.1', port),
                                                             timeout=timeout))
    return s


def fingerprint(der):
    return hashlib.sha256(der).hexdigest()


def options(s, tag):
    """Sends one OPTIONS on S and returns its status code (None: no
    parsable answer)."""
    n = next(_ids)
    s.sendall(request('OPTIONS', 'TLS', '%s%d' % (tag, n), '%s-%d@test' % (tag, n),
                      scheme='sips'))
    head = recv_response(s).split(b'\r\n', 1)[0].split()
    return int(head[1]) if len(head) >= 2 and head[1].isdigit() else None


class Persistent:
    """One connection of the persistent load."""

    def __init__(self, port, index, stop):
        self.port, self.index, self.stop = port, index, stop
        self.sent = self.ok = self.other = 0
        self.error = None          # why the connection failed, if it did
        self.cert = None           # SHA-256 of the certificate it was served
        self.local_port = None     # its host-side TCP port, once connected
        self.last_answer = None    # time.monotonic() of its last final answer
        self.answered_at = []      # time.monotonic() of each final answer
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            s = connect(self.port)
        except (OSError, ssl.SSLError) as e:
            self.error = 'connect: %s' % e
            return
        try:
            self.local_port = s.getsockname()[1]
            self.cert = fingerprint(s.getpeercert(binary_form=True))
            while not self.stop.is_set():
                self.sent += 1
                status = options(s, 'p%d_' % self.index)
                if status == 200:
                    self.ok += 1
                else:
                    self.other += 1
                    if status is None:
                        self.error = 'no answer to OPTIONS %d' % self.sent
                        return
                self.last_answer = time.monotonic()
                self.answered_at.append(self.last_answer)
        except (OSError, ssl.SSLError, ValueError, AttributeError) as e:
            self.error = '%s after %d OPTIONS' % (e, self.sent)
        finally:
            s.close()


class Cycle:
    __slots__ = ('start', 'end', 'cert', 'status', 'error')


class Load:
    """The whole load: PERSISTENT connections and OPENERS threads."""

    def __init__(self, port, persistent=8, openers=2):
        self.port = port
        self.stop_event = threading.Event()
        self.persistent = [Persistent(port, i, self.stop_event) for i in range(persistent)]
        self.cycles = []
        self.lock = threading.Lock()
        self.openers = [threading.Thread(target=self._open_loop, daemon=True)
                        for _ in range(openers)]

    def start(self):
        for p in self.persistent:
            p.thread.start()
        for t in self.openers:
            t.start()

    def _open_loop(self):
        while not self.stop_event.is_set():
            c = Cycle()
            c.start, c.cert, c.status, c.error = time.monotonic(), None, None, None
            try:
                s = connect(self.port)
                try:
                    c.cert = fingerprint(s.getpeercert(binary_form=True))
                    c.status = options(s, 'o')
                finally:
                    s.close()
            except (OSError, ssl.SSLError, ValueError, AttributeError) as e:
                c.error = str(e)
            c.end = time.monotonic()
            with self.lock:
                self.cycles.append(c)

    def cycles_started_after(self, t):
        with self.lock:
            return [c for c in self.cycles if c.start > t]

    def wait(self, what, pred, timeout):
        """Waits until PRED() holds (progress, not speed: TIMEOUT only
        bounds a stuck load); returns whether it did."""
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline or self.failed_persistent():
                return False
            time.sleep(0.2)
        return True

    def failed_persistent(self):
        return [p for p in self.persistent if p.error is not None]

    def stop(self):
        """Stops the load: a persistent connection ends after the answer
        it waits for; an opener after its cycle."""
        self.stop_event.set()
        for t in [p.thread for p in self.persistent] + self.openers:
            t.join(timeout=300)

    def longest_wait(self, start, end):
        """The longest time, in seconds, any persistent connection went
        without a final answer between START and END (time.monotonic()):
        what a pause of the gateway in that interval cost its peers."""
        longest = 0.0
        for p in self.persistent:
            times = [start] + [t for t in p.answered_at if start < t < end] + [end]
            longest = max([longest] + [b - a for a, b in zip(times, times[1:])])
        return longest

    def totals(self):
        """The persistent load's counts."""
        return {'connections': len(self.persistent),
                'dropped': len(self.failed_persistent()),
                'sent': sum(p.sent for p in self.persistent),
                'ok': sum(p.ok for p in self.persistent),
                'other': sum(p.other for p in self.persistent)}
