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

static const char *prefix_of(VgwSecretKind kind) {
  switch (kind) {
    case VGW_SECRET_LOGIN:
      return VGW_SECRET_PREFIX;
    case VGW_SECRET_DIGEST_HA1:
      return VGW_SECRET_DIGEST_PREFIX;
    case VGW_SECRET_NONE:
      break;
  }
  return NULL;
}

/* malformed says what is wrong with a stored form of |kind|. */
static char *malformed(VgwSecretKind kind, const char *why) {
  return g_strdup_printf("malformed %s... %s: %s", prefix_of(kind),
                         kind == VGW_SECRET_LOGIN ? "hash" : "value", why);
}

gboolean vgw_secret_is_stored_form(VgwSecretKind kind, const char *text,
                                   gsize len) {
  const char *prefix = prefix_of(kind);
  gsize n = prefix != NULL ? strlen(prefix) : 0;
  return prefix != NULL && len >= n && memcmp(text, prefix, n) == 0;
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

char *vgw_secret_login_hash(const char *text, gsize len) {
  Hash h;
  h.iterations = VGW_SECRET_ITERATIONS;
  h.salt_len = SALT_LEN;
  h.salt = g_malloc(SALT_LEN);
  h.hash_len = HASH_LEN;
  h.hash = g_malloc(HASH_LEN);
  RAND_bytes(h.salt, SALT_LEN);
  pbkdf2(text, len, &h, h.hash);
  char *stored = format_hash(&h);
  hash_clear(&h);
  return stored;
}

/* login_canonical checks a VGW_SECRET_LOGIN stored form. */
static char *login_canonical(const char *text, gsize len, const char **why) {
  Hash h;
  if (!parse_hash(text, len, &h, why)) return NULL;
  char *stored = format_hash(&h);
  hash_clear(&h);
  return stored;
}

gboolean vgw_secret_verify(const char *stored, const char *password) {
  Hash h;
  const char *why = NULL;
  gsize len = strlen(stored);
  if (!vgw_secret_is_stored_form(VGW_SECRET_LOGIN, stored, len) ||
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

/* ---- Digest HA1 ---- */

static const EVP_MD *(*const digest_md[VGW_DIGEST_ALGORITHM_COUNT])(void) = {
    [VGW_DIGEST_MD5] = EVP_md5,
    [VGW_DIGEST_SHA256] = EVP_sha256,
};

/* Hex digits of each algorithm's hash. */
static const gsize digest_hex_len[VGW_DIGEST_ALGORITHM_COUNT] = {
    [VGW_DIGEST_MD5] = 32,
    [VGW_DIGEST_SHA256] = 64,
};

char *vgw_digest_hash_hex(VgwDigestAlgorithm alg, const char *const *parts,
                          gsize n) {
  static const char digits[] = "0123456789abcdef";
  EVP_MD_CTX ctx;
  guint8 md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;

  g_return_val_if_fail(alg < VGW_DIGEST_ALGORITHM_COUNT, NULL);
  EVP_MD_CTX_init(&ctx);
  if (!EVP_DigestInit_ex(&ctx, digest_md[alg](), NULL)) {
    g_error("digest %u unavailable", alg);
  }
  for (gsize i = 0; i < n; i++) {
    if (i > 0) EVP_DigestUpdate(&ctx, ":", 1);
    EVP_DigestUpdate(&ctx, parts[i], strlen(parts[i]));
  }
  EVP_DigestFinal_ex(&ctx, md, &md_len);
  EVP_MD_CTX_cleanup(&ctx);

  char *hex = g_malloc(2 * md_len + 1);
  for (unsigned int i = 0; i < md_len; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 0xf];
  }
  hex[2 * md_len] = '\0';
  OPENSSL_cleanse(md, sizeof(md));
  return hex;
}

/* Realm and user name are percent-escaped in the stored form, so that
 * '$' cannot end a field early and the form holds no quote character
 * (an ini value cannot hold both). */
static gboolean escape_keeps(guchar c) {
  return g_ascii_isalnum(c) || strchr("-._~+@:", c) != NULL;
}

static void escape_append(GString *out, const char *text) {
  for (const char *p = text; *p != '\0'; p++) {
    guchar c = (guchar)*p;
    if (escape_keeps(c))
      g_string_append_c(out, (char)c);
    else
      g_string_append_printf(out, "%%%02X", c);
  }
}

/* unescape decodes a field of |len| bytes at |text|, or says why not. */
static char *unescape(const char *text, gsize len, const char **why) {
  GString *out = g_string_sized_new(len);
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar)text[i];
    if (c == '%') {
      int hi = i + 2 < len ? g_ascii_xdigit_value(text[i + 1]) : -1;
      int lo = hi >= 0 ? g_ascii_xdigit_value(text[i + 2]) : -1;
      if (lo < 0) {
        *why = "'%' not followed by two hex digits";
        g_string_free(out, TRUE);
        return NULL;
      }
      c = (guchar)(hi * 16 + lo);
      i += 2;
    }
    if (c < 0x20 || c == 0x7f) {
      *why = "a control character";
      g_string_free(out, TRUE);
      return NULL;
    }
    g_string_append_c(out, (char)c);
  }
  return g_string_free(out, FALSE);
}

