/*
 * Whether a certificate bundle may become a TLS Context's identity: the
 * one check `vgw cert inject` makes on the host and the gateway makes
 * again before it swaps anything (the same code on both sides; no vgwd
 * state is used).
 *
 * A bundle is the device certificate, the intermediates a peer needs
 * (the chain) and the public key that will sign for it (an engine slot's
 * or a key file's, as DER SubjectPublicKeyInfo), judged against the
 * context's trusted roots at a given time. A refused bundle gets ONE
 * reason, a VgwTlsBundleError code in the VGW_TLS_BUNDLE_ERROR domain
 * (its stable name from vgw_tls_bundle_error_name) and a message naming
 * the certificate at fault. The checks run in this order, the first
 * failure is the reason:
 *   1. the key is the certificate's;
 *   2. the chain builds from the certificate to a trusted root, or is
 *      complete up to a self-signed certificate of its own (a root the
 *      context does not list yet, or a self-signed device certificate);
 *      every certificate on it is within its validity at |now|;
 *   3. key usage (if present) allows digitalSignature, and the extended
 *      key usage (if present) allows each role asked for.
 */
#ifndef VGW_TLS_BUNDLE_H
#define VGW_TLS_BUNDLE_H

#include <glib.h>
#include <openssl/base.h>
#include <openssl/x509.h>
#include <stdint.h>

G_BEGIN_DECLS

#define VGW_TLS_BUNDLE_ERROR (vgw_tls_bundle_error_quark())
GQuark vgw_tls_bundle_error_quark(void);

typedef enum {
  VGW_TLS_BUNDLE_ERROR_UNREADABLE,    /* a PEM input holds something that is
                                       * not a certificate, or none at all
                                       * where one is needed */
  VGW_TLS_BUNDLE_ERROR_KEY_MISMATCH,  /* the key is not the certificate's */
  VGW_TLS_BUNDLE_ERROR_UNTRUSTED,     /* no path to a trusted root, and the
                                       * chain does not end self-signed */
  VGW_TLS_BUNDLE_ERROR_CHAIN_INVALID, /* a path exists but is broken: a bad
                                       * signature, an issuer that is no CA */
  VGW_TLS_BUNDLE_ERROR_NOT_YET_VALID, /* a certificate's notBefore is later */
  VGW_TLS_BUNDLE_ERROR_EXPIRED,       /* a certificate's notAfter is past */
  VGW_TLS_BUNDLE_ERROR_KEY_USAGE,     /* keyUsage without digitalSignature */
  VGW_TLS_BUNDLE_ERROR_NO_SERVER_AUTH, /* EKU lacks serverAuth */
  VGW_TLS_BUNDLE_ERROR_NO_CLIENT_AUTH, /* EKU lacks clientAuth */
} VgwTlsBundleError;

#define VGW_TLS_BUNDLE_ERROR_COUNT (VGW_TLS_BUNDLE_ERROR_NO_CLIENT_AUTH + 1)

/* The roles a certificate must be fit for. A SIP device certificate
 * serves both: it answers incoming TLS and presents itself to proxies. */
typedef enum {
  VGW_TLS_ROLE_SERVER = 1 << 0,
  VGW_TLS_ROLE_CLIENT = 1 << 1,
} VgwTlsRole;
#define VGW_TLS_ROLES_SIP (VGW_TLS_ROLE_SERVER | VGW_TLS_ROLE_CLIENT)

/* vgw_tls_bundle_error_name returns the stable lower-case name of |code|
 * ("key-mismatch", "untrusted", "expired", "no-server-auth", ...), or
 * "unknown". */
const char *vgw_tls_bundle_error_name(VgwTlsBundleError code);

/* vgw_tls_bundle_read_pem returns every certificate of the PEM text
 * |pem|/|len| in order (an empty stack for empty or blank text).
 * |what| names the input in the error ("the chain"). NULL with
 * VGW_TLS_BUNDLE_ERROR_UNREADABLE if any PEM block is not a parsable
 * certificate or the text holds no PEM block at all. */
STACK_OF(X509) *vgw_tls_bundle_read_pem(const void *pem, size_t len,
                                        const char *what, GError **error);

/* vgw_tls_bundle_parse_der returns the certificate that is exactly the
 * |len| bytes of DER at |der| (no trailing bytes), or NULL. */
X509 *vgw_tls_bundle_parse_der(const uint8_t *der, size_t len);

/* vgw_tls_bundle_spki returns the DER SubjectPublicKeyInfo of |key|'s
 * public half, or NULL if it cannot be encoded. */
GBytes *vgw_tls_bundle_spki(EVP_PKEY *key);

/* vgw_tls_bundle_check returns TRUE if |cert| with |chain| (intermediates,
 * any order; may be NULL) and the key |spki| is acceptable for |roles|
 * (VgwTlsRole bits) against the trusted |roots| (may be NULL or empty) at
 * |now| (Unix seconds). FALSE with |error| set to the first reason, in
 * the order the file comment gives. Nothing is taken. */
gboolean vgw_tls_bundle_check(X509 *cert, STACK_OF(X509) *chain, GBytes *spki,
                              STACK_OF(X509) *roots, guint roles, int64_t now,
                              GError **error);

/* vgw_tls_bundle_check_peer is vgw_tls_bundle_check for a certificate a
 * TLS peer showed (tls_peer_verify.h): its key is not checked (the
 * handshake proved it) and the path must end in one of |roots|, a chain
 * ending self-signed does not stand on its own. Step 3 applies with
 * |roles| (VGW_TLS_ROLE_CLIENT: the peer is a TLS client). */
gboolean vgw_tls_bundle_check_peer(X509 *cert, STACK_OF(X509) *chain,
                                   STACK_OF(X509) *roots, guint roles,
                                   int64_t now, GError **error);

G_END_DECLS

#endif /* VGW_TLS_BUNDLE_H */
