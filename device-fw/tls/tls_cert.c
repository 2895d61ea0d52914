/* Self-signed certificates signed elsewhere: see tls_cert.h. */
#include "tls/tls_cert.h"

#include <openssl/bio.h>
#include <openssl/bytestring.h>
#include <openssl/digest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <string.h>

#include "vgw_crypto.h"

#define OID_COMMON_NAME "2.5.4.3"
#define OID_SHA256_WITH_RSA "1.2.840.113549.1.1.11"
#define OID_ECDSA_WITH_SHA256 "1.2.840.10045.4.3.2"
#define OID_BASIC_CONSTRAINTS "2.5.29.19"
#define OID_KEY_USAGE "2.5.29.15"
#define OID_EXT_KEY_USAGE "2.5.29.37"
#define OID_SUBJECT_KEY_ID "2.5.29.14"
#define OID_SERVER_AUTH "1.3.6.1.5.5.7.3.1"
#define OID_CLIENT_AUTH "1.3.6.1.5.5.7.3.2"

#define SERIAL_BYTES 16

/* add_oid appends the OBJECT IDENTIFIER |oid| (dotted text). */
static int add_oid(CBB *cbb, const char *oid) {
  CBB obj;
  return CBB_add_asn1(cbb, &obj, CBS_ASN1_OBJECT) &&
         CBB_add_asn1_oid_from_text(&obj, oid, strlen(oid)) && CBB_flush(cbb);
}

/* add_name appends the Name CN=|cn|. */
static int add_name(CBB *cbb, const char *cn) {
  CBB name, rdn, attr, value;
  return CBB_add_asn1(cbb, &name, CBS_ASN1_SEQUENCE) &&
         CBB_add_asn1(&name, &rdn, CBS_ASN1_SET) &&
         CBB_add_asn1(&rdn, &attr, CBS_ASN1_SEQUENCE) &&
         add_oid(&attr, OID_COMMON_NAME) &&
         CBB_add_asn1(&attr, &value, CBS_ASN1_UTF8STRING) &&
         CBB_add_bytes(&value, (const uint8_t *)cn, strlen(cn)) &&
         CBB_flush(cbb);
}

/* add_time appends |t| as UTCTime (years 1950-2049) or GeneralizedTime,
 * as RFC 5280 4.1.2.5 requires. */
static int add_time(CBB *cbb, GDateTime *t) {
  int year = g_date_time_get_year(t);
  gboolean utc = year >= 1950 && year < 2050;
  char *text = g_date_time_format(t, utc ? "%y%m%d%H%M%SZ" : "%Y%m%d%H%M%SZ");
  CBB value;
  int ok = text != NULL &&
           CBB_add_asn1(cbb, &value,
                        utc ? CBS_ASN1_UTCTIME : CBS_ASN1_GENERALIZEDTIME) &&
           CBB_add_bytes(&value, (const uint8_t *)text, strlen(text)) &&
           CBB_flush(cbb);
  g_free(text);
  return ok;
}

/* add_sig_alg appends the AlgorithmIdentifier of the signature made for
 * a key of |pkey_id|: sha256WithRSAEncryption (NULL parameters, RFC 4055)
 * or ecdsa-with-SHA256 (absent parameters, RFC 5758). */
static int add_sig_alg(CBB *cbb, int pkey_id) {
  CBB alg, null;
  if (!CBB_add_asn1(cbb, &alg, CBS_ASN1_SEQUENCE)) {
    return 0;
  }
  if (pkey_id == EVP_PKEY_RSA) {
    return add_oid(&alg, OID_SHA256_WITH_RSA) &&
           CBB_add_asn1(&alg, &null, CBS_ASN1_NULL) && CBB_flush(cbb);
  }
  return add_oid(&alg, OID_ECDSA_WITH_SHA256) && CBB_flush(cbb);
}

/* open_extension starts Extension { |oid|, |critical| } in |exts| and
 * points |value| into its extnValue OCTET STRING; CBB_flush(|exts|)
 * closes it. */
