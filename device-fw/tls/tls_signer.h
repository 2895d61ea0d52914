/*
 * TLS private-key operations in the crypto engine: an
 * SSL_PRIVATE_KEY_METHOD whose sign() hashes the handshake's input with
 * BoringSSL, starts an engine SIGN of the digest and returns
 * ssl_private_key_retry; complete() returns retry until the engine is
 * done. The engine runs one command at a time, so the signer queues the
 * connections' requests and runs them in turn.
 *
 * The GLib loop learns of completion by polling the engine's STATUS from
 * a short timeout (VGW_TLS_SIGN_POLL_MS) while a signature is in flight:
 * the engine raises an interrupt, but the stock Debian kernel has no UIO
 * platform driver (CONFIG_UIO_PDRV_GENIRQ is not set), so no interrupt
 * reaches user space. When a signature is ready the connection's |done|
 * callback runs from the loop and resumes SSL_do_handshake. Nothing here
 * ever waits for the engine.
 */
#ifndef VGW_TLS_SIGNER_H
#define VGW_TLS_SIGNER_H

#include <glib.h>
#include <openssl/ssl.h>
#include <stdint.h>

#include "hal/crypto_engine.h"

G_BEGIN_DECLS

/* VGW_TLS_SIGN_POLL_MS is the interval of the engine status poll. */
#define VGW_TLS_SIGN_POLL_MS 1

typedef struct VgwTlsSigner VgwTlsSigner;

/* VgwTlsSignDone is called from the main loop once the signature a
 * connection waits for is ready (or failed): call SSL_do_handshake again. */
typedef void (*VgwTlsSignDone)(gpointer data);

/* vgw_tls_signer_new returns a signer over |engine| (not owned). */
VgwTlsSigner *vgw_tls_signer_new(VgwCryptoEngine *engine);

/* vgw_tls_signer_free releases |s|; every SSL attached must have been
 * detached. NULL allowed. */
void vgw_tls_signer_free(VgwTlsSigner *s);

/* vgw_tls_signer_engine returns the engine |s| signs with. */
VgwCryptoEngine *vgw_tls_signer_engine(const VgwTlsSigner *s);

/* vgw_tls_signer_signatures returns how many signatures the engine has
 * completed for TLS. */
guint64 vgw_tls_signer_signatures(const VgwTlsSigner *s);

/* vgw_tls_signer_pending returns how many signatures are queued or in
 * the engine. */
guint vgw_tls_signer_pending(const VgwTlsSigner *s);

/* vgw_tls_engine_key_method is the SSL_PRIVATE_KEY_METHOD to install on
 * an SSL_CTX whose certificate's key lives in the engine. Each SSL made
 * from it must be attached with vgw_tls_signer_attach. */
extern const SSL_PRIVATE_KEY_METHOD vgw_tls_engine_key_method;

/* vgw_tls_signer_attach makes |ssl| sign with the key in engine slot
 * |slot|, of |key_type| (VGW_KEY_TYPE_*), through |s|; |done|(|data|) is
 * called when a signature |ssl| waits for is ready. */
void vgw_tls_signer_attach(VgwTlsSigner *s, SSL *ssl, guint slot,
                           uint32_t key_type, VgwTlsSignDone done,
                           gpointer data);

/* vgw_tls_signer_key_changed tells |s| that the key in |slot| was
 * replaced: a connection attached before then is refused any further
 * signature (it presents the old key's certificate, so a signature by the
 * new key could only fail at the peer). Call it before serving the new
 * key. A signature already in the engine was finished with the old key
 * by the driver before the key could change. */
void vgw_tls_signer_key_changed(VgwTlsSigner *s, guint slot);

/* vgw_tls_signer_detach forgets |ssl| (call before SSL_free): a queued
 * request is dropped, one in the engine completes unused. No-op for an
 * SSL never attached. */
void vgw_tls_signer_detach(SSL *ssl);

/* vgw_tls_signer_last_sigalg returns the TLS SignatureScheme |ssl| last
 * signed with, 0 if none. */
uint16_t vgw_tls_signer_last_sigalg(SSL *ssl);

/* vgw_tls_sigalgs returns the TLS SignatureSchemes a key of |key_type|
 * signs in the engine, most preferred first (for
 * SSL_CTX_set_signing_algorithm_prefs), and their number in |*n|. */
const uint16_t *vgw_tls_sigalgs(uint32_t key_type, size_t *n);

/* vgw_tls_scheme_for_sigalg returns the VGW_SIG_* scheme that computes
 * TLS SignatureScheme |sigalg| with a key of |key_type|, or 0 if the
 * engine cannot. TLS 1.0/1.1's legacy schemes: ECDSA with SHA-1 yes; RSA's
 * MD5-SHA1 no (the engine signs only with a DigestInfo or PSS). */
uint32_t vgw_tls_scheme_for_sigalg(uint16_t sigalg, uint32_t key_type);

G_END_DECLS

#endif /* VGW_TLS_SIGNER_H */
