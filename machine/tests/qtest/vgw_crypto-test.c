/*
 * QTest for the vgw crypto engine (-M vgw)
 *
 * Every signature the engine makes is verified here with OpenSSL's
 * libcrypto, an implementation independent of the nettle code inside the
 * engine, against the public key the engine exported (and, for imported
 * keys, against the key the test made).
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sys/wait.h>

#include "libqtest.h"
#include "qapi/qmp/qdict.h"
#include "qemu/bswap.h"
#include "qemu/host-utils.h"

#include "vgw-access-rules.h"
#include "vgw-migration.h"
#include "vgw-regs/vgw_crypto.h"
#include "vgw-regs/vgw_memmap.h"

#define CRYPTO(reg)     ((uint64_t)VGW_CRYPTO_BASE + (reg))
/* Latency used by most tests; the default is checked on its own. */
#define LATENCY_NS      5000
#define DEFAULT_LATENCY_NS 20000
#define MACHINE         "-machine vgw,crypto-latency-ns=5000"

static const char message[] = "INVITE sip:bob@example.com SIP/2.0";

/* -------------------------------------------------------------------- */
/* Register access                                                      */

static uint32_t rd(QTestState *qts, uint32_t reg)
{
    return qtest_readl(qts, CRYPTO(reg));
}

static void wr(QTestState *qts, uint32_t reg, uint32_t value)
{
    qtest_writel(qts, CRYPTO(reg), value);
}

/* Writes @data to IN_BUF with 32-bit stores (bytes for the tail). */
static void put_input(QTestState *qts, const uint8_t *data, size_t len)
{
    size_t i;

    g_assert_cmpuint(len, <=, VGW_CRYPTO_BUF_SIZE);
    for (i = 0; i + 4 <= len; i += 4) {
        qtest_writel(qts, CRYPTO(VGW_CRYPTO_IN_BUF + i), ldl_le_p(data + i));
    }
    for (; i < len; i++) {
        qtest_writeb(qts, CRYPTO(VGW_CRYPTO_IN_BUF + i), data[i]);
    }
    wr(qts, VGW_CRYPTO_IN_LEN, len);
}

/* OUT_BUF[0..OUT_LEN) */
static GByteArray *get_output(QTestState *qts)
{
    uint32_t len = rd(qts, VGW_CRYPTO_OUT_LEN);
    GByteArray *out = g_byte_array_sized_new(len);
    uint32_t i;

    g_assert_cmpuint(len, <=, VGW_CRYPTO_BUF_SIZE);
    for (i = 0; i + 4 <= len; i += 4) {
        uint8_t w[4];

        stl_le_p(w, qtest_readl(qts, CRYPTO(VGW_CRYPTO_OUT_BUF + i)));
        g_byte_array_append(out, w, 4);
    }
    for (; i < len; i++) {
        uint8_t b = qtest_readb(qts, CRYPTO(VGW_CRYPTO_OUT_BUF + i));

        g_byte_array_append(out, &b, 1);
    }
    return out;
}

/*
 * Writes CMD, checks the engine went BUSY, lets the modelled latency pass
 * on the virtual clock and checks completion.  Returns ERROR.
 */
static uint32_t run(QTestState *qts, uint32_t cmd)
{
    uint32_t status, err;

    wr(qts, VGW_CRYPTO_CMD, cmd);
    status = rd(qts, VGW_CRYPTO_STATUS);
    g_assert_cmphex(status & ~VGW_CRYPTO_STATUS_OVERRUN, ==,
                    VGW_CRYPTO_STATUS_BUSY);
    qtest_clock_step(qts, LATENCY_NS);
    status = rd(qts, VGW_CRYPTO_STATUS);
    g_assert_false(status & VGW_CRYPTO_STATUS_BUSY);
    g_assert_true(status & VGW_CRYPTO_STATUS_DONE);
    err = rd(qts, VGW_CRYPTO_ERROR);
    g_assert_cmpuint(!!(status & VGW_CRYPTO_STATUS_ERR), ==,
                     err != VGW_CRYPTO_ERR_OK);
    if (err != VGW_CRYPTO_ERR_OK) {
        g_assert_cmpuint(rd(qts, VGW_CRYPTO_OUT_LEN), ==, 0);
    }
    return err;
}

static uint32_t cmd_generate(QTestState *qts, uint32_t slot, uint32_t type)
{
    wr(qts, VGW_CRYPTO_SLOT, slot);
    wr(qts, VGW_CRYPTO_KEY_TYPE, type);
    return run(qts, VGW_CRYPTO_CMD_GENERATE);
}

static uint32_t cmd_import(QTestState *qts, uint32_t slot, uint32_t type,
                           const uint8_t *key, size_t len)
{
    wr(qts, VGW_CRYPTO_SLOT, slot);
    wr(qts, VGW_CRYPTO_KEY_TYPE, type);
    put_input(qts, key, len);
    return run(qts, VGW_CRYPTO_CMD_IMPORT);
}

static uint32_t cmd_slot(QTestState *qts, uint32_t cmd, uint32_t slot)
{
    wr(qts, VGW_CRYPTO_SLOT, slot);
    return run(qts, cmd);
}

/* RESULT of INFO */
static uint32_t cmd_info(QTestState *qts, uint32_t slot)
{
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_INFO, slot), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_OUT_LEN), ==, 0);
    return rd(qts, VGW_CRYPTO_RESULT);
}

static GByteArray *cmd_export(QTestState *qts, uint32_t slot)
{
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_EXPORT_PUB, slot), ==,
                     VGW_CRYPTO_ERR_OK);
    return get_output(qts);
}

/* Signs; *sig gets the output when it succeeded. */
static uint32_t cmd_sign(QTestState *qts, uint32_t slot, uint32_t scheme,
                         const uint8_t *digest, size_t len, GByteArray **sig)
{
    uint32_t err;

    wr(qts, VGW_CRYPTO_SLOT, slot);
    wr(qts, VGW_CRYPTO_SCHEME, scheme);
    put_input(qts, digest, len);
    err = run(qts, VGW_CRYPTO_CMD_SIGN);
    if (sig) {
        *sig = err == VGW_CRYPTO_ERR_OK ? get_output(qts) : NULL;
    }
    return err;
}

/* -------------------------------------------------------------------- */
/* OpenSSL side                                                         */

static const EVP_MD *digest_md(size_t len)
{
    switch (len) {
    case 20:
        return EVP_sha1();
    case 32:
        return EVP_sha256();
    case 48:
        return EVP_sha384();
    case 64:
        return EVP_sha512();
    }
    g_assert_not_reached();
}

static const EVP_MD *scheme_md(uint32_t scheme)
{
    switch (scheme) {
    case VGW_SIG_RSA_PKCS1_SHA256:
    case VGW_SIG_RSA_PSS_SHA256:
        return EVP_sha256();
    case VGW_SIG_RSA_PKCS1_SHA384:
    case VGW_SIG_RSA_PSS_SHA384:
        return EVP_sha384();
    default:
        return EVP_sha512();
    }
}

/* The digest of @message with @md; returns its length. */
static size_t digest_message(const EVP_MD *md, uint8_t *out)
{
    unsigned int len = 0;

    g_assert_cmpint(EVP_Digest(message, strlen(message), out, &len, md,
                               NULL), ==, 1);
    return len;
}

static EVP_PKEY *pkey_from_spki(const GByteArray *spki)
{
    const unsigned char *p = spki->data;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, spki->len);

    g_assert_nonnull(pkey);
    g_assert_true(p == spki->data + spki->len);
    return pkey;
}

/* DER SubjectPublicKeyInfo of @pkey, as OpenSSL writes it */
static GByteArray *pkey_spki(EVP_PKEY *pkey)
{
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(pkey, &der);
    GByteArray *out;

    g_assert_cmpint(len, >, 0);
    out = g_byte_array_new();
    g_byte_array_append(out, der, len);
    OPENSSL_free(der);
    return out;
}

/* True if @sig over @digest verifies under @pub with @scheme. */
static bool verifies(EVP_PKEY *pub, uint32_t scheme, const uint8_t *digest,
                     size_t len, const GByteArray *sig)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    int rc;

    g_assert_nonnull(ctx);
    g_assert_cmpint(EVP_PKEY_verify_init(ctx), ==, 1);
    if (scheme != VGW_SIG_ECDSA) {
        bool pss = scheme >= VGW_SIG_RSA_PSS_SHA256;

        g_assert_cmpint(EVP_PKEY_CTX_set_signature_md(ctx, scheme_md(scheme)),
                        ==, 1);
        g_assert_cmpint(EVP_PKEY_CTX_set_rsa_padding(ctx,
                            pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING),
                        ==, 1);
        if (pss) {
            /* TLS 1.3: MGF1 with the same hash, salt = digest length */
            g_assert_cmpint(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx,
                                                         scheme_md(scheme)),
                            ==, 1);
            g_assert_cmpint(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, len), ==,
                            1);
        }
    }
    rc = EVP_PKEY_verify(ctx, sig->data, sig->len, digest, len);
    EVP_PKEY_CTX_free(ctx);
    return rc == 1;
}

/*
 * Signs the message's digest in @slot with @scheme and checks the
 * signature verifies under @pub, and does not once the digest changes.
 */
