/*
 * vgw system controller
 *
 * Board identity (serial number, MAC base, hardware revision), the cause
 * of the last reset, a firmware reset request and a watchdog that resets
 * the board when not serviced.  Register map: vgw-regs/vgw_sysctl.h.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include "hw/irq.h"
#include "hw/misc/vgw_sysctl.h"
#include "hw/registerfields.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "migration/vmstate.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "sysemu/runstate.h"
#include "sysemu/watchdog.h"
#include "trace.h"

/* QEMU's view of the register map in vgw-regs/vgw_sysctl.h */
REG32(ID,               VGW_SYSCTL_ID)
REG32(VERSION,          VGW_SYSCTL_VERSION)
REG32(HW_REV,           VGW_SYSCTL_HW_REV)
REG32(RESET_CAUSE,      VGW_SYSCTL_RESET_CAUSE)
REG32(RESET_COUNT,      VGW_SYSCTL_RESET_COUNT)
REG32(RESET_REQ,        VGW_SYSCTL_RESET_REQ)
REG32(SCRATCH,          VGW_SYSCTL_SCRATCH)
REG32(SERIAL0,          VGW_SYSCTL_SERIAL0)
REG32(SERIAL1,          VGW_SYSCTL_SERIAL0 + 4)
REG32(SERIAL2,          VGW_SYSCTL_SERIAL0 + 8)
REG32(SERIAL3,          VGW_SYSCTL_SERIAL0 + 12)
REG32(MAC_BASE_HI,      VGW_SYSCTL_MAC_BASE_HI)
REG32(MAC_BASE_LO,      VGW_SYSCTL_MAC_BASE_LO)
REG32(WDT_CTRL,         VGW_SYSCTL_WDT_CTRL)
    FIELD(WDT_CTRL, ENABLE, 0, 1)
    FIELD(WDT_CTRL, LOCK,   1, 1)
REG32(WDT_TIMEOUT,      VGW_SYSCTL_WDT_TIMEOUT)
REG32(WDT_KICK,         VGW_SYSCTL_WDT_KICK)
REG32(WDT_REMAINING,    VGW_SYSCTL_WDT_REMAINING)

QEMU_BUILD_BUG_ON(A_SERIAL3 + 4 != VGW_SYSCTL_SERIAL0 + VGW_SYSCTL_SERIAL_LEN);
QEMU_BUILD_BUG_ON(R_WDT_CTRL_ENABLE_MASK != VGW_WDT_CTRL_ENABLE);
QEMU_BUILD_BUG_ON(R_WDT_CTRL_LOCK_MASK != VGW_WDT_CTRL_LOCK);
QEMU_BUILD_BUG_ON(VGW_SYSCTL_NUM_REGS != R_WDT_REMAINING + 1);

#define VGW_SYSCTL_SERIAL_DEFAULT "VGW0000000001"
static const MACAddr vgw_sysctl_mac_default = {
    .a = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }
};

static bool vgw_sysctl_wdt_enabled(VgwSysctlState *s)
{
    return FIELD_EX32(s->regs[R_WDT_CTRL], WDT_CTRL, ENABLE);
}

static bool vgw_sysctl_wdt_locked(VgwSysctlState *s)
{
    return FIELD_EX32(s->regs[R_WDT_CTRL], WDT_CTRL, LOCK);
}

/* (Re)load the countdown from WDT_TIMEOUT. */
static void vgw_sysctl_wdt_reload(VgwSysctlState *s)
{
    timer_mod(s->wdt_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                            (int64_t)s->regs[R_WDT_TIMEOUT] * SCALE_MS);
}

static uint32_t vgw_sysctl_wdt_remaining(VgwSysctlState *s)
{
    int64_t now, expire;

    if (!vgw_sysctl_wdt_enabled(s) || !timer_pending(s->wdt_timer)) {
        return 0;
    }
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    expire = timer_expire_time_ns(s->wdt_timer);
    if (expire <= now) {
        return 0;
    }
    /* Round up: a non-zero remainder must never read as "expired". */
    return DIV_ROUND_UP(expire - now, SCALE_MS);
}

static void vgw_sysctl_wdt_expired(void *opaque)
{
    VgwSysctlState *s = opaque;
    WatchdogAction action = get_watchdog_action();

    trace_vgw_sysctl_wdt_expired(action);
    /*
     * The watchdog action resets with SHUTDOWN_CAUSE_GUEST_RESET, the same
     * reason as a firmware request; remember that this one was ours.  Only
     * for the reset action: with -action watchdog=pause/none no reset
     * follows, and a later firmware reset must not read as a watchdog one.
     */
    if (action == WATCHDOG_ACTION_RESET) {
        s->wdt_reset_pending = true;
    }
    watchdog_perform_action();
}

