#!/bin/sh
# A certificate rotation: TLS Context 0 gets a new engine-generated key
# and certificate while the gateway runs; the next TLS client sees the new
# certificate.
. "$(dirname "$0")/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# served_cert FILE: the certificate the SIPS port serves, in PEM.
served_cert() {
  openssl s_client -connect "127.0.0.1:$VGW_SIPS_PORT" </dev/null 2>/dev/null |
    openssl x509 > "$1"
}

check "a TLS client gets the gateway's certificate" served_cert "$tmp/before.pem"
check "vgw cert inject --generate ec-p256 --subject rotated.example" \
  "$VGW" cert inject --name "$VGW_NAME" --generate ec-p256 --subject rotated.example
check "the next TLS client gets a certificate again" served_cert "$tmp/after.pem"
check "it is the new one: CN=rotated.example" \
  sh -c "openssl x509 -in '$tmp/after.pem' -noout -subject | grep -q 'CN *= *rotated.example'"
check "it differs from the one served before (SHA-256 fingerprint)" \
  sh -c "test \"\$(openssl x509 -in '$tmp/before.pem' -noout -fingerprint -sha256)\" != \
             \"\$(openssl x509 -in '$tmp/after.pem' -noout -fingerprint -sha256)\""
check "the new key is EC P-256" \
  sh -c "openssl x509 -in '$tmp/after.pem' -noout -text | grep -q 'prime256v1\|P-256'"
finish
