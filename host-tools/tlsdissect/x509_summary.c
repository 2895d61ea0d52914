#include "x509_summary.h"

#include <arpa/inet.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/obj.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static char *
name_string(const X509_NAME *name)
{
  BIO *bio = BIO_new(BIO_s_mem());
  const uint8_t *data;
  size_t len;
  char *s;

  if (bio == NULL)
    return g_strdup("");
  /* RFC 2253 order (most specific first), UTF-8 kept as is. */
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  if (!BIO_mem_contents(bio, &data, &len))
    len = 0;
  s = g_utf8_make_valid((const char *) data, (gssize) len);
  BIO_free(bio);
  return s;
}

/* Seconds since the epoch of an ASN1_TIME (UTCTime or GeneralizedTime). */
static gint64
time_to_unix(const ASN1_TIME *t)
{
  ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
  int days = 0, secs = 0;
  gint64 out = 0;

  if (epoch != NULL && t != NULL && ASN1_TIME_diff(&days, &secs, epoch, t))
    out = (gint64) days * 86400 + secs;
  ASN1_TIME_free(epoch);
  return out;
}

static char *
string_of(const ASN1_STRING *s)
{
  return g_utf8_make_valid((const char *) ASN1_STRING_get0_data(s),
                           ASN1_STRING_length(s));
}

static char *
ip_string(const ASN1_OCTET_STRING *ip)
{
  const guint8 *b = ASN1_STRING_get0_data(ip);
  int len = ASN1_STRING_length(ip);

  if (len == 4)
    return g_strdup_printf("%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
  if (len == 16) {
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, b, buf, sizeof buf) != NULL)
      return g_strdup(buf);
  }
  return g_strdup("(malformed IP address)");
}

static void
add_sans(TlsdCert *cert, X509 *x509)
{
  GPtrArray *dns = g_ptr_array_new(), *ip = g_ptr_array_new();
  GPtrArray *uri = g_ptr_array_new(), *email = g_ptr_array_new();
  GENERAL_NAMES *names = X509_get_ext_d2i(x509, NID_subject_alt_name, NULL, NULL);

  for (size_t i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
    switch (gn->type) {
    case GEN_DNS:
      g_ptr_array_add(dns, string_of(gn->d.dNSName));
      break;
    case GEN_IPADD:
      g_ptr_array_add(ip, ip_string(gn->d.iPAddress));
      break;
    case GEN_URI:
      g_ptr_array_add(uri, string_of(gn->d.uniformResourceIdentifier));
      break;
    case GEN_EMAIL:
      g_ptr_array_add(email, string_of(gn->d.rfc822Name));
      break;
    default:
      break;
    }
  }
  GENERAL_NAMES_free(names);
  g_ptr_array_add(dns, NULL);
  g_ptr_array_add(ip, NULL);
  g_ptr_array_add(uri, NULL);
  g_ptr_array_add(email, NULL);
  cert->san_dns = (char **) g_ptr_array_free(dns, FALSE);
  cert->san_ip = (char **) g_ptr_array_free(ip, FALSE);
  cert->san_uri = (char **) g_ptr_array_free(uri, FALSE);
  cert->san_email = (char **) g_ptr_array_free(email, FALSE);
}

static void
add_key(TlsdCert *cert, X509 *x509)
{
  EVP_PKEY *key = X509_get_pubkey(x509);

  if (key == NULL) {
    /* BoringSSL does not parse every key type; name the algorithm. */
    X509_PUBKEY *pub = X509_get_X509_PUBKEY(x509);
    ASN1_OBJECT *alg = NULL;
    char oid[80] = "unknown";
    if (pub != NULL && X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, pub) && alg != NULL) {
      int nid = OBJ_obj2nid(alg);
      if (nid == NID_ED448)
        g_strlcpy(oid, "Ed448", sizeof oid);
      else if (nid == NID_X448)
        g_strlcpy(oid, "X448", sizeof oid);
      else
        OBJ_obj2txt(oid, sizeof oid, alg, 0);
    }
    cert->key_type = g_strdup(oid);
    return;
  }
  switch (EVP_PKEY_id(key)) {
  case EVP_PKEY_RSA:
    cert->key_type = g_strdup("RSA");
    break;
  case EVP_PKEY_EC: {
    const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(key);
    const EC_GROUP *group = ec != NULL ? EC_KEY_get0_group(ec) : NULL;
    cert->key_type = g_strdup("EC");
    if (group != NULL)
      cert->key_curve = g_strdup(OBJ_nid2sn(EC_GROUP_get_curve_name(group)));
    break;
  }
  case EVP_PKEY_ED25519:
    cert->key_type = g_strdup("Ed25519");
    break;
  case EVP_PKEY_DSA:
    cert->key_type = g_strdup("DSA");
    break;
  default:
    cert->key_type = g_strdup(OBJ_nid2sn(EVP_PKEY_id(key)));
    break;
  }
  cert->key_bits = EVP_PKEY_bits(key);
  EVP_PKEY_free(key);
}

