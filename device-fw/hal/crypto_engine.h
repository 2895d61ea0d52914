/*
 * Crypto engine driver (machine/regs/vgw_crypto.h).
 *
 * The engine keeps private keys in slots that software fills (generate,
 * import) and uses (sign a digest) but never reads back. This driver runs
 * its commands over a register-access abstraction, VgwCryptoBus, so the same
 * code drives:
 *  - the engine of a running gateway, mapped through /dev/mem
 *    (vgw_crypto_engine_open_devmem);
 *  - the engine of a QEMU started under qtest on the host
 *    (hal/crypto_qtest.h), which is how the host tool provisions a stopped
 *    gateway's keystore and how the unit tests run the real engine logic;
 *  - a recording fake in the command-encoding unit test.
 *
 * Every register and buffer access is one aligned 32-bit access (the
 * buffers hold bytes in little-endian order within each word), never a
 * memcpy on device memory.
 *
 * The engine runs one command at a time. The synchronous helpers (setup,
 * tools, maintenance verbs) issue a command and poll until it completes,
 * bounded by a timeout. Signing also has an asynchronous form for the TLS
 * handshake: start it, poll without blocking, fetch the result. A
 * synchronous call made while an asynchronous signature is in flight
 * first waits for that signature and keeps its result for
 * vgw_crypto_sign_finish, so the two never disturb each other.
 *
 * Not thread-safe: one user (the main loop) per engine.
 */
#ifndef VGW_HAL_CRYPTO_ENGINE_H
#define VGW_HAL_CRYPTO_ENGINE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* VGW_CRYPTO_COMPATIBLE is the engine's device-tree compatible. */
#define VGW_CRYPTO_COMPATIBLE "vgw,crypto"

/* VGW_CRYPTO_DRIVER_ERROR is the GError domain of the driver. Codes below
 * 100 are the engine's own VGW_CRYPTO_ERR_* values; the others are the
 * driver's (VgwCryptoDriverError). */
#define VGW_CRYPTO_DRIVER_ERROR (vgw_crypto_driver_error_quark())
GQuark vgw_crypto_driver_error_quark(void);

typedef enum {
  VGW_CRYPTO_ERROR_NO_DEVICE = 100, /* no engine, or ID/version mismatch */
  VGW_CRYPTO_ERROR_TIMEOUT,         /* a command did not complete in time */
  VGW_CRYPTO_ERROR_IN_PROGRESS,     /* an asynchronous sign is in flight */
  VGW_CRYPTO_ERROR_NOT_STARTED,     /* finish without a started sign */
  VGW_CRYPTO_ERROR_TRANSPORT,       /* the bus failed (e.g. QEMU exited) */
  VGW_CRYPTO_ERROR_DROPPED,         /* the engine dropped the command */
  VGW_CRYPTO_ERROR_INVALID,         /* bad argument, refused before the
                                     * engine saw it */
  VGW_CRYPTO_ERROR_QEMU_MISSING,    /* qtest: no QEMU binary at the path */
  VGW_CRYPTO_ERROR_QEMU_FAILED,     /* qtest: QEMU refused to start (its
                                     * stderr says why) or died */
} VgwCryptoDriverError;

/* VgwCryptoBusOps is how the driver reaches the registers. |offset| is a
 * byte offset from vgw_crypto.h, always a multiple of 4. */
typedef struct {
  /* read32 returns the 32-bit register (or buffer word) at |offset|. */
  uint32_t (*read32)(void *ctx, uint32_t offset);
  /* write32 stores |value| at |offset|. */
  void (*write32)(void *ctx, uint32_t offset, uint32_t value);
  /* advance, if not NULL, lets time pass for a busy engine: the qtest
   * transport advances QEMU's virtual clock, which nothing else does
   * there. Called between polls of STATUS. */
  void (*advance)(void *ctx);
  /* check, if not NULL, returns FALSE and sets |error| if the transport
   * has failed since it was opened (reads then return garbage). */
  gboolean (*check)(void *ctx, GError **error);
  /* close, if not NULL, releases |ctx| when the engine is freed. */
  void (*close)(void *ctx);
} VgwCryptoBusOps;

typedef struct VgwCryptoEngine VgwCryptoEngine;

/* VgwCryptoSlotInfo is what INFO reports about a slot. */
typedef struct {
  uint32_t key_type; /* VGW_KEY_TYPE_*; VGW_KEY_TYPE_NONE = empty */
  gboolean locked;
  gboolean imported; /* imported rather than generated in the engine */
} VgwCryptoSlotInfo;

/* VGW_CRYPTO_DEFAULT_TIMEOUT_MS bounds a synchronous command. It stays
 * under the gateway's 10 s watchdog, which the main loop kicks. */
#define VGW_CRYPTO_DEFAULT_TIMEOUT_MS 8000

/* vgw_crypto_engine_new probes the engine behind |ops|/|ctx| (ID register,
 * major version) and returns a driver for it, or NULL with |error| set
 * (VGW_CRYPTO_ERROR_NO_DEVICE). In either case |ops->close| (if any) is
 * called on |ctx| when it is no longer needed: at vgw_crypto_engine_free,
 * or before returning NULL. */
VgwCryptoEngine *vgw_crypto_engine_new(const VgwCryptoBusOps *ops, void *ctx,
                                       GError **error);

/* vgw_crypto_engine_open_devmem finds the device-tree node compatible with
 * VGW_CRYPTO_COMPATIBLE, maps its "reg" through /dev/mem and probes it. */
VgwCryptoEngine *vgw_crypto_engine_open_devmem(GError **error);

