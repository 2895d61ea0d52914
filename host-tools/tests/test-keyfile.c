/* Reading PEM private keys into the crypto engine's import format. */
#include <glib/gstdio.h>
#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <string.h>

#include "keyfile.h"
#include "vgw_crypto.h"
#include "vgw-error.h"

static char *tmpdir;

/* Writes |pkey| as PEM (PKCS#8 when |pkcs8|, else the traditional form)
 * to a new file and returns its path. */
static char *
write_key(const char *name, EVP_PKEY *pkey, gboolean pkcs8)
{
  char *path = g_build_filename(tmpdir, name, NULL);
  FILE *f = fopen(path, "w");

  g_assert_nonnull(f);
  if (pkcs8)
    g_assert_true(PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL));
  else if (EVP_PKEY_id(pkey) == EVP_PKEY_RSA)
    g_assert_true(PEM_write_RSAPrivateKey(f, EVP_PKEY_get0_RSA(pkey), NULL, NULL, 0, NULL, NULL));
  else
    g_assert_true(PEM_write_ECPrivateKey(f, EVP_PKEY_get0_EC_KEY(pkey), NULL, NULL, 0, NULL, NULL));
  fclose(f);
  return path;
}

static EVP_PKEY *
new_rsa(unsigned bits)
{
  RSA *rsa = RSA_new();
  BIGNUM *e = BN_new();
  EVP_PKEY *pkey = EVP_PKEY_new();

  BN_set_word(e, RSA_F4);
  g_assert_true(RSA_generate_key_ex(rsa, (int) bits, e, NULL));
  EVP_PKEY_assign_RSA(pkey, rsa);
  BN_free(e);
  return pkey;
}

static EVP_PKEY *
new_ec(int nid)
{
  EC_KEY *ec = EC_KEY_new_by_curve_name(nid);
  EVP_PKEY *pkey = EVP_PKEY_new();

  g_assert_true(EC_KEY_generate_key(ec));
  EVP_PKEY_assign_EC_KEY(pkey, ec);
  return pkey;
}

static GBytes *
spki_of(EVP_PKEY *pkey)
{
  CBB cbb;
  uint8_t *der;
  size_t len;
  GBytes *b;

  g_assert_true(CBB_init(&cbb, 64) && EVP_marshal_public_key(&cbb, pkey) &&
                CBB_finish(&cbb, &der, &len));
  b = g_bytes_new(der, len);
  OPENSSL_free(der);
  return b;
}

