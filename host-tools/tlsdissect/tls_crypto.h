/*
 * Record decryption for the TLS versions a key log can unlock: TLS 1.3
 * (all three AEAD suites of RFC 8446 but CCM) and TLS 1.2 AEAD suites
 * (AES-GCM, ChaCha20-Poly1305).  Keys are derived with BoringSSL's HKDF
 * (TLS 1.3's HKDF-Expand-Label) or the TLS 1.2 PRF built on HMAC; records
 * are opened with EVP_AEAD.
 */
#ifndef TLSD_TLS_CRYPTO_H
#define TLSD_TLS_CRYPTO_H

#include <glib.h>
#include <openssl/aead.h>
#include <openssl/bytestring.h>

#include "keylog.h"

G_BEGIN_DECLS

#define TLSD_RECORD_HEADER_LEN 5
#define TLSD_MAX_NONCE_LEN 12

/* One direction's record protection in one epoch. */
typedef struct {
  EVP_AEAD_CTX ctx;
  gboolean ready;
  gboolean tls12;
  gboolean explicit_nonce;  /* TLS 1.2 AES-GCM: 8 nonce bytes lead each record */
  guint8 iv[TLSD_MAX_NONCE_LEN];
  gsize iv_len;             /* 12, or 4 for TLS 1.2 AES-GCM's implicit part */
  guint64 seq;
} TlsdRecordKey;

/* tlsd_suite_decryptable returns TRUE if records of cipher suite |suite|
 * can be decrypted here (given the secrets). */
gboolean tlsd_suite_decryptable(guint16 suite);

/* tlsd_record_key_init_tls13 derives the key and IV of a TLS 1.3 traffic
 * |secret| for |suite| (RFC 8446 section 7.3).  FALSE if the suite is not
 * supported or the secret's length does not match its hash. */
gboolean tlsd_record_key_init_tls13(TlsdRecordKey *key, guint16 suite,
                                    const TlsdSecret *secret);

/* tlsd_record_keys_init_tls12 derives both directions' keys from a TLS 1.2
 * master secret (RFC 5246 section 6.3, RFC 5288, RFC 7905).  FALSE if the
 * suite is not an AEAD suite supported here. */
gboolean tlsd_record_keys_init_tls12(TlsdRecordKey *client, TlsdRecordKey *server,
                                     guint16 suite, const TlsdSecret *master,
                                     const guint8 client_random[TLSD_RANDOM_LEN],
                                     const guint8 server_random[TLSD_RANDOM_LEN]);

/* tlsd_record_key_open decrypts one record whose 5-byte header is |header|
 * and whose body is |body|, with the key's next sequence number.  On
 * success it writes the plaintext to |out| (at least CBS_len(|body|)
 * bytes), its length to |*out_len| and the real content type to
 * |*out_type| (for TLS 1.3 the inner type, padding removed), and advances
 * the sequence number.  On failure nothing changes. */
gboolean tlsd_record_key_open(TlsdRecordKey *key, const guint8 header[TLSD_RECORD_HEADER_LEN],
                              CBS body, guint8 *out, gsize *out_len, guint8 *out_type);

/* tlsd_record_key_clear frees the key's AEAD state. */
void tlsd_record_key_clear(TlsdRecordKey *key);

G_END_DECLS

#endif /* TLSD_TLS_CRYPTO_H */
