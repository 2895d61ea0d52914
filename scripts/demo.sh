#!/usr/bin/env bash
# Boots a gateway on its factory defaults and shows it working:
# build (quick when built), boot to ready, ask the firmware for its status,
# show the device key its crypto engine made, complete a TLS handshake with
# openssl while capturing the LAN port, have vgw explain that capture, then
# stop the gateway again.  With --keep the gateway stays up for you to use.
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

say vgw up --name demo --detach
"$vgw" up --name demo --detach
say vgw status --name demo
"$vgw" status --name demo

say vgw keystore list --name demo
"$vgw" keystore list --name demo

work=$(mktemp -d /tmp/vgw-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
sips=$("$vgw" status --name demo --json |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["ports"]["sips"])')

say vgw capture start --name demo --out demo.pcapng
"$vgw" capture start --name demo --out "$work/demo.pcapng"
say openssl s_client -connect 127.0.0.1:$sips -brief -keylogfile keys.log
# The certificate is the gateway's self-signed one (CN=ACL_<serial>), so
# openssl reports it as unverified; the handshake itself completes.
openssl s_client -connect "127.0.0.1:$sips" -brief -keylogfile "$work/keys.log" \
    </dev/null 2>&1 | grep -v '^DONE$' || true
say vgw capture stop --name demo --keylog keys.log
"$vgw" capture stop --name demo --keylog "$work/keys.log"
say vgw handshakes demo.pcapng
"$vgw" handshakes "$work/demo.pcapng"

if [ $keep = 1 ]; then
    printf '\nThe gateway is running. Try: %s console --name demo   (Ctrl-] leaves)\n' "$vgw"
    printf 'Stop it with: %s down --name demo\n' "$vgw"
else
    say vgw down --name demo
    "$vgw" down --name demo
fi
