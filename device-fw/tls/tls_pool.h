/*
 * Inside device-fw/tls: what the TLS listener (tls_server.c) shares with
 * the TLS client (tls_client.c). A VgwTlsServer is a pool of connections
 * with its bounds, counters, log rate limit and stream handler; the
 * listener's pool accepts, the client's (made with vgw_tls_server_new, no
 * socket of its own) connects. Not for use outside device-fw/tls.
 */
#ifndef VGW_TLS_POOL_H
#define VGW_TLS_POOL_H

#include <glib.h>
#include <openssl/base.h>
#include <stdint.h>

#include "tls/tls_role_policy.h"
#include "tls/tls_server.h"
#include "tls/tls_signer.h"
#include "tls/tls_versions.h"

G_BEGIN_DECLS

/* vgw_tls_ctx_new makes an SSL_CTX for vgwd's TLS, in either role: the
 * versions, TLS 1.2 suites and groups of |policy|
 * (vgw_tls_role_policy_apply; the version rule is kept for the failure
 * log), no session resumption, alerts recorded for the failure log, and
 * |cert| (NULL: none) with the signature schemes of |key_type|. The caller
 * sets the private key. */
SSL_CTX *vgw_tls_ctx_new(X509 *cert, uint32_t key_type,
                         const VgwTlsRolePolicy *policy, GError **error);

/* vgw_tls_context_label words the TLS Context a connection uses and why,
 * for its log lines and `show tls connections`, into |buf|: "TLS Context
 * N (WHY)" when context |chosen| is |usable|, else "TLS Context 0 (WHY,
 * but context N has no usable certificate)" (Context 0 serves instead);
 * |why| NULL: the default, no rule chose. */
void vgw_tls_context_label(char *buf, size_t len, guint chosen,
                           const char *why, gboolean usable);

/* vgw_tls_pool_admit: FALSE, counted as a "limit" failure and |error|
 * set (VGW_TLS_ERROR_LIMIT), when the pool's established connections are
 * at their bound. */
gboolean vgw_tls_pool_admit(VgwTlsServer *s, const char *peer,
                            GError **error);

/* vgw_tls_pool_start runs the handshake of |ssl| (taken; accept or
 * connect state set) on socket |fd| (taken) from or to |peer| in pool |s|,
 * tagged |tag| (vgw_tls_conn_tag(); -1 for a client connection):
 * half-open bound (the oldest evicted), deadline, the engine signing when
 * |engine_key| (slot |slot|, |key_type|). |app| non-NULL makes it a client
 * connection: the stream handler's established()/failed() are called with
 * |app|, and the handshake starts from the main loop, never inside this
 * call. |context| (NULL: the default) names the TLS Context it uses and
 * why, for its log lines. NULL with |error| set (|ssl| and |fd|
 * released) if it cannot start. */
VgwTlsConn *vgw_tls_pool_start(VgwTlsServer *s, int fd, SSL *ssl,
                               const char *peer, int tag, gboolean engine_key,
                               guint slot, uint32_t key_type,
                               const char *context, gpointer app,
                               GError **error);

/* vgw_tls_ssl_verify_server makes the client connection |ssl| will be
 * judge the server's certificate inside the handshake, as the listener
 * judges client certificates: its chain against |roots| (copied; NULL:
 * the chain is not verified) by tls_peer_verify.h, for a TLS server's
 * usage, then the names vgw_tls_peer_name_expect() gave |ssl| (none: not
 * looked at). A refusal fails the handshake with the reason's alert and
 * VgwTlsError (untrusted, expired, not-yet-valid, chain; hostname), its
 * log line naming |rule| (copied; the client's reason to verify, e.g.
 * "VerifyServerCertificate = 1") and |dialled| (copied; NULL: names
 * not checked), the name the certificate must carry. FALSE if it cannot
 * be set up. */
gboolean vgw_tls_ssl_verify_server(SSL *ssl, STACK_OF(X509) *roots,
                                   const char *rule, const char *dialled);

G_END_DECLS

#endif /* VGW_TLS_POOL_H */
