/*
 * vgw register files: one table per device describes its 32-bit
 * registers (access, reset value, writable bits, and hooks for the few
 * with side effects) and drives MMIO reads, writes and reset; the stored
 * values are one array the device migrates with VMSTATE_UINT32_ARRAY.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_VGW_REGFILE_H
#define HW_MISC_VGW_REGFILE_H

#include "exec/hwaddr.h"
#include "hw/qdev-core.h"

typedef enum VgwRegAccess {
    VGW_REG_HOLE = 0,   /* no register: accesses are logged, reads 0 */
    VGW_REG_RO,         /* writes are logged and ignored */
    VGW_REG_RW,
    VGW_REG_WO,         /* reads are logged and return 0 */
} VgwRegAccess;

typedef struct VgwRegInfo {
    const char *name;
    VgwRegAccess access;
    /* Stored value after a device reset (RO and RW registers). */
    uint32_t reset;
    /*
     * Bits a write may carry.  A write with other bits set is logged as
     * touching reserved bits, and those bits are dropped.
     */
    uint32_t write_mask;
    /* The device's reset sets this register, vgw_regfile_reset() not. */
    bool reset_by_device;
    /* The value a read returns when it is not the stored one. */
    uint32_t (*read)(void *opaque, unsigned reg);
    /*
     * Applies a write of @value (already masked).  Without it, RW
     * registers store the value; WO registers need one.
     */
    void (*write)(void *opaque, unsigned reg, uint32_t value);
} VgwRegInfo;

typedef struct VgwRegFile {
    DeviceState *dev;           /* named in log messages and traces */
    const VgwRegInfo *info;     /* indexed by register number, offset / 4 */
    unsigned num;               /* entries of info and of regs */
    uint32_t *regs;             /* the stored values, indexed like info */
    void *opaque;               /* handed to the hooks */
} VgwRegFile;

/*
 * Checks an MMIO access of @size bytes at @offset against what the
 * device accepts there: a power of two from @min_size to @max_size
 * bytes, naturally aligned.  Anything else is logged as a guest error
 * and false returned: the caller then ignores a write and reads 0.
 */
bool vgw_mmio_access_ok(DeviceState *dev, hwaddr offset, unsigned size,
                        bool is_write, unsigned min_size, unsigned max_size);

/*
 * Reads the register at @offset of the VgwRegFile @opaque with an access
 * of @size bytes: the stored value or the read hook's.  Bad accesses (see
 * vgw_mmio_access_ok, registers take aligned 32-bit ones), holes and
 * write-only registers are logged and read 0.  A MemoryRegionOps read.
 */
uint64_t vgw_regfile_read(void *opaque, hwaddr offset, unsigned size);

/*
 * Writes @value to the register at @offset of the VgwRegFile @opaque with
 * an access of @size bytes: masked with its write_mask, then applied by
 * the write hook or stored.  Bad accesses, holes and read-only registers
 * are logged and change nothing.  A MemoryRegionOps write.
 */
void vgw_regfile_write(void *opaque, hwaddr offset, uint64_t value,
                       unsigned size);

/*
 * Sets every register to its reset value, except those the device's
 * own reset sets (reset_by_device).
 */
void vgw_regfile_reset(const VgwRegFile *rf);

#endif /* HW_MISC_VGW_REGFILE_H */
