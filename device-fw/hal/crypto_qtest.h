/*
 * The crypto engine of a QEMU started under qtest, on the host.
 *
 * vgw_crypto_qtest_open starts
 *
 *   qemu-system-aarch64 -M vgw[,keystore=F,keystore-secret=s]
 *       [-object secret,id=s,file=K,format=base64]
 *       -accel qtest -qtest unix:SOCK -qtest-log none -display none
 *       -nodefaults
 *
 * and drives the board's crypto engine through QEMU's qtest text protocol
 * (readl / writel / clock_step, see QEMU's softmmu/qtest.c), with the
 * driver of hal/crypto_engine.h. No guest runs, so nothing but this
 * transport advances the virtual clock: it steps the clock while the
 * driver polls a busy engine.
 *
 * This is how the host tool provisions a stopped gateway's keystore
 * offline (the same engine code, the same keystore file and secret as the
 * running gateway), and how the unit tests run the driver against the real
 * engine. Host only: it is not built into the firmware.
 */
#ifndef VGW_HAL_CRYPTO_QTEST_H
#define VGW_HAL_CRYPTO_QTEST_H

#include <glib.h>

#include "hal/crypto_engine.h"

G_BEGIN_DECLS

/* VGW_CRYPTO_QTEST_TIMEOUT_MS bounds QEMU's start and each answer. */
#define VGW_CRYPTO_QTEST_TIMEOUT_MS 30000

/* vgw_crypto_qtest_open starts |qemu| (the qemu-system-aarch64 binary with
 * the vgw board) on the keystore file |keystore| wrapped under the base64
 * secret in |secret_file|, or with volatile slots when |keystore| is NULL
 * (|secret_file| is then ignored). Returns the engine, which owns the QEMU
 * process: vgw_crypto_engine_free stops QEMU (SIGTERM, then SIGKILL after
 * 5 s) and waits for it, so the keystore file is complete afterwards.
 *
 * Errors (VGW_CRYPTO_DRIVER_ERROR): VGW_CRYPTO_ERROR_QEMU_MISSING when |qemu|
 * is not an executable file; VGW_CRYPTO_ERROR_QEMU_FAILED when QEMU exits or
 * does not connect, with QEMU's own stderr line in the message (e.g. a
 * keystore that does not open under this secret);
 * VGW_CRYPTO_ERROR_NO_DEVICE when the board has no engine. The driver's
 * synchronous timeout is set to VGW_CRYPTO_QTEST_TIMEOUT_MS. */
VgwCryptoEngine *vgw_crypto_qtest_open(const char *qemu, const char *keystore,
                                       const char *secret_file, GError **error);

G_END_DECLS

#endif /* VGW_HAL_CRYPTO_QTEST_H */