void vgw_sysctl_note_reset(VgwSysctlState *s, ShutdownCause reason)
{
    uint32_t cause;

    if (!s->powered_on || reason == SHUTDOWN_CAUSE_NONE) {
        cause = VGW_RESET_CAUSE_POWER_ON;
    } else if (reason == SHUTDOWN_CAUSE_GUEST_RESET) {
        /* RESET_REQ, PSCI SYSTEM_RESET, or our own watchdog */
        cause = s->wdt_reset_pending ? VGW_RESET_CAUSE_WATCHDOG
                                     : VGW_RESET_CAUSE_FIRMWARE;
    } else if (reason == SHUTDOWN_CAUSE_GUEST_PANIC ||
               reason == SHUTDOWN_CAUSE_GUEST_SHUTDOWN) {
        cause = VGW_RESET_CAUSE_FIRMWARE;
    } else {
        cause = VGW_RESET_CAUSE_HOST;
    }
    s->next_cause = cause;
}

static uint32_t vgw_sysctl_read_hw_rev(void *opaque, unsigned reg)
{
    VgwSysctlState *s = opaque;

    return s->hw_rev;
}

static uint32_t vgw_sysctl_read_serial(void *opaque, unsigned reg)
{
    VgwSysctlState *s = opaque;

    return ldl_le_p(&s->serial_bytes[(reg - R_SERIAL0) * 4]);
}

static uint32_t vgw_sysctl_read_mac_base(void *opaque, unsigned reg)
{
    VgwSysctlState *s = opaque;
    const uint8_t *a = s->mac_base.a;

    if (reg == R_MAC_BASE_HI) {
        return (a[0] << 8) | a[1];
    }
    return ((uint32_t)a[2] << 24) | (a[3] << 16) | (a[4] << 8) | a[5];
}

static uint32_t vgw_sysctl_read_wdt_remaining(void *opaque, unsigned reg)
{
    return vgw_sysctl_wdt_remaining(opaque);
}

static void vgw_sysctl_write_reset_req(void *opaque, unsigned reg,
                                       uint32_t value)
{
    VgwSysctlState *s = opaque;

    if (value != VGW_SYSCTL_RESET_REQ_MAGIC) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: RESET_REQ: wrong magic 0x%08" PRIx32
                      ", ignored\n", DEVICE(s)->canonical_path, value);
        return;
    }
    trace_vgw_sysctl_reset_request();
    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
}

static void vgw_sysctl_write_wdt_ctrl(void *opaque, unsigned reg,
                                      uint32_t value)
{
    VgwSysctlState *s = opaque;
    bool enable = FIELD_EX32(value, WDT_CTRL, ENABLE);

    if (enable != vgw_sysctl_wdt_enabled(s)) {
        if (vgw_sysctl_wdt_locked(s)) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "%s: WDT_CTRL: watchdog is locked, ENABLE stays %d\n",
                          DEVICE(s)->canonical_path,
                          vgw_sysctl_wdt_enabled(s));
            /* LOCK is set already; nothing else in this write can apply. */
            return;
        }
        s->regs[R_WDT_CTRL] = FIELD_DP32(s->regs[R_WDT_CTRL], WDT_CTRL,
                                         ENABLE, enable);
        if (enable) {
            trace_vgw_sysctl_wdt_start(s->regs[R_WDT_TIMEOUT]);
            vgw_sysctl_wdt_reload(s);
        } else {
            timer_del(s->wdt_timer);
        }
    }

    /* Set-only: clearing LOCK is silently ignored, as the header says. */
    if (FIELD_EX32(value, WDT_CTRL, LOCK)) {
        s->regs[R_WDT_CTRL] = FIELD_DP32(s->regs[R_WDT_CTRL], WDT_CTRL,
                                         LOCK, 1);
    }
}

static void vgw_sysctl_write_wdt_timeout(void *opaque, unsigned reg,
                                         uint32_t value)
{
    VgwSysctlState *s = opaque;

    if (vgw_sysctl_wdt_locked(s)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: WDT_TIMEOUT: watchdog is locked, timeout stays "
                      "%" PRIu32 " ms\n", DEVICE(s)->canonical_path,
                      s->regs[R_WDT_TIMEOUT]);
        return;
    }
    if (value < VGW_WDT_TIMEOUT_MIN || value > VGW_WDT_TIMEOUT_MAX) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: WDT_TIMEOUT: %" PRIu32 " ms out of range "
                      "[%u, %u], ignored\n", DEVICE(s)->canonical_path,
                      value, VGW_WDT_TIMEOUT_MIN, VGW_WDT_TIMEOUT_MAX);
        return;
    }
    s->regs[R_WDT_TIMEOUT] = value;
    /*
     * A running watchdog restarts from the new timeout, like Linux's
     * WDIOC_SETTIMEOUT, so shortening it never fires on the old deadline.
     */
    if (vgw_sysctl_wdt_enabled(s)) {
        vgw_sysctl_wdt_reload(s);
    }
}

