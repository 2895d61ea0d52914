#!/bin/sh
# SIP OPTIONS over TLS to the gateway's SIPS port, from sipsak: the TLS
# handshake completes and the gateway answers 200 OK.
. "$(dirname "$0")/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# sipsak wants a client certificate to offer; the factory default does not
# ask for one, so a self-signed one does.
check "a client certificate for sipsak (vgw pki issue)" \
  "$VGW" pki issue --self-signed --role client --cn scenario --out "$tmp/client"
cat "$tmp/client.pem" "$tmp/client.key" > "$tmp/client-both.pem" 2>/dev/null
# The gateway's certificate is self-signed: no chain to check here.
check "sipsak OPTIONS over TLS to 127.0.0.1:$VGW_SIPS_PORT: 200 OK" \
  sipsak -vv --transport=tls --tls-client-cert="$tmp/client-both.pem" \
  --tls-ignore-cert-failure -r "$VGW_SIPS_PORT" -s sip:gw@127.0.0.1
finish
