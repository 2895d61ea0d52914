/* The test PKI's certificates: see pki_cert.h. */
#include "pki_cert.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/digest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "vgw-error.h"

#define SERIAL_BYTES 16

/* keyUsage bit numbers (RFC 5280 4.2.1.3). */
enum {
  KU_BIT_DIGITAL_SIGNATURE = 0,
  KU_BIT_KEY_ENCIPHERMENT = 2,
  KU_BIT_KEY_CERT_SIGN = 5,
  KU_BIT_CRL_SIGN = 6,
};

static gboolean
failed(const char *step, GError **error)
{
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
              "cannot make the certificate: %s failed", step);
  ERR_clear_error();
  return FALSE;
}

static gboolean
set_serial(X509 *x)
{
  uint8_t bytes[SERIAL_BYTES];
  BIGNUM *bn;
  ASN1_INTEGER *serial = NULL;
  gboolean ok;

  RAND_bytes(bytes, sizeof bytes);
  bytes[0] &= 0x7f; /* positive, and never longer than 20 octets */
  bn = BN_bin2bn(bytes, sizeof bytes, NULL);
  ok = bn != NULL && (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
       X509_set_serialNumber(x, serial);
  ASN1_INTEGER_free(serial);
  BN_free(bn);
  return ok;
}

static gboolean
set_subject(X509 *x, const char *common_name)
{
  X509_NAME *name = X509_get_subject_name(x);

  return X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                    (const uint8_t *) common_name, -1, -1, 0);
}

static gboolean
set_validity(X509 *x, gint64 not_before, gint64 not_after)
{
  return ASN1_TIME_set(X509_getm_notBefore(x), (time_t) not_before) != NULL &&
         ASN1_TIME_set(X509_getm_notAfter(x), (time_t) not_after) != NULL;
}

/* key_id returns the SHA-1 of |x|'s subjectPublicKey bits (RFC 5280
 * 4.2.1.2, method 1). */
static ASN1_OCTET_STRING *
key_id(X509 *x)
{
  const uint8_t *bits;
  int bits_len;
  uint8_t md[SHA_DIGEST_LENGTH];
  ASN1_OCTET_STRING *id;

  if (!X509_PUBKEY_get0_param(NULL, &bits, &bits_len, NULL, X509_get_X509_PUBKEY(x)))
    return NULL;
  SHA1(bits, (size_t) bits_len, md);
  id = ASN1_OCTET_STRING_new();
  if (id != NULL && !ASN1_OCTET_STRING_set(id, md, sizeof md)) {
    ASN1_OCTET_STRING_free(id);
    return NULL;
  }
  return id;
}

static gboolean
add_basic_constraints(X509 *x, gboolean ca)
{
  BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
  gboolean ok;

  if (bc == NULL)
    return FALSE;
  bc->ca = ca ? 0xff : 0;
  ok = X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT) == 1;
  BASIC_CONSTRAINTS_free(bc);
  return ok;
}

static gboolean
add_key_usage(X509 *x, gboolean ca, int key_id_type)
{
  ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
  gboolean ok;

  if (ku == NULL)
    return FALSE;
  if (ca)
    ok = ASN1_BIT_STRING_set_bit(ku, KU_BIT_KEY_CERT_SIGN, 1) &&
         ASN1_BIT_STRING_set_bit(ku, KU_BIT_CRL_SIGN, 1);
  else
    ok = ASN1_BIT_STRING_set_bit(ku, KU_BIT_DIGITAL_SIGNATURE, 1) &&
         (key_id_type != EVP_PKEY_RSA ||
          ASN1_BIT_STRING_set_bit(ku, KU_BIT_KEY_ENCIPHERMENT, 1));
  ok = ok && X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT) == 1;
  ASN1_BIT_STRING_free(ku);
  return ok;
}

