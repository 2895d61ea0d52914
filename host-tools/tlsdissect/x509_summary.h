/*
 * What a person needs to know about a certificate seen in a handshake,
 * decoded from its DER with BoringSSL.
 */
#ifndef TLSD_X509_SUMMARY_H
#define TLSD_X509_SUMMARY_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *subject;        /* RFC 2253 string, "CN=gw.example,O=ACME" */
  char *issuer;
  char *serial;         /* lower-case hex, no separators */
  gint64 not_before;    /* seconds since the epoch */
  gint64 not_after;
  char **san_dns;       /* NULL-terminated; empty when none */
  char **san_ip;
  char **san_uri;
  char **san_email;
  char *key_type;       /* "RSA", "EC", "Ed25519", "Ed448", "DSA", or the OID's name */
  int key_bits;         /* 0 if unknown */
  char *key_curve;      /* EC only ("prime256v1"), else NULL */
  char *signature_algorithm; /* "ecdsa-with-SHA256" */
  char sha256[65];      /* fingerprint of the DER, lower-case hex */
  gboolean self_signed; /* subject == issuer */
  gboolean is_ca;       /* basicConstraints says CA */
  gboolean for_server;  /* its key usages allow a TLS server (tls_bundle.h's rule) */
  gboolean for_client;  /* ... a TLS client */
  char *error;          /* set (and the rest empty) when the DER did not parse */
} TlsdCert;

/* tlsd_cert_from_der decodes |der| (|len| bytes).  Never fails: a DER that
 * does not parse gives a TlsdCert whose |error| says so and whose sha256
 * is still the fingerprint of the bytes. */
TlsdCert *tlsd_cert_from_der(const guint8 *der, gsize len);

/* tlsd_cert_valid_at returns TRUE if |time_us| (µs since the epoch) lies
 * within the certificate's validity period. */
gboolean tlsd_cert_valid_at(const TlsdCert *cert, gint64 time_us);

void tlsd_cert_free(TlsdCert *cert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsdCert, tlsd_cert_free)

G_END_DECLS

#endif /* TLSD_X509_SUMMARY_H */
