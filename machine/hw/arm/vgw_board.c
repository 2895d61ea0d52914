/*
 * vgw board: the virtual SIP gateway, "-M vgw".
 *
 * Wires QEMU's generic front-ends into the SoC (-serial, -net nic/-nic,
 * -drive if=mtd), generates the device tree and boots a Linux kernel.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include "chardev/char.h"
#include "hw/arm/boot.h"
#include "hw/arm/fdt.h"
#include "hw/arm/vgw_soc.h"
#include "hw/boards.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-net.h"
#include "net/net.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/error-report.h"
#include "qemu/guest-random.h"
#include "qemu/units.h"
#include "sysemu/blockdev.h"
#include "sysemu/block-backend.h"
#include "sysemu/device_tree.h"
#include "sysemu/reset.h"
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"
#include "trace.h"

#include <libfdt.h>

#define TYPE_VGW_MACHINE MACHINE_TYPE_NAME("vgw")
OBJECT_DECLARE_SIMPLE_TYPE(VgwMachineState, VGW_MACHINE)

/* RAM must end below the 40-bit physical address space of the A53. */
#define VGW_MAX_RAM     (16 * GiB)
#define VGW_APB_CLK_HZ  24000000

struct VgwMachineState {
    MachineState parent_obj;

    VgwSocState soc;
    struct arm_boot_info binfo;
    int fdt_size;

    /* Machine properties, handed to the system controller */
    char *serial;
    char *mac_base;
    uint32_t hw_rev;

    /* Machine properties, handed to the crypto engine */
    char *keystore;
    char *keystore_secret;
    uint64_t crypto_latency_ns;
};

/* -------------------------------------------------------------------- */
/* Device tree                                                          */

static void vgw_fdt_reg(void *fdt, const char *node, VgwDevice dev)
{
    const MemMapEntry *e = &vgw_soc_memmap[dev];

    qemu_fdt_setprop_sized_cells(fdt, node, "reg", 2, e->base, 2, e->size);
}

static void vgw_fdt_spi(void *fdt, const char *node, VgwDevice dev,
                        uint32_t flags)
{
    qemu_fdt_setprop_cells(fdt, node, "interrupts", GIC_FDT_IRQ_TYPE_SPI,
                           vgw_soc_irqmap[dev], flags);
}

static char *vgw_fdt_node(const char *name, VgwDevice dev)
{
    return g_strdup_printf("/%s@%" PRIx64, name, vgw_soc_memmap[dev].base);
}

static void vgw_fdt_cpus(VgwMachineState *vms, void *fdt)
{
    int n = MACHINE(vms)->smp.cpus;
    int i;

    qemu_fdt_add_subnode(fdt, "/cpus");
    qemu_fdt_setprop_cell(fdt, "/cpus", "#address-cells", 1);
    qemu_fdt_setprop_cell(fdt, "/cpus", "#size-cells", 0);

    /* Descending order so the nodes come out cpu@0 first. */
    for (i = n - 1; i >= 0; i--) {
        ARMCPU *cpu = &vms->soc.cpu[i];
        char *node = g_strdup_printf("/cpus/cpu@%d", i);

        qemu_fdt_add_subnode(fdt, node);
        qemu_fdt_setprop_string(fdt, node, "device_type", "cpu");
        qemu_fdt_setprop_string(fdt, node, "compatible", "arm,cortex-a53");
        qemu_fdt_setprop_cell(fdt, node, "reg", cpu->mp_affinity);
        qemu_fdt_setprop_string(fdt, node, "enable-method", "psci");
        g_free(node);
    }
}

static void vgw_fdt_gic(void *fdt, uint32_t phandle)
{
    char *node = vgw_fdt_node("intc", VGW_DEV_GIC_DIST);
    const MemMapEntry *d = &vgw_soc_memmap[VGW_DEV_GIC_DIST];
    const MemMapEntry *c = &vgw_soc_memmap[VGW_DEV_GIC_CPU];

    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop_string(fdt, node, "compatible", "arm,cortex-a15-gic");
    qemu_fdt_setprop_cell(fdt, node, "#interrupt-cells", 3);
    qemu_fdt_setprop_cell(fdt, node, "#address-cells", 0);
    qemu_fdt_setprop(fdt, node, "interrupt-controller", NULL, 0);
    qemu_fdt_setprop_sized_cells(fdt, node, "reg",
                                 2, d->base, 2, d->size,
                                 2, c->base, 2, c->size);
    qemu_fdt_setprop_cell(fdt, node, "phandle", phandle);
    g_free(node);
}