static gboolean
add_ext_key_usage(X509 *x, guint eku)
{
  EXTENDED_KEY_USAGE *usages;
  gboolean ok = TRUE;

  if (eku == 0)
    return TRUE;
  usages = sk_ASN1_OBJECT_new_null();
  if (usages == NULL)
    return FALSE;
  /* OBJ_nid2obj's objects are static; the stack's free is a no-op on them. */
  if (eku & VGW_PKI_EKU_SERVER)
    ok = sk_ASN1_OBJECT_push(usages, OBJ_nid2obj(NID_server_auth)) != 0;
  if (ok && (eku & VGW_PKI_EKU_CLIENT))
    ok = sk_ASN1_OBJECT_push(usages, OBJ_nid2obj(NID_client_auth)) != 0;
  ok = ok && X509_add1_ext_i2d(x, NID_ext_key_usage, usages, 0, X509V3_ADD_DEFAULT) == 1;
  sk_ASN1_OBJECT_free(usages);
  return ok;
}

/* add_key_ids adds the subject key identifier and, for |issuer|'s
 * certificate, the authority key identifier: the issuer's own subject
 * key identifier if it has one, else its key's. */
static gboolean
add_key_ids(X509 *x, X509 *issuer)
{
  ASN1_OCTET_STRING *ski = key_id(x);
  AUTHORITY_KEYID *aki = NULL;
  gboolean ok = ski != NULL &&
                X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0, X509V3_ADD_DEFAULT) == 1;

  if (ok && issuer != NULL) {
    const ASN1_OCTET_STRING *issuer_ski = X509_get0_subject_key_id(issuer);
    aki = AUTHORITY_KEYID_new();
    ok = aki != NULL &&
         (aki->keyid = issuer_ski != NULL ? ASN1_OCTET_STRING_dup(issuer_ski)
                                          : key_id(issuer)) != NULL &&
         X509_add1_ext_i2d(x, NID_authority_key_identifier, aki, 0, X509V3_ADD_DEFAULT) == 1;
  }
  AUTHORITY_KEYID_free(aki);
  ASN1_OCTET_STRING_free(ski);
  return ok;
}

static gboolean
add_extensions(X509 *x, const VgwPkiCertSpec *spec, EVP_PKEY *key, X509 *issuer,
               GError **error)
{
  if (!add_basic_constraints(x, spec->ca))
    return failed("basicConstraints", error);
  if (!add_key_usage(x, spec->ca, EVP_PKEY_id(key)))
    return failed("keyUsage", error);
  if (!spec->ca && !add_ext_key_usage(x, spec->eku))
    return failed("extKeyUsage", error);
  if (spec->sans != NULL &&
      X509_add1_ext_i2d(x, NID_subject_alt_name, spec->sans, spec->san_critical,
                        X509V3_ADD_DEFAULT) != 1)
    return failed("subjectAltName", error);
  if (!add_key_ids(x, issuer))
    return failed("the key identifiers", error);
  return TRUE;
}

X509 *
vgw_pki_cert_make(const VgwPkiCertSpec *spec, EVP_PKEY *key, X509 *issuer,
                  EVP_PKEY *issuer_key, GError **error)
{
  X509 *x = X509_new();
  EVP_PKEY *signer = issuer != NULL ? issuer_key : key;
  gboolean ok;

  if (x == NULL) {
    failed("X509_new", error);
    return NULL;
  }
  ok = (X509_set_version(x, X509_VERSION_3) && set_serial(x) &&
        set_subject(x, spec->common_name) &&
        X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer)
                                               : X509_get_subject_name(x)) &&
        X509_set_pubkey(x, key)) ||
       failed("setting the serial, names or key", error);
  ok = ok && (set_validity(x, spec->not_before, spec->not_after) ||
              failed("encoding the validity (years 1950-9999)", error));
  ok = ok && add_extensions(x, spec, key, issuer, error);
  ok = ok && (X509_sign(x, signer, EVP_sha256()) > 0 || failed("signing", error));
  ok = ok && (X509_verify(x, signer) == 1 || failed("verifying the signature", error));
  if (!ok) {
    X509_free(x);
    return NULL;
  }
  return x;
}
