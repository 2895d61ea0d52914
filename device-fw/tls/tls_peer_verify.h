/*
 * Whether the certificate a TLS peer showed is one the gateway accepts,
 * in either role (the server role verifying a SIP client's certificate
 * under mutual authentication, the client role a proxy's under
 * VerifyServerCertificate), and the TLS alert that says why not.
 *
 * The path is built and checked by the bundle library's peer check
 * (tls_bundle.h: the path ends in one of the TLS Context's trusted roots,
 * every certificate on it is within its validity, the leaf's usage fits
 * the peer's role), so a certificate is judged by the same rules whether
 * it is injected into a context or shown by a peer. Each refusal is one
 * VgwTlsError with the alert RFC 8446 §6.2 / RFC 5246 §7.2.2 give for it:
 *   no-peer-certificate  certificate_required (TLS 1.3; BoringSSL's own
 *                        check, before this one: TLS 1.2 gets
 *                        handshake_failure, see tls_server.h)
 *   untrusted            unknown_ca: no trusted root issued the path's
 *                        last certificate (also a self-signed one, and a
 *                        leaf sent alone whose intermediate is missing:
 *                        the two cannot be told apart, and RFC 5246's
 *                        unknown_ca covers both)
 *   expired              certificate_expired
 *   not-yet-valid        bad_certificate
 *   chain                bad_certificate: the certificates sent with the
 *                        leaf do not include its issuer (a missing
 *                        intermediate), a bad signature, an issuer that is
 *                        no CA, a key usage that does not allow the role
 */
#ifndef VGW_TLS_PEER_VERIFY_H
#define VGW_TLS_PEER_VERIFY_H

#include <glib.h>
#include <openssl/base.h>
#include <openssl/x509.h>
#include <stdint.h>

#include "tls/tls_error.h"

G_BEGIN_DECLS

/* Who a verified peer certificate names: what the registrar records with
 * a binding that came over the connection. */
typedef struct {
  char *subject; /* "CN=alice,O=example" (vgw_tls_cert_subject) */
  char *issuer;
  char *sha256;  /* of the DER certificate (vgw_tls_cert_fingerprint) */
  char **san;    /* NULL-terminated, in certificate order: "DNS:name",
                  * "IP:a.b.c.d", "URI:sip:...", "email:..." */
} VgwTlsPeerIdentity;

/* vgw_tls_peer_verify judges |certs|, the certificates a peer sent (its
 * own first, then the intermediates it sent, as sent; NULL or empty: it
 * sent none), against the trusted |roots| (NULL: none) at |now| (Unix
 * seconds), for a peer in |roles| (VgwTlsRole bits of tls_bundle.h).
 * Returns the leaf's identity, or NULL with |error| set (VGW_TLS_ERROR
 * with one of the codes above; the message names the certificate at
 * fault and, for a validity failure, the date) and *out_alert set to the
 * alert to send (SSL_AD_*). Nothing is taken. */
VgwTlsPeerIdentity *vgw_tls_peer_verify(STACK_OF(X509) *certs,
                                        STACK_OF(X509) *roots, guint roles,
                                        int64_t now, uint8_t *out_alert,
                                        GError **error);

/* vgw_tls_peer_identity_new describes |cert| (not taken). */
VgwTlsPeerIdentity *vgw_tls_peer_identity_new(X509 *cert);

/* vgw_tls_peer_identity_free releases |id|; NULL allowed. */
void vgw_tls_peer_identity_free(VgwTlsPeerIdentity *id);

G_END_DECLS

#endif /* VGW_TLS_PEER_VERIFY_H */
