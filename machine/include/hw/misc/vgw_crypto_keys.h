/*
 * vgw crypto engine: the key operations behind the commands (generate,
 * import, export the public key, sign).  No MMIO, no QOM: the device model
 * (vgw_crypto.c) validates registers and calls these.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_VGW_CRYPTO_KEYS_H
#define HW_MISC_VGW_CRYPTO_KEYS_H

#include "vgw-regs/vgw_crypto.h"

/*
 * Most bytes of private material a slot holds: an imported key is at most
 * one IN_BUF (a generated RSA-3072 RSAPrivateKey is about 1.77 KB).
 */
#define VGW_KEY_PRIV_MAX        VGW_CRYPTO_BUF_SIZE
#define VGW_KEY_EC_SCALAR_LEN   32

/*
 * One key slot.  The private material never leaves this structure except
 * into the keystore file, encrypted (vgw_keystore.c).
 */
typedef struct VgwKey {
    uint32_t type;      /* VGW_KEY_TYPE_*; NONE: the slot is empty */
    bool locked;
    bool imported;      /* came in through IMPORT, not GENERATE */
    /* EC: 32-byte big-endian scalar; RSA: PKCS#1 RSAPrivateKey, DER */
    uint8_t *priv;
    size_t priv_len;
} VgwKey;

/* True for VGW_KEY_TYPE_EC_P256, _RSA_2048 and _RSA_3072. */
bool vgw_key_type_valid(uint32_t type);

/* Overwrites and frees the private material; @key becomes an empty slot. */
void vgw_key_clear(VgwKey *key);

/* Makes @dst (empty) an independent copy of @src. */
void vgw_key_copy(VgwKey *dst, const VgwKey *src);

/* Clears @dst, then moves @src into it; @src becomes empty. */
void vgw_key_move(VgwKey *dst, VgwKey *src);

/*
 * Makes a new key pair of @type (which must be valid) in @key (which must
 * be empty) from the guest-visible RNG, qemu_guest_getrandom(), so -seed
 * reproduces it.  Returns VGW_CRYPTO_ERR_OK or _INTERNAL (with @errp set).
 */
uint32_t vgw_key_generate(VgwKey *key, uint32_t type, Error **errp);

/*
 * Parses @in[0..@len) as the IMPORT format of @type (valid) and fills the
 * empty @key with it.  Returns VGW_CRYPTO_ERR_OK, _BAD_LENGTH (an EC
 * scalar that is not 32 bytes) or _BAD_KEY (malformed, inconsistent, or
 * of another size than @type), with @errp saying why.
 */
uint32_t vgw_key_import(VgwKey *key, uint32_t type, const uint8_t *in,
                        size_t len, Error **errp);

/*
 * Checks that a key read back from the keystore is well formed for its
 * type (the checks IMPORT makes).
 */
bool vgw_key_check(const VgwKey *key, Error **errp);

/*
 * Appends the public key of the non-empty @key to @out as a DER
 * SubjectPublicKeyInfo.  Returns VGW_CRYPTO_ERR_OK or _INTERNAL.
 */
uint32_t vgw_key_export_public(const VgwKey *key, GByteArray *out,
                               Error **errp);

/*
 * Signs @digest[0..@len) with the non-empty @key under @scheme
 * (VGW_SIG_*) and appends the signature to @out, in the form the register
 * header defines.  Returns VGW_CRYPTO_ERR_OK, _BAD_SCHEME, _WRONG_TYPE,
 * _BAD_LENGTH or _INTERNAL, with @errp set on failure.
 */
uint32_t vgw_key_sign(const VgwKey *key, uint32_t scheme,
                      const uint8_t *digest, size_t len, GByteArray *out,
                      Error **errp);

/*
 * The SHA-256 of the key's SubjectPublicKeyInfo, in lowercase hex
 * (what `vgw keystore list` shows); NULL if it cannot be computed.
 */
char *vgw_key_fingerprint(const VgwKey *key);

#endif /* HW_MISC_VGW_CRYPTO_KEYS_H */
