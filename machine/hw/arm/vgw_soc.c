/*
 * vgw SoC container
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include "exec/address-spaces.h"
#include "hw/arm/vgw_soc.h"
#include "hw/qdev-properties.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "qemu/units.h"

/* Addresses come from the firmware contract, vgw-regs/vgw_memmap.h. */
const MemMapEntry vgw_soc_memmap[VGW_DEV_NUM] = {
    [VGW_DEV_GIC_DIST]      = { VGW_GIC_DIST_BASE,      VGW_GIC_DIST_SIZE },
    [VGW_DEV_GIC_CPU]       = { VGW_GIC_CPU_BASE,       VGW_GIC_CPU_SIZE },
    [VGW_DEV_UART0]         = { VGW_UART0_BASE,         VGW_UART_SIZE },
    [VGW_DEV_UART1]         = { VGW_UART1_BASE,         VGW_UART_SIZE },
    [VGW_DEV_RTC]           = { VGW_RTC_BASE,           VGW_RTC_SIZE },
    [VGW_DEV_SYSCTL]        = { VGW_SYSCTL_BASE,        VGW_SYSCTL_SIZE },
    [VGW_DEV_CRYPTO]        = { VGW_CRYPTO_BASE,        VGW_CRYPTO_SIZE },
    [VGW_DEV_GPIO]          = { VGW_GPIO_BASE,          VGW_UNIMP_SIZE },
    [VGW_DEV_I2C]           = { VGW_I2C_BASE,           VGW_UNIMP_SIZE },
    [VGW_DEV_TDM]           = { VGW_TDM_BASE,           VGW_UNIMP_SIZE },
    [VGW_DEV_DSP]           = { VGW_DSP_BASE,           VGW_UNIMP_SIZE },
    [VGW_DEV_VIRTIO_LAN]    = { VGW_VIRTIO_LAN_BASE,    VGW_VIRTIO_SIZE },
    [VGW_DEV_VIRTIO_WAN]    = { VGW_VIRTIO_WAN_BASE,    VGW_VIRTIO_SIZE },
    [VGW_DEV_VIRTIO_FLASH]  = { VGW_VIRTIO_FLASH_BASE,  VGW_VIRTIO_SIZE },
    /* Size comes from -m */
    [VGW_DEV_DRAM]          = { VGW_DRAM_BASE,          0 },
};

/*
 * GIC SPI numbers, i.e. interrupt ID - 32 (the value a device tree
 * "interrupts" cell carries).  Devices without an entry have no line.
 */
const int vgw_soc_irqmap[VGW_DEV_NUM] = {
    [VGW_DEV_UART0]         = VGW_IRQ_UART0,
    [VGW_DEV_UART1]         = VGW_IRQ_UART1,
    [VGW_DEV_RTC]           = VGW_IRQ_RTC,
    [VGW_DEV_SYSCTL]        = VGW_IRQ_SYSCTL,
    [VGW_DEV_CRYPTO]        = VGW_IRQ_CRYPTO,
    [VGW_DEV_VIRTIO_LAN]    = VGW_IRQ_VIRTIO_LAN,
    [VGW_DEV_VIRTIO_WAN]    = VGW_IRQ_VIRTIO_WAN,
    [VGW_DEV_VIRTIO_FLASH]  = VGW_IRQ_VIRTIO_FLASH,
};

static const VgwDevice vgw_uart_dev[VGW_NUM_UARTS] = {
    VGW_DEV_UART0, VGW_DEV_UART1,
};

static const VgwDevice vgw_virtio_dev[VGW_VIRTIO_NUM] = {
    [VGW_VIRTIO_LAN]    = VGW_DEV_VIRTIO_LAN,
    [VGW_VIRTIO_WAN]    = VGW_DEV_VIRTIO_WAN,
    [VGW_VIRTIO_FLASH]  = VGW_DEV_VIRTIO_FLASH,
};

