/*
 * vgw crypto engine: keystore file
 *
 * Encrypt-then-MAC with QEMU's crypto layer: AES-256-CTR (qcrypto_cipher)
 * over the private keys, HMAC-SHA256 (qcrypto_hmac) over everything before
 * the tag.  Both keys are HMAC-SHA256(secret, label) with distinct labels;
 * a key check value, HMAC-SHA256(mac key, label), tells a wrong secret
 * from a damaged file.  Layout (big-endian):
 *
 *   0    8  magic "VGWKSTOR"
 *   8    4  format version (1)
 *   12   4  number of slot records (16)
 *   16  32  key check value
 *   48  16  IV: AES-256-CTR initial counter block, fresh for every write
 *   64 128  slot records, 8 bytes each: type (u8), flags (u8: bit 0
 *           locked, bit 1 imported), reserved (u16, 0), key length (u32)
 *   192  C  ciphertext: the slots' private keys in slot order, zero padded
 *           to a multiple of 16 bytes
 *   192+C 32  tag
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include "crypto/cipher.h"
#include "crypto/hmac.h"
#include "crypto/random.h"
#include "crypto/secret_common.h"
#include "hw/misc/vgw_keystore.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "trace.h"

#define VGW_KS_MAGIC        "VGWKSTOR"
#define VGW_KS_MAGIC_LEN    8
#define VGW_KS_VERSION      1
#define VGW_KS_KCV_LEN      32
#define VGW_KS_IV_LEN       16
#define VGW_KS_HEADER_LEN   (VGW_KS_MAGIC_LEN + 4 + 4 + VGW_KS_KCV_LEN + \
                             VGW_KS_IV_LEN)
#define VGW_KS_RECORD_LEN   8
#define VGW_KS_TABLE_LEN    (VGW_CRYPTO_SLOTS * VGW_KS_RECORD_LEN)
#define VGW_KS_TAG_LEN      32
#define VGW_KS_BLOCK        16
#define VGW_KS_MIN_SIZE     (VGW_KS_HEADER_LEN + VGW_KS_TABLE_LEN + \
                             VGW_KS_TAG_LEN)
#define VGW_KS_MAX_SIZE     (VGW_KS_MIN_SIZE + \
                             VGW_CRYPTO_SLOTS * VGW_KEY_PRIV_MAX)

#define VGW_KS_FLAG_LOCKED      0x01
#define VGW_KS_FLAG_IMPORTED    0x02

static const char vgw_ks_label_enc[] = "vgw keystore v1 encryption key";
static const char vgw_ks_label_mac[] = "vgw keystore v1 authentication key";
static const char vgw_ks_label_kcv[] = "vgw keystore v1 key check";

QEMU_BUILD_BUG_ON(VGW_KS_HEADER_LEN != 64);

/* HMAC-SHA256(@key, @msg) into @out. */
static bool vgw_ks_hmac(const uint8_t *key, size_t key_len,
                        const void *msg, size_t len,
                        uint8_t out[32], Error **errp)
{
    g_autoptr(QCryptoHmac) hmac = qcrypto_hmac_new(QCRYPTO_HASH_ALG_SHA256,
                                                   key, key_len, errp);
    size_t out_len = 32;

    return hmac && qcrypto_hmac_bytes(hmac, msg, len, &out, &out_len,
                                      errp) == 0;
}

/* Constant-time comparison of MACs */
static bool vgw_ks_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint8_t diff = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        diff |= a[i] ^ b[i];
    }
    return diff == 0;
}

/* AES-256-CTR, in place (encryption and decryption are the same). */
static bool vgw_ks_ctr(const VgwKeystore *ks, const uint8_t *iv,
                       uint8_t *buf, size_t len, Error **errp)
{
    g_autoptr(QCryptoCipher) cipher = NULL;

    if (len == 0) {
        return true;
    }
    cipher = qcrypto_cipher_new(QCRYPTO_CIPHER_ALG_AES_256,
                                QCRYPTO_CIPHER_MODE_CTR,
                                ks->enc_key, sizeof(ks->enc_key), errp);
    return cipher &&
           qcrypto_cipher_setiv(cipher, iv, VGW_KS_IV_LEN, errp) == 0 &&
           qcrypto_cipher_encrypt(cipher, buf, buf, len, errp) == 0;
}

static unsigned vgw_ks_used(const VgwKey *const slots[VGW_CRYPTO_SLOTS])
{
    unsigned i, n = 0;

    for (i = 0; i < VGW_CRYPTO_SLOTS; i++) {
        n += slots[i]->type != VGW_KEY_TYPE_NONE;
    }
    return n;
}

/* -------------------------------------------------------------------- */
/* Reading                                                              */

