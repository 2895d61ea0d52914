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
 * unreadable.  Fails with a VGW_ERROR_FAILED naming the file. */
gboolean vgw_board_secret_ensure(const char *path, GError **error);

/* vgw_board_secret_qemu_object returns the -object argument that loads
 * |path| as the secret VGW_BOARD_SECRET_ID. */
char *vgw_board_secret_qemu_object(const char *path);

G_END_DECLS

#endif /* VGW_BOARD_SECRET_H */