static void sign_and_verify(QTestState *qts, uint32_t slot, uint32_t scheme,
                            size_t digest_len, EVP_PKEY *pub)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    g_autoptr(GByteArray) sig = NULL;
    size_t len;

    len = digest_message(scheme == VGW_SIG_ECDSA ? digest_md(digest_len)
                                                 : scheme_md(scheme), digest);
    g_assert_cmpuint(cmd_sign(qts, slot, scheme, digest, len, &sig), ==,
                     VGW_CRYPTO_ERR_OK);
    if (scheme == VGW_SIG_ECDSA) {
        /* DER SEQUENCE of two INTEGERs below 2^256 */
        g_assert_cmpuint(sig->len, >=, 8);
        g_assert_cmpuint(sig->len, <=, 72);
        g_assert_cmphex(sig->data[0], ==, 0x30);
    } else {
        g_assert_cmpuint(sig->len, ==, EVP_PKEY_get_size(pub));
    }
    g_assert_true(verifies(pub, scheme, digest, len, sig));
    digest[0] ^= 1;
    g_assert_false(verifies(pub, scheme, digest, len, sig));
}

static const uint32_t rsa_schemes[] = {
    VGW_SIG_RSA_PKCS1_SHA256, VGW_SIG_RSA_PKCS1_SHA384,
    VGW_SIG_RSA_PKCS1_SHA512, VGW_SIG_RSA_PSS_SHA256,
    VGW_SIG_RSA_PSS_SHA384, VGW_SIG_RSA_PSS_SHA512,
};

static const size_t ecdsa_digest_lens[] = { 20, 32, 48, 64 };

/* Signs with every scheme that fits @type and verifies each signature. */
static void sign_all_schemes(QTestState *qts, uint32_t slot, uint32_t type,
                             EVP_PKEY *pub)
{
    size_t i;

    if (type == VGW_KEY_TYPE_EC_P256) {
        for (i = 0; i < ARRAY_SIZE(ecdsa_digest_lens); i++) {
            sign_and_verify(qts, slot, VGW_SIG_ECDSA, ecdsa_digest_lens[i],
                            pub);
        }
    } else {
        for (i = 0; i < ARRAY_SIZE(rsa_schemes); i++) {
            sign_and_verify(qts, slot, rsa_schemes[i], 0, pub);
        }
    }
}

/* A test key made by OpenSSL, in the engine's IMPORT format. */
typedef struct TestKey {
    EVP_PKEY *pkey;
    uint32_t type;
    GByteArray *import;     /* EC scalar or PKCS#1 RSAPrivateKey DER */
    GPtrArray *secrets;     /* private values that must never show up */
} TestKey;

static GByteArray *bn_param(EVP_PKEY *pkey, const char *name, size_t pad)
{
    BIGNUM *bn = NULL;
    GByteArray *out;
    size_t len;

    g_assert_cmpint(EVP_PKEY_get_bn_param(pkey, name, &bn), ==, 1);
    len = pad ? pad : (size_t)BN_num_bytes(bn);
    out = g_byte_array_sized_new(len);
    g_byte_array_set_size(out, len);
    g_assert_cmpint(BN_bn2binpad(bn, out->data, len), ==, len);
    BN_clear_free(bn);
    return out;
}

static TestKey *test_key_new(uint32_t type)
{
    TestKey *k = g_new0(TestKey, 1);

    k->type = type;
    k->secrets = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_byte_array_unref);
    if (type == VGW_KEY_TYPE_EC_P256) {
        k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        g_assert_nonnull(k->pkey);
        k->import = bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, 32);
        g_ptr_array_add(k->secrets, g_byte_array_ref(k->import));
    } else {
        size_t bits = type == VGW_KEY_TYPE_RSA_2048 ? 2048 : 3072;
        unsigned char *der = NULL;
        int len;

        k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);
        g_assert_nonnull(k->pkey);
        /* For RSA keys this is the PKCS#1 RSAPrivateKey. */
        len = i2d_PrivateKey(k->pkey, &der);
        g_assert_cmpint(len, >, 0);
        k->import = g_byte_array_new();
        g_byte_array_append(k->import, der, len);
        OPENSSL_clear_free(der, len);
        g_ptr_array_add(k->secrets,
                        bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_D, 0));
        g_ptr_array_add(k->secrets,
                        bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, 0));
        g_ptr_array_add(k->secrets,
                        bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, 0));
    }
    return k;
}

static void test_key_free(TestKey *k)
{
    EVP_PKEY_free(k->pkey);
    g_byte_array_unref(k->import);
    g_ptr_array_unref(k->secrets);
    g_free(k);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestKey, test_key_free)

/* -------------------------------------------------------------------- */
/* Tests: registers                                                     */

static void assert_registers_at_reset(QTestState *qts)
{
    uint32_t i;

    g_assert_cmphex(rd(qts, VGW_CRYPTO_ID), ==, VGW_CRYPTO_ID_VALUE);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_VERSION), ==,
                    VGW_CRYPTO_VERSION_VALUE);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_NUM_SLOTS), ==, VGW_CRYPTO_SLOTS);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_SLOT), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_KEY_TYPE), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_SCHEME), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_IN_LEN), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_OUT_LEN), ==, 0);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_RESULT), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_ERROR), ==, 0);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IRQ_ENABLE), ==, 0);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IRQ_STATUS), ==, 0);
    for (i = 0; i < VGW_CRYPTO_BUF_SIZE; i += 4) {
        g_assert_cmphex(rd(qts, VGW_CRYPTO_OUT_BUF + i), ==, 0);
    }
}

static void test_reset_values(void)
{
    QTestState *qts = qtest_init(MACHINE);
    uint32_t slot;

    assert_registers_at_reset(qts);
    /* IN_BUF is write-only */
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IN_BUF), ==, 0);
    for (slot = 0; slot < VGW_CRYPTO_SLOTS; slot++) {
        g_assert_cmphex(cmd_info(qts, slot), ==, VGW_KEY_TYPE_NONE);
    }
    qtest_quit(qts);
}

/* A reset clears registers and a command in flight, but not the slots. */
static void test_reset_keeps_slots(void)
{
    QTestState *qts = qtest_init(MACHINE);
    g_autoptr(GByteArray) before = NULL;
    g_autoptr(GByteArray) after = NULL;

    g_assert_cmpuint(cmd_generate(qts, 7, VGW_KEY_TYPE_EC_P256), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_LOCK, 7), ==,
                     VGW_CRYPTO_ERR_OK);
    before = cmd_export(qts, 7);

    /* Leave registers set and a DELETE of slot 9 in flight. */
    wr(qts, VGW_CRYPTO_IRQ_ENABLE, VGW_CRYPTO_IRQ_DONE);
    wr(qts, VGW_CRYPTO_KEY_TYPE, VGW_KEY_TYPE_RSA_2048);
    wr(qts, VGW_CRYPTO_SCHEME, VGW_SIG_RSA_PSS_SHA256);
    put_input(qts, (const uint8_t *)message, sizeof(message));
    g_assert_cmpuint(cmd_generate(qts, 9, VGW_KEY_TYPE_EC_P256), ==,
                     VGW_CRYPTO_ERR_OK);
    wr(qts, VGW_CRYPTO_SLOT, 9);
    wr(qts, VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_DELETE);
    g_assert_true(rd(qts, VGW_CRYPTO_STATUS) & VGW_CRYPTO_STATUS_BUSY);

    qtest_qmp_assert_success(qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(qts, "RESET");
    assert_registers_at_reset(qts);
    /* The cancelled DELETE never completes. */
    qtest_clock_step(qts, 10 * LATENCY_NS);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, 0);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IRQ_STATUS), ==, 0);
    g_assert_cmphex(cmd_info(qts, 9), ==, VGW_KEY_TYPE_EC_P256);

    g_assert_cmphex(cmd_info(qts, 7), ==,
                    VGW_KEY_TYPE_EC_P256 | VGW_CRYPTO_INFO_LOCKED);
    after = cmd_export(qts, 7);
    g_assert_cmpmem(before->data, before->len, after->data, after->len);
    qtest_quit(qts);
}

/* The machine's default latency, on the virtual clock */
static void test_default_latency(void)
{
    QTestState *qts = qtest_init("-machine vgw");

    wr(qts, VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_NOP);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_BUSY);
    qtest_clock_step(qts, DEFAULT_LATENCY_NS - 1);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_BUSY);
    qtest_clock_step(qts, 1);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_DONE);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_ERROR), ==, VGW_CRYPTO_ERR_OK);
    qtest_quit(qts);
}

static void read_trng(QTestState *qts, uint32_t *words, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        words[i] = rd(qts, VGW_CRYPTO_TRNG_DATA);
    }
}

static void test_trng(void)
{
    QTestState *qts = qtest_init(MACHINE);
    uint32_t words[256];
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
    unsigned ones = 0;
    size_t i;

    read_trng(qts, words, ARRAY_SIZE(words));
    for (i = 0; i < ARRAY_SIZE(words); i++) {
        g_hash_table_add(seen, GUINT_TO_POINTER(words[i]));
        ones += ctpop32(words[i]);
    }
    /* 256 random words: no repeats, about half the 8192 bits set */
    g_assert_cmpuint(g_hash_table_size(seen), ==, ARRAY_SIZE(words));
    g_assert_cmpuint(ones, >, 3700);
    g_assert_cmpuint(ones, <, 4500);
    /* Writes to TRNG_DATA are refused and change nothing visible. */
    wr(qts, VGW_CRYPTO_TRNG_DATA, 0);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, 0);
    qtest_quit(qts);
}

/* TRNG words and generated keys of a run with -seed N */
typedef struct SeededRun {
    uint32_t trng[16];
    GByteArray *ec_pub;
    GByteArray *rsa_pub;
    GByteArray *ecdsa_sig;
} SeededRun;

