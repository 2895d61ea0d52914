#!/usr/bin/env bash
# Builds everything: QEMU with the vgw board (cached outside the tree), the
# firmware for the gateway (cross), the gateway images, and the host side
# (firmware libraries, the vgw command, the tests).
#
#   scripts/build.sh            build into ./build
#
# Layout of ./build:
#   build/qemu       -> the cached QEMU build directory
#   build/aarch64/   cross build of the firmware
#   build/images/    Image, initramfs.cpio, flash.img, anchor-initramfs.cpio.gz
#   build/host/      native build: vgw, libraries, tests
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export VGW_CACHE=${VGW_CACHE:-/var/cache/vgw}

step() { printf '== %s\n' "$*" >&2; }

step "bootstrap"
bash scripts/bootstrap.sh

step "QEMU with the vgw board"
qemu_dir=$(bash scripts/build-qemu.sh | tail -n 1)
[ -x "$qemu_dir/qemu-system-aarch64" ] || { echo "build: no QEMU binary in '$qemu_dir'" >&2; exit 1; }
mkdir -p build
ln -sfn "$qemu_dir" build/qemu

step "firmware (aarch64)"
sed -e "s|@SYSROOT@|$VGW_CACHE/sysroot-arm64|g" -e "s|@SCRIPTS@|$top/scripts|g" \
    scripts/cross/aarch64-linux-gnu.ini > build/cross.ini.new
if ! cmp -s build/cross.ini.new build/cross.ini; then
    mv build/cross.ini.new build/cross.ini
    rm -rf build/aarch64
else
    rm -f build/cross.ini.new
fi
[ -f build/aarch64/build.ninja ] || meson setup build/aarch64 --cross-file build/cross.ini >/dev/null
meson compile -C build/aarch64

step "images"
vgwd=$(find build/aarch64 -type f -name vgwd -perm -u+x | head -n 1)
[ -n "$vgwd" ] || { echo "build: the cross build produced no vgwd" >&2; exit 1; }
bash images/build-images.sh build/images "$vgwd" >&2

step "host tools and tests"
host_opts=(-Dqemu_build_dir="$top/build/qemu" -Dimages_dir="$top/build/images")
if [ -f build/host/build.ninja ]; then
    meson configure build/host "${host_opts[@]}" >/dev/null
else
    meson setup build/host "${host_opts[@]}" >/dev/null
fi
meson compile -C build/host
step "built: build/host/host-tools/vgw, images in build/images"
