#include "tls_crypto.h"

#include <string.h>

#include <openssl/digest.h>
#include <openssl/hkdf.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>

typedef struct {
  guint16 suite;
  const EVP_AEAD *(*aead)(void);
  const EVP_MD *(*md)(void);
  gboolean tls13;
  gsize tls12_fixed_iv_len;  /* TLS 1.2: 4 (GCM, explicit nonce) or 12 */
} Suite;

static const Suite suites[] = {
  { 0x1301, EVP_aead_aes_128_gcm, EVP_sha256, TRUE, 0 },
  { 0x1302, EVP_aead_aes_256_gcm, EVP_sha384, TRUE, 0 },
  { 0x1303, EVP_aead_chacha20_poly1305, EVP_sha256, TRUE, 0 },
  { 0x009c, EVP_aead_aes_128_gcm, EVP_sha256, FALSE, 4 },
  { 0x009d, EVP_aead_aes_256_gcm, EVP_sha384, FALSE, 4 },
  { 0x009e, EVP_aead_aes_128_gcm, EVP_sha256, FALSE, 4 },
  { 0x009f, EVP_aead_aes_256_gcm, EVP_sha384, FALSE, 4 },
  { 0xc02b, EVP_aead_aes_128_gcm, EVP_sha256, FALSE, 4 },
  { 0xc02c, EVP_aead_aes_256_gcm, EVP_sha384, FALSE, 4 },
  { 0xc02f, EVP_aead_aes_128_gcm, EVP_sha256, FALSE, 4 },
  { 0xc030, EVP_aead_aes_256_gcm, EVP_sha384, FALSE, 4 },
  { 0xcca8, EVP_aead_chacha20_poly1305, EVP_sha256, FALSE, 12 },
  { 0xcca9, EVP_aead_chacha20_poly1305, EVP_sha256, FALSE, 12 },
  { 0xccaa, EVP_aead_chacha20_poly1305, EVP_sha256, FALSE, 12 },
};

static const Suite *
find_suite(guint16 suite)
{
  for (gsize i = 0; i < G_N_ELEMENTS(suites); i++) {
    if (suites[i].suite == suite)
      return &suites[i];
  }
  return NULL;
}

gboolean
tlsd_suite_decryptable(guint16 suite)
{
  return find_suite(suite) != NULL;
}

/* HKDF-Expand-Label(secret, label, "", out_len) of RFC 8446 section 7.1. */
static gboolean
expand_label(const EVP_MD *md, const TlsdSecret *secret, const char *label,
             guint8 *out, gsize out_len)
{
  static const char prefix[] = "tls13 ";
  CBB cbb, child;
  guint8 *info = NULL;
  size_t info_len;
  gboolean ok;

  if (!CBB_init(&cbb, 32) ||
      !CBB_add_u16(&cbb, (uint16_t) out_len) ||
      !CBB_add_u8_length_prefixed(&cbb, &child) ||
      !CBB_add_bytes(&child, (const uint8_t *) prefix, strlen(prefix)) ||
      !CBB_add_bytes(&child, (const uint8_t *) label, strlen(label)) ||
      !CBB_add_u8(&cbb, 0) ||
      !CBB_finish(&cbb, &info, &info_len)) {
    CBB_cleanup(&cbb);
    return FALSE;
  }
  ok = HKDF_expand(out, out_len, md, secret->data, secret->len, info, info_len) == 1;
  OPENSSL_free(info);
  return ok;
}