static void seeded_run(int seed, SeededRun *r)
{
    QTestState *qts = qtest_initf(MACHINE " -seed %d", seed);
    uint8_t digest[32];

    read_trng(qts, r->trng, ARRAY_SIZE(r->trng));
    g_assert_cmpuint(cmd_generate(qts, 0, VGW_KEY_TYPE_EC_P256), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_generate(qts, 1, VGW_KEY_TYPE_RSA_2048), ==,
                     VGW_CRYPTO_ERR_OK);
    r->ec_pub = cmd_export(qts, 0);
    r->rsa_pub = cmd_export(qts, 1);
    digest_message(EVP_sha256(), digest);
    g_assert_cmpuint(cmd_sign(qts, 0, VGW_SIG_ECDSA, digest, sizeof(digest),
                              &r->ecdsa_sig), ==, VGW_CRYPTO_ERR_OK);
    qtest_quit(qts);
}

static void seeded_run_clear(SeededRun *r)
{
    g_byte_array_unref(r->ec_pub);
    g_byte_array_unref(r->rsa_pub);
    g_byte_array_unref(r->ecdsa_sig);
}

static bool bytes_equal(const GByteArray *a, const GByteArray *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* -seed N makes the TRNG, the generated keys and signatures reproducible. */
static void test_seed_reproducible(void)
{
    SeededRun a, b, c;

    seeded_run(42, &a);
    seeded_run(42, &b);
    seeded_run(43, &c);
    g_assert_cmpmem(a.trng, sizeof(a.trng), b.trng, sizeof(b.trng));
    g_assert_true(bytes_equal(a.ec_pub, b.ec_pub));
    g_assert_true(bytes_equal(a.rsa_pub, b.rsa_pub));
    g_assert_true(bytes_equal(a.ecdsa_sig, b.ecdsa_sig));
    g_assert_true(memcmp(a.trng, c.trng, sizeof(a.trng)) != 0);
    g_assert_false(bytes_equal(a.ec_pub, c.ec_pub));
    g_assert_false(bytes_equal(a.rsa_pub, c.rsa_pub));
    seeded_run_clear(&a);
    seeded_run_clear(&b);
    seeded_run_clear(&c);
}

/* -------------------------------------------------------------------- */
/* Tests: keys                                                          */

static int type_bits(uint32_t type)
{
    return type == VGW_KEY_TYPE_EC_P256 ? 256 :
           type == VGW_KEY_TYPE_RSA_2048 ? 2048 : 3072;
}

static void test_generate_sign(gconstpointer data)
{
    uint32_t type = GPOINTER_TO_UINT(data);
    QTestState *qts = qtest_init(MACHINE);
    g_autoptr(GByteArray) spki = NULL;
    g_autoptr(GByteArray) again = NULL;
    EVP_PKEY *pub;

    g_assert_cmpuint(cmd_generate(qts, 4, type), ==, VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_OUT_LEN), ==, 0);
    g_assert_cmphex(cmd_info(qts, 4), ==, type);

    spki = cmd_export(qts, 4);
    pub = pkey_from_spki(spki);
    g_assert_cmpint(EVP_PKEY_get_base_id(pub), ==,
                    type == VGW_KEY_TYPE_EC_P256 ? EVP_PKEY_EC : EVP_PKEY_RSA);
    g_assert_cmpint(EVP_PKEY_get_bits(pub), ==, type_bits(type));
    /* The engine's encoding is the standard one, byte for byte. */
    again = pkey_spki(pub);
    g_assert_cmpmem(spki->data, spki->len, again->data, again->len);

    sign_all_schemes(qts, 4, type, pub);

    /* A second GENERATE replaces the key. */
    g_byte_array_unref(again);
    g_assert_cmpuint(cmd_generate(qts, 4, type), ==, VGW_CRYPTO_ERR_OK);
    again = cmd_export(qts, 4);
    g_assert_false(bytes_equal(spki, again));
    EVP_PKEY_free(pub);
    qtest_quit(qts);
}

static void test_import_sign(gconstpointer data)
{
    uint32_t type = GPOINTER_TO_UINT(data);
    g_autoptr(TestKey) key = test_key_new(type);
    QTestState *qts = qtest_init(MACHINE);
    g_autoptr(GByteArray) spki = NULL;
    g_autoptr(GByteArray) expect = pkey_spki(key->pkey);

    g_assert_cmpuint(cmd_import(qts, 11, type, key->import->data,
                                key->import->len), ==, VGW_CRYPTO_ERR_OK);
    g_assert_cmphex(cmd_info(qts, 11), ==, type | VGW_CRYPTO_INFO_IMPORTED);
    /* The exported public key is the imported key's. */
    spki = cmd_export(qts, 11);
    g_assert_cmpmem(spki->data, spki->len, expect->data, expect->len);
    /* Signatures verify with the test's own key. */
    sign_all_schemes(qts, 11, type, key->pkey);
    qtest_quit(qts);
}

/* Malformed or mismatched imports are refused and leave the slot as it was */
static void test_import_rejects(void)
{
    g_autoptr(TestKey) ec = test_key_new(VGW_KEY_TYPE_EC_P256);
    g_autoptr(TestKey) rsa = test_key_new(VGW_KEY_TYPE_RSA_2048);
    QTestState *qts = qtest_init(MACHINE);
    g_autoptr(GByteArray) der = g_byte_array_new();
    uint8_t scalar[33];
    /* The P-256 group order n */
    static const uint8_t order[32] = {
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
        0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    };
    const uint32_t t_ec = VGW_KEY_TYPE_EC_P256;
    const uint32_t r2k = VGW_KEY_TYPE_RSA_2048;

    /* EC: wrong length, zero, the group order, above it */
    g_assert_cmpuint(cmd_import(qts, 0, t_ec, ec->import->data, 31), ==,
                     VGW_CRYPTO_ERR_BAD_LENGTH);
    memset(scalar, 0, sizeof(scalar));
    memcpy(scalar, ec->import->data, 32);
    g_assert_cmpuint(cmd_import(qts, 0, t_ec, scalar, 33), ==,
                     VGW_CRYPTO_ERR_BAD_LENGTH);
    memset(scalar, 0, 32);
    g_assert_cmpuint(cmd_import(qts, 0, t_ec, scalar, 32), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);
    g_assert_cmpuint(cmd_import(qts, 0, t_ec, order, 32), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);
    memset(scalar, 0xff, 32);
    g_assert_cmpuint(cmd_import(qts, 0, t_ec, scalar, 32), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);
    g_assert_cmphex(cmd_info(qts, 0), ==, VGW_KEY_TYPE_NONE);

    /* RSA: a 2048-bit key is not an RSA-3072 one */
    g_assert_cmpuint(cmd_import(qts, 0, VGW_KEY_TYPE_RSA_3072,
                                rsa->import->data, rsa->import->len), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);
    /* an EC scalar is not an RSA key, nor an RSA key an EC scalar */
    g_assert_cmpuint(cmd_import(qts, 0, r2k, ec->import->data, 32), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);
    g_assert_cmpuint(cmd_import(qts, 0, t_ec, rsa->import->data,
                                rsa->import->len), ==,
                     VGW_CRYPTO_ERR_BAD_LENGTH);
    /* truncated */
    g_assert_cmpuint(cmd_import(qts, 0, r2k, rsa->import->data,
                                rsa->import->len - 1), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);
    /* trailing garbage */
    g_byte_array_append(der, rsa->import->data, rsa->import->len);
    g_byte_array_append(der, (const uint8_t *)"x", 1);
    g_assert_cmpuint(cmd_import(qts, 0, r2k, der->data, der->len), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);
    /* a damaged last CRT coefficient (qinv) */
    g_byte_array_set_size(der, rsa->import->len);
    der->data[der->len - 1] ^= 0x01;
    g_assert_cmpuint(cmd_import(qts, 0, r2k, der->data, der->len), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);
    /* more input than IN_BUF holds */
    wr(qts, VGW_CRYPTO_SLOT, 0);
    wr(qts, VGW_CRYPTO_KEY_TYPE, r2k);
    wr(qts, VGW_CRYPTO_IN_LEN, VGW_CRYPTO_BUF_SIZE + 1);
    g_assert_cmpuint(run(qts, VGW_CRYPTO_CMD_IMPORT), ==,
                     VGW_CRYPTO_ERR_BAD_LENGTH);
    g_assert_cmphex(cmd_info(qts, 0), ==, VGW_KEY_TYPE_NONE);

    /* A good import, then a bad one over it, keeps the good key. */
    g_assert_cmpuint(cmd_import(qts, 0, r2k, rsa->import->data,
                                rsa->import->len), ==, VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_import(qts, 0, r2k, der->data, der->len), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);
    g_assert_cmphex(cmd_info(qts, 0), ==, r2k | VGW_CRYPTO_INFO_IMPORTED);
    qtest_quit(qts);
}

