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
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "migration/vmstate.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "sysemu/runstate.h"
#include "sysemu/watchdog.h"
#include "trace.h"

#define VGW_SYSCTL_SERIAL_DEFAULT "VGW0000000001"
static const MACAddr vgw_sysctl_mac_default = {
    .a = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }
};

static bool vgw_sysctl_wdt_enabled(VgwSysctlState *s)
{
    return s->wdt_ctrl & VGW_WDT_CTRL_ENABLE;
}

static bool vgw_sysctl_wdt_locked(VgwSysctlState *s)
{
    return s->wdt_ctrl & VGW_WDT_CTRL_LOCK;
}

/* (Re)load the countdown from WDT_TIMEOUT. */
static void vgw_sysctl_wdt_reload(VgwSysctlState *s)
{
    timer_mod(s->wdt_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                            (int64_t)s->wdt_timeout * SCALE_MS);
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

static uint64_t vgw_sysctl_read(void *opaque, hwaddr offset, unsigned size)
{
    VgwSysctlState *s = opaque;
    uint64_t value = 0;

    if (size != 4 || (offset & 3)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: %u-byte read at offset 0x%03" HWADDR_PRIx
                      ": only aligned 32-bit accesses are supported\n",
                      DEVICE(s)->canonical_path, size, offset);
        return 0;
    }

    switch (offset) {
    case VGW_SYSCTL_ID:
        value = VGW_SYSCTL_ID_VALUE;
        break;
    case VGW_SYSCTL_VERSION:
        value = VGW_SYSCTL_VERSION_VALUE;
        break;
    case VGW_SYSCTL_HW_REV:
        value = s->hw_rev;
        break;
    case VGW_SYSCTL_RESET_CAUSE:
        value = s->reset_cause;
        break;
    case VGW_SYSCTL_RESET_COUNT:
        value = s->reset_count;
        break;
    case VGW_SYSCTL_SCRATCH:
        value = s->scratch;
        break;
    case VGW_SYSCTL_SERIAL0 ...
         VGW_SYSCTL_SERIAL0 + VGW_SYSCTL_SERIAL_LEN - 1:
        value = ldl_le_p(&s->serial_bytes[offset - VGW_SYSCTL_SERIAL0]);
        break;
    case VGW_SYSCTL_MAC_BASE_HI:
        value = (s->mac_base.a[0] << 8) | s->mac_base.a[1];
        break;
    case VGW_SYSCTL_MAC_BASE_LO:
        value = ((uint32_t)s->mac_base.a[2] << 24) | (s->mac_base.a[3] << 16) |
                (s->mac_base.a[4] << 8) | s->mac_base.a[5];
        break;
    case VGW_SYSCTL_WDT_CTRL:
        value = s->wdt_ctrl;
        break;
    case VGW_SYSCTL_WDT_TIMEOUT:
        value = s->wdt_timeout;
        break;
    case VGW_SYSCTL_WDT_REMAINING:
        value = vgw_sysctl_wdt_remaining(s);
        break;
    case VGW_SYSCTL_RESET_REQ:
    case VGW_SYSCTL_WDT_KICK:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: read of write-only register at offset 0x%03"
                      HWADDR_PRIx "\n", DEVICE(s)->canonical_path, offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: read of unknown offset 0x%03" HWADDR_PRIx "\n",
                      DEVICE(s)->canonical_path, offset);
        break;
    }

    trace_vgw_sysctl_read(offset, value, size);
    return value;
}

static void vgw_sysctl_write_wdt_ctrl(VgwSysctlState *s, uint32_t value)
{
    const uint32_t valid = VGW_WDT_CTRL_ENABLE | VGW_WDT_CTRL_LOCK;
    bool enable = value & VGW_WDT_CTRL_ENABLE;

    if (value & ~valid) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: WDT_CTRL: reserved bits 0x%08" PRIx32 " ignored\n",
                      DEVICE(s)->canonical_path, value & ~valid);
    }

    if (enable != vgw_sysctl_wdt_enabled(s)) {
        if (vgw_sysctl_wdt_locked(s)) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "%s: WDT_CTRL: watchdog is locked, ENABLE stays %d\n",
                          DEVICE(s)->canonical_path,
                          vgw_sysctl_wdt_enabled(s));
            /* LOCK is set already; nothing else in this write can apply. */
            return;
        }
        if (enable) {
            s->wdt_ctrl |= VGW_WDT_CTRL_ENABLE;
            trace_vgw_sysctl_wdt_start(s->wdt_timeout);
            vgw_sysctl_wdt_reload(s);
        } else {
            s->wdt_ctrl &= ~VGW_WDT_CTRL_ENABLE;
            timer_del(s->wdt_timer);
        }
    }

    /* Set-only: clearing LOCK is silently ignored, as the header says. */
    if (value & VGW_WDT_CTRL_LOCK) {
        s->wdt_ctrl |= VGW_WDT_CTRL_LOCK;
    }
}

