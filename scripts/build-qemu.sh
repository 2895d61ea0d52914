#!/usr/bin/env bash
# Builds qemu-system-aarch64 with the vgw board (machine/) from Debian's
# qemu source package, and prints the build directory as the last line of
# stdout.  Contract: $DIR/qemu-system-aarch64, $DIR/tests/qtest/vgw_sysctl-test
# and $DIR/tests/qtest/vgw_crypto-test exist.
#
# Idempotent and cached outside the work tree:
#   /var/cache/vgw/qemu-dl/                     Debian source package
#   /var/cache/vgw/qemu-src/<ver>/              pristine unpacked tree
#   /var/cache/vgw/qemu-build/<ver>-<hash>/     overlaid tree (src/) + build/
# <hash> covers machine/ (except *.md) and this script, so an unchanged
# checkout anywhere on this machine reuses a finished build without
# compiling.  At most VGW_QEMU_KEEP (3) builds are kept.
#
# Environment:
#   VGW_CACHE       cache root (default /var/cache/vgw)
#   VGW_QEMU_KEEP   number of builds to keep (default 3)
#   VGW_QEMU_DEV=DIR  developer mode: overlay into DIR/src and rebuild
#                   incrementally (no hashing, no pruning)
set -euo pipefail

log() { printf 'build-qemu: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MACHINE=$ROOT/machine
SELF=$ROOT/scripts/build-qemu.sh
CACHE=${VGW_CACHE:-/var/cache/vgw}
KEEP=${VGW_QEMU_KEEP:-3}
DL=$CACHE/qemu-dl

# Build trees live in per-hash directories; let ccache share objects
# between them (meson passes relative paths; -g would hash the cwd).
export CCACHE_BASEDIR=$CACHE/qemu-build CCACHE_NOHASHDIR=1

mkdir -p "$DL" "$CACHE/qemu-src" "$CACHE/qemu-build"

# Serialise concurrent runs (several people build on one machine).
exec 9>"$CACHE/qemu-build/.lock"
if ! flock -n 9; then
    log "waiting for another build-qemu.sh run"
    flock 9
fi

# --- 1. source package -------------------------------------------------
dsc=$(ls "$DL"/qemu_*.dsc 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$dsc" ]; then
    log "fetching Debian's qemu source package into $DL"
    (cd "$DL" && apt-get source --download-only qemu >&2) ||
        die "apt-get source failed (is deb-src configured? run scripts/bootstrap.sh)"
    dsc=$(ls "$DL"/qemu_*.dsc | sort -V | tail -n 1)
fi
version=$(sed -n 's/^Version: //p' "$dsc" | head -n 1)
[ -n "$version" ] || die "cannot read Version from $dsc"
# Drop the epoch; ':' is awkward in paths.
ver=${version#*:}

# --- 2. pristine tree, unpacked once per source version -----------------
pristine=$CACHE/qemu-src/$ver
if [ ! -f "$pristine/.vgw-unpacked" ]; then
    log "unpacking $(basename "$dsc") into $pristine"
    rm -rf "$pristine" "$pristine.tmp"
    dpkg-source --no-check -x "$dsc" "$pristine.tmp" >&2
    # dpkg-source leaves a copy of the orig tarball next to the tree.
    rm -f "$CACHE"/qemu-src/qemu_*.orig.tar.*
    touch "$pristine.tmp/.vgw-unpacked"
    mv "$pristine.tmp" "$pristine"
fi

# --- 3. overlay ---------------------------------------------------------
# Copy a file only when its content changed, so ninja rebuilds only what
# we touched.
install_if_changed() {
    local src=$1 dst=$2
    if ! cmp -s "$src" "$dst"; then
        mkdir -p "$(dirname "$dst")"
        cp "$src" "$dst"
    fi
}

# Our sources go into QEMU's normal directories; regs/ (the
# firmware/board contract) becomes include/vgw-regs/.  trace-events
# fragments are appended to the directory's trace-events file.
overlay() {
    local tree=$1 f rel
    (cd "$MACHINE" && find hw include tests configs -type f ! -name trace-events) |
    while read -r rel; do
        install_if_changed "$MACHINE/$rel" "$tree/$rel"
    done
    for f in "$MACHINE"/regs/*.h; do
        install_if_changed "$f" "$tree/include/vgw-regs/$(basename "$f")"
    done
    (cd "$MACHINE" && find hw -type f -name trace-events) | while read -r rel; do
        local orig=$tree/.vgw-orig/$rel tmp
        if [ ! -f "$orig" ]; then
            mkdir -p "$(dirname "$orig")"
            cp "$tree/$rel" "$orig"
        fi
        tmp=$(mktemp)
        { cat "$orig"; echo; echo "# vgw (from machine/$rel)"; cat "$MACHINE/$rel"; } >"$tmp"
        install_if_changed "$tmp" "$tree/$rel"
        rm -f "$tmp"
    done
}

configure_tree() {
    local tree=$1 build=$2
    mkdir -p "$build"
    log "configuring in $build"
    (cd "$build" && CC="ccache gcc" CXX="ccache g++" "$tree/configure" \
        --target-list=aarch64-softmmu \
        --without-default-features \
        --without-default-devices \
        --with-devices-aarch64=vgw \
        --enable-tcg \
        --enable-slirp \
        --enable-fdt=system \
        --enable-nettle \
        --disable-docs \
        --disable-tools \
        --disable-guest-agent \
        --disable-install-blobs \
        --disable-werror \
        >&2)
}

build_targets() {
    local build=$1
    log "building (ninja, $(nproc) jobs)"
    ninja -C "$build" qemu-system-aarch64 tests/qtest/vgw_sysctl-test \
        tests/qtest/vgw_crypto-test tests/qtest/vgw_uart-test >&2
}

check_result() {
    local build=$1
    [ -x "$build/qemu-system-aarch64" ] && [ -x "$build/tests/qtest/vgw_sysctl-test" ] &&
        [ -x "$build/tests/qtest/vgw_crypto-test" ] &&
        [ -x "$build/tests/qtest/vgw_uart-test" ]
}

if [ -n "${VGW_QEMU_DEV:-}" ]; then
    dev=$VGW_QEMU_DEV
    if [ ! -f "$dev/.vgw-configured" ]; then
        rm -rf "$dev"
        mkdir -p "$dev"
        log "copying pristine tree to $dev/src"
        cp -a "$pristine" "$dev/src"
        patch -d "$dev/src" -p1 --no-backup-if-mismatch <"$MACHINE/qemu-integration.patch" >&2
        overlay "$dev/src"
        configure_tree "$dev/src" "$dev/build"
        touch "$dev/.vgw-configured"
    else
        overlay "$dev/src"
    fi
    build_targets "$dev/build"
    check_result "$dev/build" || die "build finished without the expected binaries"
    echo "$dev/build"
    exit 0
fi

# --- 4. cached build keyed by source version + our inputs ---------------
hash=$( {
    (cd "$ROOT" && find machine -type f ! -name '*.md' -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum)
    sha256sum <"$SELF"
} | sha256sum | cut -c1-16)
key=$ver-$hash
bdir=$CACHE/qemu-build/$key

if [ -f "$bdir/.vgw-complete" ] && check_result "$bdir/build"; then
    log "reusing cached build $bdir"
    touch "$bdir"
    echo "$bdir/build"
    exit 0
fi

start=$(date +%s)
if [ ! -f "$bdir/.vgw-configured" ]; then
    rm -rf "$bdir"
    mkdir -p "$bdir"
    log "copying pristine tree to $bdir/src"
    cp -a "$pristine" "$bdir/src"
    rm -f "$bdir/src/.vgw-unpacked"
    log "applying machine/qemu-integration.patch"
    patch -d "$bdir/src" -p1 --no-backup-if-mismatch <"$MACHINE/qemu-integration.patch" >&2
    overlay "$bdir/src"
    configure_tree "$bdir/src" "$bdir/build"
    touch "$bdir/.vgw-configured"
else
    log "resuming unfinished build in $bdir"
fi
build_targets "$bdir/build"
check_result "$bdir/build" || die "build finished without the expected binaries"
touch "$bdir/.vgw-complete"
log "built in $(( $(date +%s) - start )) s"

# Keep the newest $KEEP builds (the one just made is the newest).
ls -1dt "$CACHE"/qemu-build/*/ 2>/dev/null | tail -n +"$((KEEP + 1))" | while read -r old; do
    old=${old%/}
    [ "$old" = "$bdir" ] && continue
    log "pruning old build $old"
    rm -rf "$old"
done

echo "$bdir/build"