static void vgw_sysctl_write_wdt_kick(void *opaque, unsigned reg,
                                      uint32_t value)
{
    VgwSysctlState *s = opaque;

    if (value != VGW_SYSCTL_WDT_KICK_MAGIC) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: WDT_KICK: wrong magic 0x%08" PRIx32
                      ", ignored\n", DEVICE(s)->canonical_path, value);
        return;
    }
    if (vgw_sysctl_wdt_enabled(s)) {
        trace_vgw_sysctl_wdt_kick(s->regs[R_WDT_TIMEOUT]);
        vgw_sysctl_wdt_reload(s);
    }
}

/*
 * The register map: access, reset value and writable bits of each
 * register, and the hooks of those with side effects.  RESET_CAUSE,
 * RESET_COUNT and SCRATCH depend on the kind of reset, so
 * vgw_sysctl_reset_enter() sets them.
 */
#define VGW_SYSCTL_SERIAL_REG(n) \
    [R_SERIAL ## n] = { .name = "SERIAL" #n, .access = VGW_REG_RO, \
                        .read = vgw_sysctl_read_serial }

static const VgwRegInfo vgw_sysctl_regs[VGW_SYSCTL_NUM_REGS] = {
    [R_ID] = {
        .name = "ID", .access = VGW_REG_RO, .reset = VGW_SYSCTL_ID_VALUE,
    },
    [R_VERSION] = {
        .name = "VERSION", .access = VGW_REG_RO,
        .reset = VGW_SYSCTL_VERSION_VALUE,
    },
    [R_HW_REV] = {
        .name = "HW_REV", .access = VGW_REG_RO,
        .read = vgw_sysctl_read_hw_rev,
    },
    [R_RESET_CAUSE] = {
        .name = "RESET_CAUSE", .access = VGW_REG_RO, .reset_by_device = true,
    },
    [R_RESET_COUNT] = {
        .name = "RESET_COUNT", .access = VGW_REG_RO, .reset_by_device = true,
    },
    [R_RESET_REQ] = {
        .name = "RESET_REQ", .access = VGW_REG_WO, .write_mask = UINT32_MAX,
        .write = vgw_sysctl_write_reset_req,
    },
    [R_SCRATCH] = {
        .name = "SCRATCH", .access = VGW_REG_RW, .write_mask = UINT32_MAX,
        .reset_by_device = true,
    },
    VGW_SYSCTL_SERIAL_REG(0),
    VGW_SYSCTL_SERIAL_REG(1),
    VGW_SYSCTL_SERIAL_REG(2),
    VGW_SYSCTL_SERIAL_REG(3),
    [R_MAC_BASE_HI] = {
        .name = "MAC_BASE_HI", .access = VGW_REG_RO,
        .read = vgw_sysctl_read_mac_base,
    },
    [R_MAC_BASE_LO] = {
        .name = "MAC_BASE_LO", .access = VGW_REG_RO,
        .read = vgw_sysctl_read_mac_base,
    },
    [R_WDT_CTRL] = {
        .name = "WDT_CTRL", .access = VGW_REG_RW,
        .write_mask = R_WDT_CTRL_ENABLE_MASK | R_WDT_CTRL_LOCK_MASK,
        .write = vgw_sysctl_write_wdt_ctrl,
    },
    [R_WDT_TIMEOUT] = {
        .name = "WDT_TIMEOUT", .access = VGW_REG_RW,
        .reset = VGW_WDT_TIMEOUT_DEFAULT, .write_mask = UINT32_MAX,
        .write = vgw_sysctl_write_wdt_timeout,
    },
    [R_WDT_KICK] = {
        .name = "WDT_KICK", .access = VGW_REG_WO, .write_mask = UINT32_MAX,
        .write = vgw_sysctl_write_wdt_kick,
    },
    [R_WDT_REMAINING] = {
        .name = "WDT_REMAINING", .access = VGW_REG_RO,
        .read = vgw_sysctl_read_wdt_remaining,
    },
};