gboolean
tlsd_record_key_init_tls13(TlsdRecordKey *key, guint16 suite, const TlsdSecret *secret)
{
  const Suite *s = find_suite(suite);
  guint8 k[EVP_AEAD_MAX_KEY_LENGTH];
  gsize key_len;

  memset(key, 0, sizeof *key);
  if (s == NULL || !s->tls13 || secret->len != EVP_MD_size(s->md()))
    return FALSE;
  key_len = EVP_AEAD_key_length(s->aead());
  key->iv_len = EVP_AEAD_nonce_length(s->aead());
  if (key->iv_len > sizeof key->iv ||
      !expand_label(s->md(), secret, "key", k, key_len) ||
      !expand_label(s->md(), secret, "iv", key->iv, key->iv_len) ||
      !EVP_AEAD_CTX_init(&key->ctx, s->aead(), k, key_len,
                         EVP_AEAD_DEFAULT_TAG_LENGTH, NULL))
    return FALSE;
  key->ready = TRUE;
  return TRUE;
}

/* The TLS 1.2 PRF, P_<hash>(secret, label || seed) (RFC 5246 section 5). */
static gboolean
tls12_prf(const EVP_MD *md, const TlsdSecret *secret, const char *label,
          const guint8 *seed1, gsize seed1_len, const guint8 *seed2, gsize seed2_len,
          guint8 *out, gsize out_len)
{
  guint8 a[EVP_MAX_MD_SIZE], block[EVP_MAX_MD_SIZE];
  unsigned a_len, block_len;
  HMAC_CTX ctx;
  gboolean ok = TRUE;
  gsize done = 0;

  HMAC_CTX_init(&ctx);
  /* A(1) = HMAC(secret, label || seed) */
  if (!HMAC_Init_ex(&ctx, secret->data, secret->len, md, NULL) ||
      !HMAC_Update(&ctx, (const uint8_t *) label, strlen(label)) ||
      !HMAC_Update(&ctx, seed1, seed1_len) || !HMAC_Update(&ctx, seed2, seed2_len) ||
      !HMAC_Final(&ctx, a, &a_len))
    ok = FALSE;
  while (ok && done < out_len) {
    gsize n;
    if (!HMAC_Init_ex(&ctx, NULL, 0, NULL, NULL) || !HMAC_Update(&ctx, a, a_len) ||
        !HMAC_Update(&ctx, (const uint8_t *) label, strlen(label)) ||
        !HMAC_Update(&ctx, seed1, seed1_len) || !HMAC_Update(&ctx, seed2, seed2_len) ||
        !HMAC_Final(&ctx, block, &block_len) ||
        !HMAC_Init_ex(&ctx, NULL, 0, NULL, NULL) || !HMAC_Update(&ctx, a, a_len) ||
        !HMAC_Final(&ctx, a, &a_len)) {
      ok = FALSE;
      break;
    }
    n = MIN(block_len, out_len - done);
    memcpy(out + done, block, n);
    done += n;
  }
  HMAC_CTX_cleanup(&ctx);
  return ok;
}

gboolean
tlsd_record_keys_init_tls12(TlsdRecordKey *client, TlsdRecordKey *server, guint16 suite,
                            const TlsdSecret *master,
                            const guint8 client_random[TLSD_RANDOM_LEN],
                            const guint8 server_random[TLSD_RANDOM_LEN])
{
  const Suite *s = find_suite(suite);
  guint8 block[2 * EVP_AEAD_MAX_KEY_LENGTH + 2 * TLSD_MAX_NONCE_LEN];
  gsize key_len;

  memset(client, 0, sizeof *client);
  memset(server, 0, sizeof *server);
  if (s == NULL || s->tls13 || master->len != 48)
    return FALSE;
  key_len = EVP_AEAD_key_length(s->aead());
  if (!tls12_prf(s->md(), master, "key expansion", server_random, TLSD_RANDOM_LEN,
                 client_random, TLSD_RANDOM_LEN, block,
                 2 * key_len + 2 * s->tls12_fixed_iv_len))
    return FALSE;
  /* client_write_key, server_write_key, client_write_IV, server_write_IV */
  if (!EVP_AEAD_CTX_init(&client->ctx, s->aead(), block, key_len,
                         EVP_AEAD_DEFAULT_TAG_LENGTH, NULL))
    return FALSE;
  if (!EVP_AEAD_CTX_init(&server->ctx, s->aead(), block + key_len, key_len,
                         EVP_AEAD_DEFAULT_TAG_LENGTH, NULL)) {
    EVP_AEAD_CTX_cleanup(&client->ctx);
    return FALSE;
  }
  for (int i = 0; i < 2; i++) {
    TlsdRecordKey *k = i == 0 ? client : server;
    k->tls12 = TRUE;
    k->explicit_nonce = s->tls12_fixed_iv_len == 4;
    k->iv_len = s->tls12_fixed_iv_len;
    memcpy(k->iv, block + 2 * key_len + i * s->tls12_fixed_iv_len, k->iv_len);
    k->ready = TRUE;
  }
  return TRUE;
}

