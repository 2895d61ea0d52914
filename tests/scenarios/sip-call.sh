#!/bin/sh
# A SIPp call over UDP to the gateway's test extension (TestCallNumber
# 1000): answered, ended with BYE, and counted by the gateway.
. "$(dirname "$0")/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
calls() {
  "$VGW" status --json --name "$VGW_NAME" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["sip"]["test_extension"]["calls"])'
}

before=$(calls)
check "SIPp: one call to 1000 over UDP succeeds" \
  sipp -sf "$(dirname "$0")/../system/sipp/call.xml" -m 1 -s 1000 -t u1 -i 127.0.0.1 \
  -nostdin -timeout 300 -timeout_error -max_invite_retrans 10 \
  -trace_err -error_file "$tmp/errors.log" "127.0.0.1:$VGW_SIP_PORT"
after=$(calls)
check "status counts the call (test_extension.calls $before -> $after)" \
  test "$after" = "$((before + 1))"
finish
