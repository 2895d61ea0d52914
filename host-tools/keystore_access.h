/*
 * A gateway's keystore, running or not.
 *
 * On a running gateway every operation is a maintenance-port request
 * (keystore-list, keystore-gen, keystore-import, keystore-lock,
 * keystore-pub; docs/maintenance-protocol.md), so the firmware knows at
 * once.  On a stopped gateway it is factory provisioning: the same
 * crypto-engine driver the firmware uses drives the board's engine in a
 * QEMU started in qtest mode on the gateway's keystore.bin and board
 * secret, with no guest running.  Either way the private key only ever
 * travels into the engine's write-only input buffer.
 */
#ifndef VGW_KEYSTORE_ACCESS_H
#define VGW_KEYSTORE_ACCESS_H

#include <json-glib/json-glib.h>

#include "hal/crypto_engine.h"
#include "keyfile.h"
#include "mgmt/mgmt_verb.h"

G_BEGIN_DECLS

typedef struct VgwKeystore VgwKeystore;

/* vgw_keystore_open opens gateway |name|'s keystore: online when it is
 * running, offline otherwise.  Offline, a gateway that never ran is an
 * error ("no gateway named 'N'") unless |create|: then its state directory
 * and board secret are made, so keys can be provisioned before the first
 * boot.  Errors are one-line VGW_ERRORs. */
VgwKeystore *vgw_keystore_open(const char *name, gboolean create, GError **error);

/* vgw_keystore_is_offline returns TRUE when |ks| provisions a stopped
 * gateway. */
gboolean vgw_keystore_is_offline(const VgwKeystore *ks);

/* vgw_keystore_list returns {"num_slots": N, "slots": [{"slot", "type",
 * "locked", "origin", "fingerprint"}...]} with the non-empty slots. */
JsonObject *vgw_keystore_list(VgwKeystore *ks, GError **error);

/* vgw_keystore_gen has the engine generate a |key_type| (VGW_KEY_TYPE_*)
 * key in |slot|. */
gboolean vgw_keystore_gen(VgwKeystore *ks, guint slot, uint32_t key_type,
                          GError **error);

/* vgw_keystore_import puts |kf|'s private key into |slot|. */
gboolean vgw_keystore_import(VgwKeystore *ks, guint slot, const VgwKeyfile *kf,
                             GError **error);

/* vgw_keystore_lock locks |slot|: no replacement or deletion until the
 * keystore's factory reset. */
gboolean vgw_keystore_lock(VgwKeystore *ks, guint slot, GError **error);

/* vgw_keystore_zeroize empties every slot, locked or not (the keystore's
 * factory reset).  A running gateway makes itself a new device key. */
gboolean vgw_keystore_zeroize(VgwKeystore *ks, GError **error);

/* vgw_keystore_pub returns |slot|'s public key, DER SubjectPublicKeyInfo. */
GBytes *vgw_keystore_pub(VgwKeystore *ks, guint slot, GError **error);

/* vgw_keystore_reset is the recovery from a damaged keystore or a lost
 * board secret, for a stopped gateway |name| only (it works without the
 * engine, which cannot open such a keystore): keystore.bin is deleted,
 * every key with it, and a new board secret is made.  The gateway makes
 * itself a new device key at its next boot.  A running gateway fails with
 * VGW_ERROR_RUNNING; an unknown one with VGW_ERROR_UNKNOWN. */
gboolean vgw_keystore_reset(const char *name, GError **error);

/* vgw_keystore_engine returns the offline engine (NULL online), for
 * firmware verbs that need it too (vgw_keystore_add_verbs). */
VgwCryptoEngine *vgw_keystore_engine(VgwKeystore *ks);

/* vgw_keystore_add_verbs makes an offline |ks| answer |set|'s verbs with
 * |data| as well, so that vgw_keystore_request reaches them the same way
 * online and offline.  Online it does nothing (the firmware has them). */
void vgw_keystore_add_verbs(VgwKeystore *ks, const VgwMgmtVerbSet *set, gpointer data);

/* vgw_keystore_request sends |req| (argv[0] the verb) on |ks|'s session
 * or, offline, to the firmware's verb handlers; the reply's JSON object
 * or an error "<verb>: <the firmware's error>". */
JsonObject *vgw_keystore_request(VgwKeystore *ks, const char *const *req, GError **error);

/* vgw_keystore_close ends the session (stops the offline QEMU); NULL is
 * ignored. */
void vgw_keystore_close(VgwKeystore *ks);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgwKeystore, vgw_keystore_close)

G_END_DECLS

#endif /* VGW_KEYSTORE_ACCESS_H */
