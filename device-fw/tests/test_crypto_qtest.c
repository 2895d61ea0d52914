/* The crypto engine driver against the real engine: QEMU's vgw board under
 * qtest (hal/crypto_qtest.h), started from $VGW_QEMU. Every signature is
 * verified here with BoringSSL against the public key the engine exports.
 * Without $VGW_QEMU the tests fail: they must not pass unchecked. */
#include <glib/gstdio.h>
#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>
#include <string.h>

#include "hal/crypto_engine.h"
#include "hal/crypto_qtest.h"
#include "vgw_crypto.h"

static const char *qemu_path(void) {
  const char *qemu = g_getenv("VGW_QEMU");
  if (qemu == NULL || *qemu == '\0') {
    g_test_fail_printf(
        "VGW_QEMU is not set: configure the build with "
        "-Dqemu_build_dir (scripts/build.sh does)");
    return NULL;
  }
  return qemu;
}

/* The volatile engine most tests share (QEMU takes a while to start). */
static VgwCryptoEngine *shared;

static VgwCryptoEngine *shared_engine(void) {
  if (shared == NULL) {
    const char *qemu = qemu_path();
    if (qemu == NULL) {
      return NULL;
    }
    GError *error = NULL;
    shared = vgw_crypto_qtest_open(qemu, NULL, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(vgw_crypto_zeroize(shared, &error));
    g_assert_no_error(error);
  }
  return shared;
}

static const EVP_MD *scheme_md(uint32_t scheme) {
  switch (scheme) {
    case VGW_SIG_RSA_PKCS1_SHA384:
    case VGW_SIG_RSA_PSS_SHA384:
      return EVP_sha384();
    case VGW_SIG_RSA_PKCS1_SHA512:
    case VGW_SIG_RSA_PSS_SHA512:
      return EVP_sha512();
    default:
      return EVP_sha256();
  }
}

static gboolean scheme_is_pss(uint32_t scheme) {
  return scheme == VGW_SIG_RSA_PSS_SHA256 || scheme == VGW_SIG_RSA_PSS_SHA384 ||
         scheme == VGW_SIG_RSA_PSS_SHA512;
}

static EVP_PKEY *parse_spki(GBytes *spki) {
  CBS cbs;
  CBS_init(&cbs, g_bytes_get_data(spki, NULL), g_bytes_get_size(spki));
  EVP_PKEY *pkey = EVP_parse_public_key(&cbs);
  g_assert_nonnull(pkey);
  g_assert_cmpuint(CBS_len(&cbs), ==, 0);
  return pkey;
}

/* verify checks |sig| over |digest| with BoringSSL, as a TLS peer would. */
static gboolean verify(GBytes *spki, uint32_t scheme, const uint8_t *digest,
                       size_t digest_len, GBytes *sig) {
  EVP_PKEY *pkey = parse_spki(spki);
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
  g_assert_true(EVP_PKEY_verify_init(ctx));
  if (scheme != VGW_SIG_ECDSA) {
    g_assert_true(EVP_PKEY_CTX_set_signature_md(ctx, scheme_md(scheme)));
  }
  if (scheme_is_pss(scheme)) {
    g_assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING));
    g_assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, -1));
    g_assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, scheme_md(scheme)));
  }
  int ok = EVP_PKEY_verify(ctx, g_bytes_get_data(sig, NULL),
                           g_bytes_get_size(sig), digest, digest_len);
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return ok == 1;
}

/* sign_and_verify has |slot| sign a digest under |scheme|, synchronously
 * or asynchronously, and verifies it (and that a changed digest does
 * not). */
static void sign_and_verify(VgwCryptoEngine *e, guint slot, GBytes *spki,
                            uint32_t scheme, gboolean async) {
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned digest_len;
  const char *msg = async ? "async message" : "sync message";
  g_assert_true(EVP_Digest(msg, strlen(msg), digest, &digest_len,
                           scheme_md(scheme), NULL));
  GError *error = NULL;
  GBytes *sig;
  if (async) {
    g_assert_true(
        vgw_crypto_sign_start(e, slot, scheme, digest, digest_len, &error));
    g_assert_no_error(error);
    guint polls = 0;
    while (!vgw_crypto_sign_done(e)) {
      polls++;
      g_assert_cmpuint(polls, <, 100000);
      g_usleep(100);
    }
    sig = vgw_crypto_sign_finish(e, &error);
  } else {
    sig = vgw_crypto_sign(e, slot, scheme, digest, digest_len, &error);
  }
  g_assert_no_error(error);
  g_assert_nonnull(sig);
  g_assert_true(verify(spki, scheme, digest, digest_len, sig));
  digest[0] ^= 1;
  g_assert_false(verify(spki, scheme, digest, digest_len, sig));
  g_bytes_unref(sig);
}