static int open_extension(CBB *exts, CBB *ext, CBB *value, const char *oid,
                          int critical) {
  return CBB_add_asn1(exts, ext, CBS_ASN1_SEQUENCE) && add_oid(ext, oid) &&
         (!critical || CBB_add_asn1_bool(ext, 1)) &&
         CBB_add_asn1(ext, value, CBS_ASN1_OCTETSTRING);
}

/* subject_key_id computes the RFC 5280 4.2.1.2 method (1) key identifier:
 * SHA-1 of the subjectPublicKey BIT STRING's bits. */
static gboolean subject_key_id(GBytes *spki, uint8_t out[SHA_DIGEST_LENGTH]) {
  CBS cbs, seq, bits;
  uint8_t unused;
  CBS_init(&cbs, g_bytes_get_data(spki, NULL), g_bytes_get_size(spki));
  if (!CBS_get_asn1(&cbs, &seq, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&seq, NULL, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&seq, &bits, CBS_ASN1_BITSTRING) ||
      !CBS_get_u8(&bits, &unused) || unused != 0) {
    return FALSE;
  }
  SHA1(CBS_data(&bits), CBS_len(&bits), out);
  return TRUE;
}

/* add_extensions appends [3] { basicConstraints, keyUsage, extKeyUsage,
 * subjectKeyIdentifier }. */
static int add_extensions(CBB *tbs, GBytes *spki) {
  uint8_t ski[SHA_DIGEST_LENGTH];
  CBB explicit, exts, ext, value, inner;
  return subject_key_id(spki, ski) &&
         CBB_add_asn1(tbs, &explicit,
                      CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 3) &&
         CBB_add_asn1(&explicit, &exts, CBS_ASN1_SEQUENCE) &&
         /* basicConstraints, critical: SEQUENCE {}, cA FALSE by default. */
         open_extension(&exts, &ext, &value, OID_BASIC_CONSTRAINTS, 1) &&
         CBB_add_asn1(&value, &inner, CBS_ASN1_SEQUENCE) && CBB_flush(&exts) &&
         /* keyUsage, critical: digitalSignature (bit 0; 7 unused bits). */
         open_extension(&exts, &ext, &value, OID_KEY_USAGE, 1) &&
         CBB_add_asn1(&value, &inner, CBS_ASN1_BITSTRING) &&
         CBB_add_u8(&inner, 7) && CBB_add_u8(&inner, 0x80) &&
         CBB_flush(&exts) &&
         /* extKeyUsage: serverAuth, clientAuth. */
         open_extension(&exts, &ext, &value, OID_EXT_KEY_USAGE, 0) &&
         CBB_add_asn1(&value, &inner, CBS_ASN1_SEQUENCE) &&
         add_oid(&inner, OID_SERVER_AUTH) && add_oid(&inner, OID_CLIENT_AUTH) &&
         CBB_flush(&exts) &&
         /* subjectKeyIdentifier. */
         open_extension(&exts, &ext, &value, OID_SUBJECT_KEY_ID, 0) &&
         CBB_add_asn1_octet_string(&value, ski, sizeof(ski)) && CBB_flush(tbs);
}

