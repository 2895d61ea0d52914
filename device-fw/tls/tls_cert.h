/*
 * Self-signed X.509 certificates, and PKCS#10 requests for a CA to sign,
 * whose signature is made elsewhere: the TBSCertificate (or the
 * CertificationRequestInfo) is built here with BoringSSL's CBB, its
 * digest is handed to a signing function (the crypto engine for the
 * device identity, a software key for the benchmark's software-key mode),
 * and the result is parsed back and checked against the public key.
 *
 * The certificate is the one a gateway's TLS Context 0 carries
 * (reference/gateway-spec.md, "TLS Contexts table"): subject = issuer =
 * CN=<common name>, v3, a random positive 128-bit serial, basic
 * constraints CA:FALSE, key usage digitalSignature, extended key usage
 * serverAuth and clientAuth, a subject key identifier.
 */
#ifndef VGW_TLS_CERT_H
#define VGW_TLS_CERT_H

#include <glib.h>
#include <openssl/base.h>
#include <openssl/x509.h>
#include <stdint.h>

#include "tls/tls_error.h"

G_BEGIN_DECLS

/* VGW_TLS_CERT_YEARS is the validity of an issued certificate. */
#define VGW_TLS_CERT_YEARS 10

/* VgwTlsSignFunc signs |digest|/|len| under |scheme| (VGW_SIG_*) and
 * returns the signature (a DER ECDSA-Sig-Value, or the RSA signature), or
 * NULL with |error| set. */
typedef GBytes *(*VgwTlsSignFunc)(uint32_t scheme, const uint8_t *digest,
                                  size_t len, gpointer data, GError **error);

/* VGW_TLS_CERT_CN_MAX is X.520's upper bound on a commonName
 * (ub-common-name). */
#define VGW_TLS_CERT_CN_MAX 64

/* vgw_tls_cert_common_name_valid returns TRUE if |cn| may name an issued
 * certificate: 1 to VGW_TLS_CERT_CN_MAX printable ASCII characters. */
gboolean vgw_tls_cert_common_name_valid(const char *cn);

/* vgw_tls_cert_issue returns a self-signed certificate for the public key
 * |spki| (DER SubjectPublicKeyInfo, an RSA or P-256 key) named
 * CN=|common_name|, valid from |now| (Unix time) for VGW_TLS_CERT_YEARS,
 * signed with sha256WithRSAEncryption or ecdsa-with-SHA256 through |sign|.
 * The signature is verified against |spki| before the certificate is
 * returned. NULL with |error| set on failure: |sign|'s own error, or a
 * VGW_TLS_ERROR naming what went wrong. */
X509 *vgw_tls_cert_issue(GBytes *spki, const char *common_name, int64_t now,
                         VgwTlsSignFunc sign, gpointer sign_data,
                         GError **error);

/* vgw_tls_csr_issue returns a PKCS#10 certificate signing request (RFC
 * 2986) for the public key |spki| (an RSA or P-256 key), subject
 * CN=|common_name|, no attributes, signed with sha256WithRSAEncryption or
 * ecdsa-with-SHA256 through |sign|, as a PEM "CERTIFICATE REQUEST" block
 * (newly allocated). The signature is verified against |spki| first.
 * NULL with |error| set as for vgw_tls_cert_issue. */
char *vgw_tls_csr_issue(GBytes *spki, const char *common_name,
                        VgwTlsSignFunc sign, gpointer sign_data,
                        GError **error);

/* vgw_tls_cert_matches returns TRUE if |cert|'s public key is the key
 * |spki| encodes. */
gboolean vgw_tls_cert_matches(X509 *cert, GBytes *spki);

/* vgw_tls_cert_to_pem returns |cert| as a PEM "CERTIFICATE" block (newly
 * allocated). */
char *vgw_tls_cert_to_pem(X509 *cert);

/* vgw_tls_certs_to_pem returns |first| (may be NULL) followed by every
 * certificate of |more| (may be NULL) as PEM blocks (newly allocated), or
 * NULL if one cannot be encoded. */
char *vgw_tls_certs_to_pem(X509 *first, STACK_OF(X509) *more);

/* vgw_tls_cert_from_pem parses the first certificate of the PEM text
 * |pem|/|len|, or returns NULL with |error| set. */
X509 *vgw_tls_cert_from_pem(const void *pem, size_t len, GError **error);

/* vgw_tls_cert_subject returns |cert|'s subject in one line
 * ("CN=ACL_123"), newly allocated. */
char *vgw_tls_cert_subject(X509 *cert);

/* vgw_tls_cert_issuer returns |cert|'s issuer in the same form. */
char *vgw_tls_cert_issuer(X509 *cert);

/* vgw_tls_cert_fingerprint returns the SHA-256 of |cert|'s DER in lower
 * case hex, newly allocated. */
char *vgw_tls_cert_fingerprint(X509 *cert);

/* vgw_tls_spki_fingerprint returns the SHA-256 of the DER |spki| in lower
 * case hex, newly allocated. */
char *vgw_tls_spki_fingerprint(GBytes *spki);

G_END_DECLS

#endif /* VGW_TLS_CERT_H */
