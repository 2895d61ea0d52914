/*
 * Seeding BoringSSL's RNG from the crypto engine's TRNG.
 *
 * BoringSSL draws its randomness from the kernel (getrandom(2)); its
 * RAND_seed is a no-op kept for OpenSSL compatibility, not a seeding API.
 * So the TRNG's bytes go where BoringSSL reads: the kernel's entropy pool,
 * added and credited with the RNDADDENTROPY ioctl on /dev/urandom (root
 * only). This also initialises the kernel's CRNG early on a board whose
 * kernel has no other hardware RNG driver for the engine, so getrandom(2)
 * does not block the first handshake.
 */
#ifndef VGW_TLS_ENTROPY_H
#define VGW_TLS_ENTROPY_H

#include <glib.h>

#include "hal/crypto_engine.h"

G_BEGIN_DECLS

/* VGW_TLS_ENTROPY_BYTES is what the firmware feeds at start: 512 bits,
 * twice the pool's 256-bit CRNG seed. */
#define VGW_TLS_ENTROPY_BYTES 64

/* vgw_tls_feed_kernel_entropy reads |len| bytes (at most 512) from the
 * engine's TRNG and adds them to the kernel's pool through
 * RNDADDENTROPY on |urandom_path| (normally "/dev/urandom"), credited as
 * full entropy. The bytes are wiped afterwards. */
gboolean vgw_tls_feed_kernel_entropy(VgwCryptoEngine *engine,
                                     const char *urandom_path, size_t len,
                                     GError **error);

G_END_DECLS

#endif /* VGW_TLS_ENTROPY_H */
