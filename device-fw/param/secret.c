/* Secret parameters: see param_secret.h. */
#include "param_secret.h"

#include <string.h>

#include <openssl/base64.h>
#include <openssl/crypto.h>
#include <openssl/digest.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/rand.h>

#include "vgw_base64.h"

#define SALT_LEN 16
#define SALT_MIN 8
#define SALT_MAX 64
#define HASH_LEN 32

/* A parsed stored form. */
typedef struct {
  guint iterations;
  guchar *salt;
  gsize salt_len;
  guchar *hash;
  gsize hash_len;
} Hash;

static void hash_clear(Hash *h) {
  g_free(h->salt);
  g_free(h->hash);
  memset(h, 0, sizeof(*h));
}

gboolean vgw_secret_is_stored_form(const char *text, gsize len) {
  gsize n = strlen(VGW_SECRET_PREFIX);
  return len >= n && memcmp(text, VGW_SECRET_PREFIX, n) == 0;
}

/* field takes the text up to the next '$' (or the end) off |*p|..|end|. */
static const char *field(const char **p, const char *end, gsize *len) {
  const char *start = *p;
  const char *dollar = memchr(start, '$', (gsize)(end - start));
  const char *stop = dollar != NULL ? dollar : end;
  *len = (gsize)(stop - start);
  *p = dollar != NULL ? dollar + 1 : end;
  return start;
}

/* parse_hash reads a stored form, or says what is wrong with it. */
static gboolean parse_hash(const char *text, gsize len, Hash *h,
                           const char **why) {
  const char *end = text + len;
  const char *p = text + strlen(VGW_SECRET_PREFIX);
  gsize n_iter, n_salt, n_hash;
  memset(h, 0, sizeof(*h));
  const char *iter = field(&p, end, &n_iter);
  const char *salt = field(&p, end, &n_salt);
  gboolean has_hash = p < end;
  const char *hash = field(&p, end, &n_hash);
  guint64 iterations = 0;
  char digits[8] = "";
  if (n_iter == 0 || n_iter >= sizeof(digits)) {
    *why = "bad iteration count";
    return FALSE;
  }
  memcpy(digits, iter, n_iter);
  if (!g_ascii_string_to_unsigned(digits, 10, VGW_SECRET_ITERATIONS_MIN,
                                  VGW_SECRET_ITERATIONS_MAX, &iterations,
                                  NULL)) {
    *why = "iteration count outside 1000..100000";
    return FALSE;
  }
  h->iterations = (guint)iterations;
  h->salt = vgw_base64_decode(salt, n_salt, &h->salt_len);
  if (h->salt == NULL || h->salt_len < SALT_MIN || h->salt_len > SALT_MAX) {
    *why = "salt is not 8 to 64 bytes of base64";
    hash_clear(h);
    return FALSE;
  }
  h->hash = has_hash ? vgw_base64_decode(hash, n_hash, &h->hash_len) : NULL;
  if (h->hash == NULL || h->hash_len != HASH_LEN || hash + n_hash != end) {
    *why = "hash is not 32 bytes of base64";
    hash_clear(h);
    return FALSE;
  }
  return TRUE;
}

static char *base64(const guchar *data, gsize len) {
  size_t n = 0;
  EVP_EncodedLength(&n, len);
  char *out = g_malloc(n);
  EVP_EncodeBlock((uint8_t *)out, data, len);
  return out;
}

static char *format_hash(const Hash *h) {
  char *salt = base64(h->salt, h->salt_len);
  char *hash = base64(h->hash, h->hash_len);
  char *text = g_strdup_printf(VGW_SECRET_PREFIX "%u$%s$%s", h->iterations,
                               salt, hash);
  g_free(salt);
  g_free(hash);
  return text;
}

/* pbkdf2 derives HASH_LEN bytes from |password| with |h|'s salt and
 * iteration count. */
static void pbkdf2(const char *password, gsize len, const Hash *h,
                   guchar out[HASH_LEN]) {
  if (!PKCS5_PBKDF2_HMAC(password, len, h->salt, h->salt_len, h->iterations,
                         EVP_sha256(), HASH_LEN, out)) {
    g_error("PBKDF2-HMAC-SHA256 failed");
  }
}

char *vgw_secret_store(const char *text, gsize len, char **reason) {
  Hash h;
  if (vgw_secret_is_stored_form(text, len)) {
    const char *why = NULL;
    if (!parse_hash(text, len, &h, &why)) {
      *reason = g_strdup_printf("malformed %s... hash: %s", VGW_SECRET_PREFIX,
                                why);
      return NULL;
    }
  } else {
    h.iterations = VGW_SECRET_ITERATIONS;
    h.salt_len = SALT_LEN;
    h.salt = g_malloc(SALT_LEN);
    h.hash_len = HASH_LEN;
    h.hash = g_malloc(HASH_LEN);
    RAND_bytes(h.salt, SALT_LEN);
    pbkdf2(text, len, &h, h.hash);
  }
  char *stored = format_hash(&h);
  hash_clear(&h);
  return stored;
}

gboolean vgw_secret_verify(const char *stored, const char *password) {
  Hash h;
  const char *why = NULL;
  gsize len = strlen(stored);
  if (!vgw_secret_is_stored_form(stored, len) ||
      !parse_hash(stored, len, &h, &why)) {
    return FALSE;
  }
  guchar derived[HASH_LEN];
  pbkdf2(password, strlen(password), &h, derived);
  gboolean same = CRYPTO_memcmp(derived, h.hash, HASH_LEN) == 0;
  OPENSSL_cleanse(derived, sizeof(derived));
  hash_clear(&h);
  return same;
}
