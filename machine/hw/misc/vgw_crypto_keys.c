/*
 * vgw crypto engine: key generation, import, public export and signing
 *
 * Library choices.  QEMU's crypto layer is used where it has the
 * operation: RSA PKCS#1 v1.5 signatures with SHA-256 and SHA-512 go
 * through qcrypto_akcipher (its nettle driver), fingerprints through
 * qcrypto_hash.  QEMU has no ECDSA, no RSA-PSS, no PKCS#1 v1.5 with
 * SHA-384 (the nettle driver's sign only knows MD5/SHA-1/SHA-256/SHA-512)
 * and no key generation, so those use nettle/hogweed directly: it is the
 * library QEMU's crypto layer already links (configure --enable-nettle),
 * so the engine adds no new dependency and one implementation of RSA backs
 * every scheme.
 *
 * Randomness (key generation, ECDSA nonces, PSS salts, RSA blinding) comes
 * from qemu_guest_getrandom(), the guest-visible RNG: with -seed N the
 * engine's keys and signatures are reproducible, like its TRNG register.
 * That makes them predictable too; -seed is for tests.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/rsa.h>

#include "crypto/akcipher.h"
#include "crypto/hash.h"
#include "hw/misc/vgw_crypto_der.h"
#include "hw/misc/vgw_crypto_keys.h"
#include "qapi/error.h"
#include "qemu/guest-random.h"

/* RSA public exponent of generated keys */
#define VGW_RSA_E       65537

/* What each signature scheme needs. */
typedef struct VgwSigScheme {
    uint32_t scheme;
    QCryptoHashAlgorithm hash;
    size_t digest_len;
    bool pss;
} VgwSigScheme;

static const VgwSigScheme vgw_rsa_schemes[] = {
    { VGW_SIG_RSA_PKCS1_SHA256, QCRYPTO_HASH_ALG_SHA256, 32, false },
    { VGW_SIG_RSA_PKCS1_SHA384, QCRYPTO_HASH_ALG_SHA384, 48, false },
    { VGW_SIG_RSA_PKCS1_SHA512, QCRYPTO_HASH_ALG_SHA512, 64, false },
    { VGW_SIG_RSA_PSS_SHA256,   QCRYPTO_HASH_ALG_SHA256, 32, true },
    { VGW_SIG_RSA_PSS_SHA384,   QCRYPTO_HASH_ALG_SHA384, 48, true },
    { VGW_SIG_RSA_PSS_SHA512,   QCRYPTO_HASH_ALG_SHA512, 64, true },
};

/* ECDSA accepts SHA-1 (20 bytes) up to SHA-512 (64 bytes) digests. */
#define VGW_ECDSA_DIGEST_MIN    20
#define VGW_ECDSA_DIGEST_MAX    64

/* DigestInfo prefix for SHA-384 (RFC 8017, section 9.2, note 1) */
static const uint8_t vgw_sha384_digest_info[] = {
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30,
};

/* SubjectPublicKeyInfo header for a P-256 key (RFC 5480), up to the point */
static const uint8_t vgw_ec_spki_prefix[] = {
    0x30, 0x59, 0x30, 0x13,
    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,       /* ecPubKey */
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, /* P-256 */
    0x03, 0x42, 0x00,
    0x04,                                                       /* uncompr. */
};

/* AlgorithmIdentifier rsaEncryption, NULL parameters (RFC 3279) */
static const uint8_t vgw_rsa_algid[] = {
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
    0x01, 0x05, 0x00,
};

bool vgw_key_type_valid(uint32_t type)
{
    return type == VGW_KEY_TYPE_EC_P256 || type == VGW_KEY_TYPE_RSA_2048 ||
           type == VGW_KEY_TYPE_RSA_3072;
}

static unsigned vgw_rsa_bits(uint32_t type)
{
    return type == VGW_KEY_TYPE_RSA_3072 ? 3072 : 2048;
}

void vgw_key_clear(VgwKey *key)
{
    if (key->priv) {
        explicit_bzero(key->priv, key->priv_len);
        g_free(key->priv);
    }
    memset(key, 0, sizeof(*key));
}

void vgw_key_copy(VgwKey *dst, const VgwKey *src)
{
    *dst = *src;
    dst->priv = src->priv ? g_memdup2(src->priv, src->priv_len) : NULL;
}

