#!/usr/bin/env python3
# A stand-in for qemu-system-aarch64 -M vgw, for test-flows.py: it parses
# the options vgw passes, binds the forwarded ports, serves QMP, the
# maintenance port and the console on their unix sockets, and writes a
# ready line (or a panic, or nothing: FAKEQ_PANIC, FAKEQ_HANG) to the
# console log.  It checks vgw's side of the contract, not the board.
import base64, json, os, re, shlex, socket, sys, threading, time
args = sys.argv[1:]
if '-M' in args and not args[args.index('-M')+1].startswith('vgw'):
    print('qemu-system-aarch64: unsupported machine type', file=sys.stderr)
    print('Use -machine help to list supported machines', file=sys.stderr); sys.exit(1)
opt = lambda name: [args[i+1] for i, a in enumerate(args) if a == name]
def kv(s):
    return dict(p.split('=', 1) for p in s.split(',') if '=' in p)
chardevs = {kv(c)['id']: kv(c) for c in opt('-chardev')}
logfile = chardevs['console']['logfile']
qmp_path = opt('-qmp')[0].split(',')[0][len('unix:'):]
serial = re.search(r'serial=([^,]+)', opt('-M')[0]).group(1)
held = []
for fwd in re.findall(r'hostfwd=(\w+):127\.0\.0\.1:(\d+)-:(\d+)', ','.join(opt('-netdev'))):
    proto, hp, gp = fwd
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if proto == 'udp' else socket.SOCK_STREAM)
    if proto == 'tcp': s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(('127.0.0.1', int(hp)))
        if proto == 'tcp': s.listen(5)
    except OSError:
        print("qemu-system-aarch64: -netdev %s: Could not set up host forwarding rule '%s:127.0.0.1:%s-:%s'" % (opt('-netdev')[0], proto, hp, gp), file=sys.stderr)
        sys.exit(1)
    held.append(s)
open(opt('-pidfile')[0], 'w').write('%d\n' % os.getpid())
log = open(logfile, 'w', buffering=1)
state = {'cause': 'power-on', 'count': 0, 'boot': time.time()}
lock = threading.Lock()
def boot():
    with lock:
        log.write('[    0.000000] Booting Linux on physical CPU 0x0\r\n')
        log.write('init: started at 0.4 s\r\n')
    if os.environ.get('FAKEQ_PANIC'):
        log.write('[    0.5] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n'); return
    if os.environ.get('FAKEQ_HANG'):
        return
    # A reboot that waits for the test: the gateway stays "booting" until
    # the file named by FAKEQ_GATE exists.
    gate = os.environ.get('FAKEQ_GATE')
    while state['count'] > 0 and gate and not os.path.exists(gate):
        time.sleep(0.05)
    time.sleep(float(os.environ.get('FAKEQ_BOOT', '0.5')))
    state['boot'] = time.time()
    with lock:
        log.write('VGW-READY %s\r\n' % json.dumps({'firmware': '0.1.0', 'serial': serial, 'reset_cause': state['cause'], 'listeners': []}))
def reset(cause):
    state['cause'] = cause; state['count'] += 1
    threading.Thread(target=boot, daemon=True).start()
def serve(path, handler):
    if os.path.exists(path): os.unlink(path)
    srv = socket.socket(socket.AF_UNIX); srv.bind(path); srv.listen(1)
    def loop():
        while True:
            c, _ = srv.accept()
            try: handler(c, c.makefile('rw', buffering=1, newline='\n'))
            except Exception as e: pass
            c.close()
    threading.Thread(target=loop, daemon=True).start()
def qmp(c, f):
    f.write(json.dumps({'QMP': {'version': {}, 'capabilities': []}}) + '\r\n'); f.flush()
    for line in f:
        req = json.loads(line); cmd = req['execute']; rid = req.get('id')
        if cmd == 'quit':
            f.write(json.dumps({'return': {}, 'id': rid}) + '\r\n'); f.flush()
            f.write(json.dumps({'event': 'SHUTDOWN', 'data': {}}) + '\r\n'); f.flush()
            os._exit(0)
        if cmd == 'system_reset':
            f.write(json.dumps({'event': 'RESET', 'data': {}}) + '\r\n')
            reset('host')
        ret = {'status': 'running', 'running': True} if cmd == 'query-status' else {}
        f.write(json.dumps({'return': ret, 'id': rid}) + '\r\n'); f.flush()
