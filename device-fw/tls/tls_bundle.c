/* Certificate bundle validation: see tls_bundle.h. */
#include "tls/tls_bundle.h"

#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tls/tls_cert.h"

G_DEFINE_QUARK(vgw-tls-bundle-error-quark, vgw_tls_bundle_error)

static const char *const names[VGW_TLS_BUNDLE_ERROR_COUNT] = {
    [VGW_TLS_BUNDLE_ERROR_UNREADABLE] = "unreadable",
    [VGW_TLS_BUNDLE_ERROR_KEY_MISMATCH] = "key-mismatch",
    [VGW_TLS_BUNDLE_ERROR_UNTRUSTED] = "untrusted",
    [VGW_TLS_BUNDLE_ERROR_CHAIN_INVALID] = "chain-invalid",
    [VGW_TLS_BUNDLE_ERROR_NOT_YET_VALID] = "not-yet-valid",
    [VGW_TLS_BUNDLE_ERROR_EXPIRED] = "expired",
    [VGW_TLS_BUNDLE_ERROR_KEY_USAGE] = "key-usage",
    [VGW_TLS_BUNDLE_ERROR_NO_SERVER_AUTH] = "no-server-auth",
    [VGW_TLS_BUNDLE_ERROR_NO_CLIENT_AUTH] = "no-client-auth",
};

const char *vgw_tls_bundle_error_name(VgwTlsBundleError code) {
  if ((unsigned)code >= G_N_ELEMENTS(names) || names[code] == NULL) {
    return "unknown";
  }
  return names[code];
}

/* is_blank says whether |text|/|len| is only white space. */
static gboolean is_blank(const char *text, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (!g_ascii_isspace(text[i])) {
      return FALSE;
    }
  }
  return TRUE;
}

X509 *vgw_tls_bundle_parse_der(const uint8_t *der, size_t len) {
  if (len > G_MAXLONG) {
    return NULL;
  }
  const uint8_t *p = der;
  X509 *x = d2i_X509(NULL, &p, (long)len);
  if (x != NULL && p != der + len) {
    X509_free(x); /* trailing bytes: not one certificate */
    x = NULL;
  }
  ERR_clear_error();
  return x;
}

STACK_OF(X509) *vgw_tls_bundle_read_pem(const void *pem, size_t len,
                                        const char *what, GError **error) {
  STACK_OF(X509) *certs = sk_X509_new_null();
  if (certs == NULL || len > G_MAXINT) {
    g_set_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_UNREADABLE,
                "%s: cannot be read", what);
    sk_X509_free(certs);
    return NULL;
  }
  if (is_blank(pem, len)) {
    return certs;
  }
  BIO *bio = BIO_new_mem_buf(pem, (int)len);
  for (guint block = 1; bio != NULL; block++) {
    char *name = NULL, *header = NULL;
    uint8_t *der = NULL;
    long der_len = 0;
    if (!PEM_read_bio(bio, &name, &header, &der, &der_len)) {
      uint32_t packed = ERR_peek_last_error();
      ERR_clear_error();
      if (ERR_GET_LIB(packed) == ERR_LIB_PEM &&
          ERR_GET_REASON(packed) == PEM_R_NO_START_LINE &&
          sk_X509_num(certs) > 0) {
        break; /* the end of the text */
      }
      g_set_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_UNREADABLE,
                  "%s: PEM block %u cannot be read", what, block);
      goto fail;
    }
    X509 *x = strcmp(name, PEM_STRING_X509) == 0
                  ? vgw_tls_bundle_parse_der(der, (size_t)der_len)
                  : NULL;
    if (x == NULL) {
      g_set_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_UNREADABLE,
                  "%s: PEM block %u (%s) is not a certificate", what, block,
                  name);
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
    if (x == NULL || !sk_X509_push(certs, x)) {
      X509_free(x);
      ERR_clear_error();
      goto fail;
    }
  }
  BIO_free(bio);
  return certs;

fail:
  BIO_free(bio);
  sk_X509_pop_free(certs, X509_free);
  return NULL;
}

