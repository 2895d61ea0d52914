#!/usr/bin/env bash
# Installs every Debian package vgw needs, through apt only.  Idempotent:
# when everything is present it only checks and returns.
#
# deb-src entries (for QEMU's source package) are derived from the
# machine's own apt sources, so no package host is named here.
set -euo pipefail

log() { printf 'bootstrap: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: must run as root (it installs Debian packages)" >&2
    exit 1
fi

# Host (amd64) packages: build, QEMU build dependencies, host tools, test peers.
HOST_PKGS=(
    meson ninja-build pkg-config gcc g++ make python3 git ccache cpio xz-utils
    clang libclang-rt-14-dev
    dpkg-dev kmod file
    libglib2.0-dev libpixman-1-dev libslirp-dev zlib1g-dev libfdt-dev nettle-dev
    libjson-glib-dev libpcap-dev android-libboringssl-dev
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross
    openssl socat procps iproute2 device-tree-compiler
    libgmp-dev libssl-dev python3-cryptography tshark
)

need_update=0

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding arm64 as a foreign architecture"
    dpkg --add-architecture arm64
    need_update=1
fi

# Derive deb-src entries from the deb entries already configured.
src_file=/etc/apt/sources.list.d/vgw-deb-src.sources
if [ ! -f "$src_file" ]; then
    log "deriving deb-src entries from the configured apt sources"
    python3 - "$src_file" <<'PY'
import glob, re, sys
out = []
# deb822 files
for path in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')):
    for stanza in open(path).read().split('\n\n'):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith('#') or ':' not in line or line.startswith(' '):
                continue
            k, v = line.split(':', 1)
            fields[k.strip().lower()] = v.strip()
        if 'deb' not in fields.get('types', '').split():
            continue
        if 'debian' not in fields.get('uris', ''):
            continue
        if fields.get('enabled', 'yes').lower() == 'no':
            continue
        st = ['Types: deb-src', 'URIs: ' + fields['uris'],
              'Suites: ' + fields['suites'], 'Components: ' + fields.get('components', 'main')]
        if 'signed-by' in fields:
            st.append('Signed-By: ' + fields['signed-by'])
        out.append('\n'.join(st))
# one-line format
for path in ['/etc/apt/sources.list'] + sorted(glob.glob('/etc/apt/sources.list.d/*.list')):
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        m = re.match(r'^\s*deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$', line)
        if not m or 'debian' not in m.group(2):
            continue
        out.append('Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s'
                   % (m.group(2), m.group(3), m.group(4).strip()))
if not out:
    sys.exit('bootstrap: no Debian apt source found to derive deb-src entries from')
open(sys.argv[1], 'w').write('\n\n'.join(out) + '\n')
PY
    need_update=1
fi

missing=()
for p in "${HOST_PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

# apt-get needs fresh lists when we changed sources, when packages are
# missing, or when no deb-src index has been fetched yet.
if [ "$need_update" = 1 ] || [ ${#missing[@]} -gt 0 ] ||
   ! ls /var/lib/apt/lists/*_Sources* >/dev/null 2>&1 ||
   ! ls /var/lib/apt/lists/*binary-arm64_Packages* >/dev/null 2>&1; then
    log "apt-get update"
    apt-get update -q >/dev/null
fi

if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
log "all host packages present"

# arm64 target files (kernel, busybox, libraries) are unpacked, never
# installed, so the host's own packages are never displaced.
"$(dirname "$0")/sysroot.sh"
