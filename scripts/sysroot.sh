#!/usr/bin/env bash
# Unpacks the arm64 Debian packages the gateway image is made of (kernel,
# busybox, glibc, GLib, BoringSSL, libosip2) into a sysroot under the vgw
# cache.
# Packages are downloaded with apt and extracted with dpkg-deb, never
# installed.  The sysroot is rebuilt only when a package version changes.
#
# Prints nothing when the sysroot is current.
set -euo pipefail

cache=${VGW_CACHE:-/var/cache/vgw}
sysroot=$cache/sysroot-arm64
debs=$cache/debs-arm64

# The kernel ABI is resolved through the metapackage, never hard-coded.
kernel_pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
             sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-arm64\).*/\1/p' | head -n 1)
if [ -z "$kernel_pkg" ]; then
    echo "sysroot: cannot resolve linux-image-arm64's kernel package (apt-get update?)" >&2
    exit 1
fi

PKGS=(
    "$kernel_pkg" busybox-static
    libc6 libgcc-s1 libstdc++6
    android-libboringssl android-libboringssl-dev
    libglib2.0-0 libglib2.0-dev libpcre2-8-0 libpcre2-dev libffi8 libffi-dev
    zlib1g zlib1g-dev libmount1 libmount-dev libblkid1 libblkid-dev
    libselinux1 libselinux1-dev libsepol-dev
    libosip2-15 libosip2-dev
)

# One apt-cache call for every candidate version: apt-cache pays its start-up
# (about a second) per call, which would make a no-op bootstrap slow.
want=$(apt-cache policy "${PKGS[@]/%/:arm64}" | awk '
    /^[^ ].*:$/      { sub(/:arm64:$/, ""); sub(/:$/, ""); pkg = $0 }
    /^ *Candidate: / { print pkg "=" $2 }')
for p in "${PKGS[@]}"; do
    v=$(printf '%s\n' "$want" | sed -n "s/^$p=//p")
    if [ -z "$v" ] || [ "$v" = "(none)" ]; then
        echo "sysroot: no arm64 candidate for $p" >&2
        exit 1
    fi
done

if [ -f "$sysroot/.stamp" ] && [ "$(cat "$sysroot/.stamp")" = "$want" ]; then
    exit 0
fi

echo "sysroot: unpacking arm64 packages into $sysroot" >&2
mkdir -p "$debs"
(cd "$debs" && for pv in $want; do
     p=${pv%%=*} v=${pv#*=}
     ls "${p}_${v//:/%3a}_arm64.deb" >/dev/null 2>&1 || apt-get download -q "$p:arm64=$v" >/dev/null
 done)

rm -rf "$sysroot.new"
mkdir -p "$sysroot.new"
for pv in $want; do
    p=${pv%%=*} v=${pv#*=}
    dpkg-deb -x "$debs/${p}_${v//:/%3a}_arm64.deb" "$sysroot.new"
done
# Absolute symlinks inside the sysroot (libfoo.so -> /lib/...) must resolve
# inside it, so make them relative.
find "$sysroot.new" -type l -lname '/*' | while read -r l; do
    t=$(readlink "$l")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$sysroot.new$t")" "$l"
done
echo "$want" > "$sysroot.new/.stamp"
rm -rf "$sysroot"
mv "$sysroot.new" "$sysroot"
