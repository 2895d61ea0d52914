#!/usr/bin/env bash
# Boots a gateway on its factory defaults and shows it working:
# build (quick when built), boot to ready, ask the firmware for its status,
# then stop it again.  With --keep the gateway stays up for you to use.
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

if [ $keep = 1 ]; then
    printf '\nThe gateway is running. Try: %s console --name demo   (Ctrl-] leaves)\n' "$vgw"
    printf 'Stop it with: %s down --name demo\n' "$vgw"
else
    say vgw down --name demo
    "$vgw" down --name demo
fi