/* A bounded cursor over the file */
typedef struct VgwKsReader {
    const uint8_t *p;
    size_t left;
} VgwKsReader;

static const uint8_t *vgw_ks_take(VgwKsReader *r, size_t n)
{
    const uint8_t *p = r->p;

    if (r->left < n) {
        return NULL;
    }
    r->p += n;
    r->left -= n;
    return p;
}

static bool vgw_ks_take_u32(VgwKsReader *r, uint32_t *v)
{
    const uint8_t *p = vgw_ks_take(r, 4);

    if (p) {
        *v = ldl_be_p(p);
    }
    return p;
}

/*
 * Parses and authenticates the file bytes @data[0..@len) into @slots.
 * @errp gets the reason only; the caller adds the file name.
 */
static bool vgw_ks_decode(const VgwKeystore *ks, const uint8_t *data,
                          size_t len, VgwKey slots[VGW_CRYPTO_SLOTS],
                          Error **errp)
{
    VgwKsReader r = { data, len };
    const uint8_t *magic, *kcv, *iv, *rec, *ct;
    uint8_t expect[32];
    uint32_t version, nslots, lens[VGW_CRYPTO_SLOTS];
    size_t total = 0, padded = 0;
    g_autofree uint8_t *plain = NULL;
    unsigned i;
    size_t off;

    if (len < VGW_KS_MIN_SIZE) {
        error_setg(errp, "truncated (%zu bytes, a keystore has at least %d)",
                   len, VGW_KS_MIN_SIZE);
        return false;
    }
    if (len > VGW_KS_MAX_SIZE) {
        error_setg(errp, "too large (%zu bytes) to be a keystore", len);
        return false;
    }
    magic = vgw_ks_take(&r, VGW_KS_MAGIC_LEN);
    if (memcmp(magic, VGW_KS_MAGIC, VGW_KS_MAGIC_LEN) != 0) {
        error_setg(errp, "not a vgw keystore (bad magic)");
        return false;
    }
    vgw_ks_take_u32(&r, &version);
    if (version != VGW_KS_VERSION) {
        error_setg(errp, "unsupported format version %" PRIu32, version);
        return false;
    }
    vgw_ks_take_u32(&r, &nslots);
    if (nslots != VGW_CRYPTO_SLOTS) {
        error_setg(errp, "made for %" PRIu32 " slots, the engine has %u",
                   nslots, VGW_CRYPTO_SLOTS);
        return false;
    }

    kcv = vgw_ks_take(&r, VGW_KS_KCV_LEN);
    if (!vgw_ks_hmac(ks->mac_key, sizeof(ks->mac_key), vgw_ks_label_kcv,
                     strlen(vgw_ks_label_kcv), expect, errp)) {
        return false;
    }
    if (!vgw_ks_equal(kcv, expect, VGW_KS_KCV_LEN)) {
        error_setg(errp, "wrong secret (the key check value does not match)");
        return false;
    }
    if (!vgw_ks_hmac(ks->mac_key, sizeof(ks->mac_key), data,
                     len - VGW_KS_TAG_LEN, expect, errp)) {
        return false;
    }
    if (!vgw_ks_equal(data + len - VGW_KS_TAG_LEN, expect, VGW_KS_TAG_LEN)) {
        error_setg(errp, "damaged or modified (authentication tag mismatch)");
        return false;
    }

    /* Authenticated from here on: failures mean a writer bug. */
    iv = vgw_ks_take(&r, VGW_KS_IV_LEN);
    rec = vgw_ks_take(&r, VGW_KS_TABLE_LEN);
    for (i = 0; i < VGW_CRYPTO_SLOTS; i++) {
        const uint8_t *e = rec + i * VGW_KS_RECORD_LEN;
        uint8_t type = e[0], flags = e[1];

        lens[i] = ldl_be_p(e + 4);
        if (type != VGW_KEY_TYPE_NONE && !vgw_key_type_valid(type)) {
            error_setg(errp, "slot %u: unknown key type %u", i, type);
            goto fail;
        }
        if ((flags & ~(VGW_KS_FLAG_LOCKED | VGW_KS_FLAG_IMPORTED)) ||
            lduw_be_p(e + 2) != 0 ||
            (type == VGW_KEY_TYPE_NONE && (flags || lens[i])) ||
            (type != VGW_KEY_TYPE_NONE && lens[i] == 0) ||
            lens[i] > VGW_KEY_PRIV_MAX) {
            error_setg(errp, "slot %u: malformed slot record", i);
            goto fail;
        }
        slots[i].type = type;
        slots[i].locked = flags & VGW_KS_FLAG_LOCKED;
        slots[i].imported = flags & VGW_KS_FLAG_IMPORTED;
        total += lens[i];
    }
    padded = ROUND_UP(total, VGW_KS_BLOCK);
    if (r.left != padded + VGW_KS_TAG_LEN) {
        error_setg(errp, "size does not match its slot records");
        goto fail;
    }
    ct = vgw_ks_take(&r, padded);
    plain = g_memdup2(ct, padded);
    if (!vgw_ks_ctr(ks, iv, plain, padded, errp)) {
        goto fail;
    }
    for (off = total; off < padded; off++) {
        if (plain[off]) {
            error_setg(errp, "padding is not zero");
            goto fail;
        }
    }
    for (i = 0, off = 0; i < VGW_CRYPTO_SLOTS; off += lens[i], i++) {
        Error *local_err = NULL;

        if (!lens[i]) {
            continue;
        }
        slots[i].priv = g_memdup2(plain + off, lens[i]);
        slots[i].priv_len = lens[i];
        if (!vgw_key_check(&slots[i], &local_err)) {
            error_setg(errp, "slot %u: %s", i, error_get_pretty(local_err));
            error_free(local_err);
            goto fail;
        }
    }
    explicit_bzero(plain, padded);
    return true;

fail:
    if (plain) {
        explicit_bzero(plain, padded);
    }
    for (i = 0; i < VGW_CRYPTO_SLOTS; i++) {
        vgw_key_clear(&slots[i]);
    }
    return false;
}

