/*
 * Peer host-name verification inside the handshake: the glue between an
 * SSL connection and the matcher of tls_hostname.h.
 *
 * An SSL_CTX set up by vgw_tls_peer_name_install() verifies the peer's
 * certificate chain (when asked) and then, on each connection given a
 * check by vgw_tls_peer_name_expect(), the peer's names. A mismatch fails
 * the handshake there, with a bad_certificate alert (the verify result is
 * X509_V_ERR_HOSTNAME_MISMATCH), so no application data is ever sent; the
 * verdict stays on the connection for its log line and failure reason.
 * Usable in both roles: the caller decides which connections get a check.
 */
#ifndef VGW_TLS_PEER_NAME_H
#define VGW_TLS_PEER_NAME_H

#include <glib.h>
#include <openssl/base.h>

#include "tls/tls_hostname.h"

G_BEGIN_DECLS

/* vgw_tls_peer_name_install: |ctx|'s connections verify the peer's chain
 * against its certificate store when |verify_chain|, and match names
 * where a check was set; the verify mode becomes SSL_VERIFY_PEER
 * (|extra_mode| ORed in: e.g. SSL_VERIFY_FAIL_IF_NO_PEER_CERT for a
 * server). Without |verify_chain| an unverifiable chain is accepted. */
void vgw_tls_peer_name_install(SSL_CTX *ctx, gboolean verify_chain,
                               int extra_mode);

/* vgw_tls_peer_name_expect: |ssl| (of an installed SSL_CTX) must present
 * a certificate that |check| accepts (copied). FALSE if it cannot be
 * recorded (out of memory). */
gboolean vgw_tls_peer_name_expect(SSL *ssl, const VgwTlsNameCheck *check);

/* vgw_tls_peer_name_match: for a connection whose own verify callback
 * has accepted the peer's chain: when |ssl| expects a check
 * (vgw_tls_peer_name_expect), matches the peer's leaf |cert| and records
 * the verdict. TRUE when no check is expected or the names are accepted;
 * FALSE when they are refused (the caller fails the handshake with a
 * bad_certificate alert). */
gboolean vgw_tls_peer_name_match(SSL *ssl, X509 *cert);

/* vgw_tls_peer_name_verdict: the verdict on |ssl|'s peer, NULL while no
 * name was checked (none expected, or the handshake did not get there). */
const VgwTlsNameVerdict *vgw_tls_peer_name_verdict(const SSL *ssl);

/* vgw_tls_peer_name_refused: TRUE when |ssl|'s peer certificate was
 * refused for its names (the handshake failed for that reason). */
gboolean vgw_tls_peer_name_refused(const SSL *ssl);

/* vgw_tls_peer_name_describe: "RULE: SENTENCE" of |ssl|'s verdict, newly
 * allocated, NULL when there is none. */
char *vgw_tls_peer_name_describe(const SSL *ssl);

G_END_DECLS

#endif /* VGW_TLS_PEER_NAME_H */
