#!/usr/bin/env bash
# A fresh minimal Debian 12 installs cleanly: scripts/bootstrap.sh runs from
# scratch in a debootstrap --variant=minbase root built from this machine's
# own apt sources, and a second run changes nothing.  TAP on stdout.
#
#   test_bootstrap.sh SOURCE_DIR
#
# What is tested is SOURCE_DIR's committed HEAD, cloned into the root with
# git: uncommitted changes are not part of it.
#
# Needs root (debootstrap, mount, chroot) and the apt mirror.  Cached under
# $VGW_CACHE/bootstrap: the debootstrapped root as a tarball (keyed by
# suite, architecture and mirror), the .debs apt and scripts/sysroot.sh
# download.  Every run still unpacks a fresh root, runs the whole bootstrap
# in it and removes it.
set -uo pipefail

src=${1:?usage: test_bootstrap.sh SOURCE_DIR}
cache=${VGW_CACHE:-/var/cache/vgw}/bootstrap
root_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

. "$(dirname "$0")/tap.sh"

work=$(mktemp -d /var/tmp/vgw-bootstrap-test.XXXXXX) || exit 1
tap_logs=$work
root=$work/root
mounts=()

# --- cleanup on every exit --------------------------------------------------

mount_in_root() {
    mount "$@" && mounts+=("${*: -1}")
}

mounted_below() {
    awk -v top="$1" '$5 == top || index($5, top "/") == 1 { print $5 }' /proc/self/mountinfo |
        grep .
}

unmount_root() {
    local i
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount "${mounts[i]}" 2>&1 || umount -l "${mounts[i]}"
    done
    mounts=()
    ! mounted_below "$work"
}

cleanup() {
    unmount_root >/dev/null 2>&1
    # rm must never walk into a bind mount (the caches, the machine's /dev).
    if mounted_below "$work" >/dev/null; then
        diag "left $work in place: still mounted there:"
        mounted_below "$work" | sed 's/^/#   /'
        exit 1
    fi
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- what the root is made from --------------------------------------------

arch=$(dpkg --print-architecture)

# Debian's main archive as apt on this machine sees it: the entry whose
# suite is the release itself (not -updates or -security).
read -r suite mirror < <(
    apt-get indextargets --format '$(RELEASE) $(CODENAME) $(REPO_URI)' \
        'Identifier: Packages' "Architecture: $arch" 'Origin: Debian' 'Label: Debian' 2>/dev/null |
    awk '$1 == $2 { print $1, $3; exit }')

# The machine's apt proxy, for debootstrap and for apt in the root.
eval "$(apt-config shell http_proxy Acquire::http::Proxy https_proxy Acquire::https::Proxy)"
proxy_env=()
for v in http_proxy https_proxy no_proxy; do
    case ${!v:-DIRECT} in
        DIRECT) unset "$v" ;;
        *) export "${v?}"; proxy_env+=("$v=${!v}") ;;
    esac
done

tarball=$cache/minbase-${suite:-unknown}-$arch-$(printf '%s' "${mirror:-}" | md5sum | cut -c1-12).tar

in_root() {
    env -i PATH="$root_path" HOME=/root LANG=C.UTF-8 "${proxy_env[@]}" \
        chroot "$root" "$@" < /dev/null
}

have_prerequisites() {
    local missing= t
    [ "$(id -u)" = 0 ] || missing+=" root"
    for t in debootstrap git chroot mount tar; do
        command -v "$t" || missing+=" $t"
    done
    if [ -z "${mirror:-}" ]; then
        echo "no Debian archive for $arch in apt's index targets (apt-get update?)"
        missing+=" mirror"
    fi
    [ -z "$missing" ] || { echo "missing:$missing"; return 1; }
    echo "Debian $suite/$arch from $mirror"
}

# --- the steps -------------------------------------------------------------

# Debootstraps into a staging directory and keeps the result as the cached
# tarball; the root itself is always unpacked from the tarball.
make_minbase_tarball() {
    local stage=$work/stage
    debootstrap --variant=minbase --arch="$arch" "$suite" "$stage" "$mirror" || return 1
    rm -f "$stage"/var/cache/apt/archives/*.deb
    mkdir -p "$cache"
    tar -C "$stage" --numeric-owner -cf "$tarball.new" . || return 1
    mv "$tarball.new" "$tarball"
    rm -rf --one-file-system "$stage"
}

unpack_fresh_root() {
    if [ -f "$tarball" ]; then
        echo "minbase root from the cache: $tarball"
    else
        make_minbase_tarball || return 1
    fi
    mkdir "$root" && tar -C "$root" --numeric-owner -xpf "$tarball" || return 1
    # "/" must stay traversable for apt's unprivileged downloader.
    chmod 755 "$root"
}

# The root's apt reaches the same registry as the machine's: its sources
# (not the deb-src entries the bootstrap derived here), keyrings and
# Acquire settings (proxy, validity checks).
copy_apt_setup() {
    local sources_list sources_parts f d
    eval "$(apt-config shell sources_list Dir::Etc::sourcelist/f \
                             sources_parts Dir::Etc::sourceparts/d)"
    rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
    if [ -f "$sources_list" ]; then
        cp "$sources_list" "$root/etc/apt/sources.list" || return 1
    fi
    for f in "${sources_parts%/}"/*.list "${sources_parts%/}"/*.sources; do
        case ${f##*/} in vgw-deb-src.*) continue ;; esac
        [ -f "$f" ] || continue
        cp "$f" "$root/etc/apt/sources.list.d/" || return 1
    done
    for d in /etc/apt/trusted.gpg.d /etc/apt/keyrings /usr/share/keyrings; do
        [ -d "$d" ] || continue
        mkdir -p "$root$d" && cp -an "$d/." "$root$d/" || return 1
    done
    if [ -f /etc/apt/trusted.gpg ]; then
        cp /etc/apt/trusted.gpg "$root/etc/apt/" || return 1
    fi
    apt-config dump Acquire > "$root/etc/apt/apt.conf.d/00vgw-test-acquire" || return 1
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
}

