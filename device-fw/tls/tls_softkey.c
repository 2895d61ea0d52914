/* Debug/benchmark software key: see tls_softkey.h. */
#include "tls/tls_softkey.h"

#include <openssl/bytestring.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "tls/tls_cert.h"
#include "vgw_crypto.h"

GBytes *vgw_tls_softkey_sign(uint32_t scheme, const uint8_t *digest,
                             size_t len, gpointer data, GError **error) {
  EVP_PKEY *key = data;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
  size_t sig_len = 0;
  uint8_t *sig = NULL;
  GBytes *out = NULL;
  if (ctx == NULL || !EVP_PKEY_sign_init(ctx) ||
      (scheme == VGW_SIG_RSA_PKCS1_SHA256 &&
       !EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256())) ||
      !EVP_PKEY_sign(ctx, NULL, &sig_len, digest, len) ||
      (sig = g_malloc(sig_len)) == NULL ||
      !EVP_PKEY_sign(ctx, sig, &sig_len, digest, len)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SIGN, "software signature failed");
  } else {
    out = g_bytes_new(sig, sig_len);
  }
  g_free(sig);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

EVP_PKEY *vgw_tls_softkey_generate(uint32_t key_type) {
  EVP_PKEY *key = EVP_PKEY_new();
  if (key_type == VGW_KEY_TYPE_EC_P256) {
    EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    if (ec == NULL || !EC_KEY_generate_key(ec) ||
        !EVP_PKEY_assign_EC_KEY(key, ec)) {
      EC_KEY_free(ec);
      EVP_PKEY_free(key);
      return NULL;
    }
    return key;
  }
  RSA *rsa = RSA_new();
  BIGNUM *e = BN_new();
  int bits = key_type == VGW_KEY_TYPE_RSA_3072 ? 3072 : 2048;
  if (rsa == NULL || e == NULL || !BN_set_word(e, RSA_F4) ||
      !RSA_generate_key_ex(rsa, bits, e, NULL) ||
      !EVP_PKEY_assign_RSA(key, rsa)) {
    RSA_free(rsa);
    BN_free(e);
    EVP_PKEY_free(key);
    return NULL;
  }
  BN_free(e);
  return key;
}

gboolean vgw_tls_softkey_make(uint32_t key_type, const char *common_name,
                              int64_t now, EVP_PKEY **key_out, X509 **cert_out,
                              GError **error) {
  EVP_PKEY *key = vgw_tls_softkey_generate(key_type);
  if (key == NULL) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_KEY,
                      "cannot generate a software %s key",
                      key_type == VGW_KEY_TYPE_EC_P256 ? "EC" : "RSA");
    return FALSE;
  }
  CBB cbb;
  uint8_t *der = NULL;
  size_t der_len;
  if (!CBB_init(&cbb, 512) || !EVP_marshal_public_key(&cbb, key) ||
      !CBB_finish(&cbb, &der, &der_len)) {
    CBB_cleanup(&cbb);
    vgw_tls_set_error(error, VGW_TLS_ERROR_KEY,
                      "cannot encode the software public key");
    EVP_PKEY_free(key);
    return FALSE;
  }
  GBytes *spki = g_bytes_new(der, der_len);
  OPENSSL_free(der);
  X509 *cert =
      vgw_tls_cert_issue(spki, common_name, now, vgw_tls_softkey_sign, key,
                         error);
  g_bytes_unref(spki);
  if (cert == NULL) {
    EVP_PKEY_free(key);
    return FALSE;
  }
  *key_out = key;
  *cert_out = cert;
  return TRUE;
}

typedef struct {
  uint32_t key_type;
  char *common_name;
  int64_t now;
  VgwTlsSoftkeyDone done;
  gpointer data;
  EVP_PKEY *key;
  X509 *cert;
  GError *error;
} Work;

static gboolean deliver(gpointer data) {
  Work *w = data;
  w->done(w->key, w->cert, w->error, w->data);
  g_free(w->common_name);
  g_free(w);
  return G_SOURCE_REMOVE;
}

static gpointer worker(gpointer data) {
  Work *w = data;
  vgw_tls_softkey_make(w->key_type, w->common_name, w->now, &w->key, &w->cert,
                       &w->error);
  g_idle_add(deliver, w);
  return NULL;
}

void vgw_tls_softkey_make_async(uint32_t key_type, const char *common_name,
                                int64_t now, VgwTlsSoftkeyDone done,
                                gpointer data) {
  Work *w = g_new0(Work, 1);
  w->key_type = key_type;
  w->common_name = g_strdup(common_name);
  w->now = now;
  w->done = done;
  w->data = data;
  g_thread_unref(g_thread_new("vgw-softkey", worker, w));
}