static void vgw_fdt_timer(VgwMachineState *vms, void *fdt)
{
    const char compat[] = "arm,armv8-timer\0arm,armv7-timer";
    /* GICv2 PPIs name the CPUs they target; QEMU's timers are level. */
    uint32_t flags = deposit32(GIC_FDT_IRQ_FLAGS_LEVEL_HI,
                               GIC_FDT_IRQ_PPI_CPU_START,
                               GIC_FDT_IRQ_PPI_CPU_WIDTH,
                               (1 << MACHINE(vms)->smp.cpus) - 1);

    qemu_fdt_add_subnode(fdt, "/timer");
    qemu_fdt_setprop(fdt, "/timer", "compatible", compat, sizeof(compat));
    qemu_fdt_setprop(fdt, "/timer", "always-on", NULL, 0);
    qemu_fdt_setprop_cells(fdt, "/timer", "interrupts",
                           GIC_FDT_IRQ_TYPE_PPI, VGW_PPI_TIMER_S_EL1, flags,
                           GIC_FDT_IRQ_TYPE_PPI, VGW_PPI_TIMER_NS_EL1, flags,
                           GIC_FDT_IRQ_TYPE_PPI, VGW_PPI_TIMER_VIRT, flags,
                           GIC_FDT_IRQ_TYPE_PPI, VGW_PPI_TIMER_NS_EL2, flags);
}

static void vgw_fdt_pmu(VgwMachineState *vms, void *fdt)
{
    const char compat[] = "arm,armv8-pmuv3";
    uint32_t flags = deposit32(GIC_FDT_IRQ_FLAGS_LEVEL_HI,
                               GIC_FDT_IRQ_PPI_CPU_START,
                               GIC_FDT_IRQ_PPI_CPU_WIDTH,
                               (1 << MACHINE(vms)->smp.cpus) - 1);

    qemu_fdt_add_subnode(fdt, "/pmu");
    qemu_fdt_setprop(fdt, "/pmu", "compatible", compat, sizeof(compat));
    qemu_fdt_setprop_cells(fdt, "/pmu", "interrupts",
                           GIC_FDT_IRQ_TYPE_PPI, VGW_PPI_PMU, flags);
}

static void vgw_fdt_uart(void *fdt, int idx, VgwDevice dev, uint32_t clk)
{
    const char compat[] = "arm,pl011\0arm,primecell";
    const char clocknames[] = "uartclk\0apb_pclk";
    char *node = vgw_fdt_node("pl011", dev);
    char *alias = g_strdup_printf("serial%d", idx);

    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop(fdt, node, "compatible", compat, sizeof(compat));
    vgw_fdt_reg(fdt, node, dev);
    vgw_fdt_spi(fdt, node, dev, GIC_FDT_IRQ_FLAGS_LEVEL_HI);
    qemu_fdt_setprop_cells(fdt, node, "clocks", clk, clk);
    qemu_fdt_setprop(fdt, node, "clock-names", clocknames,
                     sizeof(clocknames));
    qemu_fdt_setprop_string(fdt, "/aliases", alias, node);
    if (idx == 0) {
        qemu_fdt_setprop_string(fdt, "/chosen", "stdout-path", alias);
    }
    g_free(alias);
    g_free(node);
}

static void vgw_fdt_rtc(void *fdt, uint32_t clk)
{
    const char compat[] = "arm,pl031\0arm,primecell";
    char *node = vgw_fdt_node("pl031", VGW_DEV_RTC);

    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop(fdt, node, "compatible", compat, sizeof(compat));
    vgw_fdt_reg(fdt, node, VGW_DEV_RTC);
    vgw_fdt_spi(fdt, node, VGW_DEV_RTC, GIC_FDT_IRQ_FLAGS_LEVEL_HI);
    qemu_fdt_setprop_cell(fdt, node, "clocks", clk);
    qemu_fdt_setprop_string(fdt, node, "clock-names", "apb_pclk");
    g_free(node);
}

