/*
 * QTest helper for the vgw devices' register access rules: every
 * register takes aligned 32-bit accesses only, read-only registers keep
 * their value when written, write-only registers read 0.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VGW_ACCESS_RULES_H
#define VGW_ACCESS_RULES_H

#include "libqtest.h"

typedef enum VgwTestAccess {
    VGW_TEST_RO,
    VGW_TEST_RW,
    VGW_TEST_WO,
    VGW_TEST_W1C,   /* read/write, writing 1 clears a bit */
} VgwTestAccess;

/* A register as the vgw-regs header documents it. */
typedef struct VgwTestReg {
    const char *name;
    uint32_t offset;
    VgwTestAccess access;
} VgwTestReg;

/*
 * Checks the rules on register @r of the device at @base, whose value
 * must not change by itself while the test runs; a W1C register must
 * have bits set.  Start QEMU with
 * "-d guest_errors -D /dev/null": every access here is a guest error.
 */
static inline void vgw_test_access_rules(QTestState *qts, uint64_t base,
                                         const VgwTestReg *r)
{
    uint64_t a = base + r->offset;
    uint32_t before = r->access == VGW_TEST_WO ? 0 : qtest_readl(qts, a);
    uint32_t flip;

    g_test_message("%s at 0x%03x", r->name, r->offset);

    /* Bad sizes and misaligned accesses read 0 ... */
    g_assert_cmphex(qtest_readb(qts, a), ==, 0);
    g_assert_cmphex(qtest_readb(qts, a + 1), ==, 0);
    g_assert_cmphex(qtest_readw(qts, a), ==, 0);
    g_assert_cmphex(qtest_readw(qts, a + 2), ==, 0);
    g_assert_cmphex(qtest_readq(qts, a), ==, 0);
    g_assert_cmphex(qtest_readl(qts, a + 2), ==, 0);

    switch (r->access) {
    case VGW_TEST_RO:
        qtest_writel(qts, a, ~before);
        g_assert_cmphex(qtest_readl(qts, a), ==, before);
        break;
    case VGW_TEST_WO:
        g_assert_cmphex(qtest_readl(qts, a), ==, 0);
        break;
    case VGW_TEST_RW:
    case VGW_TEST_W1C:
        /* ... and so do writes that would change every bit. */
        if (r->access == VGW_TEST_W1C) {
            g_assert_cmphex(before, !=, 0);
        }
        flip = r->access == VGW_TEST_W1C ? before : ~before;
        qtest_writeb(qts, a, flip & 0xff);
        qtest_writeb(qts, a + 1, (flip >> 8) & 0xff);
        qtest_writew(qts, a, flip & 0xffff);
        qtest_writew(qts, a + 2, flip >> 16);
        qtest_writel(qts, a + 2, flip);
        qtest_writeq(qts, a, (uint64_t)flip << 32 | flip);
        g_assert_cmphex(qtest_readl(qts, a), ==, before);
        break;
    }
}

#endif /* VGW_ACCESS_RULES_H */