/* vgw_crypto_engine_free releases |e| and its transport; NULL allowed. An
 * asynchronous sign still in flight is abandoned (the engine finishes it
 * on its own). */
void vgw_crypto_engine_free(VgwCryptoEngine *e);

/* vgw_crypto_engine_set_timeout sets the bound of each synchronous
 * command, in milliseconds of wall-clock time. */
void vgw_crypto_engine_set_timeout(VgwCryptoEngine *e, guint timeout_ms);

/* vgw_crypto_num_slots returns the engine's NUM_SLOTS. */
guint vgw_crypto_num_slots(const VgwCryptoEngine *e);

/* vgw_crypto_version returns the engine's VERSION (major << 16 | minor). */
uint32_t vgw_crypto_version(const VgwCryptoEngine *e);

/* vgw_crypto_generate makes a new key pair of |key_type| (VGW_KEY_TYPE_*)
 * inside the engine in |slot|, replacing an unlocked key. */
gboolean vgw_crypto_generate(VgwCryptoEngine *e, guint slot, uint32_t key_type,
                             GError **error);

/* vgw_crypto_import loads the private key |key|/|len| into |slot| as
 * |key_type|: for VGW_KEY_TYPE_EC_P256 the 32-byte big-endian scalar, for
 * the RSA types a DER PKCS#1 RSAPrivateKey of the type's size. The key is
 * written to the engine's write-only input buffer, which the engine
 * clears when the command completes; the driver keeps no copy. */
gboolean vgw_crypto_import(VgwCryptoEngine *e, guint slot, uint32_t key_type,
                           const uint8_t *key, size_t len, GError **error);

/* vgw_crypto_export_pub returns the public key of |slot| as a DER
 * SubjectPublicKeyInfo, or NULL with |error| set. */
GBytes *vgw_crypto_export_pub(VgwCryptoEngine *e, guint slot, GError **error);

/* vgw_crypto_info fills |out| with what |slot| holds. An empty slot is not
 * an error (out->key_type = VGW_KEY_TYPE_NONE). */
gboolean vgw_crypto_info(VgwCryptoEngine *e, guint slot, VgwCryptoSlotInfo *out,
                         GError **error);

/* vgw_crypto_delete empties |slot|; refused when it is locked. */
gboolean vgw_crypto_delete(VgwCryptoEngine *e, guint slot, GError **error);

/* vgw_crypto_lock locks the key in |slot| until a zeroize; refused on an
 * empty slot. */
gboolean vgw_crypto_lock(VgwCryptoEngine *e, guint slot, GError **error);

/* vgw_crypto_zeroize empties every slot, locked or not (the keystore's
 * factory reset). */
gboolean vgw_crypto_zeroize(VgwCryptoEngine *e, GError **error);

/* vgw_crypto_trng fills |out| with |len| bytes from the engine's TRNG. */
gboolean vgw_crypto_trng(VgwCryptoEngine *e, uint8_t *out, size_t len,
                         GError **error);

/* vgw_crypto_sign signs |digest|/|len| with the key in |slot| under
 * |scheme| (VGW_SIG_*) and waits for the result: a DER ECDSA-Sig-Value, or
 * the modulus-sized RSA signature. */
GBytes *vgw_crypto_sign(VgwCryptoEngine *e, guint slot, uint32_t scheme,
                        const uint8_t *digest, size_t len, GError **error);

/* vgw_crypto_sign_start issues a SIGN as vgw_crypto_sign does and returns
 * at once. Fails with VGW_CRYPTO_ERROR_IN_PROGRESS while an earlier
 * asynchronous sign has not been finished. */
gboolean vgw_crypto_sign_start(VgwCryptoEngine *e, guint slot, uint32_t scheme,
                               const uint8_t *digest, size_t len,
                               GError **error);

/* vgw_crypto_sign_done returns TRUE once the started sign has completed
 * (or the transport failed), FALSE while the engine still works. It never
 * blocks; on the qtest transport it advances the virtual clock once. */
gboolean vgw_crypto_sign_done(VgwCryptoEngine *e);

/* vgw_crypto_sign_in_flight returns TRUE between a successful
 * vgw_crypto_sign_start and the matching vgw_crypto_sign_finish. */
gboolean vgw_crypto_sign_in_flight(const VgwCryptoEngine *e);

/* vgw_crypto_sign_finish returns the signature of the started sign, or
 * NULL with |error| set if the engine refused it. It waits (bounded by
 * the timeout) if the sign has not completed yet, so call it once
 * vgw_crypto_sign_done says so. Afterwards another sign may start. */
GBytes *vgw_crypto_sign_finish(VgwCryptoEngine *e, GError **error);

/* vgw_crypto_key_type_name returns the engine's name of |key_type|:
 * "ec-p256", "rsa-2048", "rsa-3072", "none" for VGW_KEY_TYPE_NONE, or
 * "unknown" (the table is vgw_key_type_name in vgw_crypto.h, shared with
 * the device model). */
const char *vgw_crypto_key_type_name(uint32_t key_type);

/* vgw_crypto_key_type_parse sets |*key_type| from a name as
 * vgw_crypto_key_type_name writes it (not "none") and returns TRUE, or
 * returns FALSE for anything else. */
gboolean vgw_crypto_key_type_parse(const char *name, uint32_t *key_type);

/* vgw_crypto_error_text returns the meaning of a VGW_CRYPTO_ERR_* code
 * ("the slot is locked"), without a slot number. */
const char *vgw_crypto_error_text(uint32_t code);

G_END_DECLS

#endif /* VGW_HAL_CRYPTO_ENGINE_H */
