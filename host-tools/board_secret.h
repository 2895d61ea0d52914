/*
 * The board secret: the per-gateway key that wraps the crypto engine's
 * keystore, standing in for a hardware unique key.
 *
 * It lives in the instance's state directory as keystore.secret (base64 of
 * VGW_BOARD_SECRET_LEN random bytes, mode 0600) and reaches QEMU as a
 * `secret` object that the board's keystore-secret property names.  The
 * keystore file alone (keystore.bin) reveals no key; with this file it
 * does, so both stay in the private state directory.
 */
#ifndef VGW_BOARD_SECRET_H
#define VGW_BOARD_SECRET_H

#include <glib.h>

G_BEGIN_DECLS

#define VGW_BOARD_SECRET_LEN 32

/* VGW_BOARD_SECRET_ID is the QEMU object id of the secret. */
#define VGW_BOARD_SECRET_ID "vgw-board-secret"

/* vgw_board_secret_ensure creates |path| with a fresh secret from the
 * kernel's CSPRNG when it does not exist, atomically and mode 0600.  An
 * existing file is kept as it is: replacing it would make the keystore
 * unreadable.  For the same reason a missing secret is never made anew
 * while the keystore it wrapped (|keystore_path|) exists: that fails with
 * VGW_ERROR_FAILED, "the board secret F is missing, so the keystore K
 * cannot be read; `vgw keystore reset --yes` ...".  Other failures are
 * VGW_ERROR_FAILED naming the file. */
gboolean vgw_board_secret_ensure(const char *path, const char *keystore_path,
                                 GError **error);

/* vgw_board_secret_renew deletes the keystore |keystore_path| (every key
 * in it is lost) and replaces |path| with a fresh secret: the way back
 * from a damaged keystore or a lost secret.  The caller holds the
 * instance lock of a stopped gateway. */
gboolean vgw_board_secret_renew(const char *path, const char *keystore_path,
                                GError **error);

/* vgw_board_secret_qemu_object returns the -object argument that loads
 * |path| as the secret VGW_BOARD_SECRET_ID. */
char *vgw_board_secret_qemu_object(const char *path);

G_END_DECLS

#endif /* VGW_BOARD_SECRET_H */
