/*
 * The maintenance verbs that replace and show a TLS Context's
 * certificate material (docs/maintenance-protocol.md, "TLS Contexts"):
 *
 *   cert-begin CONTEXT            start staging a bundle for CONTEXT
 *   cert-add cert|chain|ca B64    stage one certificate (base64 DER): the
 *                                 device certificate (once), an
 *                                 intermediate, or a trusted root
 *   cert-commit [SLOT]            validate and install the staged bundle
 *                                 with the key in engine slot SLOT (the
 *                                 context's current slot if omitted);
 *                                 a context moving to another slot
 *                                 retires the key of the one it leaves
 *   cert-slot [SLOT]              the slot a new key goes into, chosen by
 *                                 the policy of tls_slot_pick.h (or fails
 *                                 "no-free-slot: ..."), or what SLOT is
 *                                 to that policy
 *   cert-check B64-SPKI           validate the staged bundle with this
 *                                 public key (one about to be imported
 *                                 into the engine); the bundle stays
 *                                 staged if it is acceptable
 *   cert-issue SLOT COMMON-NAME   stage as the device certificate a
 *                                 self-signed one for the key in engine
 *                                 SLOT, CN=COMMON-NAME, signed by that key
 *                                 inside the engine (tls_cert.h)
 *   cert-csr SLOT COMMON-NAME     a PKCS#10 request (PEM) for the key in
 *                                 engine SLOT, CN=COMMON-NAME, signed by
 *                                 that key inside the engine; nothing is
 *                                 staged or stored
 *   cert-show [CONTEXT]           what the context holds
 *
 * cert-commit checks the bundle with tls_bundle.h (the trusted roots are
 * the staged `ca` certificates if any were staged, which then replace the
 * context's, else the context's stored ones) and refuses a bad one with
 * "REASON: message", REASON a vgw_tls_bundle_error_name, changing
 * nothing. A good one is written to the flash store in one generation
 * (tls_identity.h: certificate and chain, key reference, roots) and then
 * handed to |changed|, which makes new connections use it; open
 * connections keep the session they have. The staging belongs to the
 * maintenance session and ends with it, or with cert-commit.
 *
 * A lossless swap (nothing in service changes before the commit) puts
 * the new key into the slot cert-slot chooses and commits with that
 * slot. The maintenance port serves one session at a time, so no other
 * host fills the slot between cert-slot and cert-commit.
 *
 * CONTEXT is a row index of the running configuration's TLSContexts
 * table (tls_context_table.h); a context's key is in engine slot CONTEXT
 * unless a commit named another. The same verbs run on the host over a stopped gateway's flash image
 * and keystore (no |changed|): one code path validates and stores.
 */
#ifndef VGW_TLS_CONTEXT_VERBS_H
#define VGW_TLS_CONTEXT_VERBS_H

#include <glib.h>

#include "config/config_state.h"
#include "hal/crypto_engine.h"
#include "mgmt/mgmt_verb.h"

G_BEGIN_DECLS

/* VgwTlsContextChangedFunc is told that |context|'s stored material was
 * replaced. */
typedef void (*VgwTlsContextChangedFunc)(guint context, gpointer data);

typedef struct VgwTlsContextVerbs VgwTlsContextVerbs;

/* vgw_tls_context_verbs_new returns the verbs over |engine| and |cs| (not
 * owned, must outlive them); |changed| (may be NULL) is called with
 * |data| after each install. */
VgwTlsContextVerbs *vgw_tls_context_verbs_new(VgwCryptoEngine *engine,
                                              VgwConfigState *cs,
                                              VgwTlsContextChangedFunc changed,
                                              gpointer data);

/* vgw_tls_context_verbs_free releases |v|; NULL allowed. */
void vgw_tls_context_verbs_free(VgwTlsContextVerbs *v);

/* vgw_tls_context_verb_set: add it with a VgwTlsContextVerbs as data. */
extern const VgwMgmtVerbSet vgw_tls_context_verb_set;

G_END_DECLS

#endif /* VGW_TLS_CONTEXT_VERBS_H */
