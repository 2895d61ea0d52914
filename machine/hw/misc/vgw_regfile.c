/*
 * vgw register files: table-driven MMIO registers shared by the vgw
 * devices.  See hw/misc/vgw_regfile.h.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include "hw/misc/vgw_regfile.h"
#include "qemu/log.h"
#include "trace.h"

bool vgw_mmio_access_ok(DeviceState *dev, hwaddr offset, unsigned size,
                        bool is_write, unsigned min_size, unsigned max_size)
{
    if (is_power_of_2(size) && size >= min_size && size <= max_size &&
        QEMU_IS_ALIGNED(offset, size)) {
        return true;
    }
    if (min_size == max_size) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: %u-byte %s at offset 0x%04" HWADDR_PRIx
                      ": takes aligned %u-bit accesses only\n",
                      dev->canonical_path, size, is_write ? "write" : "read",
                      offset, max_size * 8);
    } else {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: %u-byte %s at offset 0x%04" HWADDR_PRIx
                      ": takes aligned %u- to %u-bit accesses only\n",
                      dev->canonical_path, size, is_write ? "write" : "read",
                      offset, min_size * 8, max_size * 8);
    }
    return false;
}

/* The register at @offset, or NULL (logged) for a hole. */
static const VgwRegInfo *vgw_regfile_lookup(const VgwRegFile *rf,
                                            hwaddr offset, bool is_write)
{
    hwaddr reg = offset / 4;

    if (reg < rf->num && rf->info[reg].access != VGW_REG_HOLE) {
        return &rf->info[reg];
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "%s: %s unknown offset 0x%04" HWADDR_PRIx "\n",
                  rf->dev->canonical_path, is_write ? "write to" : "read of",
                  offset);
    return NULL;
}

uint64_t vgw_regfile_read(void *opaque, hwaddr offset, unsigned size)
{
    const VgwRegFile *rf = opaque;
    const VgwRegInfo *ri;
    unsigned reg = offset / 4;
    uint32_t value;

    if (!vgw_mmio_access_ok(rf->dev, offset, size, false, 4, 4)) {
        return 0;
    }
    ri = vgw_regfile_lookup(rf, offset, false);
    if (!ri) {
        return 0;
    }
    if (ri->access == VGW_REG_WO) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: read of write-only register %s\n",
                      rf->dev->canonical_path, ri->name);
        return 0;
    }
    value = ri->read ? ri->read(rf->opaque, reg) : rf->regs[reg];
    trace_vgw_regfile_read(object_get_typename(OBJECT(rf->dev)), ri->name,
                           value);
    return value;
}

void vgw_regfile_write(void *opaque, hwaddr offset, uint64_t value,
                       unsigned size)
{
    const VgwRegFile *rf = opaque;
    const VgwRegInfo *ri;
    unsigned reg = offset / 4;
    uint32_t v;

    if (!vgw_mmio_access_ok(rf->dev, offset, size, true, 4, 4)) {
        return;
    }
    ri = vgw_regfile_lookup(rf, offset, true);
    if (!ri) {
        return;
    }
    v = value;
    trace_vgw_regfile_write(object_get_typename(OBJECT(rf->dev)), ri->name,
                            v);
    if (ri->access == VGW_REG_RO) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write of read-only register %s\n",
                      rf->dev->canonical_path, ri->name);
        return;
    }
    if (v & ~ri->write_mask) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: %s: reserved bits 0x%08" PRIx32 " ignored\n",
                      rf->dev->canonical_path, ri->name, v & ~ri->write_mask);
        v &= ri->write_mask;
    }
    if (ri->write) {
        ri->write(rf->opaque, reg, v);
    } else {
        assert(ri->access == VGW_REG_RW);
        rf->regs[reg] = v;
    }
}

void vgw_regfile_reset(const VgwRegFile *rf)
{
    unsigned reg;

    for (reg = 0; reg < rf->num; reg++) {
        if (!rf->info[reg].reset_by_device) {
            rf->regs[reg] = rf->info[reg].reset;
        }
    }
}