/* Writes iv XOR the big-endian sequence number, right-aligned (RFC 8446
 * section 5.3; RFC 7905 for TLS 1.2 ChaCha20). */
static void
xor_nonce(const TlsdRecordKey *key, guint8 nonce[TLSD_MAX_NONCE_LEN])
{
  memcpy(nonce, key->iv, key->iv_len);
  for (int i = 0; i < 8; i++)
    nonce[key->iv_len - 1 - i] ^= (guint8) (key->seq >> (8 * i));
}

gboolean
tlsd_record_key_open(TlsdRecordKey *key, const guint8 header[TLSD_RECORD_HEADER_LEN],
                     CBS body, guint8 *out, gsize *out_len, guint8 *out_type)
{
  guint8 nonce[TLSD_MAX_NONCE_LEN];
  gsize nonce_len = 12;
  size_t plain_len;
  const EVP_AEAD *aead;
  gsize overhead;

  if (!key->ready)
    return FALSE;
  aead = EVP_AEAD_CTX_aead(&key->ctx);
  overhead = EVP_AEAD_max_overhead(aead);
  if (!key->tls12) {
    xor_nonce(key, nonce);
    if (!EVP_AEAD_CTX_open(&key->ctx, out, &plain_len, CBS_len(&body), nonce, nonce_len,
                           CBS_data(&body), CBS_len(&body), header, TLSD_RECORD_HEADER_LEN))
      return FALSE;
    /* TLSInnerPlaintext: content, type, zero padding. */
    while (plain_len > 0 && out[plain_len - 1] == 0)
      plain_len--;
    if (plain_len == 0)
      return FALSE;
    *out_type = out[plain_len - 1];
    *out_len = plain_len - 1;
  } else {
    guint8 aad[13];
    CBS explicit_part;
    gsize cipher_len;

    if (key->explicit_nonce) {
      memcpy(nonce, key->iv, 4);
      if (!CBS_get_bytes(&body, &explicit_part, 8))
        return FALSE;
      memcpy(nonce + 4, CBS_data(&explicit_part), 8);
    } else {
      xor_nonce(key, nonce);
    }
    cipher_len = CBS_len(&body);
    if (cipher_len < overhead)
      return FALSE;
    /* seq_num || type || version || length of the plaintext */
    for (int i = 0; i < 8; i++)
      aad[i] = (guint8) (key->seq >> (56 - 8 * i));
    aad[8] = header[0];
    aad[9] = header[1];
    aad[10] = header[2];
    aad[11] = (guint8) ((cipher_len - overhead) >> 8);
    aad[12] = (guint8) (cipher_len - overhead);
    if (!EVP_AEAD_CTX_open(&key->ctx, out, &plain_len, cipher_len, nonce, nonce_len,
                           CBS_data(&body), cipher_len, aad, sizeof aad))
      return FALSE;
    *out_type = header[0];
    *out_len = plain_len;
  }
  key->seq++;
  return TRUE;
}

void
tlsd_record_key_clear(TlsdRecordKey *key)
{
  if (key->ready)
    EVP_AEAD_CTX_cleanup(&key->ctx);
  memset(key, 0, sizeof *key);
}