static void
test_ec_p256(gconstpointer pkcs8)
{
  g_autoptr(GError) error = NULL;
  EVP_PKEY *pkey = new_ec(NID_X9_62_prime256v1);
  g_autofree char *path = write_key("ec.pem", pkey, GPOINTER_TO_INT(pkcs8));
  g_autoptr(GBytes) spki = spki_of(pkey);
  uint8_t scalar[32];
  VgwKeyfile kf;

  g_assert_true(vgw_keyfile_load(path, &kf, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(kf.key_type, ==, VGW_KEY_TYPE_EC_P256);
  /* The engine's EC import format is the bare 32-byte scalar. */
  g_assert_true(BN_bn2bin_padded(scalar, sizeof scalar,
                                 EC_KEY_get0_private_key(EVP_PKEY_get0_EC_KEY(pkey))));
  g_assert_cmpmem(g_bytes_get_data(kf.import_bytes, NULL), g_bytes_get_size(kf.import_bytes),
                  scalar, sizeof scalar);
  g_assert_true(g_bytes_equal(kf.spki, spki));
  vgw_keyfile_clear(&kf);
  g_assert_null(kf.import_bytes);
  EVP_PKEY_free(pkey);
  g_unlink(path);
}

static void
test_rsa(gconstpointer bits_p)
{
  unsigned bits = GPOINTER_TO_UINT(bits_p);
  g_autoptr(GError) error = NULL;
  EVP_PKEY *pkey = new_rsa(bits);
  g_autofree char *path = write_key("rsa.pem", pkey, bits == 2048);
  g_autoptr(GBytes) spki = spki_of(pkey);
  VgwKeyfile kf;
  RSA *back;
  CBS cbs;

  g_assert_true(vgw_keyfile_load(path, &kf, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(kf.key_type, ==, bits == 2048 ? VGW_KEY_TYPE_RSA_2048 : VGW_KEY_TYPE_RSA_3072);
  /* The RSA import format is a PKCS#1 RSAPrivateKey of the same key. */
  CBS_init(&cbs, g_bytes_get_data(kf.import_bytes, NULL), g_bytes_get_size(kf.import_bytes));
  back = RSA_parse_private_key(&cbs);
  g_assert_nonnull(back);
  g_assert_cmpuint(CBS_len(&cbs), ==, 0);
  g_assert_cmpint(BN_cmp(RSA_get0_n(back), RSA_get0_n(EVP_PKEY_get0_RSA(pkey))), ==, 0);
  g_assert_cmpint(BN_cmp(RSA_get0_d(back), RSA_get0_d(EVP_PKEY_get0_RSA(pkey))), ==, 0);
  g_assert_true(g_bytes_equal(kf.spki, spki));
  RSA_free(back);
  vgw_keyfile_clear(&kf);
  EVP_PKEY_free(pkey);
  g_unlink(path);
}

static void
expect_refused(const char *path, const char *message)
{
  g_autoptr(GError) error = NULL;
  VgwKeyfile kf;

  g_assert_false(vgw_keyfile_load(path, &kf, &error));
  /* The command line was right; the file was not: exit 1, not 2. */
  g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
  g_assert_cmpint(vgw_error_exit_status(error), ==, VGW_EXIT_FAILURE);
  g_assert_cmpstr(error->message, ==, message);
  g_assert_null(kf.import_bytes);
}

static void
test_refusals(void)
{
  EVP_PKEY *small = new_rsa(1024), *p384 = new_ec(NID_secp384r1);
  g_autofree char *small_path = write_key("small.pem", small, TRUE);
  g_autofree char *p384_path = write_key("p384.pem", p384, TRUE);
  g_autofree char *junk = g_build_filename(tmpdir, "junk.pem", NULL);
  g_autofree char *enc = g_build_filename(tmpdir, "enc.pem", NULL);
  g_autofree char *missing = g_build_filename(tmpdir, "missing.pem", NULL);
  g_autofree char *m = NULL;

  m = g_strdup_printf("%s: RSA key of 1024 bits; the engine holds ec-p256, rsa-2048, rsa-3072",
                      small_path);
  expect_refused(small_path, m);
  g_free(m);
  m = g_strdup_printf("%s: EC key on curve secp384r1; the engine holds ec-p256, rsa-2048, rsa-3072",
                      p384_path);
  expect_refused(p384_path, m);
  g_free(m);

  g_assert_true(g_file_set_contents(junk, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", -1, NULL));
  m = g_strdup_printf("%s: no PEM private key in it (PKCS#8 \"PRIVATE KEY\", \"RSA PRIVATE KEY\" "
                      "or \"EC PRIVATE KEY\")", junk);
  expect_refused(junk, m);
  g_free(m);

  g_assert_true(g_file_set_contents(enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
                                         "-----END ENCRYPTED PRIVATE KEY-----\n", -1, NULL));
  m = g_strdup_printf("%s: the private key is encrypted; decrypt it first "
                      "(openssl pkey -in %s -out plain.pem)", enc, enc);
  expect_refused(enc, m);
  g_free(m);

  m = g_strdup_printf("%s: No such file or directory", missing);
  expect_refused(missing, m);
  g_free(m);

  /* Neither a directory nor an endless device is read. */
  m = g_strdup_printf("%s: is a directory", tmpdir);
  expect_refused(tmpdir, m);
  expect_refused("/dev/zero", "/dev/zero: larger than 1048576 bytes");

  EVP_PKEY_free(small);
  EVP_PKEY_free(p384);
  g_unlink(small_path);
  g_unlink(p384_path);
  g_unlink(junk);
  g_unlink(enc);
}

int
main(int argc, char **argv)
{
  int rc;

  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("vgwkey-XXXXXX", NULL);
  g_test_add_data_func("/keyfile/ec-p256-pkcs8", GINT_TO_POINTER(TRUE), test_ec_p256);
  g_test_add_data_func("/keyfile/ec-p256-traditional", GINT_TO_POINTER(FALSE), test_ec_p256);
  g_test_add_data_func("/keyfile/rsa-2048", GUINT_TO_POINTER(2048), test_rsa);
  g_test_add_data_func("/keyfile/rsa-3072", GUINT_TO_POINTER(3072), test_rsa);
  g_test_add_func("/keyfile/refusals", test_refusals);
  rc = g_test_run();
  g_rmdir(tmpdir);
  return rc;
}