/* build_tbs returns the DER TBSCertificate. */
static gboolean build_tbs(GBytes *spki, int pkey_id, const char *cn,
                          int64_t now, uint8_t **der, size_t *der_len) {
  uint8_t serial[SERIAL_BYTES];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7f; /* positive */
  serial[0] |= 0x40; /* and exactly SERIAL_BYTES long (minimal DER) */

  GDateTime *from = g_date_time_new_from_unix_utc(now);
  GDateTime *until =
      from ? g_date_time_add_years(from, VGW_TLS_CERT_YEARS) : NULL;
  CBB cbb, tbs, version, serial_cbb, validity;
  int ok = until != NULL && CBB_init(&cbb, 1024) &&
           CBB_add_asn1(&cbb, &tbs, CBS_ASN1_SEQUENCE) &&
           CBB_add_asn1(&tbs, &version,
                        CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) &&
           CBB_add_asn1_uint64(&version, 2) && /* v3 */
           CBB_add_asn1(&tbs, &serial_cbb, CBS_ASN1_INTEGER) &&
           CBB_add_bytes(&serial_cbb, serial, sizeof(serial)) &&
           add_sig_alg(&tbs, pkey_id) && add_name(&tbs, cn) &&
           CBB_add_asn1(&tbs, &validity, CBS_ASN1_SEQUENCE) &&
           add_time(&validity, from) && add_time(&validity, until) &&
           add_name(&tbs, cn) &&
           CBB_add_bytes(&tbs, g_bytes_get_data(spki, NULL),
                         g_bytes_get_size(spki)) &&
           add_extensions(&tbs, spki) && CBB_finish(&cbb, der, der_len);
  if (!ok) {
    CBB_cleanup(&cbb);
  }
  if (from) {
    g_date_time_unref(from);
  }
  if (until) {
    g_date_time_unref(until);
  }
  return ok;
}

/* assemble returns SEQUENCE { |tbs|, signatureAlgorithm, BIT STRING
 * |sig| } as DER: a Certificate around a TBSCertificate, a PKCS#10
 * CertificationRequest around a CertificationRequestInfo. */
static gboolean assemble(const uint8_t *tbs, size_t tbs_len, int pkey_id,
                         GBytes *sig, uint8_t **der, size_t *der_len) {
  CBB cbb, cert, bits;
  int ok = CBB_init(&cbb, tbs_len + 512) &&
           CBB_add_asn1(&cbb, &cert, CBS_ASN1_SEQUENCE) &&
           CBB_add_bytes(&cert, tbs, tbs_len) && add_sig_alg(&cert, pkey_id) &&
           CBB_add_asn1(&cert, &bits, CBS_ASN1_BITSTRING) &&
           CBB_add_u8(&bits, 0) &&
           CBB_add_bytes(&bits, g_bytes_get_data(sig, NULL),
                         g_bytes_get_size(sig)) &&
           CBB_finish(&cbb, der, der_len);
  if (!ok) {
    CBB_cleanup(&cbb);
  }
  return ok;
}

static EVP_PKEY *parse_spki(GBytes *spki) {
  CBS cbs;
  CBS_init(&cbs, g_bytes_get_data(spki, NULL), g_bytes_get_size(spki));
  EVP_PKEY *pkey = EVP_parse_public_key(&cbs);
  if (pkey != NULL && CBS_len(&cbs) != 0) {
    EVP_PKEY_free(pkey);
    return NULL;
  }
  return pkey;
}

gboolean vgw_tls_cert_common_name_valid(const char *cn) {
  size_t len = strlen(cn);
  if (len == 0 || len > VGW_TLS_CERT_CN_MAX) {
    return FALSE;
  }
  for (size_t i = 0; i < len; i++) {
    if (!g_ascii_isprint(cn[i])) {
      return FALSE;
    }
  }
  return TRUE;
}

/* public_key returns the RSA or EC key |spki| encodes, or NULL with
 * |error| set. */
static EVP_PKEY *public_key(GBytes *spki, GError **error) {
  EVP_PKEY *pkey = parse_spki(spki);
  if (pkey == NULL) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_KEY,
                      "the public key is not a valid "
                      "SubjectPublicKeyInfo");
    return NULL;
  }
  if (EVP_PKEY_id(pkey) != EVP_PKEY_RSA && EVP_PKEY_id(pkey) != EVP_PKEY_EC) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_KEY,
                      "the public key is neither RSA nor EC");
    EVP_PKEY_free(pkey);
    return NULL;
  }
  return pkey;
}

/* sign_der signs the DER |body| (a TBSCertificate or a
 * CertificationRequestInfo) for a key of |pkey_id| through |sign| and
 * returns the signed structure's DER (OPENSSL_free it), or NULL with
 * |error| set. */