static const uint32_t rsa_schemes[] = {
    VGW_SIG_RSA_PKCS1_SHA256, VGW_SIG_RSA_PKCS1_SHA384,
    VGW_SIG_RSA_PKCS1_SHA512, VGW_SIG_RSA_PSS_SHA256,
    VGW_SIG_RSA_PSS_SHA384,   VGW_SIG_RSA_PSS_SHA512,
};

/* check_slot_signs exercises every scheme that fits |key_type|. */
static void check_slot_signs(VgwCryptoEngine *e, guint slot, uint32_t key_type,
                             GBytes *spki) {
  if (key_type == VGW_KEY_TYPE_EC_P256) {
    sign_and_verify(e, slot, spki, VGW_SIG_ECDSA, FALSE);
    sign_and_verify(e, slot, spki, VGW_SIG_ECDSA, TRUE);
    return;
  }
  for (size_t i = 0; i < G_N_ELEMENTS(rsa_schemes); i++) {
    sign_and_verify(e, slot, spki, rsa_schemes[i], i % 2 == 1);
  }
}

static void test_generate(gconstpointer data) {
  uint32_t key_type = GPOINTER_TO_UINT(data);
  VgwCryptoEngine *e = shared_engine();
  if (e == NULL) {
    return;
  }
  guint slot = 1 + key_type;
  GError *error = NULL;
  g_assert_true(vgw_crypto_generate(e, slot, key_type, &error));
  g_assert_no_error(error);
  VgwCryptoSlotInfo info;
  g_assert_true(vgw_crypto_info(e, slot, &info, &error));
  g_assert_cmpuint(info.key_type, ==, key_type);
  g_assert_false(info.locked);
  g_assert_false(info.imported);

  GBytes *spki = vgw_crypto_export_pub(e, slot, &error);
  g_assert_no_error(error);
  EVP_PKEY *pkey = parse_spki(spki);
  if (key_type == VGW_KEY_TYPE_EC_P256) {
    g_assert_cmpint(EVP_PKEY_id(pkey), ==, EVP_PKEY_EC);
    const EC_GROUP *group = EC_KEY_get0_group(EVP_PKEY_get0_EC_KEY(pkey));
    g_assert_cmpint(EC_GROUP_get_curve_name(group), ==, NID_X9_62_prime256v1);
  } else {
    g_assert_cmpint(EVP_PKEY_id(pkey), ==, EVP_PKEY_RSA);
    g_assert_cmpint(EVP_PKEY_bits(pkey), ==,
                    key_type == VGW_KEY_TYPE_RSA_2048 ? 2048 : 3072);
  }
  EVP_PKEY_free(pkey);
  check_slot_signs(e, slot, key_type, spki);

  /* A second generate replaces the key. */
  g_assert_true(vgw_crypto_generate(e, slot, key_type, &error));
  GBytes *spki2 = vgw_crypto_export_pub(e, slot, &error);
  g_assert_no_error(error);
  g_assert_false(g_bytes_equal(spki, spki2));
  g_bytes_unref(spki2);
  g_bytes_unref(spki);
  g_assert_true(vgw_crypto_delete(e, slot, &error));
  g_assert_true(vgw_crypto_info(e, slot, &info, &error));
  g_assert_cmpuint(info.key_type, ==, VGW_KEY_TYPE_NONE);
}

/* make_key returns a software key of |key_type| and its engine import
 * format in |der|. */
