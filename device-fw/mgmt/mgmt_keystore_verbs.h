/*
 * The keystore verbs of the maintenance port (docs/maintenance-protocol.md,
 * "Keystore verbs"): keystore-list, keystore-gen, keystore-import,
 * keystore-lock, keystore-pub and keystore-zeroize over the crypto
 * engine's key slots, in
 * machine mode (a JSON object) and human mode (text).
 *
 * Private key material only ever travels inward: keystore-import decodes
 * its base64 argument straight into the engine's write-only input buffer,
 * then wipes its own copies. Nothing here logs or echoes it, and no verb
 * returns private material (the engine has no command that would).
 *
 * Added to the session with vgw_mgmt_session_add_verbs; a session must be
 * logged in, as for every verb but login and help.
 */
#ifndef VGW_MGMT_KEYSTORE_VERBS_H
#define VGW_MGMT_KEYSTORE_VERBS_H

#include <glib.h>

#include "hal/crypto_engine.h"
#include "mgmt/mgmt_reply.h"

G_BEGIN_DECLS

/* VgwKeystoreChangedFunc is called after the key in |slot| was replaced
 * (keystore-gen, keystore-import), so its users (TLS Context 0 for slot
 * 0) pick the new key up. */
typedef void (*VgwKeystoreChangedFunc)(guint slot, gpointer user_data);

/* VGW_KEYSTORE_ZEROIZE_CONFIRM is the word keystore-zeroize requires. */
#define VGW_KEYSTORE_ZEROIZE_CONFIRM "all-keys"

typedef struct VgwKeystoreVerbs VgwKeystoreVerbs;

/* vgw_keystore_verbs_new returns the verbs over |engine| (not owned; NULL
 * when the board has none: every keystore verb then says so), calling
 * |changed| (may be NULL) after a slot's key changed. */
VgwKeystoreVerbs *vgw_keystore_verbs_new(VgwCryptoEngine *engine,
                                         VgwKeystoreChangedFunc changed,
                                         gpointer user_data);

/* vgw_keystore_verbs_free releases |v|; NULL allowed. */
void vgw_keystore_verbs_free(VgwKeystoreVerbs *v);

/* vgw_keystore_verb_set: add it with a VgwKeystoreVerbs as data. */
extern const VgwMgmtVerbSet vgw_keystore_verb_set;

/* vgw_keystore_verbs_handle answers |argv| without a session (the host
 * tool's offline keystore): vgw_mgmt_verb_set_call over
 * vgw_keystore_verb_set with |user_data| the VgwKeystoreVerbs. Returns
 * FALSE for a verb that is not a keystore verb. */
gboolean vgw_keystore_verbs_handle(char **argv, gboolean human,
                                   VgwMgmtReply *out, gpointer user_data);

G_END_DECLS

#endif /* VGW_MGMT_KEYSTORE_VERBS_H */