static void test_lock_rules(void)
{
    g_autoptr(TestKey) ec = test_key_new(VGW_KEY_TYPE_EC_P256);
    QTestState *qts = qtest_init(MACHINE);
    g_autoptr(GByteArray) before = NULL;
    g_autoptr(GByteArray) after = NULL;
    EVP_PKEY *pub;
    uint32_t slot;

    /* LOCK needs a key */
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_LOCK, 3), ==,
                     VGW_CRYPTO_ERR_EMPTY_SLOT);
    g_assert_cmpuint(cmd_generate(qts, 3, VGW_KEY_TYPE_EC_P256), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_LOCK, 3), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmphex(cmd_info(qts, 3), ==,
                    VGW_KEY_TYPE_EC_P256 | VGW_CRYPTO_INFO_LOCKED);
    /* locking again is harmless */
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_LOCK, 3), ==,
                     VGW_CRYPTO_ERR_OK);
    before = cmd_export(qts, 3);

    /* A locked slot refuses import, generate and delete ... */
    g_assert_cmpuint(cmd_import(qts, 3, VGW_KEY_TYPE_EC_P256,
                                ec->import->data, 32), ==,
                     VGW_CRYPTO_ERR_LOCKED);
    g_assert_cmpuint(cmd_generate(qts, 3, VGW_KEY_TYPE_RSA_2048), ==,
                     VGW_CRYPTO_ERR_LOCKED);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_DELETE, 3), ==,
                     VGW_CRYPTO_ERR_LOCKED);
    after = cmd_export(qts, 3);
    g_assert_cmpmem(before->data, before->len, after->data, after->len);
    /* ... and still signs. */
    pub = pkey_from_spki(after);
    sign_and_verify(qts, 3, VGW_SIG_ECDSA, 32, pub);
    EVP_PKEY_free(pub);

    /* Unlocked slots delete; deleting an empty slot is fine. */
    g_assert_cmpuint(cmd_import(qts, 5, VGW_KEY_TYPE_EC_P256,
                                ec->import->data, 32), ==, VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_DELETE, 5), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmphex(cmd_info(qts, 5), ==, VGW_KEY_TYPE_NONE);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_DELETE, 5), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_SIGN, 5), ==,
                     VGW_CRYPTO_ERR_EMPTY_SLOT);

    /* ZEROIZE needs its magic in SLOT ... */
    g_assert_cmpuint(cmd_import(qts, 5, VGW_KEY_TYPE_EC_P256,
                                ec->import->data, 32), ==, VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_ZEROIZE, 3), ==,
                     VGW_CRYPTO_ERR_BAD_MAGIC);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_ZEROIZE,
                              VGW_CRYPTO_ZEROIZE_MAGIC ^ 1), ==,
                     VGW_CRYPTO_ERR_BAD_MAGIC);
    g_assert_cmphex(cmd_info(qts, 3), ==,
                    VGW_KEY_TYPE_EC_P256 | VGW_CRYPTO_INFO_LOCKED);
    /* ... and then empties every slot, locked or not. */
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_ZEROIZE,
                              VGW_CRYPTO_ZEROIZE_MAGIC), ==,
                     VGW_CRYPTO_ERR_OK);
    for (slot = 0; slot < VGW_CRYPTO_SLOTS; slot++) {
        g_assert_cmphex(cmd_info(qts, slot), ==, VGW_KEY_TYPE_NONE);
    }
    /* The slot is usable again. */
    g_assert_cmpuint(cmd_generate(qts, 3, VGW_KEY_TYPE_EC_P256), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmphex(cmd_info(qts, 3), ==, VGW_KEY_TYPE_EC_P256);
    qtest_quit(qts);
}

/* Every guest-caused error code (STORAGE: see the keystore tests) */
static void test_error_codes(void)
{
    g_autoptr(TestKey) ec = test_key_new(VGW_KEY_TYPE_EC_P256);
    QTestState *qts = qtest_init(MACHINE);
    uint8_t digest[64] = { 1, 2, 3 };
    g_autoptr(GByteArray) spki = NULL;

    g_assert_cmpuint(cmd_generate(qts, 1, VGW_KEY_TYPE_RSA_2048), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_generate(qts, 2, VGW_KEY_TYPE_EC_P256), ==,
                     VGW_CRYPTO_ERR_OK);

    /* BAD_COMMAND */
    g_assert_cmpuint(run(qts, 0x55), ==, VGW_CRYPTO_ERR_BAD_COMMAND);
    g_assert_cmpuint(run(qts, 0xffffffff), ==, VGW_CRYPTO_ERR_BAD_COMMAND);
    /* NOP succeeds */
    g_assert_cmpuint(run(qts, VGW_CRYPTO_CMD_NOP), ==, VGW_CRYPTO_ERR_OK);

    /* BAD_SLOT, for every command that takes a slot */
    g_assert_cmpuint(cmd_generate(qts, VGW_CRYPTO_SLOTS, VGW_KEY_TYPE_EC_P256),
                     ==, VGW_CRYPTO_ERR_BAD_SLOT);
    g_assert_cmpuint(cmd_import(qts, 0xffffffff, VGW_KEY_TYPE_EC_P256,
                                ec->import->data, 32), ==,
                     VGW_CRYPTO_ERR_BAD_SLOT);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_EXPORT_PUB,
                              VGW_CRYPTO_SLOTS), ==, VGW_CRYPTO_ERR_BAD_SLOT);
    g_assert_cmpuint(cmd_sign(qts, VGW_CRYPTO_SLOTS, VGW_SIG_ECDSA, digest,
                              32, NULL), ==, VGW_CRYPTO_ERR_BAD_SLOT);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_DELETE, VGW_CRYPTO_SLOTS),
                     ==, VGW_CRYPTO_ERR_BAD_SLOT);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_LOCK, VGW_CRYPTO_SLOTS),
                     ==, VGW_CRYPTO_ERR_BAD_SLOT);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_INFO, VGW_CRYPTO_SLOTS),
                     ==, VGW_CRYPTO_ERR_BAD_SLOT);

    /* EMPTY_SLOT */
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_EXPORT_PUB, 0), ==,
                     VGW_CRYPTO_ERR_EMPTY_SLOT);
    g_assert_cmpuint(cmd_sign(qts, 0, VGW_SIG_ECDSA, digest, 32, NULL), ==,
                     VGW_CRYPTO_ERR_EMPTY_SLOT);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_LOCK, 0), ==,
                     VGW_CRYPTO_ERR_EMPTY_SLOT);

    /* LOCKED */
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_LOCK, 2), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_DELETE, 2), ==,
                     VGW_CRYPTO_ERR_LOCKED);

    /* BAD_KEY_TYPE */
    g_assert_cmpuint(cmd_generate(qts, 0, VGW_KEY_TYPE_NONE), ==,
                     VGW_CRYPTO_ERR_BAD_KEY_TYPE);
    g_assert_cmpuint(cmd_generate(qts, 0, 4), ==,
                     VGW_CRYPTO_ERR_BAD_KEY_TYPE);
    g_assert_cmpuint(cmd_import(qts, 0, 0x101, ec->import->data, 32), ==,
                     VGW_CRYPTO_ERR_BAD_KEY_TYPE);

    /* WRONG_TYPE */
    g_assert_cmpuint(cmd_sign(qts, 1, VGW_SIG_ECDSA, digest, 32, NULL), ==,
                     VGW_CRYPTO_ERR_WRONG_TYPE);
    g_assert_cmpuint(cmd_sign(qts, 2, VGW_SIG_RSA_PKCS1_SHA256, digest, 32,
                              NULL), ==, VGW_CRYPTO_ERR_WRONG_TYPE);
    g_assert_cmpuint(cmd_sign(qts, 2, VGW_SIG_RSA_PSS_SHA512, digest, 64,
                              NULL), ==, VGW_CRYPTO_ERR_WRONG_TYPE);

    /* BAD_SCHEME */
    g_assert_cmpuint(cmd_sign(qts, 1, 0, digest, 32, NULL), ==,
                     VGW_CRYPTO_ERR_BAD_SCHEME);
    g_assert_cmpuint(cmd_sign(qts, 2, VGW_SIG_RSA_PSS_SHA512 + 1, digest, 32,
                              NULL), ==, VGW_CRYPTO_ERR_BAD_SCHEME);

    /* BAD_LENGTH: digests of the wrong size, input beyond IN_BUF */
    g_assert_cmpuint(cmd_sign(qts, 1, VGW_SIG_RSA_PKCS1_SHA256, digest, 31,
                              NULL), ==, VGW_CRYPTO_ERR_BAD_LENGTH);
    g_assert_cmpuint(cmd_sign(qts, 1, VGW_SIG_RSA_PSS_SHA384, digest, 32,
                              NULL), ==, VGW_CRYPTO_ERR_BAD_LENGTH);
    g_assert_cmpuint(cmd_sign(qts, 2, VGW_SIG_ECDSA, digest, 19, NULL), ==,
                     VGW_CRYPTO_ERR_BAD_LENGTH);
    g_assert_cmpuint(cmd_sign(qts, 2, VGW_SIG_ECDSA, digest, 0, NULL), ==,
                     VGW_CRYPTO_ERR_BAD_LENGTH);
    wr(qts, VGW_CRYPTO_SLOT, 2);
    wr(qts, VGW_CRYPTO_SCHEME, VGW_SIG_ECDSA);
    wr(qts, VGW_CRYPTO_IN_LEN, 65);
    g_assert_cmpuint(run(qts, VGW_CRYPTO_CMD_SIGN), ==,
                     VGW_CRYPTO_ERR_BAD_LENGTH);
    wr(qts, VGW_CRYPTO_IN_LEN, 0x80000000u);
    g_assert_cmpuint(run(qts, VGW_CRYPTO_CMD_SIGN), ==,
                     VGW_CRYPTO_ERR_BAD_LENGTH);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_IN_LEN), ==, 0x80000000u);

    /* BAD_KEY */
    g_assert_cmpuint(cmd_import(qts, 0, VGW_KEY_TYPE_RSA_2048, digest, 64),
                     ==, VGW_CRYPTO_ERR_BAD_KEY);

    /* BAD_MAGIC */
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_ZEROIZE, 0), ==,
                     VGW_CRYPTO_ERR_BAD_MAGIC);

    /*
     * IN_BUF is zeroed when a command completes, even a failed one: an
     * IMPORT that reuses the previous command's input sees a zero scalar.
     */
    g_assert_cmpuint(cmd_import(qts, 0, 0x101, ec->import->data, 32), ==,
                     VGW_CRYPTO_ERR_BAD_KEY_TYPE);
    wr(qts, VGW_CRYPTO_KEY_TYPE, VGW_KEY_TYPE_EC_P256);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_IN_LEN), ==, 32);
    g_assert_cmpuint(run(qts, VGW_CRYPTO_CMD_IMPORT), ==,
                     VGW_CRYPTO_ERR_BAD_KEY);

    /* A successful command after failures clears ERR. */
    spki = cmd_export(qts, 2);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_DONE);
    g_assert_cmpuint(spki->len, ==, 91);
    qtest_quit(qts);
}