GBytes *vgw_tls_bundle_spki(EVP_PKEY *key) {
  CBB cbb;
  uint8_t *der = NULL;
  size_t len = 0;
  if (!CBB_init(&cbb, 0) || !EVP_marshal_public_key(&cbb, key) ||
      !CBB_finish(&cbb, &der, &len)) {
    CBB_cleanup(&cbb);
    ERR_clear_error();
    return NULL;
  }
  GBytes *spki = g_bytes_new(der, len);
  OPENSSL_free(der);
  return spki;
}

/* is_self_signed: |x| names itself as issuer and its key verifies it.
 * (Not X509_check_issued, which also wants keyCertSign: a self-signed
 * device certificate has only digitalSignature.) */
static gboolean is_self_signed(X509 *x) {
  if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) != 0) {
    return FALSE;
  }
  EVP_PKEY *key = X509_get_pubkey(x);
  gboolean ok = key != NULL && X509_verify(x, key) == 1;
  EVP_PKEY_free(key);
  ERR_clear_error();
  return ok;
}

/* format_time writes |t| as ASN1_TIME_print does ("Dec  3 04:31:11 2026
 * GMT") into |buf|, left as it is if |t| cannot be printed. */
static void format_time(const ASN1_TIME *t, char *buf, size_t len) {
  BIO *bio = BIO_new(BIO_s_mem());
  const uint8_t *text;
  size_t text_len;
  if (bio != NULL && t != NULL && ASN1_TIME_print(bio, t) &&
      BIO_mem_contents(bio, &text, &text_len)) {
    g_strlcpy(buf, (const char *)text, MIN(len, text_len + 1));
  }
  BIO_free(bio);
  ERR_clear_error();
}

/* chain_error turns X509_verify_cert's |err| at |at| into a reason, for a
 * chain that may stand on its own root (|own_anchor|) or not. */
static void chain_error(GError **error, int err, X509 *at,
                        gboolean own_anchor) {
  char *subject = at != NULL ? vgw_tls_cert_subject(at) : g_strdup("?");
  char when[32] = "?";
  if (at != NULL) {
    format_time(err == X509_V_ERR_CERT_NOT_YET_VALID ? X509_get0_notBefore(at)
                                                     : X509_get0_notAfter(at),
                when, sizeof(when));
  }
  switch (err) {
    case X509_V_ERR_CERT_NOT_YET_VALID:
      g_set_error(error, VGW_TLS_BUNDLE_ERROR,
                  VGW_TLS_BUNDLE_ERROR_NOT_YET_VALID,
                  "certificate %s is not yet valid (notBefore %s)", subject,
                  when);
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      g_set_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_EXPIRED,
                  "certificate %s has expired (notAfter %s)", subject,
                  when);
      break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      g_set_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_UNTRUSTED,
                  own_anchor ? "the issuer of %s is neither a trusted root "
                               "of the context nor in the chain, and the "
                               "chain does not end in a self-signed root"
                             : "the issuer of %s is neither a trusted root "
                               "of the context nor among the certificates "
                               "sent",
                  subject);
      break;
    default:
      g_set_error(error, VGW_TLS_BUNDLE_ERROR,
                  VGW_TLS_BUNDLE_ERROR_CHAIN_INVALID,
                  "the chain is broken at %s: %s", subject,
                  X509_verify_cert_error_string(err));
      break;
  }
  g_free(subject);
}

/* check_chain builds and verifies the path of |cert| (see tls_bundle.h,
 * step 2); a chain that ends self-signed stands on its own only with
 * |own_anchor|. */