static const struct {
    const char *name;
    VgwDevice dev;
} vgw_unimp[] = {
    { "vgw.gpio",   VGW_DEV_GPIO },
    { "vgw.i2c",    VGW_DEV_I2C },
    { "vgw.tdm",    VGW_DEV_TDM },
    { "vgw.dsp",    VGW_DEV_DSP },
};
QEMU_BUILD_BUG_ON(ARRAY_SIZE(vgw_unimp) != VGW_NUM_UNIMP);

qemu_irq vgw_soc_get_irq(VgwSocState *s, VgwDevice dev)
{
    return qdev_get_gpio_in(DEVICE(&s->gic), vgw_soc_irqmap[dev]);
}

BusState *vgw_soc_virtio_bus(VgwSocState *s, VgwVirtioPort port)
{
    return BUS(&s->virtio[port].bus);
}

static void vgw_soc_init(Object *obj)
{
    VgwSocState *s = VGW_SOC(obj);
    int i;

    /* CPUs are created in realize: their number is a property. */
    object_initialize_child(obj, "gic", &s->gic, TYPE_ARM_GIC);

    for (i = 0; i < VGW_NUM_UARTS; i++) {
        object_initialize_child(obj, "uart[*]", &s->uart[i], TYPE_PL011);
    }
    object_property_add_alias(obj, "serial0", OBJECT(&s->uart[0]), "chardev");
    object_property_add_alias(obj, "serial1", OBJECT(&s->uart[1]), "chardev");
    /*
     * UART1 is the maintenance port: a host client that connects or hangs
     * up reads as a break, the firmware's cue that the session is over
     * (machine/README.md).  The console carries no session.
     */
    qdev_prop_set_bit(DEVICE(&s->uart[1]), "break-on-hangup", true);

    object_initialize_child(obj, "rtc", &s->rtc, TYPE_PL031);

    object_initialize_child(obj, "sysctl", &s->sysctl, TYPE_VGW_SYSCTL);
    object_property_add_alias(obj, "serial", OBJECT(&s->sysctl), "serial");
    object_property_add_alias(obj, "mac-base", OBJECT(&s->sysctl),
                              "mac-base");
    object_property_add_alias(obj, "hw-rev", OBJECT(&s->sysctl), "hw-rev");

    object_initialize_child(obj, "crypto", &s->crypto, TYPE_VGW_CRYPTO);
    object_property_add_alias(obj, "keystore", OBJECT(&s->crypto),
                              "keystore");
    object_property_add_alias(obj, "keystore-secret", OBJECT(&s->crypto),
                              "secret");
    object_property_add_alias(obj, "crypto-latency-ns", OBJECT(&s->crypto),
                              "latency-ns");

    for (i = 0; i < VGW_VIRTIO_NUM; i++) {
        object_initialize_child(obj, "virtio-mmio[*]", &s->virtio[i],
                                TYPE_VIRTIO_MMIO);
    }

    for (i = 0; i < VGW_NUM_UNIMP; i++) {
        object_initialize_child(obj, vgw_unimp[i].name, &s->unimp[i],
                                TYPE_UNIMPLEMENTED_DEVICE);
    }
}