/* Bad access widths and offsets are ignored, never fatal. */
static void test_access_rules(void)
{
    g_autoptr(TestKey) ec = test_key_new(VGW_KEY_TYPE_EC_P256);
    g_autoptr(GByteArray) expect = pkey_spki(ec->pkey);
    g_autoptr(GByteArray) spki = NULL;
    QTestState *qts = qtest_init(MACHINE);
    size_t i;

    /* Registers: only aligned 32-bit accesses */
    g_assert_cmphex(qtest_readb(qts, CRYPTO(VGW_CRYPTO_ID)), ==, 0);
    g_assert_cmphex(qtest_readw(qts, CRYPTO(VGW_CRYPTO_ID)), ==, 0);
    g_assert_cmphex(qtest_readq(qts, CRYPTO(VGW_CRYPTO_ID)), ==, 0);
    g_assert_cmphex(qtest_readl(qts, CRYPTO(VGW_CRYPTO_ID + 2)), ==, 0);
    qtest_writew(qts, CRYPTO(VGW_CRYPTO_CMD), VGW_CRYPTO_CMD_NOP);
    qtest_writeq(qts, CRYPTO(VGW_CRYPTO_CMD), VGW_CRYPTO_CMD_NOP);
    qtest_writeb(qts, CRYPTO(VGW_CRYPTO_SLOT), 5);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_SLOT), ==, 0);
    /* Read-only and unknown registers */
    wr(qts, VGW_CRYPTO_ID, 0);
    wr(qts, VGW_CRYPTO_STATUS, VGW_CRYPTO_STATUS_DONE);
    wr(qts, VGW_CRYPTO_OUT_LEN, 100);
    wr(qts, VGW_CRYPTO_ERROR, 3);
    wr(qts, 0x800, 1);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_ID), ==, VGW_CRYPTO_ID_VALUE);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_OUT_LEN), ==, 0);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_ERROR), ==, 0);
    g_assert_cmphex(rd(qts, 0x800), ==, 0);
    g_assert_cmphex(rd(qts, 0xfffc), ==, 0);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_CMD), ==, 0);
    /* IRQ_ENABLE keeps only its defined bit */
    wr(qts, VGW_CRYPTO_IRQ_ENABLE, 0xffffffff);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IRQ_ENABLE), ==, VGW_CRYPTO_IRQ_DONE);
    wr(qts, VGW_CRYPTO_IRQ_ENABLE, 0);

    /* Buffers: 8- and 16-bit accesses work, 64-bit and unaligned do not */
    for (i = 0; i < 32; i += 2) {
        qtest_writew(qts, CRYPTO(VGW_CRYPTO_IN_BUF + i),
                     lduw_le_p(ec->import->data + i));
    }
    qtest_writeq(qts, CRYPTO(VGW_CRYPTO_IN_BUF), 0);
    qtest_writel(qts, CRYPTO(VGW_CRYPTO_IN_BUF + 1), 0);
    wr(qts, VGW_CRYPTO_IN_LEN, 32);
    wr(qts, VGW_CRYPTO_SLOT, 6);
    wr(qts, VGW_CRYPTO_KEY_TYPE, VGW_KEY_TYPE_EC_P256);
    g_assert_cmpuint(run(qts, VGW_CRYPTO_CMD_IMPORT), ==, VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_EXPORT_PUB, 6), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_OUT_LEN), ==, expect->len);
    for (i = 0; i < expect->len; i++) {
        g_assert_cmphex(qtest_readb(qts, CRYPTO(VGW_CRYPTO_OUT_BUF + i)), ==,
                        expect->data[i]);
    }
    g_assert_cmphex(qtest_readw(qts, CRYPTO(VGW_CRYPTO_OUT_BUF + 2)), ==,
                    lduw_le_p(expect->data + 2));
    g_assert_cmphex(qtest_readq(qts, CRYPTO(VGW_CRYPTO_OUT_BUF)), ==, 0);
    g_assert_cmphex(qtest_readl(qts, CRYPTO(VGW_CRYPTO_OUT_BUF + 2)), ==, 0);
    /* OUT_BUF is read-only, IN_BUF write-only */
    qtest_writel(qts, CRYPTO(VGW_CRYPTO_OUT_BUF), 0);
    g_assert_cmphex(qtest_readb(qts, CRYPTO(VGW_CRYPTO_OUT_BUF)), ==,
                    expect->data[0]);
    g_assert_cmphex(qtest_readb(qts, CRYPTO(VGW_CRYPTO_IN_BUF)), ==, 0);
    spki = get_output(qts);
    g_assert_cmpmem(spki->data, spki->len, expect->data, expect->len);
    qtest_quit(qts);
}

/*
 * Every register of vgw_crypto.h, with the access the header gives it;
 * TRNG_DATA, whose reads change by design, has its own test.
 */
static const VgwTestReg crypto_regs[] = {
    { "ID",         VGW_CRYPTO_ID,          VGW_TEST_RO },
    { "VERSION",    VGW_CRYPTO_VERSION,     VGW_TEST_RO },
    { "NUM_SLOTS",  VGW_CRYPTO_NUM_SLOTS,   VGW_TEST_RO },
    { "STATUS",     VGW_CRYPTO_STATUS,      VGW_TEST_RO },
    { "CMD",        VGW_CRYPTO_CMD,         VGW_TEST_WO },
    { "SLOT",       VGW_CRYPTO_SLOT,        VGW_TEST_RW },
    { "KEY_TYPE",   VGW_CRYPTO_KEY_TYPE,    VGW_TEST_RW },
    { "SCHEME",     VGW_CRYPTO_SCHEME,      VGW_TEST_RW },
    { "IN_LEN",     VGW_CRYPTO_IN_LEN,      VGW_TEST_RW },
    { "OUT_LEN",    VGW_CRYPTO_OUT_LEN,     VGW_TEST_RO },
    { "RESULT",     VGW_CRYPTO_RESULT,      VGW_TEST_RO },
    { "ERROR",      VGW_CRYPTO_ERROR,       VGW_TEST_RO },
    { "IRQ_ENABLE", VGW_CRYPTO_IRQ_ENABLE,  VGW_TEST_RW },
    { "IRQ_STATUS", VGW_CRYPTO_IRQ_STATUS,  VGW_TEST_W1C },
};

/* Each register's access rules, on values that are not the reset ones. */
static void test_register_rules(void)
{
    QTestState *qts = qtest_init(MACHINE " -d guest_errors -D /dev/null");
    size_t i;

    g_assert_cmphex(cmd_info(qts, 0), ==, VGW_KEY_TYPE_NONE);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IRQ_STATUS), ==, VGW_CRYPTO_IRQ_DONE);
    wr(qts, VGW_CRYPTO_SLOT, 3);
    wr(qts, VGW_CRYPTO_KEY_TYPE, VGW_KEY_TYPE_RSA_2048);
    wr(qts, VGW_CRYPTO_SCHEME, VGW_SIG_RSA_PSS_SHA256);
    wr(qts, VGW_CRYPTO_IN_LEN, 32);
    wr(qts, VGW_CRYPTO_IRQ_ENABLE, VGW_CRYPTO_IRQ_DONE);
    for (i = 0; i < ARRAY_SIZE(crypto_regs); i++) {
        vgw_test_access_rules(qts, VGW_CRYPTO_BASE, &crypto_regs[i]);
    }
    /* IRQ_STATUS: writing 1 clears, but only as an aligned 32-bit write */
    wr(qts, VGW_CRYPTO_IRQ_STATUS, VGW_CRYPTO_IRQ_DONE);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IRQ_STATUS), ==, 0);
    /* Nothing above started a command. */
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_DONE);
    qtest_quit(qts);
}

static void test_overrun(void)
{
    QTestState *qts = qtest_init(MACHINE);
    g_autoptr(GByteArray) spki = NULL;

    wr(qts, VGW_CRYPTO_SLOT, 8);
    wr(qts, VGW_CRYPTO_KEY_TYPE, VGW_KEY_TYPE_EC_P256);
    wr(qts, VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_GENERATE);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_BUSY);

    /* A second command is dropped; the inputs belong to the first. */
    wr(qts, VGW_CRYPTO_SLOT, 9);
    wr(qts, VGW_CRYPTO_KEY_TYPE, VGW_KEY_TYPE_RSA_2048);
    wr(qts, VGW_CRYPTO_IN_LEN, 4);
    qtest_writel(qts, CRYPTO(VGW_CRYPTO_IN_BUF), 0x12345678);
    wr(qts, VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_DELETE);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==,
                    VGW_CRYPTO_STATUS_BUSY | VGW_CRYPTO_STATUS_OVERRUN);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_SLOT), ==, 8);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_KEY_TYPE), ==, VGW_KEY_TYPE_EC_P256);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_IN_LEN), ==, 0);

    qtest_clock_step(qts, LATENCY_NS);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==,
                    VGW_CRYPTO_STATUS_DONE | VGW_CRYPTO_STATUS_OVERRUN);
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_ERROR), ==, VGW_CRYPTO_ERR_OK);
    /* The GENERATE ran; nothing else did. */
    qtest_clock_step(qts, 10 * LATENCY_NS);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==,
                    VGW_CRYPTO_STATUS_DONE | VGW_CRYPTO_STATUS_OVERRUN);

    /* The next accepted command clears OVERRUN. */
    g_assert_cmphex(cmd_info(qts, 8), ==, VGW_KEY_TYPE_EC_P256);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_DONE);
    g_assert_cmphex(cmd_info(qts, 9), ==, VGW_KEY_TYPE_NONE);
    spki = cmd_export(qts, 8);
    g_assert_cmpuint(spki->len, ==, 91);
    qtest_quit(qts);
}