/*
 * Reads the whole file at @path into *@data.  A missing file is not an
 * error: *@data stays NULL.  @errp gets the reason only.
 */
static bool vgw_ks_read_file(const char *path, GByteArray **data,
                             Error **errp)
{
    g_autoptr(GByteArray) buf = NULL;
    struct stat st;
    size_t done = 0;
    int fd;

    *data = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return true;
        }
        error_setg_errno(errp, errno, "cannot open");
        return false;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "cannot stat");
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "not a regular file");
        goto fail;
    }
    if (st.st_size > VGW_KS_MAX_SIZE) {
        error_setg(errp, "too large (%lld bytes) to be a keystore",
                   (long long)st.st_size);
        goto fail;
    }
    buf = g_byte_array_sized_new(st.st_size);
    g_byte_array_set_size(buf, st.st_size);
    while (done < buf->len) {
        ssize_t n = read(fd, buf->data + done, buf->len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : EIO, "cannot read");
            goto fail;
        }
        done += n;
    }
    close(fd);
    *data = g_steal_pointer(&buf);
    return true;

fail:
    close(fd);
    return false;
}

bool vgw_keystore_open(VgwKeystore *ks, const char *path,
                       const char *secret_id,
                       VgwKey slots[VGW_CRYPTO_SLOTS], Error **errp)
{
    g_autofree uint8_t *secret = NULL;
    g_autoptr(GByteArray) data = NULL;
    Error *local_err = NULL;
    size_t secret_len = 0;
    unsigned i, used = 0;
    bool ok;

    memset(ks, 0, sizeof(*ks));
    if (qcrypto_secret_lookup(secret_id, &secret, &secret_len, errp) < 0) {
        error_prepend(errp, "keystore secret '%s': ", secret_id);
        return false;
    }
    if (secret_len < VGW_KEYSTORE_SECRET_MIN) {
        explicit_bzero(secret, secret_len);
        error_setg(errp, "keystore secret '%s' has %zu bytes, at least %d "
                   "are needed", secret_id, secret_len,
                   VGW_KEYSTORE_SECRET_MIN);
        return false;
    }
    ok = vgw_ks_hmac(secret, secret_len, vgw_ks_label_enc,
                     strlen(vgw_ks_label_enc), ks->enc_key, errp) &&
         vgw_ks_hmac(secret, secret_len, vgw_ks_label_mac,
                     strlen(vgw_ks_label_mac), ks->mac_key, errp);
    explicit_bzero(secret, secret_len);
    if (!ok) {
        vgw_keystore_close(ks);
        return false;
    }
    ks->path = g_strdup(path);

    if (!vgw_ks_read_file(path, &data, &local_err)) {
        goto fail;
    }
    if (!data) {
        trace_vgw_keystore_load(path, 0);
        return true;
    }
    if (!vgw_ks_decode(ks, data->data, data->len, slots, &local_err)) {
        goto fail;
    }
    for (i = 0; i < VGW_CRYPTO_SLOTS; i++) {
        used += slots[i].type != VGW_KEY_TYPE_NONE;
    }
    trace_vgw_keystore_load(path, used);
    return true;

fail:
    error_setg(errp, "keystore '%s': %s", path, error_get_pretty(local_err));
    error_free(local_err);
    vgw_keystore_close(ks);
    return false;
}

