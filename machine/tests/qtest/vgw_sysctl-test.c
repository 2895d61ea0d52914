/*
 * QTest for the vgw system controller (-M vgw)
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"

#include "vgw-access-rules.h"
#include "vgw-migration.h"
#include "vgw-regs/vgw_memmap.h"
#include "vgw-regs/vgw_sysctl.h"

#define SYSCTL(reg) ((uint64_t)VGW_SYSCTL_BASE + (reg))
#define NS_PER_MS   1000000LL

static uint32_t rd(QTestState *qts, uint32_t reg)
{
    return qtest_readl(qts, SYSCTL(reg));
}

static void wr(QTestState *qts, uint32_t reg, uint32_t value)
{
    qtest_writel(qts, SYSCTL(reg), value);
}

/* Wait for the RESET event and check its reason. */
static void wait_reset(QTestState *qts, const char *reason)
{
    QDict *ev = qtest_qmp_eventwait_ref(qts, "RESET");
    QDict *data = qdict_get_qdict(ev, "data");

    g_assert_cmpstr(qdict_get_str(data, "reason"), ==, reason);
    qobject_unref(ev);
}

static void host_reset(QTestState *qts)
{
    qtest_qmp_assert_success(qts, "{ 'execute': 'system_reset' }");
    wait_reset(qts, "host-qmp-system-reset");
}

static void check_serial(QTestState *qts, const char *expect)
{
    char buf[VGW_SYSCTL_SERIAL_LEN + 1] = { 0 };
    int i;

    for (i = 0; i < VGW_SYSCTL_SERIAL_LEN; i += 4) {
        uint32_t w = rd(qts, VGW_SYSCTL_SERIAL0 + i);

        buf[i] = w & 0xff;
        buf[i + 1] = (w >> 8) & 0xff;
        buf[i + 2] = (w >> 16) & 0xff;
        buf[i + 3] = (w >> 24) & 0xff;
    }
    g_assert_cmpstr(buf, ==, expect);
}

static void test_identity_defaults(void)
{
    QTestState *qts = qtest_init("-machine vgw");

    g_assert_cmphex(rd(qts, VGW_SYSCTL_ID), ==, VGW_SYSCTL_ID_VALUE);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_VERSION), ==,
                    VGW_SYSCTL_VERSION_VALUE);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_HW_REV), ==, 1);
    check_serial(qts, "VGW0000000001");
    g_assert_cmphex(rd(qts, VGW_SYSCTL_MAC_BASE_HI), ==, 0x5254);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_MAC_BASE_LO), ==, 0x00123456);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_POWER_ON);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_COUNT), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_SCRATCH), ==, 0);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_CTRL), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_TIMEOUT), ==,
                     VGW_WDT_TIMEOUT_DEFAULT);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_REMAINING), ==, 0);
    qtest_quit(qts);
}

static void test_identity_properties(void)
{
    QTestState *qts = qtest_init("-machine vgw,serial=GW-2026-000042,"
                                 "mac-base=02:11:22:33:44:55,hw-rev=7");

    g_assert_cmpuint(rd(qts, VGW_SYSCTL_HW_REV), ==, 7);
    check_serial(qts, "GW-2026-000042");
    g_assert_cmphex(rd(qts, VGW_SYSCTL_MAC_BASE_HI), ==, 0x0211);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_MAC_BASE_LO), ==, 0x22334455);
    qtest_quit(qts);
}

static void test_reset_causes(void)
{
    QTestState *qts = qtest_init("-machine vgw");

    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_POWER_ON);
    wr(qts, VGW_SYSCTL_SCRATCH, 0xcafef00d);

    host_reset(qts);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_HOST);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_COUNT), ==, 1);
    /* SCRATCH survives warm resets */
    g_assert_cmphex(rd(qts, VGW_SYSCTL_SCRATCH), ==, 0xcafef00d);

    /* A wrong magic does nothing */
    wr(qts, VGW_SYSCTL_RESET_REQ, 0x12345678);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_COUNT), ==, 1);

    wr(qts, VGW_SYSCTL_RESET_REQ, VGW_SYSCTL_RESET_REQ_MAGIC);
    wait_reset(qts, "guest-reset");
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_FIRMWARE);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_COUNT), ==, 2);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_SCRATCH), ==, 0xcafef00d);
    qtest_quit(qts);
}