static void vgw_fdt_sysctl(void *fdt)
{
    char *node = vgw_fdt_node("sysctl", VGW_DEV_SYSCTL);

    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop_string(fdt, node, "compatible", "vgw,sysctl");
    vgw_fdt_reg(fdt, node, VGW_DEV_SYSCTL);
    vgw_fdt_spi(fdt, node, VGW_DEV_SYSCTL, GIC_FDT_IRQ_FLAGS_LEVEL_HI);
    g_free(node);
}

static void vgw_fdt_crypto(void *fdt)
{
    char *node = vgw_fdt_node("crypto", VGW_DEV_CRYPTO);

    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop_string(fdt, node, "compatible", "vgw,crypto");
    vgw_fdt_reg(fdt, node, VGW_DEV_CRYPTO);
    vgw_fdt_spi(fdt, node, VGW_DEV_CRYPTO, GIC_FDT_IRQ_FLAGS_LEVEL_HI);
    g_free(node);
}

static void vgw_fdt_virtio(void *fdt, VgwDevice dev)
{
    char *node = vgw_fdt_node("virtio_mmio", dev);

    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop_string(fdt, node, "compatible", "virtio,mmio");
    vgw_fdt_reg(fdt, node, dev);
    vgw_fdt_spi(fdt, node, dev, GIC_FDT_IRQ_FLAGS_EDGE_LO_HI);
    qemu_fdt_setprop(fdt, node, "dma-coherent", NULL, 0);
    g_free(node);
}

/*
 * Seeds for KASLR and the kernel's RNG, as "virt" provides.  Without
 * rng-seed Linux spends early boot collecting entropy.  Taken from
 * qemu_guest_getrandom() so -seed keeps runs reproducible.
 */
static void vgw_fdt_randomness(void *fdt)
{
    struct {
        uint64_t kaslr;
        uint8_t rng[32];
    } seed;

    qemu_guest_getrandom_nofail(&seed, sizeof(seed));
    qemu_fdt_setprop_u64(fdt, "/chosen", "kaslr-seed", seed.kaslr);
    qemu_fdt_setprop(fdt, "/chosen", "rng-seed", seed.rng, sizeof(seed.rng));
}

static void vgw_create_fdt(VgwMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    void *fdt = create_device_tree(&vms->fdt_size);
    uint32_t gic, clk;

    if (!fdt) {
        error_report("vgw: create_device_tree() failed");
        exit(1);
    }
    ms->fdt = fdt;

    qemu_fdt_setprop_string(fdt, "/", "compatible", "vgw,gateway");
    qemu_fdt_setprop_string(fdt, "/", "model", "vgw virtual SIP gateway");
    qemu_fdt_setprop_cell(fdt, "/", "#address-cells", 2);
    qemu_fdt_setprop_cell(fdt, "/", "#size-cells", 2);
    qemu_fdt_add_subnode(fdt, "/chosen");
    qemu_fdt_add_subnode(fdt, "/aliases");
    vgw_fdt_randomness(fdt);

    /*
     * libfdt adds a node in front of its siblings, so nodes are created in
     * reverse: the DT then lists them in address order, and Linux probes
     * the virtio transports LAN first (eth0) and WAN second (eth1).
     */
    gic = qemu_fdt_alloc_phandle(fdt);
    clk = qemu_fdt_alloc_phandle(fdt);
    qemu_fdt_setprop_cell(fdt, "/", "interrupt-parent", gic);

    /* Every transport is described, populated or not. */
    vgw_fdt_virtio(fdt, VGW_DEV_VIRTIO_FLASH);
    vgw_fdt_virtio(fdt, VGW_DEV_VIRTIO_WAN);
    vgw_fdt_virtio(fdt, VGW_DEV_VIRTIO_LAN);
    vgw_fdt_crypto(fdt);
    vgw_fdt_sysctl(fdt);
    vgw_fdt_rtc(fdt, clk);
    vgw_fdt_uart(fdt, 1, VGW_DEV_UART1, clk);
    vgw_fdt_uart(fdt, 0, VGW_DEV_UART0, clk);

    qemu_fdt_add_subnode(fdt, "/apb-pclk");
    qemu_fdt_setprop_string(fdt, "/apb-pclk", "compatible", "fixed-clock");
    qemu_fdt_setprop_cell(fdt, "/apb-pclk", "#clock-cells", 0);
    qemu_fdt_setprop_cell(fdt, "/apb-pclk", "clock-frequency",
                          VGW_APB_CLK_HZ);
    qemu_fdt_setprop_string(fdt, "/apb-pclk", "clock-output-names",
                            "clk24mhz");
    qemu_fdt_setprop_cell(fdt, "/apb-pclk", "phandle", clk);

    vgw_fdt_pmu(vms, fdt);
    vgw_fdt_timer(vms, fdt);
    vgw_fdt_gic(fdt, gic);
    vgw_fdt_cpus(vms, fdt);
    /* /memory and /psci are added by arm_load_dtb(). */
}

