/*
 * vgwd's TLS: every TLS Context (a TLSContexts row with its identity,
 * tls_identity.h, its trusted roots and its policy for each role,
 * tls_role_policy.h) in force in both roles: served by the TLS server
 * (tls_server.h) on the SIP Interfaces' TLS listeners, each listener its
 * interface's context (Context 0 by default), and presented by the TLS
 * client (tls_client.h) on the connections vgwd opens, each the context
 * its caller chose. Keys are the crypto engine's (tls_signer.h). All of it
 * is kept current when the keystore, a context's stored bundle or the
 * configuration changes, plus the benchmark's software-key switch (`debug
 * tls-key engine|software`, tls_softkey.h).
 */
#ifndef VGW_TLS_SERVICE_H
#define VGW_TLS_SERVICE_H

#include <glib.h>

#include "hal/crypto_engine.h"
#include "mgmt/mgmt_session.h"
#include "mgmt/mgmt_status.h"
#include "config/config_state.h"
#include "tls/tls_client.h"
#include "tls/tls_server.h"

G_BEGIN_DECLS

typedef struct VgwTlsService VgwTlsService;

/* vgw_tls_service_start makes sure Context 0 has its key and certificate
 * (generating and issuing what is missing) and makes the server that
 * serves it on the listeners given to it (vgw_tls_service_server).
 * |engine| and |cs| are not owned and must outlive the service. NULL with
 * |error| set if the engine fails. */
VgwTlsService *vgw_tls_service_start(VgwCryptoEngine *engine,
                                     VgwConfigState *cs, const char *serial,
                                     GError **error);

/* vgw_tls_service_key_changed is a VgwKeystoreChangedFunc: after the key
 * in Context 0's slot changed, a certificate is issued for the new key and
 * stored, and new connections are served with both (no reset). After
 * another slot changed, the other contexts are loaded again: one whose
 * certificate no longer fits its key is not served until a new bundle is
 * committed. Open connections keep what they negotiated. */
void vgw_tls_service_key_changed(guint slot, gpointer service);

/* vgw_tls_service_context_changed is a VgwTlsContextChangedFunc
 * (tls_context_verbs.h): a context's stored certificate, chain, key
 * reference or trusted roots were replaced; new connections use them in
 * both roles: on the SIP Interfaces' TLS listeners that chose the context
 * (tls_context_table.h; Context 0 where none did) and on the connections
 * the client opens presenting it. Open connections keep their session. */
void vgw_tls_service_context_changed(guint context, gpointer service);

/* vgw_tls_service_status fills |out| for `status`. */
void vgw_tls_service_status(VgwTlsService *t, VgwStatusTls *out);

/* vgw_tls_service_set_stream hands the application data of the
 * listener's connections to |ops| with |data| (vgw_tls_server_set_stream). */
void vgw_tls_service_set_stream(VgwTlsService *t, const VgwTlsStreamOps *ops,
                                gpointer data);

/* vgw_tls_service_client is the TLS client (tls_client.h) with every
 * TLS Context, kept current as the listener's. */
VgwTlsClient *vgw_tls_service_client(VgwTlsService *t);

/* vgw_tls_service_apply_verify_server applies the server-certificate
 * verification |running| asks of the client role under its manual
 * (vgw_manual_server_verification_rule: VerifyServerCertificate 1, or
 * SIPSRequireClientCertificate 1 under 7.x) to the next connections,
 * against the trusted roots of the context each presents, naming the rule
 * in each refusal's log line. Client certificates (the server role) are
 * verified against the roots of each listener's context. */
void vgw_tls_service_apply_verify_server(VgwTlsService *t,
                                         const VgwParamConfig *running);

/* VgwTlsReferencesFunc appends to |out| the addresses, as configured,
 * of the Proxy Sets a TLS client connecting from |address| (an IPv4
 * literal) classifies to (borrowed strings, valid during the call):
 * vgwd's vgw_proxy_sets_tls_references. */
typedef void (*VgwTlsReferencesFunc)(const char *address, GPtrArray *out,
                                     gpointer data);