prepare_root() {
    local head
    copy_apt_setup || return 1
    # No daemons start in the root, and dpkg skips fsync: it is thrown away.
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    echo force-unsafe-io > "$root/etc/dpkg/dpkg.cfg.d/vgw-test-unsafe-io"

    head=$(git -C "$src" rev-parse HEAD) || return 1
    git clone -q "$src" "$root/root/vgw" || return 1
    [ "$(git -C "$root/root/vgw" rev-parse HEAD)" = "$head" ] || return 1
    echo "cloned $src at $head"

    mkdir -p "$cache/apt-archives/partial" "$cache/debs-arm64" \
             "$root/var/cache/vgw/debs-arm64" || return 1
    mount_in_root -t proc proc "$root/proc" &&
    mount_in_root --bind /dev "$root/dev" &&
    mount_in_root --bind /dev/pts "$root/dev/pts" &&
    mount_in_root --bind "$cache/apt-archives" "$root/var/cache/apt/archives" &&
    mount_in_root --bind "$cache/debs-arm64" "$root/var/cache/vgw/debs-arm64"
}

no_python3_in_root() {
    ! in_root sh -c 'command -v python3'
}

run_bootstrap() {
    in_root bash -c 'cd /root/vgw && bash scripts/bootstrap.sh'
}

derived_deb_src() {
    grep -H -E '^(Types: deb-src|deb-src )' "$root"/etc/apt/sources.list.d/vgw-deb-src.*
}

qemu_source_resolves() {
    in_root apt-get source --print-uris qemu | grep -E "qemu_[^ ]*\.dsc"
}

sysroot_unpacked() {
    local s=$root/var/cache/vgw/sysroot-arm64
    [ -s "$s/.stamp" ] && ls "$s"/boot/vmlinuz-*-arm64 "$s/bin/busybox" \
                             "$s/usr/lib/aarch64-linux-gnu/libglib-2.0.so.0"
}

# What a run that installs nothing leaves exactly as it was.
root_state() {
    (cd "$root" &&
     md5sum var/lib/dpkg/status etc/apt/sources.list.d/vgw-deb-src.* \
            var/cache/vgw/sysroot-arm64/.stamp &&
     stat -c '%n %s %Y' var/log/dpkg.log var/cache/vgw/sysroot-arm64)
}

second_run() {
    root_state > "$work/state.first" && run_bootstrap
}

state_unchanged() {
    diff -u "$work/state.first" <(root_state)
}

# --- the test --------------------------------------------------------------

tap_plan 15
diag "testing the committed HEAD of $src: $(git -C "$src" rev-parse --short HEAD 2>/dev/null)"
if [ -n "$(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    diag "$src has uncommitted changes: they are not tested (the root gets its HEAD)"
fi

step "this machine can build a minbase root (root, debootstrap, git, a Debian mirror)" \
    have_prerequisites
step "a fresh minbase root of Debian ${suite:-?}/$arch is unpacked" unpack_fresh_root
diag_time "unpacking the root"
step "the fresh root has no python3, as a new Debian 12 machine has none" no_python3_in_root
step "the root gets this machine's apt sources, keyrings and proxy, and the repository" \
    prepare_root

step "scripts/bootstrap.sh exits 0 in the fresh root" run_bootstrap
diag_time "the first bootstrap run"
check "python3 runs in the root" in_root python3 --version
check "meson runs in the root" in_root meson --version
check "the cross compiler aarch64-linux-gnu-gcc runs in the root" \
    in_root aarch64-linux-gnu-gcc --version
check "debootstrap runs in the root" in_root debootstrap --version
check "deb-src entries were derived into sources.list.d/vgw-deb-src.*" derived_deb_src
check "apt-get source qemu resolves the source package in the root" qemu_source_resolves
check "scripts/sysroot.sh unpacked the arm64 sysroot (kernel, busybox, GLib)" sysroot_unpacked

step "a second scripts/bootstrap.sh run exits 0" second_run
diag_time "the second bootstrap run"
check "the second run installs nothing (dpkg status and log, deb-src, sysroot unchanged)" \
    state_unchanged
unblock   # unmounting is checked whatever failed before
check "every mount in the root comes off" unmount_root

tap_done