def maint(c, f):
    logged = False
    upload = None  # per session, like the firmware's
    for line in f:
        m = re.match(r'@(\S+) (\S+)(.*)', line.strip())
        if not m: continue
        rid, verb, rest = m.groups()
        def reply(ok, obj):
            f.write('@%s %s %s\r\n' % (rid, 'ok' if ok else 'error', json.dumps(obj))); f.flush()
        if verb == 'login':
            logged = rest.split() == ['Admin', 'Admin']; reply(logged, {'user': 'Admin'} if logged else {'error': 'login failed'})
        elif not logged: reply(False, {'error': 'login required'})
        elif verb == 'logout': logged = False; reply(True, {})
        elif verb == 'status':
            reply(True, {'state': 'running', 'firmware': '0.1.0', 'uptime_s': int(time.time() - state['boot']), 'reset_cause': state['cause'],
                         'reset_count': state['count'], 'serial': serial, 'hw_rev': 1, 'mac_base': '02:00:00:00:00:00', 'crash_count': 0,
                         'watchdog': {'enabled': True, 'timeout_ms': 10000},
                         'interfaces': [{'name': 'lan', 'mac': '02:00:00:00:00:00', 'ipv4': '10.0.2.15/24'}, {'name': 'wan', 'mac': '02:00:00:00:00:01', 'ipv4': None}],
                         'listeners': [{'transport': 'udp', 'port': 5060}]}
                         | ({'config_source': json.loads(os.environ['FAKEQ_CONFIG_SOURCE'])}
                            if os.environ.get('FAKEQ_CONFIG_SOURCE') else {}))
        elif verb == 'reset': reply(True, {}); time.sleep(0.2); reset('firmware')
        elif verb == 'sip-registrations':
            reply(True, {'aors': 1, 'bindings': [{'aor': 'sip:alice@example.test', 'contact': 'sip:alice@10.0.2.2:5070;transport=tcp',
                                                  'expires': 300, 'transport': 'tcp', 'received': '10.0.2.2', 'rport': 40001,
                                                  'connection': 3, 'call_id': 'c1', 'cseq': 2, 'client_identity': None}],
                         'registered': 2, 'refused': {'interval-too-brief': 1},
                         'auth': {'enabled': os.environ.get('FAKEQ_AUTH_OFF') is None, 'realm': 'lab.test', 'accepted': 5,
                                  'challenged': {'no-credentials': 8, 'wrong-response': 3}}})
        elif verb == 'upload-begin': upload = b''; reply(True, {})
        elif verb == 'upload-chunk':
            chunk = rest.strip()
            if upload is None: reply(False, {'error': 'no upload in progress'})
            elif len(chunk) > 3000: reply(False, {'error': 'chunk longer than 3000 characters'})
            else: upload += base64.b64decode(chunk, validate=True); reply(True, {'bytes': len(upload)})
        elif verb == 'ini-load':
            args = shlex.split(rest)
            # The fake keeps what it got for the test to compare.
            with open(os.path.join(os.path.dirname(os.path.dirname(qmp_path)), 'uploaded.ini'), 'wb') as out: out.write(upload or b'')
            with open(os.path.join(os.path.dirname(os.path.dirname(qmp_path)), 'ini-load.args'), 'w') as out: out.write(' '.join(args))
            if b'BAD' in (upload or b''): reply(False, {'error': '%s:1: BAD: value out of range' % args[-1]})
            else: reply(True, {'applied': 'after-reset', 'pending': 1, 'warnings': ['%s:2: Foo: unknown parameter, skipped' % args[-1]], 'mode': args[0]})
        else: reply(False, {'error': 'unknown command'})
serve(qmp_path, qmp)
serve(chardevs['maint']['path'], maint)
serve(chardevs['console']['path'], lambda c, f: [c.sendall(b'echo:' + d) for d in iter(lambda: c.recv(100), b'')])
boot()
while True: time.sleep(3600)