/* Sets is_ca, for_server and for_client from the extensions themselves,
 * by the gateway's rule (device-fw/tls/tls_bundle.h, step 3): a key usage,
 * if present, allows digitalSignature; an extended key usage, if present,
 * names the role or any.  (Not X509_check_purpose: its extension cache
 * also hashes the whole certificate, a fifth of the analysis of a TLS 1.2
 * capture.) */
static void
add_usage(TlsdCert *cert, X509 *x509)
{
  BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x509, NID_basic_constraints, NULL, NULL);
  ASN1_BIT_STRING *ku = X509_get_ext_d2i(x509, NID_key_usage, NULL, NULL);
  EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x509, NID_ext_key_usage, NULL, NULL);
  gboolean signs = ku == NULL || ASN1_BIT_STRING_get_bit(ku, 0);
  gboolean server = eku == NULL, client = eku == NULL;

  cert->is_ca = bc != NULL && bc->ca;
  for (size_t i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
    int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
    server |= nid == NID_server_auth || nid == NID_anyExtendedKeyUsage;
    client |= nid == NID_client_auth || nid == NID_anyExtendedKeyUsage;
  }
  cert->for_server = signs && server;
  cert->for_client = signs && client;
  BASIC_CONSTRAINTS_free(bc);
  ASN1_BIT_STRING_free(ku);
  sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
}

static void
set_fingerprint(TlsdCert *cert, const guint8 *der, gsize len)
{
  guint8 digest[SHA256_DIGEST_LENGTH];

  SHA256(der, len, digest);
  for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
    g_snprintf(cert->sha256 + 2 * i, 3, "%02x", digest[i]);
}

static char **
empty_strv(void)
{
  return g_new0(char *, 1);
}

TlsdCert *
tlsd_cert_from_der(const guint8 *der, gsize len)
{
  TlsdCert *cert = g_new0(TlsdCert, 1);
  const uint8_t *p = der;
  X509 *x509 = len <= G_MAXLONG ? d2i_X509(NULL, &p, (long) len) : NULL;
  const ASN1_INTEGER *serial;
  BIGNUM *bn;

  set_fingerprint(cert, der, len);
  if (x509 == NULL || p != der + len) {
    cert->error = g_strdup(x509 == NULL ? "not a valid X.509 certificate (DER did not parse)"
                                        : "trailing bytes after the certificate's DER");
    cert->san_dns = empty_strv();
    cert->san_ip = empty_strv();
    cert->san_uri = empty_strv();
    cert->san_email = empty_strv();
    X509_free(x509);
    return cert;
  }
  cert->subject = name_string(X509_get_subject_name(x509));
  cert->issuer = name_string(X509_get_issuer_name(x509));
  cert->self_signed = g_str_equal(cert->subject, cert->issuer);
  serial = X509_get0_serialNumber(x509);
  bn = serial != NULL ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
  if (bn != NULL) {
    char *hex = BN_bn2hex(bn);
    cert->serial = g_ascii_strdown(hex, -1);
    OPENSSL_free(hex);
    BN_free(bn);
  } else {
    cert->serial = g_strdup("");
  }
  cert->not_before = time_to_unix(X509_get0_notBefore(x509));
  cert->not_after = time_to_unix(X509_get0_notAfter(x509));
  add_sans(cert, x509);
  add_key(cert, x509);
  add_usage(cert, x509);
  {
    int nid = X509_get_signature_nid(x509);
    cert->signature_algorithm = g_strdup(nid != NID_undef ? OBJ_nid2ln(nid) : "unknown");
  }
  X509_free(x509);
  return cert;
}

gboolean
tlsd_cert_valid_at(const TlsdCert *cert, gint64 time_us)
{
  gint64 t = time_us / G_USEC_PER_SEC;

  return cert->error == NULL && t >= cert->not_before && t <= cert->not_after;
}

void
tlsd_cert_free(TlsdCert *cert)
{
  if (cert == NULL)
    return;
  g_free(cert->subject);
  g_free(cert->issuer);
  g_free(cert->serial);
  g_strfreev(cert->san_dns);
  g_strfreev(cert->san_ip);
  g_strfreev(cert->san_uri);
  g_strfreev(cert->san_email);
  g_free(cert->key_type);
  g_free(cert->key_curve);
  g_free(cert->signature_algorithm);
  g_free(cert->error);
  g_free(cert);
}