static void test_watchdog_expiry(void)
{
    QTestState *qts = qtest_init("-machine vgw");
    QDict *ev;

    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, 1000);
    wr(qts, VGW_SYSCTL_WDT_CTRL, VGW_WDT_CTRL_ENABLE);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_CTRL), ==, VGW_WDT_CTRL_ENABLE);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_REMAINING), ==, 1000);

    qtest_clock_step(qts, 600 * NS_PER_MS);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_REMAINING), ==, 400);

    /* A kick with the wrong magic is ignored */
    wr(qts, VGW_SYSCTL_WDT_KICK, 0xdeadbeef);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_REMAINING), ==, 400);

    /* A kick postpones the expiry */
    wr(qts, VGW_SYSCTL_WDT_KICK, VGW_SYSCTL_WDT_KICK_MAGIC);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_REMAINING), ==, 1000);
    qtest_clock_step(qts, 600 * NS_PER_MS);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_COUNT), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_REMAINING), ==, 400);

    qtest_clock_step(qts, 401 * NS_PER_MS);
    ev = qtest_qmp_eventwait_ref(qts, "WATCHDOG");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(ev, "data"), "action"), ==,
                    "reset");
    qobject_unref(ev);
    wait_reset(qts, "guest-reset");

    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_WATCHDOG);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_COUNT), ==, 1);
    /* Disabled and unlocked after every reset */
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_CTRL), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_TIMEOUT), ==,
                     VGW_WDT_TIMEOUT_DEFAULT);

    /* The next firmware reset is a firmware reset again */
    wr(qts, VGW_SYSCTL_RESET_REQ, VGW_SYSCTL_RESET_REQ_MAGIC);
    wait_reset(qts, "guest-reset");
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_FIRMWARE);
    qtest_quit(qts);
}

/* -action watchdog=none: the expiry is reported but nothing resets. */
static void test_watchdog_action_none(void)
{
    QTestState *qts = qtest_init("-machine vgw -action watchdog=none");

    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, VGW_WDT_TIMEOUT_MIN);
    wr(qts, VGW_SYSCTL_WDT_CTRL, VGW_WDT_CTRL_ENABLE);
    qtest_clock_step(qts, (VGW_WDT_TIMEOUT_MIN + 1) * NS_PER_MS);
    qtest_qmp_eventwait(qts, "WATCHDOG");
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_COUNT), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_REMAINING), ==, 0);

    /* ... and a later firmware reset is not blamed on the watchdog */
    wr(qts, VGW_SYSCTL_RESET_REQ, VGW_SYSCTL_RESET_REQ_MAGIC);
    wait_reset(qts, "guest-reset");
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_FIRMWARE);
    qtest_quit(qts);
}

static void test_watchdog_lock(void)
{
    QTestState *qts = qtest_init("-machine vgw");

    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, 5000);
    wr(qts, VGW_SYSCTL_WDT_CTRL, VGW_WDT_CTRL_ENABLE | VGW_WDT_CTRL_LOCK);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_CTRL), ==,
                    VGW_WDT_CTRL_ENABLE | VGW_WDT_CTRL_LOCK);

    /* Clearing ENABLE or LOCK is refused */
    wr(qts, VGW_SYSCTL_WDT_CTRL, 0);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_CTRL), ==,
                    VGW_WDT_CTRL_ENABLE | VGW_WDT_CTRL_LOCK);
    wr(qts, VGW_SYSCTL_WDT_CTRL, VGW_WDT_CTRL_ENABLE);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_CTRL), ==,
                    VGW_WDT_CTRL_ENABLE | VGW_WDT_CTRL_LOCK);

    /* TIMEOUT is frozen */
    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, 20000);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_TIMEOUT), ==, 5000);

    /* Kicks still work while locked */
    qtest_clock_step(qts, 3000 * NS_PER_MS);
    wr(qts, VGW_SYSCTL_WDT_KICK, VGW_SYSCTL_WDT_KICK_MAGIC);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_REMAINING), ==, 5000);

    /* A reset unlocks and disables it */
    host_reset(qts);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_CTRL), ==, 0);
    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, 20000);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_TIMEOUT), ==, 20000);

    /* LOCK on a disabled watchdog freezes it disabled */
    wr(qts, VGW_SYSCTL_WDT_CTRL, VGW_WDT_CTRL_LOCK);
    wr(qts, VGW_SYSCTL_WDT_CTRL, VGW_WDT_CTRL_ENABLE | VGW_WDT_CTRL_LOCK);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_CTRL), ==, VGW_WDT_CTRL_LOCK);
    qtest_quit(qts);
}

/*
 * A running, locked watchdog migrates with its deadline: it expires on
 * the destination at the virtual time it would have on the source, with
 * the reset count and cause the source had until then.
 */
