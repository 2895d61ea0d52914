/*
 * vgwd's registrar (device-fw/sip/sip_registrar.h) on the SIP transports
 * and the maintenance port: REGISTER answered from it once Digest
 * authentication (registrar_auth.h) admits it, each refusal logged
 * with the peer and the reason, expired bindings swept on a timer, and the
 * `sip-registrations` verb listing the bindings
 * (docs/maintenance-protocol.md).
 */
#ifndef VGW_VGWD_SIP_REGISTRATIONS_H
#define VGW_VGWD_SIP_REGISTRATIONS_H

#include <glib.h>

#include "config/config_state.h"
#include "mgmt/mgmt_verb.h"
#include "sip_registrar.h"

G_BEGIN_DECLS

/* Expired bindings are freed this often (they are never shown once
 * expired: the registrar drops them on every access). */
#define VGW_SIP_REGISTRAR_SWEEP_S 30

/* A registrar with the default limits, swept every
 * VGW_SIP_REGISTRAR_SWEEP_S on the default main context for as long as
 * vgwd runs, authenticating as |config|'s running configuration says.
 * vgwd starts one. NULL |config|: no authentication. */
SipRegistrar *vgw_sip_registrations_start(VgwConfigState *config);

/* Answers the REGISTER |req| in |txn|: a 401 challenge unless
 * authentication admits it (vgw_registrar_auth_admit()), else from
 * |registrar|, the bindings it makes recording |identity| (the verified
 * TLS client certificate of its connection; NULL: none), logging a
 * refusal: "sip/udp: ADDR:PORT: REGISTER for AOR refused: TEXT (NAME)". */
void vgw_sip_registrations_answer(SipRegistrar *registrar, SipTxn *txn,
                                  const osip_message_t *req,
                                  const SipPeer *from,
                                  const SipClientIdentity *identity);

/* `sip-registrations`: every live binding, the counts by outcome, the
 * limits and the authentication counts ("auth"); a set to add with the
 * registrar as its data. */
extern const VgwMgmtVerbSet vgw_sip_registrations_verb_set;

G_END_DECLS

#endif /* VGW_VGWD_SIP_REGISTRATIONS_H */