/* -------------------------------------------------------------------- */
/* Writing                                                              */

static GByteArray *vgw_ks_encode(const VgwKeystore *ks,
                                 const VgwKey *const slots[VGW_CRYPTO_SLOTS],
                                 Error **errp)
{
    g_autoptr(GByteArray) out = NULL;
    uint8_t header[VGW_KS_HEADER_LEN] = VGW_KS_MAGIC;
    uint8_t table[VGW_KS_TABLE_LEN] = { 0 };
    uint8_t tag[VGW_KS_TAG_LEN];
    uint8_t *iv = header + VGW_KS_HEADER_LEN - VGW_KS_IV_LEN;
    g_autofree uint8_t *plain = NULL;
    size_t total = 0, padded, off;
    unsigned i;
    bool ok;

    stl_be_p(header + 8, VGW_KS_VERSION);
    stl_be_p(header + 12, VGW_CRYPTO_SLOTS);
    if (!vgw_ks_hmac(ks->mac_key, sizeof(ks->mac_key), vgw_ks_label_kcv,
                     strlen(vgw_ks_label_kcv), header + 16, errp) ||
        qcrypto_random_bytes(iv, VGW_KS_IV_LEN, errp) < 0) {
        return NULL;
    }

    for (i = 0; i < VGW_CRYPTO_SLOTS; i++) {
        uint8_t *e = table + i * VGW_KS_RECORD_LEN;
        const VgwKey *k = slots[i];

        e[0] = k->type;
        e[1] = (k->locked ? VGW_KS_FLAG_LOCKED : 0) |
               (k->imported ? VGW_KS_FLAG_IMPORTED : 0);
        stl_be_p(e + 4, k->priv_len);
        total += k->priv_len;
    }
    padded = ROUND_UP(total, VGW_KS_BLOCK);
    plain = g_malloc0(padded ? padded : 1);
    for (i = 0, off = 0; i < VGW_CRYPTO_SLOTS; i++) {
        if (slots[i]->priv_len) {
            memcpy(plain + off, slots[i]->priv, slots[i]->priv_len);
            off += slots[i]->priv_len;
        }
    }
    ok = vgw_ks_ctr(ks, iv, plain, padded, errp);
    if (!ok) {
        explicit_bzero(plain, padded);
        return NULL;
    }

    out = g_byte_array_sized_new(VGW_KS_MIN_SIZE + padded);
    g_byte_array_append(out, header, sizeof(header));
    g_byte_array_append(out, table, sizeof(table));
    g_byte_array_append(out, plain, padded);
    if (!vgw_ks_hmac(ks->mac_key, sizeof(ks->mac_key), out->data, out->len,
                     tag, errp)) {
        return NULL;
    }
    g_byte_array_append(out, tag, sizeof(tag));
    return g_steal_pointer(&out);
}

/* Writes @data to @path through "<path>.tmp", fsync and rename. */
static bool vgw_ks_write_atomic(const char *path, const uint8_t *data,
                                size_t len, Error **errp)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
    g_autofree char *dir = g_path_get_dirname(path);
    int fd, dfd;

    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create '%s'", tmp);
        return false;
    }
    if (qemu_write_full(fd, data, len) != len) {
        error_setg_errno(errp, errno, "cannot write '%s'", tmp);
        goto fail;
    }
    if (fsync(fd) < 0) {
        error_setg_errno(errp, errno, "cannot sync '%s'", tmp);
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        error_setg_errno(errp, errno, "cannot close '%s'", tmp);
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        error_setg_errno(errp, errno, "cannot rename '%s' to '%s'", tmp,
                         path);
        goto fail;
    }
    /* Make the rename itself durable. */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return true;

fail:
    if (fd >= 0) {
        close(fd);
    }
    unlink(tmp);
    return false;
}

bool vgw_keystore_save(VgwKeystore *ks,
                       const VgwKey *const slots[VGW_CRYPTO_SLOTS],
                       Error **errp)
{
    g_autoptr(GByteArray) file = vgw_ks_encode(ks, slots, errp);

    if (!file || !vgw_ks_write_atomic(ks->path, file->data, file->len,
                                      errp)) {
        error_prepend(errp, "keystore '%s': ", ks->path);
        trace_vgw_keystore_save_failed(ks->path);
        return false;
    }
    trace_vgw_keystore_save(ks->path, vgw_ks_used(slots), file->len);
    return true;
}

void vgw_keystore_close(VgwKeystore *ks)
{
    g_free(ks->path);
    explicit_bzero(ks, sizeof(*ks));
}