static void test_watchdog_migration(void)
{
    g_autofree char *dir = g_dir_make_tmp("vgw-sysctl-test-XXXXXX", NULL);
    g_autofree char *stream = g_build_filename(dir, "migration", NULL);
    QTestState *src = qtest_init("-machine vgw");
    QTestState *dst;
    int64_t deadline;

    /* A reset the destination's own power-on must not hide. */
    wr(src, VGW_SYSCTL_RESET_REQ, VGW_SYSCTL_RESET_REQ_MAGIC);
    wait_reset(src, "guest-reset");
    wr(src, VGW_SYSCTL_WDT_TIMEOUT, 1000);
    wr(src, VGW_SYSCTL_WDT_CTRL, VGW_WDT_CTRL_ENABLE | VGW_WDT_CTRL_LOCK);
    deadline = qtest_clock_step(src, 0) + 1000 * NS_PER_MS;
    qtest_clock_step(src, 600 * NS_PER_MS);
    g_assert_cmpuint(rd(src, VGW_SYSCTL_WDT_REMAINING), ==, 400);

    dst = vgw_test_migrate_via_file(src, stream, "-machine vgw");
    g_assert_cmpuint(rd(dst, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_FIRMWARE);
    g_assert_cmpuint(rd(dst, VGW_SYSCTL_RESET_COUNT), ==, 1);
    g_assert_cmphex(rd(dst, VGW_SYSCTL_WDT_CTRL), ==,
                    VGW_WDT_CTRL_ENABLE | VGW_WDT_CTRL_LOCK);
    g_assert_cmpuint(rd(dst, VGW_SYSCTL_WDT_TIMEOUT), ==, 1000);
    g_assert_cmpuint(rd(dst, VGW_SYSCTL_WDT_REMAINING), ==, 400);

    qtest_clock_set(dst, deadline - 1);
    g_assert_cmpuint(rd(dst, VGW_SYSCTL_WDT_REMAINING), ==, 1);
    g_assert_cmpuint(rd(dst, VGW_SYSCTL_RESET_COUNT), ==, 1);
    qtest_clock_set(dst, deadline);
    qtest_qmp_eventwait(dst, "WATCHDOG");
    wait_reset(dst, "guest-reset");
    g_assert_cmpuint(rd(dst, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_WATCHDOG);
    g_assert_cmpuint(rd(dst, VGW_SYSCTL_RESET_COUNT), ==, 2);
    qtest_quit(dst);
    g_assert_cmpint(rmdir(dir), ==, 0);
}

static void test_watchdog_timeout_range(void)
{
    QTestState *qts = qtest_init("-machine vgw");

    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, VGW_WDT_TIMEOUT_MIN - 1);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_TIMEOUT), ==,
                     VGW_WDT_TIMEOUT_DEFAULT);
    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, VGW_WDT_TIMEOUT_MAX + 1);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_TIMEOUT), ==,
                     VGW_WDT_TIMEOUT_DEFAULT);
    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, 0);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_TIMEOUT), ==,
                     VGW_WDT_TIMEOUT_DEFAULT);
    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, VGW_WDT_TIMEOUT_MIN);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_TIMEOUT), ==,
                     VGW_WDT_TIMEOUT_MIN);
    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, VGW_WDT_TIMEOUT_MAX);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_WDT_TIMEOUT), ==,
                     VGW_WDT_TIMEOUT_MAX);
    qtest_quit(qts);
}

