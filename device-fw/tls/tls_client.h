/*
 * vgwd as a TLS client (SIP over TLS to a proxy): the versions of its
 * policy (vgw_tls_client_set_versions; TLS 1.2 and 1.3 until set) from the
 * default main context, non-blocking, with TLS Context 0's identity — the
 * device certificate and the crypto engine's key (tls_signer.h), the same
 * as the TLS listener — offered as client certificate when a server asks.
 *
 * Connections are the listener's kind (VgwTlsConn, tls_server.h): written
 * with vgw_tls_conn_write(), ended with vgw_tls_conn_abort(), their
 * decrypted stream handed to a VgwTlsStreamOps. They sit in the client's
 * own two pools with the listener's bounds: at most VGW_TLS_MAX_HALF_OPEN
 * handshakes at once (the oldest dropped, "evicted", for a new one), each
 * within VGW_TLS_HANDSHAKE_TIMEOUT_S, and at most VGW_TLS_MAX_ESTABLISHED
 * established ("limit").
 *
 * SNI is the name dialled (a host name; none for an IP address literal,
 * RFC 6066 §3). The server's certificate chain is verified or not by
 * vgw_tls_client_set_verify() (the global VerifyServerCertificate); its
 * names are matched with the name dialled (the Proxy Set address as
 * configured) or not by vgw_tls_client_set_peer_names()
 * (PeerHostNameVerificationMode, tls_hostname.h), inside the handshake:
 * a mismatch sends bad_certificate and fails as "hostname". Every
 * failed handshake is logged with the peer, the VgwTlsError reason and the
 * alert, counted, and reported to the stream handler's failed().
 */
#ifndef VGW_TLS_CLIENT_H
#define VGW_TLS_CLIENT_H

#include <glib.h>
#include <openssl/base.h>
#include <stdint.h>

#include "tls/tls_server.h"
#include "tls/tls_signer.h"

G_BEGIN_DECLS

typedef struct VgwTlsClient VgwTlsClient;

/* vgw_tls_client_new makes a client signing with |signer| (not owned).
 * Until an identity is set it offers no client certificate. */
VgwTlsClient *vgw_tls_client_new(VgwTlsSigner *signer);

/* vgw_tls_client_set_engine_identity offers |cert| and the intermediates
 * |chain| (NULL: none; both referenced) with the key in engine slot
 * |slot| (of |key_type|) on the next connections. */
gboolean vgw_tls_client_set_engine_identity(VgwTlsClient *c, X509 *cert,
                                            STACK_OF(X509) *chain,
                                            guint slot, uint32_t key_type,
                                            GError **error);

/* vgw_tls_client_set_verify: FALSE (VerifyServerCertificate 0) accepts any
 * server certificate; TRUE (1) verifies the chain against |roots| (PEM
 * certificates, concatenated; referenced) and the name dialled against
 * the certificate. TRUE with |roots| NULL: there is no trusted root store
 * yet; that is logged and nothing is verified. Applies to the next
 * connections. */
void vgw_tls_client_set_verify(VgwTlsClient *c, gboolean verify,
                               GBytes *roots);

/* vgw_tls_client_set_verify_rule: |rule| (copied; NULL: none) is named
 * in the log line of each server certificate the next connections refuse
 * while verifying (the parameter that asks for the verification). */
void vgw_tls_client_set_verify_rule(VgwTlsClient *c, const char *rule);

/* vgw_tls_client_set_peer_names: |check| TRUE (the host-name mode covers
 * the client role) makes the next connections refuse a server whose
 * certificate does not name the server name given to
 * vgw_tls_client_connect() (the rules of tls_hostname.h, with
 * TLSRemoteSubjectName |remote_subject_name| (NULL: none; copied) and
 * |strict| RFC 5922 matching); the rule that decided is logged with the
 * handshake. FALSE (the default): names are not looked at. */
void vgw_tls_client_set_peer_names(VgwTlsClient *c, gboolean check,
                                   const char *remote_subject_name,
                                   gboolean strict);

/* vgw_tls_client_set_versions: the next connections offer and accept
 * the protocol versions of |versions| (copied; tls_versions.h); a server
 * that answers with another version is refused with a protocol_version
 * alert, logged with the policy's rule. */
void vgw_tls_client_set_versions(VgwTlsClient *c,
                                 const VgwTlsVersionPolicy *versions);

/* vgw_tls_client_set_stream: where connections' events and application
 * data go (|ops| copied, with |data|). For client connections open() is
 * not called: conn_data is given to vgw_tls_client_connect(); established()
 * comes when the handshake completes, failed() when it does not (then
 * closed()). */
void vgw_tls_client_set_stream(VgwTlsClient *c, const VgwTlsStreamOps *ops,
                               gpointer data);

/* vgw_tls_client_connect starts a handshake on the connected, non-blocking
 * TCP socket |fd| (taken: closed with the connection) to |peer|
 * ("a.b.c.d:port", for logs), with SNI |server_name| unless it is an IP
 * literal; |server_name| is also the reference identity the server's
 * certificate must name when names are checked. NULL with |error| set (VGW_TLS_ERROR_LIMIT, _SETUP) if it cannot
 * start; |fd| is closed then too. */
VgwTlsConn *vgw_tls_client_connect(VgwTlsClient *c, int fd,
                                   const char *server_name, const char *peer,
                                   gpointer conn_data, GError **error);

/* vgw_tls_client_info: the client's counters, as the listener's. */
void vgw_tls_client_info(VgwTlsClient *c, VgwTlsServerInfo *out);

/* vgw_tls_client_foreach_conn is vgw_tls_server_foreach_conn over the
 * client's connections; each belongs to "server NAME", NAME being the
 * server name it was opened with. */
void vgw_tls_client_foreach_conn(VgwTlsClient *c, VgwTlsConnFunc func,
                                 gpointer data);

/* vgw_tls_client_set_rehandshake_interval is
 * vgw_tls_server_set_rehandshake_interval for the client's connections. */
void vgw_tls_client_set_rehandshake_interval(VgwTlsClient *c, guint seconds);

/* vgw_tls_client_free ends every connection and frees |c|. */
void vgw_tls_client_free(VgwTlsClient *c);

G_END_DECLS

#endif /* VGW_TLS_CLIENT_H */
