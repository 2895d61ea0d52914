/*
 * vgwd as a TLS client (SIP over TLS to a proxy), from the default main
 * context, non-blocking. Each connection presents the TLS Context it is
 * given (vgw_tls_client_connect; the Proxy Set's, the SIP Interface's or
 * Context 0, chosen by the caller): that context's device certificate and
 * chain with the crypto engine's key (tls_signer.h), offered when a server
 * asks, its client-role versions, TLS 1.2 suites and groups
 * (tls_role_policy.h), and its trusted roots. A context given no usable
 * certificate (vgw_tls_client_set_context) is replaced by Context 0, and
 * the connection's label says so.
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
 * vgw_tls_client_set_verify() (VerifyServerCertificate) against the
 * context's roots, by the same judge as client certificates
 * (tls_peer_verify.h: untrusted/unknown_ca, expired/certificate_expired,
 * not-yet-valid and chain/bad_certificate); its names are matched with
 * the name dialled (the Proxy Set address as configured) or not by
 * vgw_tls_client_set_peer_names() (PeerHostNameVerificationMode,
 * tls_hostname.h, with the context's StrictHostNameMatch), after the
 * chain, inside the handshake: a mismatch sends bad_certificate and fails
 * as "hostname". Every failed handshake is logged with the peer, the
 * context and why, the VgwTlsError reason, the rule and the alert,
 * counted, and reported to the stream handler's failed().
 */
#ifndef VGW_TLS_CLIENT_H
#define VGW_TLS_CLIENT_H

#include <glib.h>
#include <openssl/base.h>
#include <stdint.h>

#include "tls/tls_role_policy.h"
#include "tls/tls_server.h"
#include "tls/tls_signer.h"

G_BEGIN_DECLS

typedef struct VgwTlsClient VgwTlsClient;

/* What a TLS Context gives the connections that present it. */
typedef struct {
  X509 *cert;             /* the device certificate; NULL: none yet, the
                           * context is not usable */
  STACK_OF(X509) *chain;  /* its intermediates, sent after it; NULL: none */
  guint slot;             /* the engine slot of its key */
  uint32_t key_type;      /* VGW_KEY_TYPE_* */
  STACK_OF(X509) *roots;  /* trusted roots for server certificates; NULL:
                           * none (every verified server is refused) */
  VgwTlsRolePolicy policy; /* its client-role policy */
  gboolean strict_names;  /* StrictHostNameMatch */
} VgwTlsClientContext;

/* vgw_tls_client_new makes a client signing with |signer| (not owned).
 * Until Context 0 is set it offers no client certificate. */
VgwTlsClient *vgw_tls_client_new(VgwTlsSigner *signer);

/* vgw_tls_client_set_context makes the next connections that present TLS
 * Context |context| use |material| (its certificates referenced, the
 * rest copied); NULL removes the context (they present Context 0). Open
 * connections keep what they negotiated. */
void vgw_tls_client_set_context(VgwTlsClient *c, guint context,
                                const VgwTlsClientContext *material);

/* vgw_tls_client_set_verify: FALSE (VerifyServerCertificate 0) accepts any
 * server certificate chain; TRUE verifies it against the roots of the
 * context each connection presents (none: every server is refused, as
 * untrusted, logged when the context is first used). |rule| (copied;
 * NULL: none) is named in the log line of each server certificate
 * refused (the parameter that asks for the verification). Applies to the
 * next connections. */
void vgw_tls_client_set_verify(VgwTlsClient *c, gboolean verify,
                               const char *rule);

/* vgw_tls_client_set_peer_names: |check| TRUE (the host-name mode covers
 * the client role) makes the next connections refuse a server whose
 * certificate does not name the server name given to
 * vgw_tls_client_connect() (the rules of tls_hostname.h, with
 * TLSRemoteSubjectName |remote_subject_name| (NULL: none; copied) and
 * the context's strict RFC 5922 matching); the rule that decided is
 * logged with the handshake. FALSE (the default): names are not looked
 * at. */
void vgw_tls_client_set_peer_names(VgwTlsClient *c, gboolean check,
                                   const char *remote_subject_name);

/* vgw_tls_client_set_stream: where connections' events and application
 * data go (|ops| copied, with |data|). For client connections open() is
 * not called: conn_data is given to vgw_tls_client_connect(); established()
 * comes when the handshake completes, failed() when it does not (then
 * closed()). */
void vgw_tls_client_set_stream(VgwTlsClient *c, const VgwTlsStreamOps *ops,
                               gpointer data);

/* vgw_tls_client_connect starts a handshake on the connected, non-blocking
 * TCP socket |fd| (taken: closed with the connection) to |peer|
 * ("a.b.c.d:port", for logs), presenting TLS Context |context|, chosen
 * because |why| (for the log line and `show tls connections`: "TLS
 * Context N (WHY)"; NULL: the default; a context with no usable
 * certificate is replaced by Context 0, and the label says so: "TLS
 * Context 0 (WHY, but context N has no usable certificate)"), with SNI
 * |server_name| unless it
 * is an IP literal; |server_name| is also the reference identity the
 * server's certificate must name when names are checked. NULL with
 * |error| set (VGW_TLS_ERROR_LIMIT, _SETUP) if it cannot start; |fd| is
 * closed then too. */
VgwTlsConn *vgw_tls_client_connect(VgwTlsClient *c, int fd, guint context,
                                   const char *why, const char *server_name,
                                   const char *peer, gpointer conn_data,
                                   GError **error);

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