static void test_bad_access(void)
{
    QTestState *qts = qtest_init("-machine vgw -d guest_errors "
                                 "-D /dev/null");

    /* Writes to read-only registers are ignored */
    wr(qts, VGW_SYSCTL_ID, 0);
    wr(qts, VGW_SYSCTL_RESET_CAUSE, VGW_RESET_CAUSE_WATCHDOG);
    wr(qts, VGW_SYSCTL_WDT_REMAINING, 1);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_ID), ==, VGW_SYSCTL_ID_VALUE);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_CAUSE), ==,
                     VGW_RESET_CAUSE_POWER_ON);

    /* Reads of write-only registers and of holes read as zero */
    g_assert_cmphex(rd(qts, VGW_SYSCTL_RESET_REQ), ==, 0);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_KICK), ==, 0);
    g_assert_cmphex(rd(qts, 0x01c), ==, 0);
    g_assert_cmphex(rd(qts, 0x800), ==, 0);
    wr(qts, 0xffc, 0xffffffff);

    /* Non-32-bit and unaligned accesses are ignored */
    g_assert_cmphex(qtest_readb(qts, SYSCTL(VGW_SYSCTL_ID)), ==, 0);
    g_assert_cmphex(qtest_readw(qts, SYSCTL(VGW_SYSCTL_ID)), ==, 0);
    g_assert_cmphex(qtest_readq(qts, SYSCTL(VGW_SYSCTL_ID)), ==, 0);
    g_assert_cmphex(qtest_readl(qts, SYSCTL(VGW_SYSCTL_ID + 2)), ==, 0);
    qtest_writeb(qts, SYSCTL(VGW_SYSCTL_SCRATCH), 0x55);
    qtest_writew(qts, SYSCTL(VGW_SYSCTL_SCRATCH), 0x5555);
    qtest_writeq(qts, SYSCTL(VGW_SYSCTL_SCRATCH), 0x5555555555555555ULL);
    qtest_writel(qts, SYSCTL(VGW_SYSCTL_RESET_REQ + 1),
                 VGW_SYSCTL_RESET_REQ_MAGIC);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_SCRATCH), ==, 0);

    /* QEMU is still alive and the board was not reset */
    g_assert_cmphex(rd(qts, VGW_SYSCTL_ID), ==, VGW_SYSCTL_ID_VALUE);
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_COUNT), ==, 0);
    qtest_quit(qts);
}

/* Every register of vgw_sysctl.h, with the access the header gives it. */
static const VgwTestReg sysctl_regs[] = {
    { "ID",             VGW_SYSCTL_ID,            VGW_TEST_RO },
    { "VERSION",        VGW_SYSCTL_VERSION,       VGW_TEST_RO },
    { "HW_REV",         VGW_SYSCTL_HW_REV,        VGW_TEST_RO },
    { "RESET_CAUSE",    VGW_SYSCTL_RESET_CAUSE,   VGW_TEST_RO },
    { "RESET_COUNT",    VGW_SYSCTL_RESET_COUNT,   VGW_TEST_RO },
    { "RESET_REQ",      VGW_SYSCTL_RESET_REQ,     VGW_TEST_WO },
    { "SCRATCH",        VGW_SYSCTL_SCRATCH,       VGW_TEST_RW },
    { "SERIAL0",        VGW_SYSCTL_SERIAL0,       VGW_TEST_RO },
    { "SERIAL1",        VGW_SYSCTL_SERIAL0 + 4,   VGW_TEST_RO },
    { "SERIAL2",        VGW_SYSCTL_SERIAL0 + 8,   VGW_TEST_RO },
    { "SERIAL3",        VGW_SYSCTL_SERIAL0 + 12,  VGW_TEST_RO },
    { "MAC_BASE_HI",    VGW_SYSCTL_MAC_BASE_HI,   VGW_TEST_RO },
    { "MAC_BASE_LO",    VGW_SYSCTL_MAC_BASE_LO,   VGW_TEST_RO },
    { "WDT_CTRL",       VGW_SYSCTL_WDT_CTRL,      VGW_TEST_RW },
    { "WDT_TIMEOUT",    VGW_SYSCTL_WDT_TIMEOUT,   VGW_TEST_RW },
    { "WDT_KICK",       VGW_SYSCTL_WDT_KICK,      VGW_TEST_WO },
    { "WDT_REMAINING",  VGW_SYSCTL_WDT_REMAINING, VGW_TEST_RO },
};

/*
 * Each register's access rules, on values that are not the reset ones
 * where the guest can set them (a read-only register written with a
 * value's complement must keep it).
 */
static void test_access_rules(void)
{
    QTestState *qts = qtest_init("-machine vgw,hw-rev=7 "
                                 "-d guest_errors -D /dev/null");
    size_t i;

    wr(qts, VGW_SYSCTL_SCRATCH, 0x12345678);
    wr(qts, VGW_SYSCTL_WDT_TIMEOUT, 1234);
    /* WDT_CTRL and WDT_REMAINING stay 0: a running watchdog moves. */
    for (i = 0; i < ARRAY_SIZE(sysctl_regs); i++) {
        vgw_test_access_rules(qts, VGW_SYSCTL_BASE, &sysctl_regs[i]);
    }
    /* WDT_CTRL's undefined bits are dropped, its defined ones kept. */
    wr(qts, VGW_SYSCTL_WDT_CTRL, 0xfffffffc | VGW_WDT_CTRL_LOCK);
    g_assert_cmphex(rd(qts, VGW_SYSCTL_WDT_CTRL), ==, VGW_WDT_CTRL_LOCK);
    /* No access above reset the board. */
    g_assert_cmpuint(rd(qts, VGW_SYSCTL_RESET_COUNT), ==, 0);
    qtest_quit(qts);
}