static uint8_t *sign_der(const uint8_t *body, size_t body_len, int pkey_id,
                         VgwTlsSignFunc sign, gpointer sign_data,
                         size_t *der_len, GError **error) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  uint8_t *der = NULL;
  SHA256(body, body_len, digest);
  GBytes *sig =
      sign(pkey_id == EVP_PKEY_RSA ? VGW_SIG_RSA_PKCS1_SHA256 : VGW_SIG_ECDSA,
           digest, sizeof(digest), sign_data, error);
  if (sig == NULL) {
    return NULL;
  }
  if (!assemble(body, body_len, pkey_id, sig, &der, der_len)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "cannot encode the signed structure");
    der = NULL;
  }
  g_bytes_unref(sig);
  return der;
}

X509 *vgw_tls_cert_issue(GBytes *spki, const char *common_name, int64_t now,
                         VgwTlsSignFunc sign, gpointer sign_data,
                         GError **error) {
  EVP_PKEY *pkey = public_key(spki, error);
  if (pkey == NULL) {
    return NULL;
  }
  int pkey_id = EVP_PKEY_id(pkey);
  uint8_t *tbs = NULL, *der = NULL;
  size_t tbs_len, der_len;
  X509 *cert = NULL;
  if (!build_tbs(spki, pkey_id, common_name, now, &tbs, &tbs_len)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "cannot encode the TBSCertificate");
    goto out;
  }
  der = sign_der(tbs, tbs_len, pkey_id, sign, sign_data, &der_len, error);
  if (der == NULL) {
    goto out;
  }
  const uint8_t *p = der;
  cert = d2i_X509(NULL, &p, (long)der_len);
  if (cert == NULL || p != der + der_len) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "the issued certificate does not parse");
    X509_free(cert);
    cert = NULL;
    goto out;
  }
  if (X509_verify(cert, pkey) != 1) {
    vgw_tls_set_error(error,
                      VGW_TLS_ERROR_SIGN,
                      "the certificate's signature does not verify "
                      "against its public key");
    X509_free(cert);
    cert = NULL;
  }
out:
  OPENSSL_free(tbs);
  OPENSSL_free(der);
  EVP_PKEY_free(pkey);
  return cert;
}

/* build_request_info returns the DER CertificationRequestInfo (RFC 2986
 * 4.1): version 0, CN=|cn|, |spki|, no attributes. */
static gboolean build_request_info(GBytes *spki, const char *cn, uint8_t **der,
                                   size_t *der_len) {
  CBB cbb, info, attributes;
  int ok = CBB_init(&cbb, 512) &&
           CBB_add_asn1(&cbb, &info, CBS_ASN1_SEQUENCE) &&
           CBB_add_asn1_uint64(&info, 0) && add_name(&info, cn) &&
           CBB_add_bytes(&info, g_bytes_get_data(spki, NULL),
                         g_bytes_get_size(spki)) &&
           CBB_add_asn1(&info, &attributes,
                        CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) &&
           CBB_finish(&cbb, der, der_len);
  if (!ok) {
    CBB_cleanup(&cbb);
  }
  return ok;
}

char *vgw_tls_csr_issue(GBytes *spki, const char *common_name,
                        VgwTlsSignFunc sign, gpointer sign_data,
                        GError **error) {
  EVP_PKEY *pkey = public_key(spki, error);
  if (pkey == NULL) {
    return NULL;
  }
  uint8_t *info = NULL, *der = NULL;
  size_t info_len, der_len;
  X509_REQ *req = NULL;
  char *pem = NULL;
  if (!build_request_info(spki, common_name, &info, &info_len)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "cannot encode the CertificationRequestInfo");
    goto out;
  }
  der = sign_der(info, info_len, EVP_PKEY_id(pkey), sign, sign_data, &der_len,
                 error);
  if (der == NULL) {
    goto out;
  }
  const uint8_t *p = der;
  req = d2i_X509_REQ(NULL, &p, (long)der_len);
  if (req == NULL || p != der + der_len || X509_REQ_verify(req, pkey) != 1) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SIGN,
                      "the request does not parse or its signature does not "
                      "verify against its public key");
    goto out;
  }
  BIO *bio = BIO_new(BIO_s_mem());
  const uint8_t *data;
  size_t len;
  if (bio != NULL && PEM_write_bio_X509_REQ(bio, req) &&
      BIO_mem_contents(bio, &data, &len)) {
    pem = g_strndup((const char *)data, len);
  } else {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "cannot encode the request as PEM");
  }
  BIO_free(bio);