static void *vgw_get_dtb(const struct arm_boot_info *binfo, int *fdt_size)
{
    const VgwMachineState *vms = container_of(binfo, VgwMachineState, binfo);

    *fdt_size = vms->fdt_size;
    return MACHINE(vms)->fdt;
}

/* -------------------------------------------------------------------- */
/* Front-ends                                                           */

static void vgw_attach_nic(VgwMachineState *vms, VgwVirtioPort port,
                           const char *name)
{
    NICInfo *nd = &nd_table[port];
    DeviceState *dev;
    char mac[18];

    /* No -nic/-net nic for this port: the transport stays empty. */
    if (!nd->used) {
        return;
    }
    qemu_check_nic_model(nd, TYPE_VIRTIO_NET);
    dev = qdev_new(TYPE_VIRTIO_NET);
    qdev_set_nic_properties(dev, nd);
    object_property_add_child(OBJECT(&vms->soc), name, OBJECT(dev));
    qdev_realize_and_unref(dev, vgw_soc_virtio_bus(&vms->soc, port),
                           &error_fatal);

    snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
             nd->macaddr.a[0], nd->macaddr.a[1], nd->macaddr.a[2],
             nd->macaddr.a[3], nd->macaddr.a[4], nd->macaddr.a[5]);
    trace_vgw_board_nic(name, mac);
}

/* Configuration flash: the first -drive if=mtd, as a virtio block device. */
static void vgw_attach_flash(VgwMachineState *vms)
{
    DriveInfo *dinfo = drive_get(IF_MTD, 0, 0);
    DeviceState *dev;

    if (!dinfo) {
        return;
    }
    dev = qdev_new(TYPE_VIRTIO_BLK);
    qdev_prop_set_drive_err(dev, "drive", blk_by_legacy_dinfo(dinfo),
                            &error_fatal);
    object_property_add_child(OBJECT(&vms->soc), "flash", OBJECT(dev));
    qdev_realize_and_unref(dev, vgw_soc_virtio_bus(&vms->soc,
                                                   VGW_VIRTIO_FLASH),
                           &error_fatal);
}

/* -------------------------------------------------------------------- */
/* Machine                                                              */