static const MemoryRegionOps vgw_sysctl_ops = {
    .read = vgw_regfile_read,       /* opaque: the VgwRegFile */
    .write = vgw_regfile_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /*
     * Accept every size and alignment so that bad accesses reach the
     * handlers and are logged as guest errors instead of faulting.
     */
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

static void vgw_sysctl_reset_enter(Object *obj, ResetType type)
{
    VgwSysctlState *s = VGW_SYSCTL(obj);

    vgw_regfile_reset(&s->regfile);
    s->regs[R_RESET_CAUSE] = s->next_cause;
    if (s->next_cause == VGW_RESET_CAUSE_POWER_ON) {
        s->regs[R_RESET_COUNT] = 0;
        s->regs[R_SCRATCH] = 0;
    } else {
        s->regs[R_RESET_COUNT]++;
    }
    s->powered_on = true;
    s->wdt_reset_pending = false;
    /* A reset the board did not announce is a host-side one. */
    s->next_cause = VGW_RESET_CAUSE_HOST;

    timer_del(s->wdt_timer);

    trace_vgw_sysctl_reset(s->regs[R_RESET_CAUSE], s->regs[R_RESET_COUNT]);
}

static void vgw_sysctl_reset_hold(Object *obj)
{
    VgwSysctlState *s = VGW_SYSCTL(obj);

    /* Version 1.0 has no interrupt source; keep the reserved line low. */
    qemu_irq_lower(s->irq);
}

static void vgw_sysctl_init(Object *obj)
{
    VgwSysctlState *s = VGW_SYSCTL(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &vgw_sysctl_ops, &s->regfile,
                          TYPE_VGW_SYSCTL, VGW_SYSCTL_REGION_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
    s->regfile = (VgwRegFile) {
        .dev = DEVICE(obj), .info = vgw_sysctl_regs,
        .num = VGW_SYSCTL_NUM_REGS, .regs = s->regs, .opaque = s,
    };
    s->wdt_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, vgw_sysctl_wdt_expired, s);
    s->next_cause = VGW_RESET_CAUSE_POWER_ON;
    /* qdev MAC properties have no default value of their own. */
    s->mac_base = vgw_sysctl_mac_default;
}

static void vgw_sysctl_finalize(Object *obj)
{
    VgwSysctlState *s = VGW_SYSCTL(obj);

    timer_free(s->wdt_timer);
}

static void vgw_sysctl_realize(DeviceState *dev, Error **errp)
{
    VgwSysctlState *s = VGW_SYSCTL(dev);
    const char *serial = s->serial ? s->serial : VGW_SYSCTL_SERIAL_DEFAULT;
    size_t len = strlen(serial);
    size_t i;

    if (len > VGW_SYSCTL_SERIAL_LEN) {
        error_setg(errp, "%s: serial '%s' is longer than %d characters",
                   TYPE_VGW_SYSCTL, serial, VGW_SYSCTL_SERIAL_LEN);
        return;
    }
    for (i = 0; i < len; i++) {
        if (!g_ascii_isgraph(serial[i])) {
            error_setg(errp, "%s: serial '%s' must be printable ASCII "
                       "without spaces", TYPE_VGW_SYSCTL, serial);
            return;
        }
    }
    memset(s->serial_bytes, 0, sizeof(s->serial_bytes));
    memcpy(s->serial_bytes, serial, len);
}

static const VMStateDescription vmstate_vgw_sysctl = {
    .name = TYPE_VGW_SYSCTL,
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32_ARRAY(regs, VgwSysctlState, VGW_SYSCTL_NUM_REGS),
        VMSTATE_TIMER_PTR(wdt_timer, VgwSysctlState),
        VMSTATE_BOOL(powered_on, VgwSysctlState),
        VMSTATE_BOOL(wdt_reset_pending, VgwSysctlState),
        VMSTATE_UINT32(next_cause, VgwSysctlState),
        VMSTATE_END_OF_LIST()
    },
};

static Property vgw_sysctl_properties[] = {
    DEFINE_PROP_STRING("serial", VgwSysctlState, serial),
    DEFINE_PROP_MACADDR("mac-base", VgwSysctlState, mac_base),
    DEFINE_PROP_UINT32("hw-rev", VgwSysctlState, hw_rev, 1),
    DEFINE_PROP_END_OF_LIST(),
};

static void vgw_sysctl_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->desc = "vgw system controller";
    dc->realize = vgw_sysctl_realize;
    dc->vmsd = &vmstate_vgw_sysctl;
    /* Part of the SoC; it only exists at its fixed address. */
    dc->user_creatable = false;
    device_class_set_props(dc, vgw_sysctl_properties);
    rc->phases.enter = vgw_sysctl_reset_enter;
    rc->phases.hold = vgw_sysctl_reset_hold;
}

static const TypeInfo vgw_sysctl_types[] = {
    {
        .name = TYPE_VGW_SYSCTL,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(VgwSysctlState),
        .instance_init = vgw_sysctl_init,
        .instance_finalize = vgw_sysctl_finalize,
        .class_init = vgw_sysctl_class_init,
    },
};

DEFINE_TYPES(vgw_sysctl_types)