static bool vgw_soc_realize_cpus(VgwSocState *s, Error **errp)
{
    int i;

    for (i = 0; i < s->num_cpus; i++) {
        Object *cpuobj;

        object_initialize_child(OBJECT(s), "cpu[*]", &s->cpu[i], VGW_CPU_TYPE);
        cpuobj = OBJECT(&s->cpu[i]);

        /*
         * Like "virt" under TCG without secure=on/virtualization=on: the
         * kernel enters at EL1 and QEMU itself answers PSCI calls made
         * with HVC, so secondaries need no boot stub.
         */
        if (object_property_find(cpuobj, "has_el3")) {
            object_property_set_bool(cpuobj, "has_el3", false, &error_abort);
        }
        if (object_property_find(cpuobj, "has_el2")) {
            object_property_set_bool(cpuobj, "has_el2", false, &error_abort);
        }
        object_property_set_int(cpuobj, "psci-conduit",
                                QEMU_PSCI_CONDUIT_HVC, &error_abort);
        /* Secondaries wait for PSCI CPU_ON. */
        object_property_set_bool(cpuobj, "start-powered-off", i > 0,
                                 &error_abort);
        if (object_property_find(cpuobj, "reset-cbar")) {
            object_property_set_int(cpuobj, "reset-cbar",
                                    vgw_soc_memmap[VGW_DEV_GIC_DIST].base,
                                    &error_abort);
        }
        object_property_set_link(cpuobj, "memory",
                                 OBJECT(get_system_memory()), &error_abort);
        if (!qdev_realize(DEVICE(cpuobj), NULL, errp)) {
            return false;
        }
    }
    return true;
}

static bool vgw_soc_realize_gic(VgwSocState *s, Error **errp)
{
    DeviceState *gicdev = DEVICE(&s->gic);
    SysBusDevice *gicbusdev = SYS_BUS_DEVICE(&s->gic);
    /* Generic timer outputs, indexed by QEMU's GTIMER_* */
    static const int timer_ppi[] = {
        [GTIMER_PHYS] = VGW_PPI_TIMER_NS_EL1,
        [GTIMER_VIRT] = VGW_PPI_TIMER_VIRT,
        [GTIMER_HYP]  = VGW_PPI_TIMER_NS_EL2,
        [GTIMER_SEC]  = VGW_PPI_TIMER_S_EL1,
    };
    int n = s->num_cpus;
    int i, t;

    qdev_prop_set_uint32(gicdev, "revision", 2);
    qdev_prop_set_uint32(gicdev, "num-cpu", n);
    qdev_prop_set_uint32(gicdev, "num-irq", VGW_NUM_SPIS + GIC_INTERNAL);
    qdev_prop_set_bit(gicdev, "has-security-extensions", false);
    if (!sysbus_realize(gicbusdev, errp)) {
        return false;
    }
    sysbus_mmio_map(gicbusdev, 0, vgw_soc_memmap[VGW_DEV_GIC_DIST].base);
    sysbus_mmio_map(gicbusdev, 1, vgw_soc_memmap[VGW_DEV_GIC_CPU].base);

    for (i = 0; i < n; i++) {
        DeviceState *cpudev = DEVICE(&s->cpu[i]);
        /* GIC inputs: the SPIs, then 32 internal interrupts per CPU. */
        int ppibase = VGW_NUM_SPIS + i * GIC_INTERNAL + GIC_NR_SGIS;

        for (t = 0; t < ARRAY_SIZE(timer_ppi); t++) {
            qdev_connect_gpio_out(cpudev, t,
                                  qdev_get_gpio_in(gicdev,
                                                   ppibase + timer_ppi[t]));
        }
        qdev_connect_gpio_out_named(cpudev, "pmu-interrupt", 0,
                                    qdev_get_gpio_in(gicdev,
                                                     ppibase + VGW_PPI_PMU));

        sysbus_connect_irq(gicbusdev, i,
                           qdev_get_gpio_in(cpudev, ARM_CPU_IRQ));
        sysbus_connect_irq(gicbusdev, i + n,
                           qdev_get_gpio_in(cpudev, ARM_CPU_FIQ));
        sysbus_connect_irq(gicbusdev, i + 2 * n,
                           qdev_get_gpio_in(cpudev, ARM_CPU_VIRQ));
        sysbus_connect_irq(gicbusdev, i + 3 * n,
                           qdev_get_gpio_in(cpudev, ARM_CPU_VFIQ));
    }
    return true;
}

/* Realize a one-region, one-irq sysbus child and place it on the map. */
static bool vgw_soc_realize_simple(VgwSocState *s, SysBusDevice *sbd,
                                   VgwDevice dev, Error **errp)
{
    if (!sysbus_realize(sbd, errp)) {
        return false;
    }
    sysbus_mmio_map(sbd, 0, vgw_soc_memmap[dev].base);
    sysbus_connect_irq(sbd, 0, vgw_soc_get_irq(s, dev));
    return true;
}