static void vgw_init(MachineState *machine)
{
    VgwMachineState *vms = VGW_MACHINE(machine);
    MachineClass *mc = MACHINE_GET_CLASS(machine);
    Object *soc = OBJECT(&vms->soc);

    if (strcmp(machine->cpu_type, mc->default_cpu_type) != 0) {
        error_report("vgw: this board can only be used with CPU %s",
                     mc->default_cpu_type);
        exit(1);
    }
    if (machine->ram_size > VGW_MAX_RAM) {
        error_report("vgw: at most %" PRIu64 " MiB of RAM is supported",
                     (uint64_t)(VGW_MAX_RAM / MiB));
        exit(1);
    }
    if (machine->firmware) {
        error_report("vgw: -bios is not supported, boot with -kernel");
        exit(1);
    }

    object_initialize_child(OBJECT(machine), "soc", &vms->soc, TYPE_VGW_SOC);
    object_property_set_uint(soc, "num-cpus", machine->smp.cpus,
                             &error_abort);
    object_property_set_link(soc, "dram", OBJECT(machine->ram), &error_abort);
    if (vms->serial) {
        object_property_set_str(soc, "serial", vms->serial, &error_fatal);
    }
    if (vms->mac_base) {
        object_property_set_str(soc, "mac-base", vms->mac_base, &error_fatal);
    }
    object_property_set_uint(soc, "hw-rev", vms->hw_rev, &error_abort);
    if (vms->keystore) {
        object_property_set_str(soc, "keystore", vms->keystore, &error_abort);
    }
    if (vms->keystore_secret) {
        object_property_set_str(soc, "keystore-secret", vms->keystore_secret,
                                &error_abort);
    }
    object_property_set_uint(soc, "crypto-latency-ns", vms->crypto_latency_ns,
                             &error_abort);
    qdev_prop_set_chr(DEVICE(soc), "serial0", serial_hd(0));
    qdev_prop_set_chr(DEVICE(soc), "serial1", serial_hd(1));
    qdev_realize(DEVICE(soc), NULL, &error_fatal);

    /* nd_table order is command-line order: first NIC LAN, second WAN. */
    vgw_attach_nic(vms, VGW_VIRTIO_LAN, "eth-lan");
    vgw_attach_nic(vms, VGW_VIRTIO_WAN, "eth-wan");
    vgw_attach_flash(vms);

    vgw_create_fdt(vms);

    vms->binfo.ram_size = machine->ram_size;
    vms->binfo.loader_start = vgw_soc_memmap[VGW_DEV_DRAM].base;
    vms->binfo.board_id = -1;       /* device-tree-only board */
    vms->binfo.get_dtb = vgw_get_dtb;
    vms->binfo.psci_conduit = QEMU_PSCI_CONDUIT_HVC;
    arm_load_kernel(&vms->soc.cpu[0], machine, &vms->binfo);
}

/*
 * The device reset does not carry the reason, so tell the system
 * controller first; it latches RESET_CAUSE from it.
 */
static void vgw_reset(MachineState *ms, ShutdownCause reason)
{
    VgwMachineState *vms = VGW_MACHINE(ms);

    trace_vgw_board_reset(reason);
    vgw_sysctl_note_reset(&vms->soc.sysctl, reason);
    qemu_devices_reset(reason);
}

static char *vgw_get_serial(Object *obj, Error **errp)
{
    return g_strdup(VGW_MACHINE(obj)->serial);
}

static void vgw_set_serial(Object *obj, const char *value, Error **errp)
{
    VgwMachineState *vms = VGW_MACHINE(obj);

    g_free(vms->serial);
    vms->serial = g_strdup(value);
}

static char *vgw_get_mac_base(Object *obj, Error **errp)
{
    return g_strdup(VGW_MACHINE(obj)->mac_base);
}

/* Parsed (and rejected if malformed) by the sysctl's MAC property. */
static void vgw_set_mac_base(Object *obj, const char *value, Error **errp)
{
    VgwMachineState *vms = VGW_MACHINE(obj);

    g_free(vms->mac_base);
    vms->mac_base = g_strdup(value);
}

static void vgw_get_hw_rev(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint32_t value = VGW_MACHINE(obj)->hw_rev;

    visit_type_uint32(v, name, &value, errp);
}

