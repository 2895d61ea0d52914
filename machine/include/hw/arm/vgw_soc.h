/*
 * vgw SoC: Cortex-A53 cluster, GICv2, UARTs, RTC, system controller, crypto
 * engine and the virtio-mmio transports that carry the Ethernet ports and the
 * configuration flash.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_VGW_SOC_H
#define HW_ARM_VGW_SOC_H

#include "exec/hwaddr.h"
#include "hw/char/pl011.h"
#include "hw/intc/arm_gic.h"
#include "hw/misc/unimp.h"
#include "hw/misc/vgw_crypto.h"
#include "hw/misc/vgw_sysctl.h"
#include "hw/rtc/pl031.h"
#include "hw/virtio/virtio-mmio.h"
#include "qom/object.h"
#include "target/arm/cpu.h"
#include "vgw-regs/vgw_memmap.h"

#define TYPE_VGW_SOC "vgw-soc"
OBJECT_DECLARE_SIMPLE_TYPE(VgwSocState, VGW_SOC)

#define VGW_MAX_CPUS    4
#define VGW_CPU_TYPE    ARM_CPU_TYPE_NAME("cortex-a53")
/* SPIs the GIC implements; the contract uses 1..18. */
#define VGW_NUM_SPIS    64

/*
 * Blocks a real gateway SoC has that we do not model yet.  They sit in
 * the free space after the crypto engine so firmware probes show up under
 * "-d unimp" instead of faulting.  Not part of vgw-regs/vgw_memmap.h:
 * nothing may rely on them.
 */
#define VGW_GPIO_BASE   0x09050000u
#define VGW_I2C_BASE    0x09060000u
#define VGW_TDM_BASE    0x09070000u
#define VGW_DSP_BASE    0x09080000u
#define VGW_UNIMP_SIZE  0x00010000u

/* Generic timer and PMU PPIs (PPI n is GIC interrupt ID 16 + n). */
#define VGW_PPI_PMU             7
#define VGW_PPI_TIMER_NS_EL2    10
#define VGW_PPI_TIMER_VIRT      11
#define VGW_PPI_TIMER_S_EL1     13
#define VGW_PPI_TIMER_NS_EL1    14

typedef enum VgwDevice {
    VGW_DEV_GIC_DIST,
    VGW_DEV_GIC_CPU,
    VGW_DEV_UART0,
    VGW_DEV_UART1,
    VGW_DEV_RTC,
    VGW_DEV_SYSCTL,
    VGW_DEV_CRYPTO,
    VGW_DEV_GPIO,
    VGW_DEV_I2C,
    VGW_DEV_TDM,
    VGW_DEV_DSP,
    VGW_DEV_VIRTIO_LAN,
    VGW_DEV_VIRTIO_WAN,
    VGW_DEV_VIRTIO_FLASH,
    VGW_DEV_DRAM,
    VGW_DEV_NUM
} VgwDevice;

/* The virtio-mmio transports, in address order. */
typedef enum VgwVirtioPort {
    VGW_VIRTIO_LAN,
    VGW_VIRTIO_WAN,
    VGW_VIRTIO_FLASH,
    VGW_VIRTIO_NUM
} VgwVirtioPort;

#define VGW_NUM_UARTS   2
#define VGW_NUM_UNIMP   4

extern const MemMapEntry vgw_soc_memmap[VGW_DEV_NUM];
extern const int vgw_soc_irqmap[VGW_DEV_NUM];

struct VgwSocState {
    DeviceState parent_obj;

    /* Properties */
    uint32_t num_cpus;
    MemoryRegion *dram;

    ARMCPU cpu[VGW_MAX_CPUS];
    GICState gic;
    PL011State uart[VGW_NUM_UARTS];
    PL031State rtc;
    VgwSysctlState sysctl;
    VgwCryptoState crypto;
    VirtIOMMIOProxy virtio[VGW_VIRTIO_NUM];
    UnimplementedDeviceState unimp[VGW_NUM_UNIMP];
};

qemu_irq vgw_soc_get_irq(VgwSocState *s, VgwDevice dev);
BusState *vgw_soc_virtio_bus(VgwSocState *s, VgwVirtioPort port);

#endif /* HW_ARM_VGW_SOC_H */