out:
  ERR_clear_error();
  X509_REQ_free(req);
  OPENSSL_free(info);
  OPENSSL_free(der);
  EVP_PKEY_free(pkey);
  return pem;
}

gboolean vgw_tls_cert_matches(X509 *cert, GBytes *spki) {
  EVP_PKEY *want = parse_spki(spki);
  EVP_PKEY *have = X509_get_pubkey(cert);
  gboolean same = want != NULL && have != NULL && EVP_PKEY_cmp(want, have) == 1;
  EVP_PKEY_free(want);
  EVP_PKEY_free(have);
  ERR_clear_error();
  return same;
}

char *vgw_tls_cert_to_pem(X509 *cert) {
  BIO *bio = BIO_new(BIO_s_mem());
  char *pem = NULL;
  const uint8_t *data;
  size_t len;
  if (bio != NULL && PEM_write_bio_X509(bio, cert) &&
      BIO_mem_contents(bio, &data, &len)) {
    pem = g_strndup((const char *)data, len);
  }
  BIO_free(bio);
  return pem;
}

char *vgw_tls_certs_to_pem(X509 *first, STACK_OF(X509) *more) {
  GString *pem = g_string_new(NULL);
  size_t n = more != NULL ? sk_X509_num(more) : 0;
  for (size_t i = first != NULL ? 0 : 1; i <= n; i++) {
    char *one = vgw_tls_cert_to_pem(i == 0 ? first : sk_X509_value(more, i - 1));
    if (one == NULL) {
      g_string_free(pem, TRUE);
      return NULL;
    }
    g_string_append(pem, one);
    g_free(one);
  }
  return g_string_free(pem, FALSE);
}

X509 *vgw_tls_cert_from_pem(const void *pem, size_t len, GError **error) {
  BIO *bio = BIO_new_mem_buf(pem, (int)len);
  X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  if (cert == NULL) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE, "no PEM certificate");
  }
  return cert;
}

/* name_text returns |name| in one RFC 2253 line, newly allocated. */
static char *name_text(X509_NAME *name) {
  BIO *bio = BIO_new(BIO_s_mem());
  char *text = NULL;
  const uint8_t *data;
  size_t len;
  if (bio != NULL &&
      X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0 &&
      BIO_mem_contents(bio, &data, &len)) {
    text = g_strndup((const char *)data, len);
  }
  BIO_free(bio);
  return text ? text : g_strdup("?");
}

char *vgw_tls_cert_subject(X509 *cert) {
  return name_text(X509_get_subject_name(cert));
}

char *vgw_tls_cert_issuer(X509 *cert) {
  return name_text(X509_get_issuer_name(cert));
}

static char *sha256_hex(const uint8_t *data, size_t len) {
  uint8_t md[SHA256_DIGEST_LENGTH];
  SHA256(data, len, md);
  GString *s = g_string_sized_new(2 * sizeof(md));
  for (size_t i = 0; i < sizeof(md); i++) {
    g_string_append_printf(s, "%02x", md[i]);
  }
  return g_string_free(s, FALSE);
}

char *vgw_tls_cert_fingerprint(X509 *cert) {
  uint8_t *der = NULL;
  int len = i2d_X509(cert, &der);
  if (len <= 0) {
    return g_strdup("?");
  }
  char *hex = sha256_hex(der, (size_t)len);
  OPENSSL_free(der);
  return hex;
}

char *vgw_tls_spki_fingerprint(GBytes *spki) {
  return sha256_hex(g_bytes_get_data(spki, NULL), g_bytes_get_size(spki));
}
