/*
 * The certificates of the test PKI (`vgw pki`), built and signed with
 * BoringSSL's X.509 API over software keys.
 *
 * Every certificate is v3 with a random positive 128-bit serial, the
 * subject CN=<common name>, SHA-256 signatures (ECDSA or RSA PKCS#1 v1.5,
 * after the issuer's key), a subject key identifier (RFC 5280 4.2.1.2
 * method 1) and, when an issuer is given, the issuer's key identifier as
 * authority key identifier.  A CA carries basicConstraints CA:TRUE and
 * keyUsage keyCertSign, cRLSign (both critical); an end entity
 * basicConstraints CA:FALSE and keyUsage digitalSignature, plus
 * keyEncipherment for an RSA key (TLS 1.2 RSA key exchange), both
 * critical.  Nothing is checked for sense beyond what X.509 can encode:
 * the PKI makes the bad certificates a peer must refuse.
 */
#ifndef VGW_PKI_CERT_H
#define VGW_PKI_CERT_H

#include <glib.h>
#include <openssl/base.h>
#include <openssl/x509v3.h>

G_BEGIN_DECLS

/* Extended key usages, as bits; 0 leaves the extension out (any use). */
typedef enum {
  VGW_PKI_EKU_SERVER = 1 << 0, /* id-kp-serverAuth */
  VGW_PKI_EKU_CLIENT = 1 << 1, /* id-kp-clientAuth */
} VgwPkiEku;

typedef struct {
  const char *common_name;  /* the subject's only attribute */
  gboolean ca;
  GENERAL_NAMES *sans;      /* NULL: no subjectAltName extension */
  gboolean san_critical;
  guint eku;                /* VgwPkiEku bits; an end entity only */
  gint64 not_before;        /* Unix seconds */
  gint64 not_after;
} VgwPkiCertSpec;

/* vgw_pki_cert_make returns the certificate |spec| describes for the
 * public half of |key|, signed by |issuer_key| on behalf of |issuer|
 * (its subject becomes the issuer name); with |issuer| NULL it is
 * self-signed by |key|.  The signature is checked before it is returned.
 * NULL with VGW_ERROR_FAILED naming the step that failed. */
X509 *vgw_pki_cert_make(const VgwPkiCertSpec *spec, EVP_PKEY *key,
                        X509 *issuer, EVP_PKEY *issuer_key, GError **error);

G_END_DECLS

#endif /* VGW_PKI_CERT_H */