/* digest_format writes |h| as its stored form. */
static char *digest_format(const VgwDigestHa1 *h) {
  GString *out = g_string_new(VGW_SECRET_DIGEST_PREFIX);
  escape_append(out, h->realm);
  g_string_append_c(out, '$');
  escape_append(out, h->user);
  for (guint alg = 0; alg < VGW_DIGEST_ALGORITHM_COUNT; alg++)
    g_string_append_printf(out, "$%s", h->ha1[alg]);
  return g_string_free(out, FALSE);
}

char *vgw_secret_digest_store(const char *realm, const char *user,
                              const char *password, gsize len) {
  char *clear = g_strndup(password, len);
  const char *a1[] = {user, realm, clear};
  VgwDigestHa1 h = {g_strdup(realm), g_strdup(user), {{0}}};

  for (guint alg = 0; alg < VGW_DIGEST_ALGORITHM_COUNT; alg++) {
    char *ha1 = vgw_digest_hash_hex(alg, a1, G_N_ELEMENTS(a1));
    g_strlcpy(h.ha1[alg], ha1, sizeof(h.ha1[alg]));
    OPENSSL_cleanse(ha1, strlen(ha1));
    g_free(ha1);
  }
  OPENSSL_cleanse(clear, len);
  g_free(clear);
  char *stored = digest_format(&h);
  vgw_digest_ha1_clear(&h);
  return stored;
}

void vgw_digest_ha1_clear(VgwDigestHa1 *h) {
  g_free(h->realm);
  g_free(h->user);
  OPENSSL_cleanse(h->ha1, sizeof(h->ha1));
  memset(h, 0, sizeof(*h));
}

/* digest_parse reads a stored form of |len| bytes, or says why not. */
static gboolean digest_parse(const char *text, gsize len, VgwDigestHa1 *h,
                             const char **why) {
  const char *end = text + len;
  const char *p = text + strlen(VGW_SECRET_DIGEST_PREFIX);
  gsize n_realm, n_user;
  memset(h, 0, sizeof(*h));
  const char *realm = field(&p, end, &n_realm);
  const char *user = field(&p, end, &n_user);
  h->realm = unescape(realm, n_realm, why);
  h->user = h->realm != NULL ? unescape(user, n_user, why) : NULL;
  if (h->user == NULL) {
    vgw_digest_ha1_clear(h);
    return FALSE;
  }
  for (guint alg = 0; alg < VGW_DIGEST_ALGORITHM_COUNT; alg++) {
    gboolean present = p < end;
    gsize n;
    const char *hex = field(&p, end, &n);
    gboolean ok = present && n == digest_hex_len[alg];
    for (gsize i = 0; ok && i < n; i++) ok = g_ascii_isxdigit(hex[i]);
    if (!ok) {
      *why = alg == VGW_DIGEST_MD5 ? "MD5 HA1 is not 32 hex digits"
                                   : "SHA-256 HA1 is not 64 hex digits";
      vgw_digest_ha1_clear(h);
      return FALSE;
    }
    for (gsize i = 0; i < n; i++) h->ha1[alg][i] = g_ascii_tolower(hex[i]);
  }
  if (p != end || end[-1] == '$') {
    *why = "text after the SHA-256 HA1";
    vgw_digest_ha1_clear(h);
    return FALSE;
  }
  return TRUE;
}

gboolean vgw_secret_digest_parse(const char *stored, VgwDigestHa1 *out,
                                 char **reason) {
  const char *why = "does not start with " VGW_SECRET_DIGEST_PREFIX;
  gsize len = strlen(stored);
  if (vgw_secret_is_stored_form(VGW_SECRET_DIGEST_HA1, stored, len) &&
      digest_parse(stored, len, out, &why))
    return TRUE;
  memset(out, 0, sizeof(*out));
  *reason = malformed(VGW_SECRET_DIGEST_HA1, why);
  return FALSE;
}

/* digest_canonical checks a VGW_SECRET_DIGEST_HA1 stored form. */
static char *digest_canonical(const char *text, gsize len, const char **why) {
  VgwDigestHa1 h;
  if (!digest_parse(text, len, &h, why)) return NULL;
  char *stored = digest_format(&h);
  vgw_digest_ha1_clear(&h);
  return stored;
}

char *vgw_secret_canonical(VgwSecretKind kind, const char *text, gsize len,
                           char **reason) {
  const char *why = "not a stored form";
  char *stored = NULL;
  if (vgw_secret_is_stored_form(kind, text, len)) {
    stored = kind == VGW_SECRET_LOGIN ? login_canonical(text, len, &why)
                                      : digest_canonical(text, len, &why);
  }
  if (stored == NULL) *reason = malformed(kind, why);
  return stored;
}