static void test_irq(void)
{
    QTestState *qts = qtest_init(MACHINE);

    /* The GIC's inputs are its SPIs, so input n is SPI n. */
    qtest_irq_intercept_in(qts, "/machine/soc/gic");
    g_assert_false(qtest_get_irq(qts, VGW_IRQ_CRYPTO));

    /* Masked: IRQ_STATUS records the completion, the line stays low. */
    g_assert_cmpuint(run(qts, VGW_CRYPTO_CMD_NOP), ==, VGW_CRYPTO_ERR_OK);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IRQ_STATUS), ==, VGW_CRYPTO_IRQ_DONE);
    g_assert_false(qtest_get_irq(qts, VGW_IRQ_CRYPTO));
    /* Enabling a pending completion raises the line. */
    wr(qts, VGW_CRYPTO_IRQ_ENABLE, VGW_CRYPTO_IRQ_DONE);
    g_assert_true(qtest_get_irq(qts, VGW_IRQ_CRYPTO));
    /* Writing 0 clears nothing; writing 1 clears it (RW1C). */
    wr(qts, VGW_CRYPTO_IRQ_STATUS, 0);
    g_assert_true(qtest_get_irq(qts, VGW_IRQ_CRYPTO));
    wr(qts, VGW_CRYPTO_IRQ_STATUS, VGW_CRYPTO_IRQ_DONE);
    g_assert_false(qtest_get_irq(qts, VGW_IRQ_CRYPTO));
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IRQ_STATUS), ==, 0);

    /* Enabled: low while BUSY, high at completion, also for errors. */
    wr(qts, VGW_CRYPTO_SLOT, VGW_CRYPTO_SLOTS);
    wr(qts, VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_INFO);
    g_assert_false(qtest_get_irq(qts, VGW_IRQ_CRYPTO));
    qtest_clock_step(qts, LATENCY_NS);
    g_assert_true(qtest_get_irq(qts, VGW_IRQ_CRYPTO));
    g_assert_cmpuint(rd(qts, VGW_CRYPTO_ERROR), ==, VGW_CRYPTO_ERR_BAD_SLOT);
    /* Masking lowers it; the status stays. */
    wr(qts, VGW_CRYPTO_IRQ_ENABLE, 0);
    g_assert_false(qtest_get_irq(qts, VGW_IRQ_CRYPTO));
    g_assert_cmphex(rd(qts, VGW_CRYPTO_IRQ_STATUS), ==, VGW_CRYPTO_IRQ_DONE);
    qtest_quit(qts);
}

/* -------------------------------------------------------------------- */
/* Tests: keystore                                                      */

typedef struct Keystore {
    char *dir;
    char *path;
    char *secret_file;
    char *wrong_secret_file;
} Keystore;

static void write_secret(const char *path, const char *fill)
{
    char secret[32];

    memset(secret, 0, sizeof(secret));
    g_strlcpy(secret, fill, sizeof(secret));
    g_assert_true(g_file_set_contents(path, secret, sizeof(secret), NULL));
}

static void keystore_init(Keystore *ks)
{
    ks->dir = g_dir_make_tmp("vgw-crypto-test-XXXXXX", NULL);
    g_assert_nonnull(ks->dir);
    ks->path = g_build_filename(ks->dir, "keystore.bin", NULL);
    ks->secret_file = g_build_filename(ks->dir, "huk", NULL);
    ks->wrong_secret_file = g_build_filename(ks->dir, "other-huk", NULL);
    write_secret(ks->secret_file, "board 1 hardware unique key");
    write_secret(ks->wrong_secret_file, "board 2 hardware unique key");
}

static void keystore_cleanup(Keystore *ks)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp", ks->path);

    rmdir(tmp);
    unlink(tmp);
    unlink(ks->path);
    unlink(ks->secret_file);
    unlink(ks->wrong_secret_file);
    g_assert_cmpint(rmdir(ks->dir), ==, 0);
    g_free(ks->dir);
    g_free(ks->path);
    g_free(ks->secret_file);
    g_free(ks->wrong_secret_file);
}

static QTestState *start_with_keystore(Keystore *ks, const char *secret_file)
{
    return qtest_initf(MACHINE ",keystore=%s,keystore-secret=huk "
                       "-object secret,id=huk,file=%s", ks->path,
                       secret_file);
}

/*
 * Runs QEMU with @args (no kernel, qtest accelerator, QMP on stdio) and
 * returns its exit status; *err gets its stderr.  If QEMU does start, the
 * QMP "quit" written to its stdin ends it.
 */
static int run_qemu(const char *args, char **err)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    static const char quit[] = "{ \"execute\": \"qmp_capabilities\" }\n"
                               "{ \"execute\": \"quit\" }\n";
    g_autofree char *cmdline = NULL;
    g_auto(GStrv) argv = NULL;
    GString *out = g_string_new(NULL);
    int in_fd, err_fd, status;
    char buf[512];
    ssize_t n;
    GPid pid;

    g_assert_nonnull(qemu);
    cmdline = g_strdup_printf("%s %s -accel qtest -qtest null -display none "
                              "-nodefaults -S -qmp stdio", qemu, args);
    g_assert_true(g_shell_parse_argv(cmdline, NULL, &argv, NULL));
    g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD |
                                           G_SPAWN_STDOUT_TO_DEV_NULL,
                                           NULL, NULL, &pid, &in_fd, NULL,
                                           &err_fd, NULL));
    /* Fails with EPIPE if QEMU already exited; SIGPIPE is ignored. */
    n = write(in_fd, quit, strlen(quit));
    (void)n;
    close(in_fd);
    while ((n = read(err_fd, buf, sizeof(buf))) > 0 ||
           (n < 0 && errno == EINTR)) {
        if (n > 0) {
            g_string_append_len(out, buf, n);
        }
    }
    close(err_fd);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_spawn_close_pid(pid);
    *err = g_string_free(out, false);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* QEMU must refuse @args with exactly one error line containing @what. */
static void assert_refused(const char *args, const char *path,
                           const char *what)
{
    g_autofree char *err = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_cmpint(run_qemu(args, &err), ==, 1);
    g_test_message("QEMU refused to start: %s", g_strchomp(err));
    lines = g_strsplit(err, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 1);
    if (path) {
        g_assert_nonnull(strstr(err, path));
    }
    g_assert_nonnull(strstr(err, what));
}

/* True if any 8 consecutive bytes of @secret occur in @data. */
static bool leaks(const uint8_t *data, size_t len, const GByteArray *secret)
{
    size_t i;

    for (i = 0; i + 8 <= secret->len; i++) {
        if (memmem(data, len, secret->data + i, 8)) {
            return true;
        }
    }
    return false;
}

static void assert_no_leak(const char *path, TestKey *const *keys, size_t n)
{
    g_autofree gchar *data = NULL;
    gsize len;
    size_t i, j;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    for (i = 0; i < n; i++) {
        for (j = 0; j < keys[i]->secrets->len; j++) {
            g_assert_false(leaks((const uint8_t *)data, len,
                                 g_ptr_array_index(keys[i]->secrets, j)));
        }
        /* nor the whole RSAPrivateKey */
        g_assert_false(leaks((const uint8_t *)data, len, keys[i]->import));
    }
}

