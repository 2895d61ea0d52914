#!/usr/bin/env python3
"""vgw up on a port already in use fails cleanly and leaves nothing running."""
import vgwtest


def test(run):
    holder, port = vgwtest.busy_port()
    p = run.vgw('up', '--name', 'busy', '--detach', '--sip-port', str(port), '--sip-tls-port', '0',
                timeout=120)
    err_lines = [l for l in p.stderr.splitlines() if l.strip()]
    run.check(p.returncode == 1, 'vgw up exits 1 when the SIP port is taken', p.stdout + p.stderr)
    run.check(len(err_lines) == 1 and 'in use' in err_lines[0] and str(port) in err_lines[0],
              'the error is one line naming the port in use', p.stderr)
    st = run.status('busy')
    run.check(st is None or st.get('state') != 'running', 'no gateway is left running', st)
    holder.close()


vgwtest.main(test)