/*
 * Board wiring the firmware relies on: NICs land on the LAN/WAN transports
 * in command-line order, the flash on its own, empty transports stay
 * readable.
 */
#define VIRTIO_MMIO_MAGIC       0x000
#define VIRTIO_MMIO_VERSION     0x004
#define VIRTIO_MMIO_DEVICE_ID   0x008

static uint32_t virtio_reg(QTestState *qts, uint32_t base, uint32_t reg)
{
    return qtest_readl(qts, (uint64_t)base + reg);
}

static void test_board_virtio(void)
{
    QTestState *qts;
    static const uint32_t base[] = {
        VGW_VIRTIO_LAN_BASE, VGW_VIRTIO_WAN_BASE, VGW_VIRTIO_FLASH_BASE,
    };
    int i;

    qts = qtest_init("-machine vgw -nic none");
    for (i = 0; i < ARRAY_SIZE(base); i++) {
        g_assert_cmphex(virtio_reg(qts, base[i], VIRTIO_MMIO_MAGIC), ==,
                        0x74726976);
        g_assert_cmpuint(virtio_reg(qts, base[i], VIRTIO_MMIO_VERSION), ==, 2);
        g_assert_cmpuint(virtio_reg(qts, base[i], VIRTIO_MMIO_DEVICE_ID), ==,
                         0);
    }
    qtest_quit(qts);

    /* One NIC: LAN only.  Then the flash. */
    qts = qtest_init("-machine vgw -netdev user,id=lan -net nic,netdev=lan "
                     "-drive if=mtd,format=raw,file=null-co://");
    g_assert_cmpuint(virtio_reg(qts, VGW_VIRTIO_LAN_BASE,
                                VIRTIO_MMIO_DEVICE_ID), ==, 1);
    g_assert_cmpuint(virtio_reg(qts, VGW_VIRTIO_WAN_BASE,
                                VIRTIO_MMIO_DEVICE_ID), ==, 0);
    g_assert_cmpuint(virtio_reg(qts, VGW_VIRTIO_FLASH_BASE,
                                VIRTIO_MMIO_DEVICE_ID), ==, 2);
    qtest_quit(qts);

    /* Two NICs, any backend: LAN then WAN */
    qts = qtest_init("-machine vgw -nic user -nic user");
    g_assert_cmpuint(virtio_reg(qts, VGW_VIRTIO_LAN_BASE,
                                VIRTIO_MMIO_DEVICE_ID), ==, 1);
    g_assert_cmpuint(virtio_reg(qts, VGW_VIRTIO_WAN_BASE,
                                VIRTIO_MMIO_DEVICE_ID), ==, 1);
    g_assert_cmpuint(virtio_reg(qts, VGW_VIRTIO_FLASH_BASE,
                                VIRTIO_MMIO_DEVICE_ID), ==, 0);
    qtest_quit(qts);
}

static void test_board_smp(void)
{
    QTestState *qts = qtest_init("-machine vgw -smp 4");
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'query-cpus-fast' }");
    QList *cpus = qdict_get_qlist(resp, "return");

    g_assert_cmpuint(qlist_size(cpus), ==, 4);
    qobject_unref(resp);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/vgw/sysctl/identity/defaults", test_identity_defaults);
    qtest_add_func("/vgw/sysctl/identity/properties",
                   test_identity_properties);
    qtest_add_func("/vgw/sysctl/reset-cause", test_reset_causes);
    qtest_add_func("/vgw/sysctl/watchdog/expiry", test_watchdog_expiry);
    qtest_add_func("/vgw/sysctl/watchdog/action-none",
                   test_watchdog_action_none);
    qtest_add_func("/vgw/sysctl/watchdog/lock", test_watchdog_lock);
    qtest_add_func("/vgw/sysctl/watchdog/migration",
                   test_watchdog_migration);
    qtest_add_func("/vgw/sysctl/watchdog/timeout-range",
                   test_watchdog_timeout_range);
    qtest_add_func("/vgw/sysctl/bad-access", test_bad_access);
    qtest_add_func("/vgw/sysctl/access-rules", test_access_rules);
    qtest_add_func("/vgw/board/virtio", test_board_virtio);
    qtest_add_func("/vgw/board/smp", test_board_smp);

    return g_test_run();
}
