#!/usr/bin/env bash
# Boots a gateway on its factory defaults and shows it working:
# build (quick when built), boot to ready, ask the firmware for its status,
# show the device key its crypto engine made, have SIPp send SIP OPTIONS
# over UDP and TCP and count the 200s, register two users, then, while
# capturing the LAN port, call the test extension with RTP that the gateway
# echoes and have sipsak send OPTIONS over TLS; have vgw explain that
# capture (the TLS handshake, and the SIP of the call and of the OPTIONS,
# decrypted with sipsak's key log), then stop the gateway again.  With
# --keep the gateway stays up for you to use.
#
# Environment: VGW_DEMO_SIP_PORT and VGW_DEMO_SIPS_PORT, when set, are the
# host ports for SIP and SIPS (0: any free port), for when another gateway
# holds vgw up's defaults; VGW_STATE_DIR as for vgw.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
keep=0
[ "${1:-}" = "--keep" ] && keep=1

bash scripts/build.sh
vgw=build/host/host-tools/vgw

say() { printf '\n$ %s\n' "$*"; }

if "$vgw" status --name demo --json 2>/dev/null | grep -q '"state" *: *"running"'; then
    say vgw down --name demo
    "$vgw" down --name demo
fi

up_ports=()
[ -n "${VGW_DEMO_SIP_PORT:-}" ] && up_ports+=(--sip-port "$VGW_DEMO_SIP_PORT")
[ -n "${VGW_DEMO_SIPS_PORT:-}" ] && up_ports+=(--sip-tls-port "$VGW_DEMO_SIPS_PORT")
say vgw up --name demo --detach "${up_ports[@]}"
"$vgw" up --name demo --detach "${up_ports[@]}"
say vgw status --name demo
"$vgw" status --name demo

say vgw keystore list --name demo
"$vgw" keystore list --name demo

work=$(mktemp -d /tmp/vgw-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
port_of() {
    "$vgw" status --name demo --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["ports"][sys.argv[1]])' "$1"
}
sip_udp=$(port_of sip_udp)
sip_tcp=$(port_of sip_tcp)
sips=$(port_of sips)

# SIPp's own verdict: exit 0 only when every OPTIONS got its 200.
for t in u1 t1; do
    sip=$sip_udp
    [ $t = t1 ] && sip=$sip_tcp
    say sipp -sf tests/system/sipp/options.xml -m 5 -t $t 127.0.0.1:$sip
    (cd "$work" && sipp -sf "$top/tests/system/sipp/options.xml" -m 5 -r 5 -t $t \
        -i 127.0.0.1 -nostdin -timeout 60 -timeout_error -trace_stat -stf "sipp-$t.csv" \
        "127.0.0.1:$sip" >/dev/null 2>&1)
    python3 - "$work/sipp-$t.csv" "$t" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
c = dict(zip(rows[0], rows[-1]))
print('SIPp over %s: %s OPTIONS answered 200, %s failed'
      % ({'u1': 'UDP', 't1': 'TCP'}[sys.argv[2]], c['SuccessfulCall(C)'], c['FailedCall(C)']))
PY
done
# A registration (alice registers, then bob; alice leaves again) and a
# call to the test extension, 1000, whose RTP the gateway echoes.  Behind
# slirp the gateway cannot know where the host reaches its RTP ports, so
# its SDP answer is pointed at the forwarded ones (status ports.rtp).
say sipp -sf tests/system/sipp/register.xml -key first alice -key second bob 127.0.0.1:$sip_udp
sipp_run() {
    local name=$1; shift
    (cd "$work" && sipp -m 1 -t u1 -i 127.0.0.1 -nostdin -timeout 60 -timeout_error \
        -trace_stat -stf "sipp-$name.csv" "$@" "127.0.0.1:$sip_udp" >/dev/null 2>&1)
    python3 - "$work/sipp-$name.csv" "$name" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
c = dict(zip(rows[0], rows[-1]))
print('SIPp %s: %s successful, %s failed' % (sys.argv[2], c['SuccessfulCall(C)'], c['FailedCall(C)']))
PY
}
sipp_run register -sf "$top/tests/system/sipp/register.xml" -key first alice -key second bob
say vgw sip registrations --name demo
"$vgw" sip registrations --name demo

rtp=$("$vgw" status --name demo --json |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["ports"]["rtp"][0])')
"$vgw" param set --name demo TestCallMediaAddress 127.0.0.1 >/dev/null
"$vgw" param set --name demo TestCallMediaPort "$rtp" >/dev/null
say vgw capture start --name demo --out demo.pcapng
"$vgw" capture start --name demo --out "$work/demo.pcapng"
say sipp -sf tests/system/sipp/call.xml -s 1000 127.0.0.1:$sip_udp   '# a call with 7 s of RTP'
media=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sipp_run call -sf "$top/tests/system/sipp/call.xml" -s 1000 -mp "$media" -max_invite_retrans 10

say vgw status --name demo --json '| sip counters'
"$vgw" status --name demo --json | python3 -c '
import json, sys
sip = json.load(sys.stdin)["sip"]
for k, v in sorted(sip.items()):
    print("  %s: %s" % (k, json.dumps(v)))'

# sipsak over TLS; -r gives the port (it would cut a 5-digit port in the
# URI).  The gateway's certificate is its self-signed one (CN=ACL_<serial>),
# which sipsak is told to accept; GnuTLS logs the TLS secrets for vgw.
say sipsak --transport=tls --tls-ignore-cert-failure -r $sips -s sip:demo@127.0.0.1
# Its exit status says whether a final answer came; its answer is shown.
answer=$(SSLKEYLOGFILE="$work/keys.log" sipsak -vv --transport=tls --tls-ignore-cert-failure \
    -r "$sips" -s sip:demo@127.0.0.1 2>&1)
printf '%s\n' "$answer" | grep -a -m 3 -E '^(SIP/2.0 |Call-ID:|Allow:)'
say vgw capture stop --name demo --keylog keys.log
"$vgw" capture stop --name demo --keylog "$work/keys.log"
say vgw handshakes demo.pcapng   '# the TLS handshake, then the SIP of each flow'
"$vgw" handshakes "$work/demo.pcapng"

if [ $keep = 1 ]; then
    printf '\nThe gateway is running. Try: %s console --name demo   (Ctrl-] leaves)\n' "$vgw"
    printf 'Stop it with: %s down --name demo\n' "$vgw"
else
    say vgw down --name demo
    "$vgw" down --name demo
fi
