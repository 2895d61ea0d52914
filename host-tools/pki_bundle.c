/* A test PKI certificate on disk: see pki_bundle.h. */
#include "pki_bundle.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/pem.h>

#include "fileread.h"
#include "keyfile.h"
#include "vgw-error.h"

/* A certificate file is a few KiB; a chain of them no more than this. */
#define PKI_FILE_MAX (1024 * 1024)

#define CERT_MODE 0644
#define KEY_MODE 0600

/* read_certs returns every PEM certificate in |path|, in order; at least
 * one unless |may_be_empty|. */
static STACK_OF(X509) *
read_certs(const char *path, gboolean may_be_empty, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) read_error = NULL;
  STACK_OF(X509) *certs;
  BIO *bio;
  X509 *x;

  if (!vgw_file_read(path, PKI_FILE_MAX, &text, &len, &read_error)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", read_error->message);
    return NULL;
  }
  ERR_clear_error();
  certs = sk_X509_new_null();
  bio = BIO_new_mem_buf(text, (int) len);
  while (certs != NULL && bio != NULL &&
         (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
    if (!sk_X509_push(certs, x)) {
      X509_free(x);
      break;
    }
  }
  /* The loop ends at the end of the text (no further PEM block) or at a
   * block that does not parse; only the first is fine. */
  uint32_t err = ERR_peek_last_error();
  gboolean at_end = ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  BIO_free(bio);
  if (certs == NULL || !at_end || (!may_be_empty && sk_X509_num(certs) == 0)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s: %s", path,
                certs != NULL && at_end ? "no PEM certificate in it"
                                        : "a PEM block in it is no certificate");
    sk_X509_pop_free(certs, X509_free);
    return NULL;
  }
  return certs;
}

gboolean
vgw_pki_bundle_load(const char *base, VgwPkiBundle *out, GError **error)
{
  g_autofree char *crt_path = g_strconcat(base, ".crt", NULL);
  g_autofree char *key_path = g_strconcat(base, ".key", NULL);
  g_autofree char *chain_path = g_strconcat(base, ".chain", NULL);
  STACK_OF(X509) *certs;

  memset(out, 0, sizeof *out);
  certs = read_certs(crt_path, FALSE, error);
  if (certs == NULL)
    return FALSE;
  out->cert = sk_X509_shift(certs);
  sk_X509_pop_free(certs, X509_free);
  out->key = vgw_keyfile_read_pkey(key_path, error);
  if (out->key == NULL)
    goto fail;
  if (!X509_check_private_key(out->cert, out->key)) {
    ERR_clear_error();
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s: not the key of %s", key_path, crt_path);
    goto fail;
  }
  out->chain = g_file_test(chain_path, G_FILE_TEST_EXISTS)
                   ? read_certs(chain_path, TRUE, error)
                   : sk_X509_new_null();
  if (out->chain == NULL)
    goto fail;
  return TRUE;

fail:
  vgw_pki_bundle_clear(out);
  return FALSE;
}

/* pem_text returns what |write| puts into a memory BIO for |obj|, or
 * NULL. */
static GBytes *
pem_text(gboolean (*write)(BIO *bio, gconstpointer obj), gconstpointer obj)
{
  BIO *bio = BIO_new(BIO_s_mem());
  const uint8_t *data;
  size_t len;
  GBytes *text = NULL;

  if (bio != NULL && write(bio, obj) && BIO_mem_contents(bio, &data, &len)) {
    text = g_bytes_new(data, len);
    /* The key's PEM must not linger in freed memory. */
    OPENSSL_cleanse((void *) data, len);
  }
  BIO_free(bio);
  return text;
}

static gboolean
write_cert(BIO *bio, gconstpointer cert)
{
  return PEM_write_bio_X509(bio, (X509 *) cert);
}

static gboolean
write_chain(BIO *bio, gconstpointer chain)
{
  const STACK_OF(X509) *certs = chain;

  for (size_t i = 0; i < sk_X509_num(certs); i++) {
    if (!PEM_write_bio_X509(bio, sk_X509_value(certs, i)))
      return FALSE;
  }
  /* An empty chain is an empty file, and BIO_mem_contents wants a
   * buffer. */
  return BIO_write(bio, "", 0) >= 0;
}

static gboolean
write_key(BIO *bio, gconstpointer key)
{
  return PEM_write_bio_PrivateKey(bio, (EVP_PKEY *) key, NULL, NULL, 0, NULL, NULL);
}

static gboolean
save_one(const char *base, const char *suffix, int mode,
         gboolean (*write)(BIO *bio, gconstpointer obj), gconstpointer obj,
         GError **error)
{
  g_autofree char *path = g_strconcat(base, suffix, NULL);
  g_autoptr(GBytes) text = pem_text(write, obj);
  gsize len;
  const char *data;
  gboolean ok;

  ERR_clear_error();
  if (text == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: cannot encode it as PEM", path);
    return FALSE;
  }
  data = g_bytes_get_data(text, &len);
  ok = g_file_set_contents_full(path, data != NULL ? data : "", (gssize) len,
                                G_FILE_SET_CONTENTS_CONSISTENT, mode, error);
  OPENSSL_cleanse((void *) data, len);
  return ok;
}

gboolean
vgw_pki_bundle_save(const char *base, const VgwPkiBundle *b, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(base);

  if (g_mkdir_with_parents(dir, 0755) != 0) {
    int err = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                "%s: %s", dir, g_strerror(err));
    return FALSE;
  }
  if (b->key == NULL) {
    g_autofree char *key_path = g_strconcat(base, ".key", NULL);
    if (g_unlink(key_path) != 0 && errno != ENOENT) {
      int err = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", key_path,
                  g_strerror(err));
      return FALSE;
    }
  }
  return (b->key == NULL || save_one(base, ".key", KEY_MODE, write_key, b->key, error)) &&
         save_one(base, ".crt", CERT_MODE, write_cert, b->cert, error) &&
         save_one(base, ".chain", CERT_MODE, write_chain, b->chain, error);
}

gboolean
vgw_pki_bundle_is_root(X509 *cert)
{
  EVP_PKEY *own = X509_get_pubkey(cert);
  gboolean root = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
                  own != NULL && X509_verify(cert, own) == 1;

  EVP_PKEY_free(own);
  ERR_clear_error();
  return root;
}

/* push_ref appends a reference to |x| to |chain|. */
static gboolean
push_ref(STACK_OF(X509) *chain, X509 *x)
{
  if (!X509_up_ref(x))
    return FALSE;
  if (sk_X509_push(chain, x))
    return TRUE;
  X509_free(x);
  return FALSE;
}

STACK_OF(X509) *
vgw_pki_bundle_chain_for(const VgwPkiBundle *issuer)
{
  STACK_OF(X509) *chain = sk_X509_new_null();
  gboolean ok = chain != NULL;

  if (ok && !vgw_pki_bundle_is_root(issuer->cert))
    ok = push_ref(chain, issuer->cert);
  for (size_t i = 0; ok && i < sk_X509_num(issuer->chain); i++)
    ok = push_ref(chain, sk_X509_value(issuer->chain, i));
  if (!ok) {
    sk_X509_pop_free(chain, X509_free);
    return NULL;
  }
  return chain;
}

void
vgw_pki_bundle_clear(VgwPkiBundle *b)
{
  X509_free(b->cert);
  EVP_PKEY_free(b->key);
  sk_X509_pop_free(b->chain, X509_free);
  memset(b, 0, sizeof *b);
}
