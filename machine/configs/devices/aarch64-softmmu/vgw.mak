# Trimmed aarch64 device set for vgw (configure --with-devices-aarch64=vgw
# together with --without-default-devices).
#
# The vgw board itself, plus "virt" so A/B benchmarks can run the same
# kernel on QEMU's reference board.  virt's own selects bring in the GIC,
# PL011, PL031 and virtio-mmio; the virtio backends have to be named
# because --without-default-devices drops everything that is only
# "default y".  On virt, attach them with -device virtio-net-device /
# virtio-blk-device (PCI devices are not built).
CONFIG_VGW=y
CONFIG_ARM_VIRT=y
CONFIG_VIRTIO_MMIO=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_BLK=y

# As in QEMU's default aarch64 config: target/arm calls into the
# semihosting code, so keep it rather than rely on stubs.
CONFIG_SEMIHOSTING=y
CONFIG_ARM_COMPATIBLE_SEMIHOSTING=y
# 7.2's target/arm/m_helper.c calls the M-profile NVIC unconditionally;
# without it qemu-system-aarch64 does not link.
CONFIG_ARM_V7M=y