void vgw_key_move(VgwKey *dst, VgwKey *src)
{
    vgw_key_clear(dst);
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

/* nettle_random_func backed by the guest-visible RNG */
static void vgw_key_random(void *ctx, size_t len, uint8_t *dst)
{
    qemu_guest_getrandom_nofail(dst, len);
}

/* Takes ownership of @der's bytes as the key's private material. */
static void vgw_key_set_priv(VgwKey *key, uint32_t type, GByteArray *der)
{
    key->type = type;
    key->priv_len = der->len;
    key->priv = g_byte_array_free(der, false);
}

/* -------------------------------------------------------------------- */
/* Big numbers                                                          */

/* Appends INTEGER @x (non-negative) to @out. */
static void vgw_der_put_mpz(GByteArray *out, mpz_srcptr x)
{
    size_t len = nettle_mpz_sizeinbase_256_u(x);
    g_autofree uint8_t *buf = g_malloc(len);

    nettle_mpz_get_str_256(len, buf, x);
    vgw_der_put_unsigned(out, buf, len);
    explicit_bzero(buf, len);
}

/* Writes @x as exactly @len big-endian bytes (@x must fit). */
static void vgw_mpz_to_fixed(uint8_t *out, size_t len, mpz_srcptr x)
{
    nettle_mpz_get_str_256(len, out, x);
}

/* -------------------------------------------------------------------- */
/* RSA                                                                  */

/* A parsed RSA key; GMP does not wipe freed limbs, nothing here can. */
typedef struct VgwRsa {
    struct rsa_public_key pub;
    struct rsa_private_key priv;
} VgwRsa;

static void vgw_rsa_init(VgwRsa *rsa)
{
    rsa_public_key_init(&rsa->pub);
    rsa_private_key_init(&rsa->priv);
}

static void vgw_rsa_clear(VgwRsa *rsa)
{
    rsa_public_key_clear(&rsa->pub);
    rsa_private_key_clear(&rsa->priv);
}

/* PKCS#1 RSAPrivateKey { 0, n, e, d, p, q, dp, dq, qinv } in DER */
static GByteArray *vgw_rsa_private_der(const VgwRsa *rsa)
{
    mpz_srcptr ints[] = {
        rsa->pub.n, rsa->pub.e, rsa->priv.d, rsa->priv.p, rsa->priv.q,
        rsa->priv.a, rsa->priv.b, rsa->priv.c,
    };
    const uint8_t version = 0;
    /* Sized up front so no reallocation leaves copies of the key behind. */
    GByteArray *body = g_byte_array_sized_new(VGW_KEY_PRIV_MAX + 16);
    GByteArray *der = g_byte_array_sized_new(VGW_KEY_PRIV_MAX + 16);
    size_t i;

    vgw_der_put_unsigned(body, &version, 1);
    for (i = 0; i < ARRAY_SIZE(ints); i++) {
        vgw_der_put_mpz(body, ints[i]);
    }
    vgw_der_put_sequence(der, body);
    vgw_der_free_secret(body);
    return der;
}

/*
 * Parses a PKCS#1 RSAPrivateKey of @type and checks it is one: canonical
 * DER (so nothing trails it), a modulus of exactly the type's size,
 * n = p q, d an inverse of e mod p-1 and q-1, and a CRT signature that
 * verifies.
 */
static bool vgw_rsa_parse(VgwRsa *rsa, uint32_t type, const uint8_t *der,
                          size_t len, Error **errp)
{
    static const uint8_t probe[32] = { 'v', 'g', 'w' };
    unsigned bits = vgw_rsa_bits(type);
    GByteArray *canon;
    mpz_t t, u, sig;
    bool ok = false;

    if (!rsa_keypair_from_der(&rsa->pub, &rsa->priv, 4096, len, der)) {
        error_setg(errp, "not a two-prime PKCS#1 RSAPrivateKey in DER");
        return false;
    }
    if (mpz_sizeinbase(rsa->pub.n, 2) != bits) {
        error_setg(errp, "modulus has %zu bits, %s needs %u",
                   mpz_sizeinbase(rsa->pub.n, 2), vgw_key_type_name(type),
                   bits);
        return false;
    }
    canon = vgw_rsa_private_der(rsa);
    if (canon->len != len || memcmp(canon->data, der, len) != 0) {
        vgw_der_free_secret(canon);
        error_setg(errp, "RSAPrivateKey is not in canonical DER "
                   "(version 0, minimal integers, nothing after it)");
        return false;
    }
    vgw_der_free_secret(canon);

    mpz_inits(t, u, sig, NULL);
    mpz_mul(t, rsa->priv.p, rsa->priv.q);
    if (mpz_cmp(t, rsa->pub.n) != 0) {
        error_setg(errp, "modulus is not the product of the primes");
        goto out;
    }
    mpz_sub_ui(u, rsa->priv.p, 1);
    mpz_mul(t, rsa->priv.d, rsa->pub.e);
    mpz_mod(t, t, u);
    if (mpz_cmp_ui(t, 1) != 0) {
        error_setg(errp, "private exponent does not match p");
        goto out;
    }
    mpz_sub_ui(u, rsa->priv.q, 1);
    mpz_mul(t, rsa->priv.d, rsa->pub.e);
    mpz_mod(t, t, u);
    if (mpz_cmp_ui(t, 1) != 0) {
        error_setg(errp, "private exponent does not match q");
        goto out;
    }
    /* Checks the CRT parameters (dp, dq, qinv) end to end. */
    if (!rsa_sha256_sign_digest_tr(&rsa->pub, &rsa->priv, NULL,
                                   vgw_key_random, probe, sig) ||
        !rsa_sha256_verify_digest(&rsa->pub, probe, sig)) {
        error_setg(errp, "CRT parameters are inconsistent");
        goto out;
    }
    ok = true;
out:
    mpz_clears(t, u, sig, NULL);
    return ok;
}

static uint32_t vgw_rsa_generate(VgwKey *key, uint32_t type, Error **errp)
{
    VgwRsa rsa;
    uint32_t err = VGW_CRYPTO_ERR_OK;

    vgw_rsa_init(&rsa);
    mpz_set_ui(rsa.pub.e, VGW_RSA_E);
    if (!rsa_generate_keypair(&rsa.pub, &rsa.priv, NULL, vgw_key_random,
                              NULL, NULL, vgw_rsa_bits(type), 0)) {
        error_setg(errp, "nettle could not generate an RSA-%u key",
                   vgw_rsa_bits(type));
        err = VGW_CRYPTO_ERR_INTERNAL;
    } else {
        vgw_key_set_priv(key, type, vgw_rsa_private_der(&rsa));
    }
    vgw_rsa_clear(&rsa);
    return err;
}

/* SEQUENCE { rsaEncryption, BIT STRING { RSAPublicKey { n, e } } } */
static void vgw_rsa_spki(const VgwRsa *rsa, GByteArray *out)
{
    g_autoptr(GByteArray) ints = g_byte_array_new();
    g_autoptr(GByteArray) pubkey = g_byte_array_new();
    g_autoptr(GByteArray) body = g_byte_array_new();
    const uint8_t unused_bits = 0;

    vgw_der_put_mpz(ints, rsa->pub.n);
    vgw_der_put_mpz(ints, rsa->pub.e);
    g_byte_array_append(pubkey, &unused_bits, 1);
    vgw_der_put_sequence(pubkey, ints);

    g_byte_array_append(body, vgw_rsa_algid, sizeof(vgw_rsa_algid));
    vgw_der_put_tlv(body, VGW_DER_BIT_STRING, pubkey->data, pubkey->len);
    vgw_der_put_sequence(out, body);
}

/*
 * PKCS#1 v1.5 through QEMU's akcipher (SHA-256 and SHA-512: what its
 * nettle driver implements); SHA-384 through nettle with the DigestInfo.
 */
static bool vgw_rsa_sign_pkcs1(const VgwKey *key, const VgwRsa *rsa,
                               const VgwSigScheme *sc, const uint8_t *digest,
                               uint8_t *sig, Error **errp)
{
    size_t sig_len = rsa->pub.size;

    if (sc->hash != QCRYPTO_HASH_ALG_SHA384) {
        QCryptoAkCipherOptions opts = {
            .alg = QCRYPTO_AKCIPHER_ALG_RSA,
            .u.rsa = {
                .padding_alg = QCRYPTO_RSA_PADDING_ALG_PKCS1,
                .hash_alg = sc->hash,
            },
        };
        g_autoptr(QCryptoAkCipher) ak =
            qcrypto_akcipher_new(&opts, QCRYPTO_AKCIPHER_KEY_TYPE_PRIVATE,
                                 key->priv, key->priv_len, errp);

        return ak && qcrypto_akcipher_sign(ak, digest, sc->digest_len,
                                           sig, sig_len, errp) >= 0;
    } else {
        uint8_t info[sizeof(vgw_sha384_digest_info) + 48];
        mpz_t s;
        bool ok;

        memcpy(info, vgw_sha384_digest_info, sizeof(vgw_sha384_digest_info));
        memcpy(info + sizeof(vgw_sha384_digest_info), digest, 48);
        mpz_init(s);
        ok = rsa_pkcs1_sign_tr(&rsa->pub, &rsa->priv, NULL, vgw_key_random,
                               sizeof(info), info, s);
        if (ok) {
            vgw_mpz_to_fixed(sig, sig_len, s);
        } else {
            error_setg(errp, "nettle PKCS#1 v1.5 SHA-384 signing failed");
        }
        mpz_clear(s);
        return ok;
    }
}

/* RSASSA-PSS, MGF1 with the same hash, salt as long as the digest */
static bool vgw_rsa_sign_pss(const VgwRsa *rsa, const VgwSigScheme *sc,
                             const uint8_t *digest, uint8_t *sig,
                             Error **errp)
{
    uint8_t salt[64];
    size_t slen = sc->digest_len;
    mpz_t s;
    int ok;

    qemu_guest_getrandom_nofail(salt, slen);
    mpz_init(s);
    switch (sc->hash) {
    case QCRYPTO_HASH_ALG_SHA256:
        ok = rsa_pss_sha256_sign_digest_tr(&rsa->pub, &rsa->priv, NULL,
                                           vgw_key_random, slen, salt,
                                           digest, s);
        break;
    case QCRYPTO_HASH_ALG_SHA384:
        ok = rsa_pss_sha384_sign_digest_tr(&rsa->pub, &rsa->priv, NULL,
                                           vgw_key_random, slen, salt,
                                           digest, s);
        break;
    default:
        ok = rsa_pss_sha512_sign_digest_tr(&rsa->pub, &rsa->priv, NULL,
                                           vgw_key_random, slen, salt,
                                           digest, s);
        break;
    }
    if (ok) {
        vgw_mpz_to_fixed(sig, rsa->pub.size, s);
    } else {
        error_setg(errp, "nettle RSA-PSS signing failed");
    }
    mpz_clear(s);
    return ok;
}

static uint32_t vgw_rsa_sign(const VgwKey *key, uint32_t scheme,
                             const uint8_t *digest, size_t len,
                             GByteArray *out, Error **errp)
{
    const VgwSigScheme *sc = NULL;
    g_autofree uint8_t *sig = NULL;
    VgwRsa rsa;
    uint32_t err = VGW_CRYPTO_ERR_OK;
    size_t i;
    bool ok;

    for (i = 0; i < ARRAY_SIZE(vgw_rsa_schemes); i++) {
        if (vgw_rsa_schemes[i].scheme == scheme) {
            sc = &vgw_rsa_schemes[i];
        }
    }
    g_assert(sc);   /* the caller checked the scheme fits an RSA key */
    if (len != sc->digest_len) {
        error_setg(errp, "scheme %u takes a %zu-byte digest, not %zu",
                   scheme, sc->digest_len, len);
        return VGW_CRYPTO_ERR_BAD_LENGTH;
    }

    vgw_rsa_init(&rsa);
    if (!rsa_keypair_from_der(&rsa.pub, &rsa.priv, 4096, key->priv_len,
                              key->priv)) {
        error_setg(errp, "stored RSA key does not parse");
        vgw_rsa_clear(&rsa);
        return VGW_CRYPTO_ERR_INTERNAL;
    }
    sig = g_malloc0(rsa.pub.size);
    if (sc->pss) {
        ok = vgw_rsa_sign_pss(&rsa, sc, digest, sig, errp);
    } else {
        ok = vgw_rsa_sign_pkcs1(key, &rsa, sc, digest, sig, errp);
    }
    if (ok) {
        g_byte_array_append(out, sig, rsa.pub.size);
    } else {
        err = VGW_CRYPTO_ERR_INTERNAL;
    }
    vgw_rsa_clear(&rsa);
    return err;
}

/* -------------------------------------------------------------------- */
/* ECDSA P-256                                                          */

/* Loads the 32-byte scalar; false if it is not in [1, n-1]. */
static bool vgw_ec_load(struct ecc_scalar *k, const uint8_t *scalar)
{
    mpz_t z;
    bool ok;

    nettle_mpz_init_set_str_256_u(z, VGW_KEY_EC_SCALAR_LEN, scalar);
    ok = ecc_scalar_set(k, z);
    mpz_clear(z);
    return ok;
}

static uint32_t vgw_ec_generate(VgwKey *key, Error **errp)
{
    const struct ecc_curve *curve = nettle_get_secp_256r1();
    struct ecc_scalar k;
    struct ecc_point pub;
    uint8_t *scalar = g_malloc(VGW_KEY_EC_SCALAR_LEN);
    mpz_t z;

    ecc_scalar_init(&k, curve);
    ecc_point_init(&pub, curve);
    ecdsa_generate_keypair(&pub, &k, NULL, vgw_key_random);
    mpz_init(z);
    ecc_scalar_get(&k, z);
    vgw_mpz_to_fixed(scalar, VGW_KEY_EC_SCALAR_LEN, z);
    mpz_clear(z);
    ecc_point_clear(&pub);
    ecc_scalar_clear(&k);

    key->type = VGW_KEY_TYPE_EC_P256;
    key->priv = scalar;
    key->priv_len = VGW_KEY_EC_SCALAR_LEN;
    return VGW_CRYPTO_ERR_OK;
}

static void vgw_ec_spki(const VgwKey *key, GByteArray *out)
{
    const struct ecc_curve *curve = nettle_get_secp_256r1();
    struct ecc_scalar k;
    struct ecc_point pub;
    uint8_t xy[64];
    mpz_t x, y;
    bool loaded;

    ecc_scalar_init(&k, curve);
    ecc_point_init(&pub, curve);
    loaded = vgw_ec_load(&k, key->priv);
    g_assert(loaded);   /* checked when the key entered the slot */
    ecc_point_mul_g(&pub, &k);
    mpz_inits(x, y, NULL);
    ecc_point_get(&pub, x, y);
    vgw_mpz_to_fixed(xy, 32, x);
    vgw_mpz_to_fixed(xy + 32, 32, y);
    mpz_clears(x, y, NULL);
    ecc_point_clear(&pub);
    ecc_scalar_clear(&k);

    g_byte_array_append(out, vgw_ec_spki_prefix, sizeof(vgw_ec_spki_prefix));
    g_byte_array_append(out, xy, sizeof(xy));
}

static uint32_t vgw_ec_sign(const VgwKey *key, const uint8_t *digest,
                            size_t len, GByteArray *out, Error **errp)
{
    const struct ecc_curve *curve = nettle_get_secp_256r1();
    g_autoptr(GByteArray) body = g_byte_array_new();
    struct dsa_signature sig;
    struct ecc_scalar k;
    bool loaded;

    if (len < VGW_ECDSA_DIGEST_MIN || len > VGW_ECDSA_DIGEST_MAX) {
        error_setg(errp, "ECDSA takes a digest of %d..%d bytes, not %zu",
                   VGW_ECDSA_DIGEST_MIN, VGW_ECDSA_DIGEST_MAX, len);
        return VGW_CRYPTO_ERR_BAD_LENGTH;
    }
    ecc_scalar_init(&k, curve);
    loaded = vgw_ec_load(&k, key->priv);
    g_assert(loaded);   /* checked when the key entered the slot */
    dsa_signature_init(&sig);
    /* nettle keeps the leftmost 256 bits of a longer digest (FIPS 186-4). */
    ecdsa_sign(&k, NULL, vgw_key_random, len, digest, &sig);
    vgw_der_put_mpz(body, sig.r);
    vgw_der_put_mpz(body, sig.s);
    vgw_der_put_sequence(out, body);
    dsa_signature_clear(&sig);
    ecc_scalar_clear(&k);
    return VGW_CRYPTO_ERR_OK;
}

/* -------------------------------------------------------------------- */
/* Commands                                                             */

uint32_t vgw_key_generate(VgwKey *key, uint32_t type, Error **errp)
{
    g_assert(vgw_key_type_valid(type) && key->type == VGW_KEY_TYPE_NONE);

    if (type == VGW_KEY_TYPE_EC_P256) {
        return vgw_ec_generate(key, errp);
    }
    return vgw_rsa_generate(key, type, errp);
}

uint32_t vgw_key_import(VgwKey *key, uint32_t type, const uint8_t *in,
                        size_t len, Error **errp)
{
    g_assert(vgw_key_type_valid(type) && key->type == VGW_KEY_TYPE_NONE);

    if (type == VGW_KEY_TYPE_EC_P256) {
        const struct ecc_curve *curve = nettle_get_secp_256r1();
        struct ecc_scalar k;
        bool ok;

        if (len != VGW_KEY_EC_SCALAR_LEN) {
            error_setg(errp, "an EC P-256 key is a %d-byte scalar, not %zu "
                       "bytes", VGW_KEY_EC_SCALAR_LEN, len);
            return VGW_CRYPTO_ERR_BAD_LENGTH;
        }
        ecc_scalar_init(&k, curve);
        ok = vgw_ec_load(&k, in);
        ecc_scalar_clear(&k);
        if (!ok) {
            error_setg(errp, "scalar is 0 or not below the P-256 group order");
            return VGW_CRYPTO_ERR_BAD_KEY;
        }
        key->type = type;
        key->priv = g_memdup2(in, len);
        key->priv_len = len;
        return VGW_CRYPTO_ERR_OK;
    } else {
        VgwRsa rsa;
        bool ok;

        if (len > VGW_KEY_PRIV_MAX) {
            error_setg(errp, "%zu bytes is more than a key slot holds", len);
            return VGW_CRYPTO_ERR_BAD_LENGTH;
        }
        vgw_rsa_init(&rsa);
        ok = vgw_rsa_parse(&rsa, type, in, len, errp);
        vgw_rsa_clear(&rsa);
        if (!ok) {
            return VGW_CRYPTO_ERR_BAD_KEY;
        }
        key->type = type;
        key->priv = g_memdup2(in, len);
        key->priv_len = len;
        return VGW_CRYPTO_ERR_OK;
    }
}

bool vgw_key_check(const VgwKey *key, Error **errp)
{
    VgwKey copy = { 0 };
    bool ok;

    if (!vgw_key_type_valid(key->type)) {
        error_setg(errp, "key type %u is not valid", key->type);
        return false;
    }
    ok = vgw_key_import(&copy, key->type, key->priv, key->priv_len, errp) ==
         VGW_CRYPTO_ERR_OK;
    vgw_key_clear(&copy);
    return ok;
}

uint32_t vgw_key_export_public(const VgwKey *key, GByteArray *out,
                               Error **errp)
{
    VgwRsa rsa;

    g_assert(key->type != VGW_KEY_TYPE_NONE);
    if (key->type == VGW_KEY_TYPE_EC_P256) {
        vgw_ec_spki(key, out);
        return VGW_CRYPTO_ERR_OK;
    }
    vgw_rsa_init(&rsa);
    if (!rsa_keypair_from_der(&rsa.pub, &rsa.priv, 4096, key->priv_len,
                              key->priv)) {
        vgw_rsa_clear(&rsa);
        error_setg(errp, "stored RSA key does not parse");
        return VGW_CRYPTO_ERR_INTERNAL;
    }
    vgw_rsa_spki(&rsa, out);
    vgw_rsa_clear(&rsa);
    return VGW_CRYPTO_ERR_OK;
}

uint32_t vgw_key_sign(const VgwKey *key, uint32_t scheme,
                      const uint8_t *digest, size_t len, GByteArray *out,
                      Error **errp)
{
    bool is_ec = key->type == VGW_KEY_TYPE_EC_P256;

    g_assert(key->type != VGW_KEY_TYPE_NONE);
    if (scheme < VGW_SIG_ECDSA || scheme > VGW_SIG_RSA_PSS_SHA512) {
        error_setg(errp, "scheme %u is not a VGW_SIG_* value", scheme);
        return VGW_CRYPTO_ERR_BAD_SCHEME;
    }
    if (is_ec != (scheme == VGW_SIG_ECDSA)) {
        error_setg(errp, "scheme %u does not apply to a %s key", scheme,
                   vgw_key_type_name(key->type));
        return VGW_CRYPTO_ERR_WRONG_TYPE;
    }
    if (is_ec) {
        return vgw_ec_sign(key, digest, len, out, errp);
    }
    return vgw_rsa_sign(key, scheme, digest, len, out, errp);
}

char *vgw_key_fingerprint(const VgwKey *key)
{
    g_autoptr(GByteArray) spki = g_byte_array_new();
    char *hex = NULL;

    if (vgw_key_export_public(key, spki, NULL) != VGW_CRYPTO_ERR_OK ||
        qcrypto_hash_digest(QCRYPTO_HASH_ALG_SHA256, (const char *)spki->data,
                            spki->len, &hex, NULL) < 0) {
        return NULL;
    }
    return hex;
}
