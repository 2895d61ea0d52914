#include "keyfile.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "fileread.h"
#include "vgw_crypto.h"
#include "vgw-error.h"

#define VGW_KEYFILE_MAX (1024 * 1024)

/* Wipes a secret GBytes' buffer when its last reference goes. */
static void
free_secret(gpointer data)
{
  GByteArray *a = data;

  OPENSSL_cleanse(a->data, a->len);
  g_byte_array_unref(a);
}

static GBytes *
secret_bytes(const uint8_t *data, size_t len)
{
  GByteArray *a = g_byte_array_sized_new(len);

  g_byte_array_append(a, data, len);
  return g_bytes_new_with_free_func(a->data, a->len, free_secret, a);
}

static gboolean
unsupported(const char *path, const char *what, GError **error)
{
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
              "%s: %s; the engine holds ec-p256, rsa-2048, rsa-3072", path, what);
  return FALSE;
}

static gboolean
export_ec(const char *path, EVP_PKEY *pkey, VgwKeyfile *out, GError **error)
{
  const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(pkey);
  const EC_GROUP *group = EC_KEY_get0_group(ec);
  uint8_t scalar[32];

  if (EC_GROUP_get_curve_name(group) != NID_X9_62_prime256v1) {
    g_autofree char *what = g_strdup_printf("EC key on curve %s",
                                            OBJ_nid2sn(EC_GROUP_get_curve_name(group)));
    return unsupported(path, what, error);
  }
  if (!BN_bn2bin_padded(scalar, sizeof scalar, EC_KEY_get0_private_key(ec))) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: malformed EC private key", path);
    return FALSE;
  }
  out->key_type = VGW_KEY_TYPE_EC_P256;
  out->import_bytes = secret_bytes(scalar, sizeof scalar);
  OPENSSL_cleanse(scalar, sizeof scalar);
  return TRUE;
}

static gboolean
export_rsa(const char *path, EVP_PKEY *pkey, VgwKeyfile *out, GError **error)
{
  const RSA *rsa = EVP_PKEY_get0_RSA(pkey);
  unsigned bits = RSA_bits(rsa);
  uint8_t *der = NULL;
  size_t der_len = 0;

  if (bits == 2048)
    out->key_type = VGW_KEY_TYPE_RSA_2048;
  else if (bits == 3072)
    out->key_type = VGW_KEY_TYPE_RSA_3072;
  else {
    g_autofree char *what = g_strdup_printf("RSA key of %u bits", bits);
    return unsupported(path, what, error);
  }
  if (!RSA_private_key_to_bytes(&der, &der_len, rsa)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s: RSA key without the CRT parameters the engine needs", path);
    return FALSE;
  }
  out->import_bytes = secret_bytes(der, der_len);
  OPENSSL_cleanse(der, der_len);
  OPENSSL_free(der);
  return TRUE;
}

static GBytes *
spki_of(EVP_PKEY *pkey)
{
  CBB cbb;
  uint8_t *der = NULL;
  size_t len = 0;
  GBytes *b;

  if (!CBB_init(&cbb, 128) || !EVP_marshal_public_key(&cbb, pkey) ||
      !CBB_finish(&cbb, &der, &len)) {
    CBB_cleanup(&cbb);
    return NULL;
  }
  b = g_bytes_new(der, len);
  OPENSSL_free(der);
  return b;
}

EVP_PKEY *
vgw_keyfile_read_pkey(const char *path, GError **error)
{
  char *text = NULL;
  gsize text_len = 0;
  g_autoptr(GError) read_error = NULL;
  BIO *bio;
  EVP_PKEY *pkey;

  /* A key file is a few KiB; anything huge is not one (and BIO lengths
   * are int). */
  if (!vgw_file_read(path, VGW_KEYFILE_MAX, &text, &text_len, &read_error)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", read_error->message);
    return NULL;
  }
  if (strstr(text, "ENCRYPTED") != NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s: the private key is encrypted; decrypt it first "
                "(openssl pkey -in %s -out plain.pem)", path, path);
    pkey = NULL;
  } else {
    bio = BIO_new_mem_buf(text, (int) text_len);
    pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey == NULL)
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                  "%s: no PEM private key in it (PKCS#8 \"PRIVATE KEY\", \"RSA PRIVATE KEY\" "
                  "or \"EC PRIVATE KEY\")", path);
  }
  OPENSSL_cleanse(text, text_len);
  g_free(text);
  ERR_clear_error();
  return pkey;
}

gboolean
vgw_keyfile_load(const char *path, VgwKeyfile *out, GError **error)
{
  EVP_PKEY *pkey;
  gboolean ok = FALSE;

  memset(out, 0, sizeof *out);
  pkey = vgw_keyfile_read_pkey(path, error);
  if (pkey == NULL)
    return FALSE;
  switch (EVP_PKEY_id(pkey)) {
  case EVP_PKEY_EC:
    ok = export_ec(path, pkey, out, error);
    break;
  case EVP_PKEY_RSA:
    ok = export_rsa(path, pkey, out, error);
    break;
  default:
    ok = unsupported(path, "not an RSA or EC key", error);
    break;
  }
  if (ok && (out->spki = spki_of(pkey)) == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: cannot encode its public key", path);
    ok = FALSE;
  }
  EVP_PKEY_free(pkey);
  if (!ok)
    vgw_keyfile_clear(out);
  return ok;
}

void
vgw_keyfile_clear(VgwKeyfile *kf)
{
  g_clear_pointer(&kf->import_bytes, g_bytes_unref);
  g_clear_pointer(&kf->spki, g_bytes_unref);
  kf->key_type = VGW_KEY_TYPE_NONE;
}