static gboolean check_chain(X509 *cert, STACK_OF(X509) *chain,
                            STACK_OF(X509) *roots, int64_t now,
                            gboolean own_anchor, GError **error) {
  X509_STORE *store = X509_STORE_new();
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  gboolean ok = FALSE;
  if (store == NULL || ctx == NULL) {
    goto setup_failed;
  }
  for (size_t i = 0; roots != NULL && i < sk_X509_num(roots); i++) {
    if (!X509_STORE_add_cert(store, sk_X509_value(roots, i))) {
      goto setup_failed;
    }
  }
  /* A bundle complete up to its own self-signed root stands on its own:
   * the context may be given the root later, or be the only one to need
   * it (a self-signed device certificate). */
  gboolean self_signed = own_anchor && is_self_signed(cert);
  if (self_signed && !X509_STORE_add_cert(store, cert)) {
    goto setup_failed;
  }
  for (size_t i = 0; own_anchor && chain != NULL && i < sk_X509_num(chain);
       i++) {
    X509 *x = sk_X509_value(chain, i);
    if (is_self_signed(x) && !X509_STORE_add_cert(store, x)) {
      goto setup_failed;
    }
  }
  if (!X509_STORE_CTX_init(ctx, store, cert, chain)) {
    goto setup_failed;
  }
  X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_time(param, (time_t)now);
  if (self_signed) {
    /* Its own anchor: is_self_signed checked the signature, the
     * verification still checks its validity. */
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  }
  if (X509_verify_cert(ctx) == 1) {
    ok = TRUE;
  } else {
    chain_error(error, X509_STORE_CTX_get_error(ctx),
                X509_STORE_CTX_get_current_cert(ctx), own_anchor);
  }
  goto out;

setup_failed:
  g_set_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_UNREADABLE,
              "the certificates cannot be loaded for verification");
out:
  ERR_clear_error();
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

/* check_usage applies step 3 of tls_bundle.h to |cert|. */
static gboolean check_usage(X509 *cert, guint roles, GError **error) {
  char *subject = vgw_tls_cert_subject(cert);
  uint32_t ku = X509_get_key_usage(cert);      /* UINT32_MAX: no extension */
  uint32_t eku = X509_get_extended_key_usage(cert);
  gboolean any = (eku & XKU_ANYEKU) != 0;
  gboolean server = any || (eku & XKU_SSL_SERVER) != 0;
  gboolean client = any || (eku & XKU_SSL_CLIENT) != 0;
  gboolean ok = FALSE;
  if (!(ku & KU_DIGITAL_SIGNATURE)) {
    g_set_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_KEY_USAGE,
                "certificate %s: its key usage does not allow "
                "digitalSignature, which TLS needs",
                subject);
  } else if ((roles & VGW_TLS_ROLE_SERVER) && !server) {
    g_set_error(error, VGW_TLS_BUNDLE_ERROR,
                VGW_TLS_BUNDLE_ERROR_NO_SERVER_AUTH,
                "certificate %s: its extended key usage lacks serverAuth%s "
                "(the gateway is the TLS server for incoming SIP)",
                subject,
                (roles & VGW_TLS_ROLE_CLIENT) && !client ? " and clientAuth"
                                                         : "");
  } else if ((roles & VGW_TLS_ROLE_CLIENT) && !client) {
    g_set_error(error, VGW_TLS_BUNDLE_ERROR,
                VGW_TLS_BUNDLE_ERROR_NO_CLIENT_AUTH,
                "certificate %s: its extended key usage lacks clientAuth "
                "(the gateway is the TLS client towards its proxies)",
                subject);
  } else {
    ok = TRUE;
  }
  g_free(subject);
  return ok;
}

gboolean vgw_tls_bundle_check(X509 *cert, STACK_OF(X509) *chain, GBytes *spki,
                              STACK_OF(X509) *roots, guint roles, int64_t now,
                              GError **error) {
  if (!vgw_tls_cert_matches(cert, spki)) {
    char *subject = vgw_tls_cert_subject(cert);
    g_set_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_KEY_MISMATCH,
                "the key is not the one certificate %s is for", subject);
    g_free(subject);
    return FALSE;
  }
  return check_chain(cert, chain, roots, now, TRUE, error) &&
         check_usage(cert, roles, error);
}

gboolean vgw_tls_bundle_check_peer(X509 *cert, STACK_OF(X509) *chain,
                                   STACK_OF(X509) *roots, guint roles,
                                   int64_t now, GError **error) {
  return check_chain(cert, chain, roots, now, FALSE, error) &&
         check_usage(cert, roles, error);
}
