#!/usr/bin/env bash
# Assembles the gateway images from the arm64 sysroot and the firmware.
#
#   images/build-images.sh OUTDIR VGWD_BINARY
#
# Writes into OUTDIR (and prints each file with its size):
#   Image                      the kernel from the sysroot (arm64 Image)
#   initramfs.cpio             busybox, /init, vgwd, its shared libraries
#                              (DT_NEEDED closure), the loader, the needed
#                              kernel modules with their dependencies and
#                              their modules.dep lines; uncompressed
#   flash.img                  factory configuration flash: 16 MiB, erased (0xFF)
#   anchor-initramfs.cpio.gz   busybox only; /init mounts proc and execs sh
#                              (boot benchmark anchor on the stock virt board)
#
# Environment:
#   VGW_CACHE          cache root holding sysroot-arm64 (default /var/cache/vgw)
#   SOURCE_DATE_EPOCH  mtime of every archive member (default 0), so unchanged
#                      inputs give byte-identical images
set -euo pipefail

usage() { echo "usage: $0 OUTDIR VGWD_BINARY" >&2; exit 2; }
[ $# -eq 2 ] || usage
outdir=$1
vgwd=$2
[ -f "$vgwd" ] || { echo "build-images: no vgwd at '$vgwd'" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
initdir=$top/device-fw/init
cache=${VGW_CACHE:-/var/cache/vgw}
sysroot=$cache/sysroot-arm64
epoch=${SOURCE_DATE_EPOCH:-0}
cross=aarch64-linux-gnu
export LC_ALL=C

# The kernel modules the board needs; their dependencies are added from
# modules.dep.
modules_wanted=(virtio_mmio virtio_net virtio_blk)
# busybox applets the gateway's init, vgwd and its DHCP script run, plus a
# few for poking around.
applets=(sh ash mount umount mkdir rm modprobe insmod lsmod ip udhcpc grep hostname cat
         echo ls ps kill sleep dmesg devmem ifconfig route)

die() { echo "build-images: $*" >&2; exit 1; }
[ -d "$sysroot" ] || die "no sysroot at $sysroot (run scripts/sysroot.sh)"
command -v ${cross}-readelf >/dev/null || die "${cross}-readelf missing"

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vgw-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- kernel ---------------------------------------------------------------
shopt -s nullglob
kernels=("$sysroot"/boot/vmlinuz-*)
shopt -u nullglob
[ ${#kernels[@]} -eq 1 ] || die "expected one kernel in $sysroot/boot, found ${#kernels[@]}"
kernel=${kernels[0]}
kver=${kernel##*/vmlinuz-}
moddir=$sysroot/lib/modules/$kver
[ -d "$moddir" ] || die "no modules for $kver in $moddir"

# sysroot_path PATH: PATH inside the sysroot with every symlink resolved
# inside the sysroot too (absolute link targets are sysroot-relative).
sysroot_path() {
    local p=$1 n=0 t
    while [ -L "$sysroot$p" ]; do
        t=$(readlink "$sysroot$p")
        case $t in
            /*) p=$t ;;
            *) p=$(dirname "$p")/$t ;;
        esac
        n=$((n + 1))
        [ $n -lt 40 ] || die "symlink loop at $1"
    done
    echo "$sysroot$p"
}

# --- modules: resolve from modules.dep ------------------------------------
moddep=$moddir/modules.dep
if [ ! -f "$moddep" ]; then
    # The sysroot is unpacked, not installed: no depmod ran. Generate the
    # table without touching the sysroot, cached per kernel version.
    moddep=$outdir/.modules.dep-$kver
    if [ ! -s "$moddep" ] || [ "$moddep" -ot "$moddir/modules.order" ]; then
        depmod -n -b "$sysroot" "$kver" 2>/dev/null \
            | grep -E '^[^#[:space:]]+\.ko(\.[a-z]+)?:' > "$moddep.new" \
            || die "depmod could not index $moddir"
        mv "$moddep.new" "$moddep"
    fi
fi

declare -A mod_path=() mod_done=()
while IFS=: read -r path _; do
    name=${path##*/}
    name=${name%%.ko*}
    mod_path[${name//-/_}]=$path
done < "$moddep"

mod_order=()
# add_module NAME-OR-PATH: its dependencies first, then itself.
add_module() {
    local key=$1 path deps d
    if [[ $key == */* ]]; then
        path=$key
        key=${key##*/}
        key=${key%%.ko*}
    fi
    key=${key//-/_}
    [ -z "${mod_done[$key]:-}" ] || return 0
    path=${mod_path[$key]:-}
    if [ -z "$path" ]; then
        grep -qE "/${key//_/[_-]}\.ko" "$moddir/modules.builtin" \
            && { mod_done[$key]=builtin; return 0; }
        die "module $key not found for $kver"
    fi
    mod_done[$key]=1
    deps=$(grep -E "^${path//./\\.}:" "$moddep" | cut -d: -f2)
    for d in $deps; do
        add_module "$d"
    done
    mod_order+=("$path")
}
for m in "${modules_wanted[@]}"; do
    add_module "$m"
done

# --- shared libraries: DT_NEEDED closure ------------------------------------
# The loader's default directories; a library found there goes to
# /lib/$cross. One found through the ELF's DT_RUNPATH (e.g. BoringSSL in
# /usr/lib/$cross/android) is installed at that same path, where the
# runpath makes ld.so look for it.
libdirs=(/lib/$cross /usr/lib/$cross /lib /usr/lib)
declare -A lib_done=() lib_path=()
libs=()
# find_lib SONAME [DIR...]: the library's path inside the sysroot, looked
# up in the DIRs first, then in the default directories.
find_lib() {
    local so=$1 d
    shift
    for d in "$@" "${libdirs[@]}"; do
        if [ -e "$sysroot$d/$so" ]; then
            echo "$d/$so"
            return 0
        fi
    done
    return 1
}
# runpath_dirs ELF: its DT_RUNPATH / DT_RPATH directories, one a line.
runpath_dirs() {
    ${cross}-readelf -d "$1" | sed -n 's/.*(R[UN]*PATH).*\[\(.*\)\]/\1/p' | tr ':' '\n'
}
# add_needed ELF: every library it needs, recursively.
add_needed() {
    local so p rp
    mapfile -t rp < <(runpath_dirs "$1")
    for so in $(${cross}-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [ -z "${lib_done[$so]:-}" ] || continue
        lib_done[$so]=1
        p=$(find_lib "$so" "${rp[@]}") || die "$so (needed by ${1##*/}) not in the sysroot"
        libs+=("$so")
        lib_path[$so]=$p
        add_needed "$(sysroot_path "$p")"
    done
}
add_needed "$vgwd"
interp=$(${cross}-readelf -l "$vgwd" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
[ -n "$interp" ] || die "$vgwd has no program interpreter"

# --- staging helpers ------------------------------------------------------
# base_tree DIR: directories and the console node every image needs.
base_tree() {
    mkdir -p "$1"/{bin,sbin,dev,proc,sys,run,tmp,etc,lib,usr/bin,usr/sbin}
    # The kernel's built-in initramfs has /dev/console too; keep ours when
    # we may create device nodes.
    if [ "$(id -u)" = 0 ]; then
        mknod -m 600 "$1/dev/console" c 5 1
    fi
    install -m 755 "$sysroot/bin/busybox" "$1/bin/busybox"
}

# pack DIR OUT [FILTER...]: newc cpio, root-owned, fixed mtimes, sorted,
# through FILTER (default: gzip -9 -n).
pack() {
    local dir=$1 out=$2
    shift 2
    [ $# -gt 0 ] || set -- gzip -9 -n
    find "$dir" -exec touch -h -d "@$epoch" {} +
    (cd "$dir" && find . -mindepth 1 | sort | cpio --quiet -o -H newc -R 0:0 --reproducible) \
        | "$@" > "$out.new"
    mv "$out.new" "$out"
}

report() {
    printf '%s\t%s bytes\n' "$1" "$(stat -c %s "$1")"
}

# --- gateway initramfs ----------------------------------------------------
root=$work/root
base_tree "$root"
for a in "${applets[@]}"; do
    ln -s busybox "$root/bin/$a"
done
install -m 755 "$initdir/init" "$root/init"
mkdir -p "$root/etc/vgw"
install -m 755 "$initdir/udhcpc.script" "$root/etc/vgw/udhcpc.script"
${cross}-strip --strip-unneeded -o "$root/usr/sbin/vgwd" "$vgwd"
chmod 755 "$root/usr/sbin/vgwd"

mkdir -p "$root/lib/$cross" "$root$(dirname "$interp")"
for so in "${libs[@]}"; do
    dest=/lib/$cross
    case " ${libdirs[*]} " in
        *" $(dirname "${lib_path[$so]}") "*) ;;
        *) dest=$(dirname "${lib_path[$so]}") ;;
    esac
    mkdir -p "$root$dest"
    install -m 755 "$(sysroot_path "${lib_path[$so]}")" "$root$dest/$so"
done
# The loader: once, at its multiarch place, linked from the interpreter
# path the binaries carry (as Debian lays it out).
if [ ! -e "$root/lib/$cross/${interp##*/}" ]; then
    install -m 755 "$(sysroot_path "$interp")" "$root/lib/$cross/${interp##*/}"
fi
if [ "$interp" != "/lib/$cross/${interp##*/}" ]; then
    ln -s "/lib/$cross/${interp##*/}" "$root$interp"
fi

# busybox modprobe loads them all in one process (one exec instead of one
# per module), from /lib/modules/<release>/ and the modules.dep lines of
# just these modules (their dependencies are among them).
imgmoddir=$root/lib/modules/$kver
mkdir -p "$imgmoddir"
: > "$imgmoddir/modules.dep"
for m in "${mod_order[@]}"; do
    mkdir -p "$imgmoddir/$(dirname "$m")"
    install -m 644 "$moddir/$m" "$imgmoddir/$m"
    grep -E "^${m//./\\.}:" "$moddep" >> "$imgmoddir/modules.dep"
done
echo "${modules_wanted[*]}" > "$root/etc/vgw/modules"
install -m 644 "$initdir/fstab" "$root/etc/fstab"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
# The C library's resolver (Proxy Set names, net/resolver.h) reads the
# nameservers LAN's DHCP lease gave (init/udhcpc.script).
ln -sfn /run/vgw/resolv.lan "$root/etc/resolv.conf"

# Uncompressed: the kernel unpacks 11 MB of plain cpio in less guest time
# than it inflates 4.7 MB of gzip (0.16 s less at /init, and less than
# lz4's; tests/bench/RESULTS.md "The firmware's start").  The old name
# goes, so nothing opens a stale gzip from an earlier build.
pack "$root" "$outdir/initramfs.cpio" cat
rm -f "$outdir/initramfs.cpio.gz"

# --- anchor initramfs -----------------------------------------------------
anchor=$work/anchor
base_tree "$anchor"
for a in sh mount; do
    ln -s busybox "$anchor/bin/$a"
done
install -m 755 "$initdir/anchor-init" "$anchor/init"
pack "$anchor" "$outdir/anchor-initramfs.cpio.gz"

# --- kernel and flash -----------------------------------------------------
install -m 644 "$kernel" "$outdir/Image.new"
touch -d "@$epoch" "$outdir/Image.new"
mv "$outdir/Image.new" "$outdir/Image"

head -c $((16 * 1024 * 1024)) /dev/zero | tr '\0' '\377' > "$outdir/flash.img.new"
touch -d "@$epoch" "$outdir/flash.img.new"
mv "$outdir/flash.img.new" "$outdir/flash.img"

echo "build-images: kernel $kver; modules: ${mod_order[*]##*/}"
echo "build-images: libraries: $interp $(for so in "${libs[@]}"; do printf '%s ' "${lib_path[$so]}"; done)"
report "$outdir/Image"
report "$outdir/initramfs.cpio"
report "$outdir/flash.img"
report "$outdir/anchor-initramfs.cpio.gz"
