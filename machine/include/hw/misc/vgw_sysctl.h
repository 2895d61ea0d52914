/*
 * vgw system controller: board identity, reset cause, firmware reset
 * request and watchdog.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_VGW_SYSCTL_H
#define HW_MISC_VGW_SYSCTL_H

#include "hw/misc/vgw_regfile.h"
#include "hw/sysbus.h"
#include "net/net.h"
#include "qapi/qapi-types-run-state.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "vgw-regs/vgw_sysctl.h"

#define TYPE_VGW_SYSCTL "vgw.sysctl"
#define VGW_SYSCTL_REGION_SIZE 0x1000
/* Registers from ID to WDT_REMAINING, the last one */
#define VGW_SYSCTL_NUM_REGS (VGW_SYSCTL_WDT_REMAINING / 4 + 1)
OBJECT_DECLARE_SIMPLE_TYPE(VgwSysctlState, VGW_SYSCTL)

struct VgwSysctlState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;
    QEMUTimer *wdt_timer;

    /* Properties */
    char *serial;
    MACAddr mac_base;
    uint32_t hw_rev;

    /* Derived from "serial" at realize; NUL padded */
    uint8_t serial_bytes[VGW_SYSCTL_SERIAL_LEN];

    /* Guest-visible state: the registers, described in vgw_sysctl.c */
    VgwRegFile regfile;
    uint32_t regs[VGW_SYSCTL_NUM_REGS];

    /* Reset bookkeeping */
    bool powered_on;          /* the power-on reset has happened */
    bool wdt_reset_pending;   /* our expiry asked for the pending reset */
    uint32_t next_cause;      /* VGW_RESET_CAUSE_* for the next reset */
};

/*
 * Called by the board's MachineClass::reset before the devices are reset,
 * so the reset-cause register can tell a host reset from a firmware or
 * watchdog one (the device reset itself does not carry the reason).
 */
void vgw_sysctl_note_reset(VgwSysctlState *s, ShutdownCause reason);

#endif /* HW_MISC_VGW_SYSCTL_H */
