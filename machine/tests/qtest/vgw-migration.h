/*
 * QTest helper for the vgw devices' migration tests: moves a running
 * machine to a second QEMU through a migration stream in a file, the
 * way a snapshot is saved and restored.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VGW_MIGRATION_H
#define VGW_MIGRATION_H

#include "libqtest.h"
#include "qapi/qmp/qdict.h"

/* query-migrate's "status" of @qts ("none" before any migration). */
static inline char *vgw_test_migration_status(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-migrate' }");
    QDict *ret = qdict_get_qdict(rsp, "return");
    char *status = g_strdup(ret && qdict_haskey(ret, "status") ?
                            qdict_get_str(ret, "status") : "none");

    qobject_unref(rsp);
    return status;
}

/*
 * Migrates @src into the file @stream, quits it, and starts a QEMU with
 * @dst_args that loads the stream and resumes.  Returns the destination,
 * whose virtual clock reads what the source's read when it stopped.
 *
 * Why the clock is set here: under TCG the virtual clock is part of the
 * migration stream (the "timer" section), so a device timer keeps its
 * remaining time across a snapshot.  The qtest accelerator's clock is
 * the test's own counter and starts at 0 in every QEMU; the device
 * timers carry their absolute deadlines, so the destination is put at
 * the source's time before anything runs.  Nothing can fire in that
 * step: it only reaches the time the source had already reached.
 */
static inline QTestState *vgw_test_migrate_via_file(QTestState *src,
                                                    const char *stream,
                                                    const char *dst_args)
{
    g_autofree char *uri = g_strdup_printf("exec:cat > %s", stream);
    QTestState *dst;
    int64_t now;

    qtest_qmp_assert_success(src, "{ 'execute': 'migrate', 'arguments': "
                             "{ 'uri': %s } }", uri);
    for (;;) {
        g_autofree char *status = vgw_test_migration_status(src);

        if (strcmp(status, "completed") == 0) {
            break;
        }
        g_assert_cmpstr(status, !=, "failed");
        g_usleep(10000);
    }
    now = qtest_clock_step(src, 0);
    qtest_quit(src);

    dst = qtest_initf("%s -incoming 'exec:cat %s'", dst_args, stream);
    qtest_qmp_eventwait(dst, "RESUME");
    g_assert_cmpint(qtest_clock_set(dst, now), ==, now);
    unlink(stream);
    return dst;
}

#endif /* VGW_MIGRATION_H */
