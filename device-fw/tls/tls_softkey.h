/*
 * DEBUG / BENCHMARK ONLY: a private key held by BoringSSL in vgwd's
 * memory, for measuring TLS handshakes per second with a software key
 * next to the crypto engine's key in one run. A gateway's real identity
 * never uses it: the key is made on request (`debug tls-key software`),
 * lives only in RAM, is never stored and never leaves vgwd.
 *
 * The key has the engine key's type, and its self-signed certificate the
 * same subject, so the two handshakes differ only in where the signature
 * is made. Generating an RSA key in software on the emulated CPU can take
 * seconds, longer than the main loop may stall (10 s watchdog), so it is
 * made in a worker thread and handed back through the main loop.
 */
#ifndef VGW_TLS_SOFTKEY_H
#define VGW_TLS_SOFTKEY_H

#include <glib.h>
#include <openssl/base.h>
#include <stdint.h>

G_BEGIN_DECLS

/* VgwTlsSoftkeyDone receives the key and certificate (owned by the
 * callee) or an error, in the default main context. */
typedef void (*VgwTlsSoftkeyDone)(EVP_PKEY *key, X509 *cert, GError *error,
                                  gpointer data);

/* vgw_tls_softkey_make_async generates a |key_type| (VGW_KEY_TYPE_*) key
 * in a worker thread, issues a self-signed CN=|common_name| certificate
 * for it valid from |now|, and calls |done| from the main loop. */
void vgw_tls_softkey_make_async(uint32_t key_type, const char *common_name,
                                int64_t now, VgwTlsSoftkeyDone done,
                                gpointer data);

/* vgw_tls_softkey_make does the same synchronously (tests). */
gboolean vgw_tls_softkey_make(uint32_t key_type, const char *common_name,
                              int64_t now, EVP_PKEY **key, X509 **cert,
                              GError **error);

/* vgw_tls_softkey_generate returns a new software key pair of |key_type|
 * (VGW_KEY_TYPE_*: P-256, or RSA 2048/3072 with e = 65537), or NULL.
 * The host's test PKI (vgw pki) makes its keys with it too. */
EVP_PKEY *vgw_tls_softkey_generate(uint32_t key_type);

/* vgw_tls_softkey_sign is a VgwTlsSignFunc (tls_cert.h) over the
 * EVP_PKEY in |data|, for the schemes certificates use (ECDSA, RSA
 * PKCS#1 v1.5 with SHA-256). */
GBytes *vgw_tls_softkey_sign(uint32_t scheme, const uint8_t *digest,
                             size_t len, gpointer data, GError **error);

G_END_DECLS

#endif /* VGW_TLS_SOFTKEY_H */
