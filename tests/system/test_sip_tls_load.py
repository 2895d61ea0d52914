#!/usr/bin/env python3
"""A booted gateway stays up under the heaviest SIP-over-TLS load of the
benchmark and more (issue 10): 100 TLS connections each keeping 16 OPTIONS
outstanding (tests/bench/sip_tls_load, the load generator of
tests/bench/sip_tls.py, whose benchmark keeps 4) for LOAD_SECONDS.

Under this load the gateway used to be reset by its watchdog: every
answer went out at once, the client sent the next request into the same
read, and one main-loop iteration served all 100 connections for tens of
messages each, past the 10 s watchdog the loop kicks.  Now each connection
hands the SIP layer at most `messages_per_turn` messages per iteration and
waits for its next turn with the rest (`deferred` in status).

What a user checks: the gateway did not reset (same boot: reset count,
reset cause and crash count unchanged, its uptime went on); every OPTIONS
the client sent got its 200, none was lost or refused, and the gateway's
own counters for the run (`sip.tls` received and sent, `tls` handshakes)
are exactly the client's; the bound did its work (`deferred` grew, the
console says so once); and an OPTIONS sent afterwards is answered.

The window is four times the benchmark's: the gateway answers what one
wake-up read in one write, so a client with no more than
`messages_per_turn` requests outstanding never has more waiting, and the
bound would have nothing to do."""
import json
import os
import socket
import ssl
import subprocess

import vgwtest
from test_sip_options import check_options_ok, recv_response, request

GW = 'tlsload'
CONNECTIONS = 100
WINDOW = 16  # four times MESSAGES_PER_TURN, see above
LOAD_SECONDS = 15
# Answers still on their way when the load stops get this long.
DRAIN_SECONDS = 120
MESSAGES_PER_TURN = 4  # VGW_SIP_MESSAGES_PER_TURN (device-fw/vgwd/sip_transport.h)


def load_generator():
    """tests/bench/sip_tls_load in the build tree vgw comes from."""
    path = os.environ.get('SIP_TLS_LOAD')
    if path is None:
        host_build = os.path.dirname(os.path.dirname(os.path.abspath(vgwtest.VGW)))
        path = os.path.join(host_build, 'tests', 'bench', 'sip_tls_load')
    return path


def run_load(run, port):
    """Runs the load; returns its JSON result (None with a failed check)."""
    path = load_generator()
    if not os.access(path, os.X_OK):
        run.check(False, 'the load generator is built', path)
        return None
    p = subprocess.run([path, '--port', str(port), '--mode', 'options',
                        '--connections', str(CONNECTIONS), '--window', str(WINDOW),
                        '--seconds', str(LOAD_SECONDS), '--drain', str(DRAIN_SECONDS)],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       timeout=LOAD_SECONDS + DRAIN_SECONDS + 300)
    run.note(p.stderr)
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        run.check(False, 'sip_tls_load reports its counts',
                  'exit %d\n%s%s' % (p.returncode, p.stdout, p.stderr))
        return None


def counters(st):
    """The status figures this test compares before and after the load."""
    sip_tls = (st.get('sip') or {}).get('tls') or {}
    return {'reset_cause': st.get('reset_cause'), 'reset_count': st.get('reset_count'),
            'crash_count': st.get('crash_count'), 'uptime': st.get('guest_uptime_s'),
            'received': sip_tls.get('received'), 'sent': sip_tls.get('sent'),
            'deferred': sip_tls.get('deferred'),
            'messages_per_turn': sip_tls.get('messages_per_turn'),
            'handshakes': (st.get('tls') or {}).get('handshakes')}


def options_after(run, port):
    """One OPTIONS on a new TLS connection once the load is over."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=120)) as s:
        s.sendall(request('OPTIONS', 'TLS', 'after', 'after-load@test', scheme='sips'))
        data = recv_response(s)
    check_options_ok(run, 'an OPTIONS after the load', data, 'TLS', 'after',
                     'after-load@test', scheme='sips')


def test(run):
    if run.up(GW).returncode != 0:
        return
    st = run.status(GW)
    if st is None:
        return
    port = st['ports']['sips']
    before = counters(st)
    run.check(before['messages_per_turn'] == MESSAGES_PER_TURN and before['deferred'] == 0,
              'status shows the bound (%d messages per connection and turn), nothing '
              'deferred yet' % MESSAGES_PER_TURN, before)

    r = run_load(run, port)
    if r is None:
        return
    st = run.status(GW)
    if st is None:
        return
    after = counters(st)
    run.note('before %s\nafter  %s' % (before, after))

    run.check(after['reset_count'] == before['reset_count'] and
              after['reset_cause'] == before['reset_cause'] and
              after['crash_count'] == before['crash_count'] and
              after['uptime'] is not None and before['uptime'] is not None and
              after['uptime'] > before['uptime'],
              'the gateway did not reset nor restart its firmware under the load (same boot)',
              str(after) + run.console_tail(GW))
    run.check(r['handshakes'] == CONNECTIONS and r['connect_failed'] == 0 and
              r['handshake_failed'] == 0 and r['conn_lost'] == 0,
              'all %d TLS connections were set up and none was lost' % CONNECTIONS, r)
    run.check(r['sent'] > CONNECTIONS * WINDOW and r['unanswered'] == 0 and
              r['ok'] == r['sent'] and r['other'] == 0,
              'every OPTIONS sent (%d) got its 200: none unanswered, none refused'
              % r['sent'], r)
    if None in after.values() or None in before.values():
        run.check(False, 'status --json has every counter this test reads', after)
        return
    run.check(after['received'] - before['received'] == r['sent'] and
              after['sent'] - before['sent'] == r['ok'] + r['other'],
              'the gateway counted exactly what the client sent and got '
              '(sip.tls received %d, sent %d)' % (after['received'] - before['received'],
                                                  after['sent'] - before['sent']),
              {'client': r, 'before': before, 'after': after})
    run.check(after['handshakes'] - before['handshakes'] == r['handshakes'],
              'the gateway counted the client\'s TLS handshakes', (before, after, r))
    run.check(after['deferred'] > 0,
              'connections with more than %d messages waited for their next turn (deferred %d)'
              % (MESSAGES_PER_TURN, after['deferred']), after)
    log = open(os.path.join(run.state_root, GW, 'console.log'), errors='replace').read()
    run.check(log.count('more than %d messages in one main-loop iteration' % MESSAGES_PER_TURN)
              == 1, 'the console says once that connections are served in turns',
              run.console_tail(GW))
    options_after(run, port)


vgwtest.main(test)
