/*
 * Digest authentication of REGISTER (device-fw/sip/sip_digest.h) as the
 * configuration says (docs/parameters.md, Registrar): off unless
 * RegistrarAuthentication is set; then every REGISTER needs credentials
 * for RegistrarAuthRealm, under one of RegistrarAuthAlgorithms, with a
 * nonce good for RegistrarNonceLifetime, of a user of
 * SBCUserInfoTable whose LocalUser is the user part of the To URI (the
 * address of record) and whose Username (LocalUser when empty) and
 * Password they were made with: the row keeps the password's HA1
 * (param/digest_users.h), which the answer is checked against. A row
 * whose HA1 was made for another realm or user name is refused and the
 * log says so. The parameters are read from the running
 * configuration at each REGISTER, so a change applies to the next one; a
 * new realm, algorithm set or lifetime starts over with no nonce issued.
 */
#ifndef VGW_VGWD_REGISTRAR_AUTH_H
#define VGW_VGWD_REGISTRAR_AUTH_H

#include <glib.h>

#include "config/config_state.h"
#include "sip_txn.h"

G_BEGIN_DECLS

typedef struct VgwRegistrarAuth VgwRegistrarAuth;

/* Reads its parameters from |config|'s running configuration; NULL
 * |config| (the host-built engine of tests/bench) admits every REGISTER. */
VgwRegistrarAuth *vgw_registrar_auth_new(VgwConfigState *config);
void vgw_registrar_auth_free(VgwRegistrarAuth *auth);

/* Whether the REGISTER |req| from |from| may go on to the registrar:
 * TRUE when authentication is off or its credentials are good. Otherwise
 * it has answered 401 with a fresh challenge in |txn| (stale=true when
 * the nonce had expired), logged "sip/udp: ADDR:PORT: REGISTER for AOR
 * challenged: TEXT (NAME)" and counted the reason; for a user whose
 * password cannot serve (NAME unusable-password) TEXT says why and what
 * to do, e.g. "SBCUserInfoTable 0: password stored for realm R, realm is
 * now S: set it again". */
gboolean vgw_registrar_auth_admit(VgwRegistrarAuth *auth, SipTxn *txn,
                                  const osip_message_t *req,
                                  const SipPeer *from);

/* Appends "auth":{"enabled":B,"realm":S,"accepted":N,"challenged":{
 * REASON:N,...}} (the reasons with a non-zero count, sip_digest.h names)
 * to the JSON object |j|. */
void vgw_registrar_auth_json(VgwRegistrarAuth *auth, GString *j);

/* Appends the same as text lines to |t|. */
void vgw_registrar_auth_text(VgwRegistrarAuth *auth, GString *t);

G_END_DECLS

#endif /* VGW_VGWD_REGISTRAR_AUTH_H */
