/*
 * QTest for the vgw board's UARTs (-M vgw): the maintenance port (UART1)
 * reads a break whenever a host client connects to or hangs up from its
 * chardev; the console (UART0) does not.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/un.h>
#include "libqtest.h"

#include "vgw-regs/vgw_memmap.h"

/* PL011 registers and bits (ARM DDI 0183) */
#define UARTDR          0x000
#define UARTRSR         0x004
#define UARTFR          0x018
#define UARTLCR_H       0x02c
#define UARTFR_RXFE     (1u << 4)
#define UARTDR_BE       (1u << 10)
#define UARTRSR_BE      (1u << 2)
#define UARTLCR_H_FEN   (1u << 4)
#define UARTLCR_H_WLEN8 (3u << 5)

/* What UARTDR reads for a break: data 0 with the break error bit. */
#define BREAK           UARTDR_BE

typedef struct UartFixture {
    QTestState *qts;
    char *dir;
    char *path[2];      /* chardev socket of UART0 and of UART1 */
} UartFixture;

static void uart_start(UartFixture *f)
{
    int i;

    f->dir = g_dir_make_tmp("vgw-uart-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    for (i = 0; i < 2; i++) {
        f->path[i] = g_strdup_printf("%s/uart%d.sock", f->dir, i);
    }
    f->qts = qtest_initf("-machine vgw "
                         "-chardev socket,id=con,path=%s,server=on,wait=off "
                         "-chardev socket,id=maint,path=%s,server=on,wait=off "
                         "-serial chardev:con -serial chardev:maint",
                         f->path[0], f->path[1]);
}

static void uart_stop(UartFixture *f)
{
    int i;

    qtest_quit(f->qts);
    for (i = 0; i < 2; i++) {
        unlink(f->path[i]);
        g_free(f->path[i]);
    }
    rmdir(f->dir);
    g_free(f->dir);
}

static uint64_t uart_base(int uart)
{
    return uart == 0 ? VGW_UART0_BASE : VGW_UART1_BASE;
}

/* A host client of UART @uart's chardev. */
static int client_connect(UartFixture *f, int uart)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(f->path[uart]), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, f->path[uart]);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
                    0);
    return fd;
}

static void client_send(int fd, char c)
{
    g_assert_cmpint(write(fd, &c, 1), ==, 1);
}

/*
 * Waits until UART @uart has received something.  The host side's
 * connects, data and hang-ups reach the UART in QEMU's main loop, which
 * also serves these reads: poll until RXFE clears.  Something that never
 * comes ends in the test harness's timeout.
 */
static void uart_wait_rx(UartFixture *f, int uart)
{
    while (qtest_readl(f->qts, uart_base(uart) + UARTFR) & UARTFR_RXFE) {
        g_usleep(1000);
    }
}

/* The next UARTDR value of UART @uart, and its UARTRSR right after. */
static uint32_t uart_getc(UartFixture *f, int uart, uint32_t *rsr)
{
    uint64_t base = uart_base(uart);
    uint32_t dr;

    uart_wait_rx(f, uart);
    dr = qtest_readl(f->qts, base + UARTDR);
    *rsr = qtest_readl(f->qts, base + UARTRSR);
    return dr;
}

static void assert_getc(UartFixture *f, int uart, uint32_t expect)
{
    uint32_t rsr;

    g_assert_cmphex(uart_getc(f, uart, &rsr), ==, expect);
    g_assert_cmphex(rsr, ==, expect == BREAK ? UARTRSR_BE : 0);
}

/* With the FIFO on, as Linux's amba-pl011 driver runs it. */
static void test_maint_break_on_connect_and_hangup(void)
{
    UartFixture f;
    int fd;

    uart_start(&f);
    qtest_writel(f.qts, VGW_UART1_BASE + UARTLCR_H,
                 UARTLCR_H_FEN | UARTLCR_H_WLEN8);

    fd = client_connect(&f, 1);
    assert_getc(&f, 1, BREAK);
    client_send(fd, 'A');
    assert_getc(&f, 1, 'A');
    close(fd);
    assert_getc(&f, 1, BREAK);

    /* A second session starts with a break of its own. */
    fd = client_connect(&f, 1);
    assert_getc(&f, 1, BREAK);
    client_send(fd, 'B');
    assert_getc(&f, 1, 'B');
    g_assert_true(qtest_readl(f.qts, VGW_UART1_BASE + UARTFR) & UARTFR_RXFE);
    close(fd);
    uart_stop(&f);
}

/*
 * With the FIFO off the UART holds one character.  A break that finds it
 * taken waits (breaks waiting together count as one), and what the next
 * client sends never overtakes it.
 */
static void test_maint_break_keeps_order(void)
{
    UartFixture f;
    uint32_t rsr, c;
    int fd, breaks;

    uart_start(&f);
    fd = client_connect(&f, 1);
    /* Accepted (its break is in): the second client will not queue. */
    uart_wait_rx(&f, 1);
    close(fd);
    fd = client_connect(&f, 1);
    client_send(fd, 'B');

    /*
     * The first client's connect, then its hang-up and the second
     * client's connect: one break each, or one for both when the second
     * found the first still waiting.
     */
    for (breaks = 0; (c = uart_getc(&f, 1, &rsr)) == BREAK; breaks++) {
        g_assert_cmphex(rsr, ==, UARTRSR_BE);
    }
    g_assert_cmpint(breaks, >=, 2);
    g_assert_cmpint(breaks, <=, 3);
    g_assert_cmphex(c, ==, 'B');
    g_assert_cmphex(rsr, ==, 0);
    g_assert_true(qtest_readl(f.qts, VGW_UART1_BASE + UARTFR) & UARTFR_RXFE);
    close(fd);
    uart_stop(&f);
}

/* The console carries no session: its clients come and go unnoticed. */
static void test_console_no_break(void)
{
    UartFixture f;
    int fd;

    uart_start(&f);
    fd = client_connect(&f, 0);
    client_send(fd, 'x');
    uart_wait_rx(&f, 0);
    close(fd);
    fd = client_connect(&f, 0);
    client_send(fd, 'y');

    assert_getc(&f, 0, 'x');
    assert_getc(&f, 0, 'y');
    close(fd);
    uart_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/vgw/uart/maint/break-on-connect-and-hangup",
                   test_maint_break_on_connect_and_hangup);
    qtest_add_func("/vgw/uart/maint/break-keeps-order",
                   test_maint_break_keeps_order);
    qtest_add_func("/vgw/uart/console/no-break", test_console_no_break);

    return g_test_run();
}