static EVP_PKEY *make_key(uint32_t key_type, GBytes **der) {
  EVP_PKEY *pkey = EVP_PKEY_new();
  if (key_type == VGW_KEY_TYPE_EC_P256) {
    EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    g_assert_true(EC_KEY_generate_key(ec));
    uint8_t scalar[32];
    g_assert_true(
        BN_bn2bin_padded(scalar, sizeof(scalar), EC_KEY_get0_private_key(ec)));
    *der = g_bytes_new(scalar, sizeof(scalar));
    OPENSSL_cleanse(scalar, sizeof(scalar));
    EVP_PKEY_assign_EC_KEY(pkey, ec);
  } else {
    RSA *rsa = RSA_new();
    BIGNUM *e65537 = BN_new();
    BN_set_word(e65537, RSA_F4);
    g_assert_true(RSA_generate_key_ex(
        rsa, key_type == VGW_KEY_TYPE_RSA_2048 ? 2048 : 3072, e65537, NULL));
    BN_free(e65537);
    uint8_t *bytes;
    size_t len;
    g_assert_true(RSA_private_key_to_bytes(&bytes, &len, rsa));
    *der = g_bytes_new(bytes, len);
    OPENSSL_free(bytes);
    EVP_PKEY_assign_RSA(pkey, rsa);
  }
  return pkey;
}

static GBytes *spki_of(EVP_PKEY *pkey) {
  CBB cbb;
  uint8_t *der;
  size_t len;
  g_assert_true(CBB_init(&cbb, 0));
  g_assert_true(EVP_marshal_public_key(&cbb, pkey));
  g_assert_true(CBB_finish(&cbb, &der, &len));
  GBytes *b = g_bytes_new(der, len);
  OPENSSL_free(der);
  return b;
}