static void vgw_sysctl_write_wdt_timeout(VgwSysctlState *s, uint32_t value)
{
    if (vgw_sysctl_wdt_locked(s)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: WDT_TIMEOUT: watchdog is locked, timeout stays "
                      "%" PRIu32 " ms\n", DEVICE(s)->canonical_path,
                      s->wdt_timeout);
        return;
    }
    if (value < VGW_WDT_TIMEOUT_MIN || value > VGW_WDT_TIMEOUT_MAX) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: WDT_TIMEOUT: %" PRIu32 " ms out of range "
                      "[%u, %u], ignored\n", DEVICE(s)->canonical_path,
                      value, VGW_WDT_TIMEOUT_MIN, VGW_WDT_TIMEOUT_MAX);
        return;
    }
    s->wdt_timeout = value;
    /*
     * A running watchdog restarts from the new timeout, like Linux's
     * WDIOC_SETTIMEOUT, so shortening it never fires on the old deadline.
     */
    if (vgw_sysctl_wdt_enabled(s)) {
        vgw_sysctl_wdt_reload(s);
    }
}

static void vgw_sysctl_write(void *opaque, hwaddr offset, uint64_t value,
                             unsigned size)
{
    VgwSysctlState *s = opaque;

    trace_vgw_sysctl_write(offset, value, size);

    if (size != 4 || (offset & 3)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: %u-byte write at offset 0x%03" HWADDR_PRIx
                      ": only aligned 32-bit accesses are supported\n",
                      DEVICE(s)->canonical_path, size, offset);
        return;
    }

    switch (offset) {
    case VGW_SYSCTL_RESET_REQ:
        if (value != VGW_SYSCTL_RESET_REQ_MAGIC) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "%s: RESET_REQ: wrong magic 0x%08" PRIx64
                          ", ignored\n", DEVICE(s)->canonical_path, value);
            break;
        }
        trace_vgw_sysctl_reset_request();
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    case VGW_SYSCTL_SCRATCH:
        s->scratch = value;
        break;
    case VGW_SYSCTL_WDT_CTRL:
        vgw_sysctl_write_wdt_ctrl(s, value);
        break;
    case VGW_SYSCTL_WDT_TIMEOUT:
        vgw_sysctl_write_wdt_timeout(s, value);
        break;
    case VGW_SYSCTL_WDT_KICK:
        if (value != VGW_SYSCTL_WDT_KICK_MAGIC) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "%s: WDT_KICK: wrong magic 0x%08" PRIx64
                          ", ignored\n", DEVICE(s)->canonical_path, value);
            break;
        }
        if (vgw_sysctl_wdt_enabled(s)) {
            trace_vgw_sysctl_wdt_kick(s->wdt_timeout);
            vgw_sysctl_wdt_reload(s);
        }
        break;
    case VGW_SYSCTL_ID:
    case VGW_SYSCTL_VERSION:
    case VGW_SYSCTL_HW_REV:
    case VGW_SYSCTL_RESET_CAUSE:
    case VGW_SYSCTL_RESET_COUNT:
    case VGW_SYSCTL_SERIAL0 ...
         VGW_SYSCTL_SERIAL0 + VGW_SYSCTL_SERIAL_LEN - 1:
    case VGW_SYSCTL_MAC_BASE_HI:
    case VGW_SYSCTL_MAC_BASE_LO:
    case VGW_SYSCTL_WDT_REMAINING:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write of read-only register at offset 0x%03"
                      HWADDR_PRIx "\n", DEVICE(s)->canonical_path, offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write to unknown offset 0x%03" HWADDR_PRIx "\n",
                      DEVICE(s)->canonical_path, offset);
        break;
    }
}

static const MemoryRegionOps vgw_sysctl_ops = {
    .read = vgw_sysctl_read,
    .write = vgw_sysctl_write,
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

    s->reset_cause = s->next_cause;
    if (s->reset_cause == VGW_RESET_CAUSE_POWER_ON) {
        s->reset_count = 0;
        s->scratch = 0;
    } else {
        s->reset_count++;
    }
    s->powered_on = true;
    s->wdt_reset_pending = false;
    /* A reset the board did not announce is a host-side one. */
    s->next_cause = VGW_RESET_CAUSE_HOST;

    s->wdt_ctrl = 0;
    s->wdt_timeout = VGW_WDT_TIMEOUT_DEFAULT;
    timer_del(s->wdt_timer);

    trace_vgw_sysctl_reset(s->reset_cause, s->reset_count);
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

    memory_region_init_io(&s->iomem, obj, &vgw_sysctl_ops, s,
                          TYPE_VGW_SYSCTL, VGW_SYSCTL_REGION_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
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
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(reset_cause, VgwSysctlState),
        VMSTATE_UINT32(reset_count, VgwSysctlState),
        VMSTATE_UINT32(scratch, VgwSysctlState),
        VMSTATE_UINT32(wdt_ctrl, VgwSysctlState),
        VMSTATE_UINT32(wdt_timeout, VgwSysctlState),
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