static void test_keystore_persistence(void)
{
    g_autoptr(TestKey) ec = test_key_new(VGW_KEY_TYPE_EC_P256);
    g_autoptr(TestKey) rsa = test_key_new(VGW_KEY_TYPE_RSA_2048);
    TestKey *const keys[] = { ec, rsa };
    g_autoptr(GByteArray) generated = NULL;
    g_autoptr(GByteArray) spki = NULL;
    g_autoptr(GByteArray) expect = NULL;
    Keystore ks;
    QTestState *qts;
    EVP_PKEY *pub;
    uint32_t slot;

    keystore_init(&ks);

    /* A missing file is an empty keystore, created by the first change. */
    qts = start_with_keystore(&ks, ks.secret_file);
    g_assert_cmphex(cmd_info(qts, 0), ==, VGW_KEY_TYPE_NONE);
    g_assert_false(g_file_test(ks.path, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(cmd_import(qts, 0, VGW_KEY_TYPE_EC_P256,
                                ec->import->data, 32), ==, VGW_CRYPTO_ERR_OK);
    g_assert_true(g_file_test(ks.path, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(cmd_import(qts, 1, VGW_KEY_TYPE_RSA_2048,
                                rsa->import->data, rsa->import->len), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_LOCK, 1), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_generate(qts, 15, VGW_KEY_TYPE_RSA_3072), ==,
                     VGW_CRYPTO_ERR_OK);
    generated = cmd_export(qts, 15);
    g_assert_cmpuint(cmd_generate(qts, 2, VGW_KEY_TYPE_EC_P256), ==,
                     VGW_CRYPTO_ERR_OK);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_DELETE, 2), ==,
                     VGW_CRYPTO_ERR_OK);
    qtest_quit(qts);

    /* The file holds no private key material. */
    assert_no_leak(ks.path, keys, ARRAY_SIZE(keys));

    /* Same secret: the same keys, flags included, and they sign. */
    qts = start_with_keystore(&ks, ks.secret_file);
    g_assert_cmphex(cmd_info(qts, 0), ==,
                    VGW_KEY_TYPE_EC_P256 | VGW_CRYPTO_INFO_IMPORTED);
    g_assert_cmphex(cmd_info(qts, 1), ==,
                    VGW_KEY_TYPE_RSA_2048 | VGW_CRYPTO_INFO_IMPORTED |
                    VGW_CRYPTO_INFO_LOCKED);
    g_assert_cmphex(cmd_info(qts, 2), ==, VGW_KEY_TYPE_NONE);
    g_assert_cmphex(cmd_info(qts, 15), ==, VGW_KEY_TYPE_RSA_3072);
    for (slot = 3; slot < 15; slot++) {
        g_assert_cmphex(cmd_info(qts, slot), ==, VGW_KEY_TYPE_NONE);
    }
    spki = cmd_export(qts, 15);
    g_assert_true(bytes_equal(spki, generated));
    pub = pkey_from_spki(spki);
    sign_and_verify(qts, 15, VGW_SIG_RSA_PSS_SHA256, 0, pub);
    EVP_PKEY_free(pub);
    sign_and_verify(qts, 0, VGW_SIG_ECDSA, 32, ec->pkey);
    sign_and_verify(qts, 1, VGW_SIG_RSA_PKCS1_SHA256, 0, rsa->pkey);
    /* The lock survived the restart. */
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_DELETE, 1), ==,
                     VGW_CRYPTO_ERR_LOCKED);
    expect = pkey_spki(rsa->pkey);
    g_byte_array_unref(spki);
    spki = cmd_export(qts, 1);
    g_assert_true(bytes_equal(spki, expect));
    /* Keys change in the file too (and nothing leaks after a rewrite). */
    g_assert_cmpuint(cmd_import(qts, 4, VGW_KEY_TYPE_EC_P256,
                                ec->import->data, 32), ==, VGW_CRYPTO_ERR_OK);
    qtest_quit(qts);
    assert_no_leak(ks.path, keys, ARRAY_SIZE(keys));

    /* ZEROIZE is persistent. */
    qts = start_with_keystore(&ks, ks.secret_file);
    g_assert_cmphex(cmd_info(qts, 4), ==,
                    VGW_KEY_TYPE_EC_P256 | VGW_CRYPTO_INFO_IMPORTED);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_ZEROIZE,
                              VGW_CRYPTO_ZEROIZE_MAGIC), ==,
                     VGW_CRYPTO_ERR_OK);
    qtest_quit(qts);
    qts = start_with_keystore(&ks, ks.secret_file);
    for (slot = 0; slot < VGW_CRYPTO_SLOTS; slot++) {
        g_assert_cmphex(cmd_info(qts, slot), ==, VGW_KEY_TYPE_NONE);
    }
    qtest_quit(qts);

    keystore_cleanup(&ks);
}

static void test_keystore_refusals(void)
{
    g_autoptr(TestKey) ec = test_key_new(VGW_KEY_TYPE_EC_P256);
    g_autofree char *args = NULL;
    g_autofree char *err = NULL;
    g_autofree gchar *data = NULL;
    g_autofree char *short_secret = NULL;
    Keystore ks;
    QTestState *qts;
    gsize len;

    keystore_init(&ks);
    qts = start_with_keystore(&ks, ks.secret_file);
    g_assert_cmpuint(cmd_import(qts, 0, VGW_KEY_TYPE_EC_P256,
                                ec->import->data, 32), ==, VGW_CRYPTO_ERR_OK);
    qtest_quit(qts);

    /* The right secret starts (the offline provisioning command line). */
    args = g_strdup_printf("-machine vgw,keystore=%s,keystore-secret=s "
                           "-object secret,id=s,file=%s", ks.path,
                           ks.secret_file);
    g_assert_cmpint(run_qemu(args, &err), ==, 0);
    g_free(args);
    g_free(err);
    err = NULL;

    /* A wrong secret */
    args = g_strdup_printf("-machine vgw,keystore=%s,keystore-secret=s "
                           "-object secret,id=s,file=%s", ks.path,
                           ks.wrong_secret_file);
    assert_refused(args, ks.path, "wrong secret");
    g_free(args);

    /* A keystore without a secret, a secret without a keystore */
    args = g_strdup_printf("-machine vgw,keystore=%s", ks.path);
    assert_refused(args, ks.path, "needs a secret");
    g_free(args);
    args = g_strdup_printf("-machine vgw,keystore-secret=s "
                           "-object secret,id=s,file=%s", ks.secret_file);
    assert_refused(args, NULL, "without a keystore file");
    g_free(args);
    /* A secret id that names nothing, a secret too short to be a key */
    args = g_strdup_printf("-machine vgw,keystore=%s,keystore-secret=nope",
                           ks.path);
    assert_refused(args, NULL, "nope");
    g_free(args);
    short_secret = g_build_filename(ks.dir, "short", NULL);
    g_assert_true(g_file_set_contents(short_secret, "password", 8, NULL));
    args = g_strdup_printf("-machine vgw,keystore=%s,keystore-secret=s "
                           "-object secret,id=s,file=%s", ks.path,
                           short_secret);
    assert_refused(args, NULL, "at least 16");
    g_free(args);
    unlink(short_secret);
    /* A latency beyond a minute */
    assert_refused("-machine vgw,crypto-latency-ns=60000000001", NULL,
                   "above the maximum");

    /* A damaged file: one bit flipped in the encrypted keys */
    g_assert_true(g_file_get_contents(ks.path, &data, &len, NULL));
    data[len - 40] ^= 0x10;
    g_assert_true(g_file_set_contents(ks.path, data, len, NULL));
    args = g_strdup_printf("-machine vgw,keystore=%s,keystore-secret=s "
                           "-object secret,id=s,file=%s", ks.path,
                           ks.secret_file);
    assert_refused(args, ks.path, "damaged");
    /* ... a truncated one, and one that is not a keystore */
    g_assert_true(g_file_set_contents(ks.path, data, 100, NULL));
    assert_refused(args, ks.path, "truncated");
    memset(data, 'x', len);
    g_assert_true(g_file_set_contents(ks.path, data, len, NULL));
    assert_refused(args, ks.path, "not a vgw keystore");
    /* ... and a path that is a directory */
    unlink(ks.path);
    g_assert_cmpint(mkdir(ks.path, 0700), ==, 0);
    assert_refused(args, ks.path, "not a regular file");
    g_assert_cmpint(rmdir(ks.path), ==, 0);

    keystore_cleanup(&ks);
}

/* A keystore write that fails leaves the slot unchanged: STORAGE. */
static void test_keystore_storage_error(void)
{
    g_autoptr(TestKey) ec = test_key_new(VGW_KEY_TYPE_EC_P256);
    g_autofree char *tmp = NULL;
    g_autoptr(GByteArray) before = NULL;
    g_autoptr(GByteArray) after = NULL;
    Keystore ks;
    QTestState *qts;

    keystore_init(&ks);
    tmp = g_strdup_printf("%s.tmp", ks.path);
    qts = start_with_keystore(&ks, ks.secret_file);
    g_assert_cmpuint(cmd_generate(qts, 0, VGW_KEY_TYPE_EC_P256), ==,
                     VGW_CRYPTO_ERR_OK);
    before = cmd_export(qts, 0);

    /* The writer's temporary file cannot be created (even as root). */
    g_assert_cmpint(mkdir(tmp, 0700), ==, 0);
    g_assert_cmpuint(cmd_generate(qts, 0, VGW_KEY_TYPE_EC_P256), ==,
                     VGW_CRYPTO_ERR_STORAGE);
    g_assert_cmpuint(cmd_import(qts, 1, VGW_KEY_TYPE_EC_P256,
                                ec->import->data, 32), ==,
                     VGW_CRYPTO_ERR_STORAGE);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_LOCK, 0), ==,
                     VGW_CRYPTO_ERR_STORAGE);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_DELETE, 0), ==,
                     VGW_CRYPTO_ERR_STORAGE);
    g_assert_cmpuint(cmd_slot(qts, VGW_CRYPTO_CMD_ZEROIZE,
                              VGW_CRYPTO_ZEROIZE_MAGIC), ==,
                     VGW_CRYPTO_ERR_STORAGE);
    g_assert_cmphex(cmd_info(qts, 0), ==, VGW_KEY_TYPE_EC_P256);
    g_assert_cmphex(cmd_info(qts, 1), ==, VGW_KEY_TYPE_NONE);
    after = cmd_export(qts, 0);
    g_assert_true(bytes_equal(before, after));

    /* Once writable again, changes persist. */
    g_assert_cmpint(rmdir(tmp), ==, 0);
    g_assert_cmpuint(cmd_import(qts, 1, VGW_KEY_TYPE_EC_P256,
                                ec->import->data, 32), ==, VGW_CRYPTO_ERR_OK);
    qtest_quit(qts);
    qts = start_with_keystore(&ks, ks.secret_file);
    g_assert_cmphex(cmd_info(qts, 1), ==,
                    VGW_KEY_TYPE_EC_P256 | VGW_CRYPTO_INFO_IMPORTED);
    g_byte_array_unref(after);
    after = cmd_export(qts, 0);
    g_assert_true(bytes_equal(before, after));
    qtest_quit(qts);
    keystore_cleanup(&ks);
}