static void vgw_soc_realize(DeviceState *dev, Error **errp)
{
    VgwSocState *s = VGW_SOC(dev);
    MemoryRegion *sysmem = get_system_memory();
    int i;

    if (s->num_cpus < 1 || s->num_cpus > VGW_MAX_CPUS) {
        error_setg(errp, "%s: num-cpus must be 1..%d, not %" PRIu32,
                   TYPE_VGW_SOC, VGW_MAX_CPUS, s->num_cpus);
        return;
    }
    if (!s->dram) {
        error_setg(errp, "%s: 'dram' link not set", TYPE_VGW_SOC);
        return;
    }
    memory_region_add_subregion(sysmem, vgw_soc_memmap[VGW_DEV_DRAM].base,
                                s->dram);

    if (!vgw_soc_realize_cpus(s, errp) || !vgw_soc_realize_gic(s, errp)) {
        return;
    }

    for (i = 0; i < VGW_NUM_UARTS; i++) {
        if (!vgw_soc_realize_simple(s, SYS_BUS_DEVICE(&s->uart[i]),
                                    vgw_uart_dev[i], errp)) {
            return;
        }
    }

    if (!vgw_soc_realize_simple(s, SYS_BUS_DEVICE(&s->rtc), VGW_DEV_RTC,
                                errp)) {
        return;
    }

    if (!vgw_soc_realize_simple(s, SYS_BUS_DEVICE(&s->sysctl),
                                VGW_DEV_SYSCTL, errp)) {
        return;
    }

    if (!vgw_soc_realize_simple(s, SYS_BUS_DEVICE(&s->crypto),
                                VGW_DEV_CRYPTO, errp)) {
        return;
    }

    for (i = 0; i < VGW_VIRTIO_NUM; i++) {
        /* Modern (virtio 1.0) transports: no legacy quirks to carry. */
        qdev_prop_set_bit(DEVICE(&s->virtio[i]), "force-legacy", false);
        if (!vgw_soc_realize_simple(s, SYS_BUS_DEVICE(&s->virtio[i]),
                                    vgw_virtio_dev[i], errp)) {
            return;
        }
    }

    for (i = 0; i < VGW_NUM_UNIMP; i++) {
        const MemMapEntry *e = &vgw_soc_memmap[vgw_unimp[i].dev];

        qdev_prop_set_string(DEVICE(&s->unimp[i]), "name", vgw_unimp[i].name);
        qdev_prop_set_uint64(DEVICE(&s->unimp[i]), "size", e->size);
        if (!sysbus_realize(SYS_BUS_DEVICE(&s->unimp[i]), errp)) {
            return;
        }
        sysbus_mmio_map_overlap(SYS_BUS_DEVICE(&s->unimp[i]), 0, e->base,
                                -1000);
    }
}

static Property vgw_soc_properties[] = {
    DEFINE_PROP_UINT32("num-cpus", VgwSocState, num_cpus, 1),
    DEFINE_PROP_LINK("dram", VgwSocState, dram, TYPE_MEMORY_REGION,
                     MemoryRegion *),
    DEFINE_PROP_END_OF_LIST(),
};

static void vgw_soc_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = vgw_soc_realize;
    dc->desc = "vgw SoC";
    /* Reason: the board wires CPUs, RAM, chardevs and NICs into it. */
    dc->user_creatable = false;
    device_class_set_props(dc, vgw_soc_properties);
}

static const TypeInfo vgw_soc_types[] = {
    {
        .name = TYPE_VGW_SOC,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(VgwSocState),
        .instance_init = vgw_soc_init,
        .class_init = vgw_soc_class_init,
    },
};

DEFINE_TYPES(vgw_soc_types)