static void vgw_set_hw_rev(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint32_t value;

    if (!visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    VGW_MACHINE(obj)->hw_rev = value;
}

static char *vgw_get_keystore(Object *obj, Error **errp)
{
    return g_strdup(VGW_MACHINE(obj)->keystore);
}

static void vgw_set_keystore(Object *obj, const char *value, Error **errp)
{
    VgwMachineState *vms = VGW_MACHINE(obj);

    g_free(vms->keystore);
    vms->keystore = g_strdup(value);
}

static char *vgw_get_keystore_secret(Object *obj, Error **errp)
{
    return g_strdup(VGW_MACHINE(obj)->keystore_secret);
}

static void vgw_set_keystore_secret(Object *obj, const char *value,
                                    Error **errp)
{
    VgwMachineState *vms = VGW_MACHINE(obj);

    g_free(vms->keystore_secret);
    vms->keystore_secret = g_strdup(value);
}

static void vgw_get_crypto_latency(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    uint64_t value = VGW_MACHINE(obj)->crypto_latency_ns;

    visit_type_uint64(v, name, &value, errp);
}

static void vgw_set_crypto_latency(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    uint64_t value;

    if (!visit_type_uint64(v, name, &value, errp)) {
        return;
    }
    VGW_MACHINE(obj)->crypto_latency_ns = value;
}

static void vgw_machine_instance_init(Object *obj)
{
    VgwMachineState *vms = VGW_MACHINE(obj);

    vms->hw_rev = 1;
    vms->crypto_latency_ns = VGW_CRYPTO_LATENCY_DEFAULT_NS;
}

static void vgw_machine_finalize(Object *obj)
{
    VgwMachineState *vms = VGW_MACHINE(obj);

    g_free(vms->serial);
    g_free(vms->mac_base);
    g_free(vms->keystore);
    g_free(vms->keystore_secret);
}

static void vgw_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->desc = "vgw virtual SIP gateway";
    mc->init = vgw_init;
    mc->reset = vgw_reset;
    mc->default_cpu_type = VGW_CPU_TYPE;
    mc->min_cpus = 1;
    mc->max_cpus = VGW_MAX_CPUS;
    mc->default_cpus = 1;
    mc->default_ram_size = 256 * MiB;
    mc->default_ram_id = "vgw.ram";
    /*
     * The A53 runs Linux on 4 KiB pages; without this the ARM target's
     * page size stays at its ARMv5 minimum of 1 KiB, so every guest page
     * takes four softmmu TLB entries and four page walks, and the guest
     * runs some 10-15 % slower than on "virt", which sets the same.
     */
    mc->minimum_page_bits = 12;
    mc->no_cdrom = 1;
    mc->no_floppy = 1;
    mc->no_parallel = 1;

    object_class_property_add_str(oc, "serial", vgw_get_serial,
                                  vgw_set_serial);
    object_class_property_set_description(oc, "serial",
        "Board serial number, up to 16 printable ASCII characters "
        "(default VGW0000000001)");
    object_class_property_add_str(oc, "mac-base", vgw_get_mac_base,
                                  vgw_set_mac_base);
    object_class_property_set_description(oc, "mac-base",
        "Board MAC base address reported by the system controller "
        "(default 52:54:00:12:34:56)");
    object_class_property_add(oc, "hw-rev", "uint32", vgw_get_hw_rev,
                              vgw_set_hw_rev, NULL, NULL);
    object_class_property_set_description(oc, "hw-rev",
        "Board hardware revision (default 1)");
    object_class_property_add_str(oc, "keystore", vgw_get_keystore,
                                  vgw_set_keystore);
    object_class_property_set_description(oc, "keystore",
        "Crypto engine keystore file (the secure element); created on the "
        "first key change. Without it the key slots are volatile");
    object_class_property_add_str(oc, "keystore-secret",
                                  vgw_get_keystore_secret,
                                  vgw_set_keystore_secret);
    object_class_property_set_description(oc, "keystore-secret",
        "Id of the -object secret that wraps the keystore (at least 16 "
        "bytes; required with keystore)");
    object_class_property_add(oc, "crypto-latency-ns", "uint64",
                              vgw_get_crypto_latency, vgw_set_crypto_latency,
                              NULL, NULL);
    object_class_property_set_description(oc, "crypto-latency-ns",
        "Modelled crypto engine command latency in ns (default 20000)");
}

static const TypeInfo vgw_machine_types[] = {
    {
        .name = TYPE_VGW_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(VgwMachineState),
        .instance_init = vgw_machine_instance_init,
        .instance_finalize = vgw_machine_finalize,
        .class_init = vgw_machine_class_init,
    },
};

DEFINE_TYPES(vgw_machine_types)