/* -------------------------------------------------------------------- */
/* Tests: migration                                                     */

/*
 * Writes CMD with the completion interrupt enabled and earlier
 * completions acknowledged, lets part of the latency pass and returns the
 * virtual time the command must complete at.  The command starts well
 * after time 0, so that neither a latency restarted at the destination's
 * clock (0 while it loads the stream, the source's time once it runs) nor
 * one restarted at the migration lands on the same deadline.
 */
static int64_t start_in_flight(QTestState *qts, uint32_t cmd)
{
    int64_t deadline;

    qtest_clock_step(qts, 3 * LATENCY_NS);
    wr(qts, VGW_CRYPTO_IRQ_STATUS, VGW_CRYPTO_IRQ_DONE);
    wr(qts, VGW_CRYPTO_IRQ_ENABLE, VGW_CRYPTO_IRQ_DONE);
    wr(qts, VGW_CRYPTO_CMD, cmd);
    deadline = qtest_clock_step(qts, 0) + LATENCY_NS;
    qtest_clock_step(qts, LATENCY_NS / 2);
    g_assert_cmphex(rd(qts, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_BUSY);
    return deadline;
}

/*
 * The command started on the source is still BUSY on @dst, with its
 * interrupt enabled and not yet raised, and completes without error at
 * @deadline: neither earlier, nor later as it would if the migration had
 * restarted (or lost) its latency.
 */
static void assert_completes_at(QTestState *dst, int64_t deadline)
{
    qtest_irq_intercept_in(dst, "/machine/soc/gic");
    g_assert_cmphex(rd(dst, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_BUSY);
    g_assert_cmphex(rd(dst, VGW_CRYPTO_IRQ_ENABLE), ==, VGW_CRYPTO_IRQ_DONE);
    g_assert_cmphex(rd(dst, VGW_CRYPTO_IRQ_STATUS), ==, 0);
    g_assert_false(qtest_get_irq(dst, VGW_IRQ_CRYPTO));

    qtest_clock_set(dst, deadline - 1);
    g_assert_cmphex(rd(dst, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_BUSY);
    g_assert_false(qtest_get_irq(dst, VGW_IRQ_CRYPTO));
    qtest_clock_set(dst, deadline);
    g_assert_cmphex(rd(dst, VGW_CRYPTO_STATUS), ==, VGW_CRYPTO_STATUS_DONE);
    g_assert_cmpuint(rd(dst, VGW_CRYPTO_ERROR), ==, VGW_CRYPTO_ERR_OK);
    g_assert_cmphex(rd(dst, VGW_CRYPTO_IRQ_STATUS), ==, VGW_CRYPTO_IRQ_DONE);
    g_assert_true(qtest_get_irq(dst, VGW_IRQ_CRYPTO));
}

/* Migrates @src to a QEMU that opens the same keystore, and returns it. */
static QTestState *migrate_with_keystore(QTestState *src, Keystore *ks)
{
    g_autofree char *stream = g_build_filename(ks->dir, "migration", NULL);
    g_autofree char *args = g_strdup_printf(
        MACHINE ",keystore=%s,keystore-secret=huk "
        "-object secret,id=huk,file=%s", ks->path, ks->secret_file);

    return vgw_test_migrate_via_file(src, stream, args);
}

/*
 * A SIGN in flight migrates with its input and completes on the other
 * side with a signature that verifies under the key the source exported.
 */
static void test_migration_sign(gconstpointer data)
{
    uint32_t type = GPOINTER_TO_UINT(data);
    uint32_t scheme = type == VGW_KEY_TYPE_EC_P256 ? VGW_SIG_ECDSA
                                                   : VGW_SIG_RSA_PSS_SHA256;
    Keystore ks;
    QTestState *src, *dst;
    g_autoptr(GByteArray) spki = NULL;
    g_autoptr(GByteArray) sig = NULL;
    uint8_t digest[32];
    int64_t deadline;
    EVP_PKEY *pub;

    keystore_init(&ks);
    src = start_with_keystore(&ks, ks.secret_file);
    g_assert_cmpuint(cmd_generate(src, 5, type), ==, VGW_CRYPTO_ERR_OK);
    spki = cmd_export(src, 5);
    digest_message(EVP_sha256(), digest);
    wr(src, VGW_CRYPTO_SLOT, 5);
    wr(src, VGW_CRYPTO_SCHEME, scheme);
    put_input(src, digest, sizeof(digest));
    deadline = start_in_flight(src, VGW_CRYPTO_CMD_SIGN);

    dst = migrate_with_keystore(src, &ks);
    assert_completes_at(dst, deadline);
    sig = get_output(dst);
    pub = pkey_from_spki(spki);
    g_assert_true(verifies(pub, scheme, digest, sizeof(digest), sig));
    EVP_PKEY_free(pub);
    qtest_quit(dst);
    keystore_cleanup(&ks);
}

/*
 * A GENERATE in flight runs on the destination: the new key is in the
 * destination's slot and keystore (the source never had it), and signs.
 */
static void test_migration_generate(void)
{
    Keystore ks;
    QTestState *src, *dst;
    g_autoptr(GByteArray) spki = NULL;
    g_autoptr(GByteArray) stored = NULL;
    int64_t deadline;
    EVP_PKEY *pub;

    keystore_init(&ks);
    src = start_with_keystore(&ks, ks.secret_file);
    wr(src, VGW_CRYPTO_SLOT, 7);
    wr(src, VGW_CRYPTO_KEY_TYPE, VGW_KEY_TYPE_RSA_2048);
    deadline = start_in_flight(src, VGW_CRYPTO_CMD_GENERATE);

    dst = migrate_with_keystore(src, &ks);
    assert_completes_at(dst, deadline);
    g_assert_cmpuint(rd(dst, VGW_CRYPTO_OUT_LEN), ==, 0);
    g_assert_cmphex(cmd_info(dst, 7), ==, VGW_KEY_TYPE_RSA_2048);
    spki = cmd_export(dst, 7);
    pub = pkey_from_spki(spki);
    g_assert_cmpint(EVP_PKEY_get_bits(pub), ==, 2048);
    sign_and_verify(dst, 7, VGW_SIG_RSA_PKCS1_SHA256, 0, pub);
    EVP_PKEY_free(pub);
    qtest_quit(dst);

    /* The destination committed the key to the keystore. */
    dst = start_with_keystore(&ks, ks.secret_file);
    stored = cmd_export(dst, 7);
    g_assert_true(bytes_equal(stored, spki));
    qtest_quit(dst);
    keystore_cleanup(&ks);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        uint32_t type;
    } types[] = {
        { "ec-p256", VGW_KEY_TYPE_EC_P256 },
        { "rsa-2048", VGW_KEY_TYPE_RSA_2048 },
        { "rsa-3072", VGW_KEY_TYPE_RSA_3072 },
    };
    size_t i;

    g_test_init(&argc, &argv, NULL);
    /* run_qemu() writes to a QEMU that may have exited already. */
    signal(SIGPIPE, SIG_IGN);

    qtest_add_func("/vgw-crypto/reset-values", test_reset_values);
    qtest_add_func("/vgw-crypto/reset-keeps-slots", test_reset_keeps_slots);
    qtest_add_func("/vgw-crypto/default-latency", test_default_latency);
    qtest_add_func("/vgw-crypto/trng", test_trng);
    qtest_add_func("/vgw-crypto/seed-reproducible", test_seed_reproducible);
    for (i = 0; i < ARRAY_SIZE(types); i++) {
        g_autofree char *gen = g_strdup_printf("/vgw-crypto/generate-sign/%s",
                                               types[i].name);
        g_autofree char *imp = g_strdup_printf("/vgw-crypto/import-sign/%s",
                                               types[i].name);

        qtest_add_data_func(gen, GUINT_TO_POINTER(types[i].type),
                            test_generate_sign);
        qtest_add_data_func(imp, GUINT_TO_POINTER(types[i].type),
                            test_import_sign);
    }
    qtest_add_func("/vgw-crypto/import-rejects", test_import_rejects);
    qtest_add_func("/vgw-crypto/lock-rules", test_lock_rules);
    qtest_add_func("/vgw-crypto/error-codes", test_error_codes);
    qtest_add_func("/vgw-crypto/access-rules", test_access_rules);
    qtest_add_func("/vgw-crypto/register-rules", test_register_rules);
    qtest_add_func("/vgw-crypto/overrun", test_overrun);
    qtest_add_func("/vgw-crypto/irq", test_irq);
    qtest_add_func("/vgw-crypto/keystore/persistence",
                   test_keystore_persistence);
    qtest_add_func("/vgw-crypto/keystore/refusals", test_keystore_refusals);
    qtest_add_func("/vgw-crypto/keystore/storage-error",
                   test_keystore_storage_error);
    for (i = 0; i < ARRAY_SIZE(types); i++) {
        g_autofree char *sign = g_strdup_printf(
            "/vgw-crypto/migration-in-flight/sign/%s", types[i].name);

        qtest_add_data_func(sign, GUINT_TO_POINTER(types[i].type),
                            test_migration_sign);
    }
    qtest_add_func("/vgw-crypto/migration-in-flight/generate",
                   test_migration_generate);

    return g_test_run();
}