/* vgw_tls_service_set_client_references gives the server role what it
 * matches client certificates against (vgw_tls_service_apply_peer_names);
 * until it is set, client names are not checked. */
void vgw_tls_service_set_client_references(VgwTlsService *t,
                                           VgwTlsReferencesFunc func,
                                           gpointer data);

/* vgw_tls_service_apply_peer_names applies peer host-name verification
 * under |running| to the next connections of both roles, where
 * PeerHostNameVerificationMode covers the role under the chosen manual
 * (manual_version.h), with TLSRemoteSubjectName: the client role with
 * the StrictHostNameMatch of the context each connection presents; the
 * server role on listeners that require a client certificate, against
 * the client references (vgw_tls_service_set_client_references), with
 * the StrictHostNameMatch of the context each connection is served
 * (vgw_tls_server_set_client_names). */
void vgw_tls_service_apply_peer_names(VgwTlsService *t,
                                      const VgwParamConfig *running);

/* vgw_tls_service_apply_policies puts every TLS Context's policy under
 * |running| into effect for the next connections in both roles, when one
 * differs from what is in force (the version policies logged): its
 * versions (tls_versions.h: under 6.4 every context follows the global
 * TLSVersion, under 7.x its own mask), its cipher strings for each role
 * and groups (tls_role_policy.h), its StrictHostNameMatch; a new
 * TLSContexts row is put in force too. Open connections keep theirs. The
 * global parameters need a reset; this follows live changes of the
 * TLSContexts table. */
void vgw_tls_service_apply_policies(VgwTlsService *t,
                                    const VgwParamConfig *running);

/* VGW_TLS_REHANDSHAKE_UNIT_S is how long a minute of
 * TLSReHandshakeInterval lasts, unless the test-only verb
 * `debug tls-rehandshake-unit SECONDS` (1-60) shortens it. */
#define VGW_TLS_REHANDSHAKE_UNIT_S 60

/* vgw_tls_service_apply_rehandshake puts |running|'s
 * TLSReHandshakeInterval (minutes, 0 = never) into effect, when it
 * changed, for the open and next connections of both roles: a KeyUpdate
 * every interval on TLS 1.3 (vgw_tls_server_set_rehandshake_interval);
 * nothing on TLS 1.2, which BoringSSL cannot renegotiate (logged). */
void vgw_tls_service_apply_rehandshake(VgwTlsService *t,
                                       const VgwParamConfig *running);

/* vgw_tls_service_foreach_conn calls |func| for every TLS connection,
 * the listener's (accepted) then the client's (opened); see
 * vgw_tls_server_foreach_conn. */
void vgw_tls_service_foreach_conn(VgwTlsService *t, VgwTlsConnFunc func,
                                  gpointer data);

/* vgw_tls_service_server is the service's TLS server, for the SIP
 * Interfaces' TLS listeners (vgw_tls_server_listen). */
VgwTlsServer *vgw_tls_service_server(VgwTlsService *t);

/* vgw_tls_service_debug_verb answers the maintenance verbs below for
 * the service |user_data| (vgwd's verb table routes them here):
 *   debug tls-key engine     new connections use the engine key (default)
 *   debug tls-key software   new connections use a software key (made on
 *                            first use, in the background: the reply says
 *                            "generating" until it is ready; `status`
 *                            shows tls.key_source "software" once in use)
 *   debug tls-handshake-timeout S
 *                            connections accepted from now on get S
 *                            seconds (1-3600) to finish their handshake
 *                            (10 at boot): lets a test fill the half-open
 *                            pool however slowly its connections arrive
 *   debug tls-rehandshake-unit S
 *                            a minute of TLSReHandshakeInterval lasts S
 *                            seconds (1-60; 60 at boot), open connections
 *                            included: lets a test see KeyUpdates
 * These are test and benchmark switches, not configuration: every boot
 * starts with the engine key, a 10 s timeout and 60 s minutes. Returns
 * FALSE for other
 * verbs. */
gboolean vgw_tls_service_debug_verb(char **argv, gboolean human,
                                    VgwMgmtReply *out, gpointer user_data);

G_END_DECLS

#endif /* VGW_TLS_SERVICE_H */