static void test_import(gconstpointer data) {
  uint32_t key_type = GPOINTER_TO_UINT(data);
  VgwCryptoEngine *e = shared_engine();
  if (e == NULL) {
    return;
  }
  guint slot = 8 + key_type;
  GBytes *der;
  EVP_PKEY *pkey = make_key(key_type, &der);
  GError *error = NULL;
  g_assert_true(vgw_crypto_import(e, slot, key_type,
                                  g_bytes_get_data(der, NULL),
                                  g_bytes_get_size(der), &error));
  g_assert_no_error(error);
  VgwCryptoSlotInfo info;
  g_assert_true(vgw_crypto_info(e, slot, &info, &error));
  g_assert_cmpuint(info.key_type, ==, key_type);
  g_assert_true(info.imported);

  /* The engine's public key is the imported key's, byte for byte. */
  GBytes *spki = vgw_crypto_export_pub(e, slot, &error);
  g_assert_no_error(error);
  GBytes *expect = spki_of(pkey);
  g_assert_true(g_bytes_equal(spki, expect));
  check_slot_signs(e, slot, key_type, spki);

  /* The wrong type for the key material is refused. */
  uint32_t other = key_type == VGW_KEY_TYPE_RSA_2048 ? VGW_KEY_TYPE_RSA_3072
                                                     : VGW_KEY_TYPE_RSA_2048;
  g_assert_false(vgw_crypto_import(e, slot, other, g_bytes_get_data(der, NULL),
                                   g_bytes_get_size(der), &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_BAD_KEY);
  g_clear_error(&error);
  g_bytes_unref(expect);
  g_bytes_unref(spki);
  g_bytes_unref(der);
  EVP_PKEY_free(pkey);
  g_assert_true(vgw_crypto_delete(e, slot, &error));
}

/* The engine's refusals, as the driver words them. */
static void test_errors(void) {
  VgwCryptoEngine *e = shared_engine();
  if (e == NULL) {
    return;
  }
  GError *error = NULL;
  const guint slot = 14;
  g_assert_false(vgw_crypto_lock(e, slot, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_EMPTY_SLOT);
  g_assert_cmpstr(error->message, ==, "slot 14 is empty");
  g_clear_error(&error);
  g_assert_null(vgw_crypto_export_pub(e, slot, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_EMPTY_SLOT);
  g_clear_error(&error);

  g_assert_false(vgw_crypto_generate(e, 16, VGW_KEY_TYPE_EC_P256, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_BAD_SLOT);
  g_assert_cmpstr(error->message, ==,
                  "slot 16 does not exist (the engine has slots 0 to 15)");
  g_clear_error(&error);
  g_assert_false(vgw_crypto_generate(e, slot, 9, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_BAD_KEY_TYPE);
  g_clear_error(&error);

  g_assert_true(vgw_crypto_generate(e, slot, VGW_KEY_TYPE_EC_P256, &error));
  uint8_t digest[64] = {0};
  g_assert_null(
      vgw_crypto_sign(e, slot, VGW_SIG_RSA_PSS_SHA256, digest, 32, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_WRONG_TYPE);
  g_assert_cmpstr(error->message, ==,
                  "the key in slot 14 cannot sign with rsa-pss-sha256");
  g_clear_error(&error);
  g_assert_null(vgw_crypto_sign(e, slot, VGW_SIG_ECDSA, digest, 19, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_BAD_LENGTH);
  g_clear_error(&error);
  g_assert_null(vgw_crypto_sign(e, slot, 99, digest, 32, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_BAD_SCHEME);
  g_clear_error(&error);
  const uint8_t junk[5] = {1, 2, 3, 4, 5};
  g_assert_false(vgw_crypto_import(e, slot, VGW_KEY_TYPE_RSA_2048, junk,
                                   sizeof(junk), &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_BAD_KEY);
  g_clear_error(&error);

  /* Locked: no replacement, no deletion, until zeroize. */
  g_assert_true(vgw_crypto_lock(e, slot, &error));
  VgwCryptoSlotInfo info;
  g_assert_true(vgw_crypto_info(e, slot, &info, &error));
  g_assert_true(info.locked);
  g_assert_false(vgw_crypto_delete(e, slot, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_LOCKED);
  g_assert_cmpstr(error->message, ==, "slot 14 is locked");
  g_clear_error(&error);
  g_assert_false(vgw_crypto_generate(e, slot, VGW_KEY_TYPE_EC_P256, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_LOCKED);
  g_clear_error(&error);
  uint8_t scalar[32] = {[31] = 7};
  g_assert_false(vgw_crypto_import(e, slot, VGW_KEY_TYPE_EC_P256, scalar,
                                   sizeof(scalar), &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_LOCKED);
  g_clear_error(&error);
  g_assert_true(vgw_crypto_zeroize(e, &error));
  g_assert_no_error(error);
  g_assert_true(vgw_crypto_info(e, slot, &info, &error));
  g_assert_cmpuint(info.key_type, ==, VGW_KEY_TYPE_NONE);
  g_assert_false(info.locked);
}

static void test_trng(void) {
  VgwCryptoEngine *e = shared_engine();
  if (e == NULL) {
    return;
  }
  uint8_t a[64], b[64], zero[64] = {0};
  GError *error = NULL;
  g_assert_true(vgw_crypto_trng(e, a, sizeof(a), &error));
  g_assert_true(vgw_crypto_trng(e, b, sizeof(b), &error));
  g_assert_no_error(error);
  g_assert_true(memcmp(a, zero, sizeof(a)) != 0);
  g_assert_true(memcmp(a, b, sizeof(a)) != 0);
}

/* contains says whether |needle| occurs in |hay|. */
static gboolean contains(const uint8_t *hay, size_t hay_len,
                         const uint8_t *needle, size_t needle_len) {
  for (size_t i = 0; i + needle_len <= hay_len; i++) {
    if (memcmp(hay + i, needle, needle_len) == 0) {
      return TRUE;
    }
  }
  return FALSE;
}

/* A keystore file keeps keys across QEMU runs, only under its secret, and
 * never holds the private key in the clear. */
static void test_keystore(void) {
  const char *qemu = qemu_path();
  if (qemu == NULL) {
    return;
  }
  GError *error = NULL;
  char *dir = g_dir_make_tmp("vgw-keystore-test-XXXXXX", &error);
  g_assert_no_error(error);
  char *ks = g_build_filename(dir, "keystore.bin", NULL);
  char *secret = g_build_filename(dir, "secret.b64", NULL);
  char *wrong = g_build_filename(dir, "wrong.b64", NULL);
  g_assert_true(g_file_set_contents(
      secret, "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM=", -1, NULL));
  g_assert_true(g_file_set_contents(
      wrong, "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc0NTY=", -1, NULL));

  VgwCryptoEngine *e = vgw_crypto_qtest_open(qemu, ks, secret, &error);
  g_assert_no_error(error);
  GBytes *der;
  EVP_PKEY *pkey = make_key(VGW_KEY_TYPE_EC_P256, &der);
  g_assert_true(vgw_crypto_import(e, 2, VGW_KEY_TYPE_EC_P256,
                                  g_bytes_get_data(der, NULL),
                                  g_bytes_get_size(der), &error));
  g_assert_true(vgw_crypto_generate(e, 5, VGW_KEY_TYPE_RSA_2048, &error));
  g_assert_true(vgw_crypto_lock(e, 5, &error));
  g_assert_no_error(error);
  GBytes *pub5 = vgw_crypto_export_pub(e, 5, &error);
  g_assert_no_error(error);
  vgw_crypto_engine_free(e);

  gchar *file;
  gsize file_len;
  g_assert_true(g_file_get_contents(ks, &file, &file_len, NULL));
  g_assert_false(contains((const uint8_t *)file, file_len,
                          g_bytes_get_data(der, NULL), g_bytes_get_size(der)));
  g_free(file);

  /* Again, under the same secret: the keys and the lock are there. */
  e = vgw_crypto_qtest_open(qemu, ks, secret, &error);
  g_assert_no_error(error);
  GBytes *pub2 = vgw_crypto_export_pub(e, 2, &error);
  g_assert_no_error(error);
  GBytes *expect2 = spki_of(pkey);
  g_assert_true(g_bytes_equal(pub2, expect2));
  GBytes *again5 = vgw_crypto_export_pub(e, 5, &error);
  g_assert_true(g_bytes_equal(again5, pub5));
  VgwCryptoSlotInfo info;
  g_assert_true(vgw_crypto_info(e, 5, &info, &error));
  g_assert_true(info.locked);
  g_assert_false(info.imported);
  check_slot_signs(e, 2, VGW_KEY_TYPE_EC_P256, pub2);
  vgw_crypto_engine_free(e);

  /* Under another secret QEMU refuses the keystore, and says so. */
  g_assert_null(vgw_crypto_qtest_open(qemu, ks, wrong, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_QEMU_FAILED);
  g_test_message("wrong secret: %s", error->message);
  g_assert_nonnull(strstr(error->message, "qemu-system-aarch64"));
  g_clear_error(&error);

  g_bytes_unref(pub2);
  g_bytes_unref(expect2);
  g_bytes_unref(again5);
  g_bytes_unref(pub5);
  g_bytes_unref(der);
  EVP_PKEY_free(pkey);
  g_unlink(ks);
  g_unlink(secret);
  g_unlink(wrong);
  g_rmdir(dir);
  g_free(ks);
  g_free(secret);
  g_free(wrong);
  g_free(dir);
}

static void test_qemu_missing(void) {
  GError *error = NULL;
  g_assert_null(vgw_crypto_qtest_open("/nonexistent/qemu-system-aarch64", NULL,
                                      NULL, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_QEMU_MISSING);
  g_assert_cmpstr(error->message, ==,
                  "no QEMU binary at \"/nonexistent/qemu-system-aarch64\"");
  g_clear_error(&error);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  static const struct {
    const char *name;
    uint32_t type;
  } types[] = {
      {"ec-p256", VGW_KEY_TYPE_EC_P256},
      {"rsa-2048", VGW_KEY_TYPE_RSA_2048},
      {"rsa-3072", VGW_KEY_TYPE_RSA_3072},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
    char *path = g_strdup_printf("/crypto-qtest/generate/%s", types[i].name);
    g_test_add_data_func(path, GUINT_TO_POINTER(types[i].type), test_generate);
    g_free(path);
    path = g_strdup_printf("/crypto-qtest/import/%s", types[i].name);
    g_test_add_data_func(path, GUINT_TO_POINTER(types[i].type), test_import);
    g_free(path);
  }
  g_test_add_func("/crypto-qtest/errors", test_errors);
  g_test_add_func("/crypto-qtest/trng", test_trng);
  g_test_add_func("/crypto-qtest/keystore", test_keystore);
  g_test_add_func("/crypto-qtest/qemu-missing", test_qemu_missing);
  int rc = g_test_run();
  vgw_crypto_engine_free(shared);
  return rc;
}
