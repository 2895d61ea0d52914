"""What the SIP system tests share: SIPp (Debian's sip-tester) run against
a gateway with its own counters read, and SIP responses taken apart."""
import csv
import json
import os
import re
import socket
import subprocess


def parse_response(data):
    """(status, reason phrase, {lower-case header name: [values]})."""
    head = data.decode(errors='replace').split('\r\n\r\n', 1)[0].split('\r\n')
    m = re.match(r'SIP/2\.0 (\d{3}) (.*)$', head[0])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(':')
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return (int(m.group(1)) if m else None, m.group(2) if m else None, headers)


def run_sipp(run, scenario, transport, port, calls, *extra):
    """Runs CALLS calls of SCENARIO (a file in tests/system/sipp/, or a path) over
    TRANSPORT ('u1' or 't1') to 127.0.0.1:PORT, with EXTRA arguments;
    returns (exit code, output, {counter: value} from its stat file)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sipp', scenario)
    stat = os.path.join(run.state_root, 'sipp-%s-%s.csv' % (os.path.basename(scenario),
                                                             transport))
    p = subprocess.run(['sipp', '-sf', path, '-m', str(calls), '-r', '5',
                        '-t', transport, '-i', '127.0.0.1', '-nostdin',
                        '-max_non_invite_retrans', '10', '-timeout', '600',
                        '-timeout_error', '-trace_stat', '-stf', stat] + list(extra) +
                       ['127.0.0.1:%d' % port],
                       cwd=run.state_root, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=900)
    return p.returncode, p.stdout + p.stderr, sipp_stat(stat)


def sipp_stat(path):
    """{counter: value} of the last row of SIPp's stat file PATH (-stf),
    {} when there is none."""
    try:
        with open(path, newline='') as f:
            rows = list(csv.reader(f, delimiter=';'))
        return dict(zip(rows[0], rows[-1]))
    except (OSError, IndexError):
        return {}


def check_sipp(run, what, scenario, transport, port, calls, *extra):
    """run_sipp, checked: exit code 0 and its stat file counting CALLS
    successful calls and none failed."""
    rc, out, c = run_sipp(run, scenario, transport, port, calls, *extra)
    run.check(rc == 0, '%s: SIPp exit code 0' % what, out)
    run.check(c.get('SuccessfulCall(C)') == str(calls) and c.get('FailedCall(C)') == '0',
              '%s: SIPp\'s stat file counts %d successful calls, 0 failed' % (what, calls),
              c or out)


def next_request(sock, method, cseq=None):
    """The next request METHOD (with CSeq number CSEQ, when given) that
    arrives on SOCK: (its text, from). Others, such as retransmissions of an
    earlier INVITE, are skipped."""
    while True:
        data, src = sock.recvfrom(65536)
        text = data.decode(errors='replace')
        if text.startswith(method + ' ') and (
                cseq is None or header(text, 'cseq') == '%d %s' % (cseq, method)):
            return text, src


def answer(sock, request, src, status, phrase, tag):
    """Answers REQUEST from SOCK with its Via, Record-Route, From, To (with
    TAG), Call-ID and CSeq copied, as RFC 3261 §8.2.6.2 and §12.1.1 say."""
    head = request.split('\r\n\r\n', 1)[0].split('\r\n')[1:]
    keep = [l for l in head if l.split(':', 1)[0].strip().lower() in
            ('via', 'v', 'record-route', 'from', 'f', 'call-id', 'i', 'cseq')]
    to = [l for l in head if l.split(':', 1)[0].strip().lower() in ('to', 't')][0]
    if ';tag=' not in to:
        to += ';tag=' + tag
    text = 'SIP/2.0 %d %s\r\n%s\r\n%s\r\nContent-Length: 0\r\n\r\n' % (
        status, phrase, '\r\n'.join(keep), to)
    sock.sendto(text.encode(), src)


def header(text, name):
    """The value of the first header NAME in the message TEXT, or ''."""
    for line in text.split('\r\n\r\n', 1)[0].split('\r\n')[1:]:
        key, _, value = line.partition(':')
        if key.strip().lower() == name:
            return value.strip()
    return ''


def response_again(run, what, sock, expect, timeout=60):
    """Whether EXPECT(), reading from SOCK, gives the 2xx to an INVITE
    again within TIMEOUT seconds while the ACK is withheld (RFC 3261
    §13.3.1.4); checked as WHAT."""
    old = sock.gettimeout()
    sock.settimeout(timeout)
    try:
        status, _, h, _ = expect('INVITE', 200)
    except socket.timeout:
        status, h = None, 'no second 200 in %d s' % timeout
    finally:
        sock.settimeout(old)
    run.check(status == 200, what, h)
    return status == 200


def finish_sipp(run, what, p):
    """Waits for SIPp P (a Popen whose .stat is its -stf file); checks exit
    code 0 and one successful call in its stat file."""
    try:
        out, _ = p.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    counters = sipp_stat(p.stat)
    run.check(p.returncode == 0 and counters.get('SuccessfulCall(C)') == '1' and
              counters.get('FailedCall(C)') == '0',
              '%s: SIPp exit code 0, its stat file counts 1 successful call, 0 failed' % what,
              '%s\n%s' % (counters, out))


def finish_call(run, what, caller, callee):
    """finish_sipp of the caller's SIPp, then the callee's: each counts the
    one call successful."""
    finish_sipp(run, '%s: the caller' % what, caller)
    finish_sipp(run, '%s: the callee' % what, callee)


def kill(*procs):
    """Kills each of PROCS (None: never started) still running."""
    for p in procs:
        if p is not None and p.poll() is None:
            p.kill()
            p.communicate()


def vgw_json(run, gw, *args):
    """`vgw ARGS --name GW --json` parsed ({} with a failed check when it
    prints no JSON)."""
    p = run.vgw(*args, '--name', gw, '--json', timeout=60)
    try:
        return json.loads(p.stdout)
    except ValueError:
        run.check(False, 'vgw %s --json prints JSON' % ' '.join(args), p.stdout + p.stderr)
        return {}


def registrations(run, gw):
    """`vgw sip registrations --json` on gateway GW as a dict."""
    return vgw_json(run, gw, 'sip', 'registrations')
