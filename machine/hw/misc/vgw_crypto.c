/*
 * vgw crypto engine
 *
 * Sixteen key slots whose private keys can be generated inside the engine
 * or imported, used to sign digests, and never read back; a TRNG; and
 * asynchronous completion (BUSY, then DONE/ERR and an interrupt after a
 * modelled latency).  Register map and command semantics:
 * vgw-regs/vgw_crypto.h.  The key operations are in vgw_crypto_keys.c,
 * the keystore file in vgw_keystore.c.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include "hw/irq.h"
#include "hw/misc/vgw_crypto.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/guest-random.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "trace.h"

static const char *const vgw_crypto_cmd_names[] = {
    [VGW_CRYPTO_CMD_NOP]        = "NOP",
    [VGW_CRYPTO_CMD_GENERATE]   = "GENERATE",
    [VGW_CRYPTO_CMD_IMPORT]     = "IMPORT",
    [VGW_CRYPTO_CMD_EXPORT_PUB] = "EXPORT_PUB",
    [VGW_CRYPTO_CMD_SIGN]       = "SIGN",
    [VGW_CRYPTO_CMD_DELETE]     = "DELETE",
    [VGW_CRYPTO_CMD_LOCK]       = "LOCK",
    [VGW_CRYPTO_CMD_INFO]       = "INFO",
    [VGW_CRYPTO_CMD_ZEROIZE]    = "ZEROIZE",
};

static const char *vgw_crypto_cmd_name(uint32_t cmd)
{
    if (cmd < ARRAY_SIZE(vgw_crypto_cmd_names)) {
        return vgw_crypto_cmd_names[cmd];
    }
    return "unknown";
}

static bool vgw_crypto_busy(VgwCryptoState *s)
{
    return s->status & VGW_CRYPTO_STATUS_BUSY;
}

static void vgw_crypto_update_irq(VgwCryptoState *s)
{
    qemu_set_irq(s->irq, (s->irq_status & s->irq_enable) != 0);
}

/* Logs a guest mistake made by the command in flight. */
static void G_GNUC_PRINTF(2, 3)
vgw_crypto_cmd_error(VgwCryptoState *s, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s slot %" PRIu32 ": %s\n",
                  DEVICE(s)->canonical_path, vgw_crypto_cmd_name(s->op_cmd),
                  s->op_slot, msg);
}

/*
 * Reports the outcome of a key operation: guest mistakes go to the guest
 * error log, engine failures to the QEMU log.
 */
static uint32_t vgw_crypto_op_result(VgwCryptoState *s, uint32_t err,
                                     Error *local_err)
{
    if (!local_err) {
        return err;
    }
    if (err == VGW_CRYPTO_ERR_INTERNAL) {
        error_report("%s: %s slot %" PRIu32 ": %s", DEVICE(s)->canonical_path,
                     vgw_crypto_cmd_name(s->op_cmd), s->op_slot,
                     error_get_pretty(local_err));
    } else {
        vgw_crypto_cmd_error(s, "%s", error_get_pretty(local_err));
    }
    error_free(local_err);
    return err;
}

/* -------------------------------------------------------------------- */
/* Slots                                                                */

/*
 * Makes @candidate the content of slot @n (or of every slot when @n is
 * negative, for ZEROIZE).  With a keystore the new contents are saved
 * first: if that fails nothing changes and the command fails with
 * VGW_CRYPTO_ERR_STORAGE.  @candidate is consumed either way.
 */
static uint32_t vgw_crypto_commit(VgwCryptoState *s, int n, VgwKey *candidate)
{
    const VgwKey *view[VGW_CRYPTO_SLOTS];
    Error *local_err = NULL;
    int i;

    for (i = 0; i < VGW_CRYPTO_SLOTS; i++) {
        view[i] = (n < 0 || i == n) ? candidate : &s->slots[i];
    }
    if (s->persistent && !vgw_keystore_save(&s->keystore, view, &local_err)) {
        /* A host-side failure: say so on the host, not just to the guest. */
        error_report_err(local_err);
        vgw_key_clear(candidate);
        return VGW_CRYPTO_ERR_STORAGE;
    }
    if (n < 0) {
        for (i = 0; i < VGW_CRYPTO_SLOTS; i++) {
            vgw_key_clear(&s->slots[i]);
        }
        vgw_key_clear(candidate);
    } else {
        vgw_key_move(&s->slots[n], candidate);
        if (trace_event_get_state_backends(TRACE_VGW_CRYPTO_KEY)) {
            g_autofree char *fpr = vgw_key_fingerprint(&s->slots[n]);

            trace_vgw_crypto_key(n, vgw_key_type_name(s->slots[n].type),
                                 s->slots[n].locked, s->slots[n].imported,
                                 fpr ? fpr : "-");
        }
    }
    return VGW_CRYPTO_ERR_OK;
}

/* -------------------------------------------------------------------- */
/* Commands                                                             */

static bool vgw_crypto_check_slot(VgwCryptoState *s, uint32_t *err)
{
    if (s->op_slot >= VGW_CRYPTO_SLOTS) {
        vgw_crypto_cmd_error(s, "no such slot (the engine has %u)",
                             VGW_CRYPTO_SLOTS);
        *err = VGW_CRYPTO_ERR_BAD_SLOT;
        return false;
    }
    return true;
}

static bool vgw_crypto_check_key_type(VgwCryptoState *s, uint32_t *err)
{
    if (!vgw_key_type_valid(s->op_key_type)) {
        vgw_crypto_cmd_error(s, "KEY_TYPE %" PRIu32 " is not a key type",
                             s->op_key_type);
        *err = VGW_CRYPTO_ERR_BAD_KEY_TYPE;
        return false;
    }
    return true;
}

static bool vgw_crypto_check_in_len(VgwCryptoState *s, uint32_t *err)
{
    if (s->op_in_len > VGW_CRYPTO_BUF_SIZE) {
        vgw_crypto_cmd_error(s, "IN_LEN %" PRIu32 " exceeds the %u-byte "
                             "input buffer", s->op_in_len,
                             VGW_CRYPTO_BUF_SIZE);
        *err = VGW_CRYPTO_ERR_BAD_LENGTH;
        return false;
    }
    return true;
}

static bool vgw_crypto_check_unlocked(VgwCryptoState *s, uint32_t *err)
{
    if (s->slots[s->op_slot].locked) {
        vgw_crypto_cmd_error(s, "the slot is locked");
        *err = VGW_CRYPTO_ERR_LOCKED;
        return false;
    }
    return true;
}

static bool vgw_crypto_check_full(VgwCryptoState *s, uint32_t *err)
{
    if (s->slots[s->op_slot].type == VGW_KEY_TYPE_NONE) {
        vgw_crypto_cmd_error(s, "the slot is empty");
        *err = VGW_CRYPTO_ERR_EMPTY_SLOT;
        return false;
    }
    return true;
}

static uint32_t vgw_crypto_do_generate(VgwCryptoState *s)
{
    VgwKey key = { 0 };
    Error *local_err = NULL;
    uint32_t err;

    if (!vgw_crypto_check_slot(s, &err) ||
        !vgw_crypto_check_key_type(s, &err) ||
        !vgw_crypto_check_unlocked(s, &err)) {
        return err;
    }
    err = vgw_key_generate(&key, s->op_key_type, &local_err);
    if (err != VGW_CRYPTO_ERR_OK) {
        return vgw_crypto_op_result(s, err, local_err);
    }
    return vgw_crypto_commit(s, s->op_slot, &key);
}

static uint32_t vgw_crypto_do_import(VgwCryptoState *s)
{
    VgwKey key = { 0 };
    Error *local_err = NULL;
    uint32_t err;

    if (!vgw_crypto_check_slot(s, &err) ||
        !vgw_crypto_check_key_type(s, &err) ||
        !vgw_crypto_check_in_len(s, &err) ||
        !vgw_crypto_check_unlocked(s, &err)) {
        return err;
    }
    err = vgw_key_import(&key, s->op_key_type, s->in_buf, s->op_in_len,
                         &local_err);
    if (err != VGW_CRYPTO_ERR_OK) {
        return vgw_crypto_op_result(s, err, local_err);
    }
    key.imported = true;
    return vgw_crypto_commit(s, s->op_slot, &key);
}

static uint32_t vgw_crypto_do_export_pub(VgwCryptoState *s, GByteArray *out)
{
    Error *local_err = NULL;
    uint32_t err;

    if (!vgw_crypto_check_slot(s, &err) || !vgw_crypto_check_full(s, &err)) {
        return err;
    }
    err = vgw_key_export_public(&s->slots[s->op_slot], out, &local_err);
    return vgw_crypto_op_result(s, err, local_err);
}

static uint32_t vgw_crypto_do_sign(VgwCryptoState *s, GByteArray *out)
{
    Error *local_err = NULL;
    uint32_t err;

    if (!vgw_crypto_check_slot(s, &err) ||
        !vgw_crypto_check_in_len(s, &err) ||
        !vgw_crypto_check_full(s, &err)) {
        return err;
    }
    err = vgw_key_sign(&s->slots[s->op_slot], s->op_scheme, s->in_buf,
                       s->op_in_len, out, &local_err);
    return vgw_crypto_op_result(s, err, local_err);
}

static uint32_t vgw_crypto_do_delete(VgwCryptoState *s)
{
    VgwKey empty = { 0 };
    uint32_t err;

    if (!vgw_crypto_check_slot(s, &err) ||
        !vgw_crypto_check_unlocked(s, &err)) {
        return err;
    }
    if (s->slots[s->op_slot].type == VGW_KEY_TYPE_NONE) {
        return VGW_CRYPTO_ERR_OK;   /* already empty: nothing to save */
    }
    return vgw_crypto_commit(s, s->op_slot, &empty);
}

static uint32_t vgw_crypto_do_lock(VgwCryptoState *s)
{
    VgwKey key;
    uint32_t err;

    if (!vgw_crypto_check_slot(s, &err) || !vgw_crypto_check_full(s, &err)) {
        return err;
    }
    if (s->slots[s->op_slot].locked) {
        return VGW_CRYPTO_ERR_OK;
    }
    vgw_key_copy(&key, &s->slots[s->op_slot]);
    key.locked = true;
    return vgw_crypto_commit(s, s->op_slot, &key);
}

static uint32_t vgw_crypto_do_info(VgwCryptoState *s, uint32_t *result)
{
    const VgwKey *key;
    uint32_t err;

    if (!vgw_crypto_check_slot(s, &err)) {
        return err;
    }
    key = &s->slots[s->op_slot];
    *result = key->type |
              (key->locked ? VGW_CRYPTO_INFO_LOCKED : 0) |
              (key->imported ? VGW_CRYPTO_INFO_IMPORTED : 0);
    return VGW_CRYPTO_ERR_OK;
}

static uint32_t vgw_crypto_do_zeroize(VgwCryptoState *s)
{
    VgwKey empty = { 0 };

    if (s->op_slot != VGW_CRYPTO_ZEROIZE_MAGIC) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: ZEROIZE: SLOT holds 0x%08"
                      PRIx32 ", not the magic 0x%08x\n",
                      DEVICE(s)->canonical_path, s->op_slot,
                      VGW_CRYPTO_ZEROIZE_MAGIC);
        return VGW_CRYPTO_ERR_BAD_MAGIC;
    }
    return vgw_crypto_commit(s, -1, &empty);
}

static uint32_t vgw_crypto_execute(VgwCryptoState *s, GByteArray *out,
                                   uint32_t *result)
{
    switch (s->op_cmd) {
    case VGW_CRYPTO_CMD_NOP:
        return VGW_CRYPTO_ERR_OK;
    case VGW_CRYPTO_CMD_GENERATE:
        return vgw_crypto_do_generate(s);
    case VGW_CRYPTO_CMD_IMPORT:
        return vgw_crypto_do_import(s);
    case VGW_CRYPTO_CMD_EXPORT_PUB:
        return vgw_crypto_do_export_pub(s, out);
    case VGW_CRYPTO_CMD_SIGN:
        return vgw_crypto_do_sign(s, out);
    case VGW_CRYPTO_CMD_DELETE:
        return vgw_crypto_do_delete(s);
    case VGW_CRYPTO_CMD_LOCK:
        return vgw_crypto_do_lock(s);
    case VGW_CRYPTO_CMD_INFO:
        return vgw_crypto_do_info(s, result);
    case VGW_CRYPTO_CMD_ZEROIZE:
        return vgw_crypto_do_zeroize(s);
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: unknown command 0x%08" PRIx32
                      "\n", DEVICE(s)->canonical_path, s->op_cmd);
        return VGW_CRYPTO_ERR_BAD_COMMAND;
    }
}

/* The modelled latency is over: run the command and report completion. */
static void vgw_crypto_complete(void *opaque)
{
    VgwCryptoState *s = opaque;
    g_autoptr(GByteArray) out = g_byte_array_new();
    uint32_t result = 0;
    uint32_t err;

    err = vgw_crypto_execute(s, out, &result);
    if (err == VGW_CRYPTO_ERR_OK && out->len > VGW_CRYPTO_BUF_SIZE) {
        error_report("%s: %s output of %u bytes does not fit OUT_BUF",
                     DEVICE(s)->canonical_path,
                     vgw_crypto_cmd_name(s->op_cmd), out->len);
        err = VGW_CRYPTO_ERR_INTERNAL;
    }
    if (err == VGW_CRYPTO_ERR_OK) {
        memcpy(s->out_buf, out->data, out->len);
        s->out_len = out->len;
        s->result = result;
    }
    memset(s->in_buf, 0, sizeof(s->in_buf));
    s->error = err;
    s->status = (s->status & VGW_CRYPTO_STATUS_OVERRUN) |
                VGW_CRYPTO_STATUS_DONE |
                (err != VGW_CRYPTO_ERR_OK ? VGW_CRYPTO_STATUS_ERR : 0);
    s->irq_status |= VGW_CRYPTO_IRQ_DONE;
    trace_vgw_crypto_cmd_done(vgw_crypto_cmd_name(s->op_cmd), s->op_slot, err,
                              s->out_len, s->result);
    vgw_crypto_update_irq(s);
}

static void vgw_crypto_start(VgwCryptoState *s, uint32_t cmd)
{
    if (vgw_crypto_busy(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: CMD 0x%" PRIx32 " written while "
                      "%s runs: dropped\n", DEVICE(s)->canonical_path, cmd,
                      vgw_crypto_cmd_name(s->op_cmd));
        trace_vgw_crypto_cmd_overrun(cmd, vgw_crypto_cmd_name(s->op_cmd));
        s->status |= VGW_CRYPTO_STATUS_OVERRUN;
        return;
    }

    s->op_cmd = cmd;
    s->op_slot = s->slot;
    s->op_key_type = s->key_type;
    s->op_scheme = s->scheme;
    s->op_in_len = s->in_len;

    /* Accepting a command clears DONE, ERR and OVERRUN. */
    s->status = VGW_CRYPTO_STATUS_BUSY;
    s->error = VGW_CRYPTO_ERR_OK;
    s->result = 0;
    s->out_len = 0;
    memset(s->out_buf, 0, sizeof(s->out_buf));

    trace_vgw_crypto_cmd_start(vgw_crypto_cmd_name(cmd), s->op_slot,
                               s->op_key_type, s->op_scheme, s->op_in_len);
    timer_mod(s->cmd_timer,
              qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + s->latency_ns);
}

/* -------------------------------------------------------------------- */
/* MMIO                                                                 */

static bool vgw_crypto_in_buf(hwaddr offset)
{
    return offset >= VGW_CRYPTO_IN_BUF &&
           offset < VGW_CRYPTO_IN_BUF + VGW_CRYPTO_BUF_SIZE;
}

static bool vgw_crypto_in_out_buf(hwaddr offset)
{
    return offset >= VGW_CRYPTO_OUT_BUF &&
           offset < VGW_CRYPTO_OUT_BUF + VGW_CRYPTO_BUF_SIZE;
}

/*
 * Buffers take aligned 8-, 16- and 32-bit accesses; registers aligned
 * 32-bit ones.  Anything else is logged and ignored.
 */
static bool vgw_crypto_access_ok(VgwCryptoState *s, hwaddr offset,
                                 unsigned size, bool write)
{
    bool buf = vgw_crypto_in_buf(offset) || vgw_crypto_in_out_buf(offset);
    bool size_ok = buf ? (size == 1 || size == 2 || size == 4) : size == 4;

    if (!size_ok || (offset & (size - 1))) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: %u-byte %s at offset 0x%04" HWADDR_PRIx
                      ": %s\n", DEVICE(s)->canonical_path, size,
                      write ? "write" : "read", offset,
                      buf ? "buffers take aligned 8/16/32-bit accesses"
                          : "registers take aligned 32-bit accesses");
        return false;
    }
    return true;
}

static uint64_t vgw_crypto_read(void *opaque, hwaddr offset, unsigned size)
{
    VgwCryptoState *s = opaque;
    uint32_t value = 0;

    if (!vgw_crypto_access_ok(s, offset, size, false)) {
        return 0;
    }
    if (vgw_crypto_in_out_buf(offset)) {
        value = ldn_le_p(&s->out_buf[offset - VGW_CRYPTO_OUT_BUF], size);
        trace_vgw_crypto_read(offset, value, size);
        return value;
    }
    if (vgw_crypto_in_buf(offset)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: read of the write-only IN_BUF "
                      "at offset 0x%04" HWADDR_PRIx "\n",
                      DEVICE(s)->canonical_path, offset);
        return 0;
    }

    switch (offset) {
    case VGW_CRYPTO_ID:
        value = VGW_CRYPTO_ID_VALUE;
        break;
    case VGW_CRYPTO_VERSION:
        value = VGW_CRYPTO_VERSION_VALUE;
        break;
    case VGW_CRYPTO_NUM_SLOTS:
        value = VGW_CRYPTO_SLOTS;
        break;
    case VGW_CRYPTO_STATUS:
        value = s->status;
        break;
    case VGW_CRYPTO_SLOT:
        value = s->slot;
        break;
    case VGW_CRYPTO_KEY_TYPE:
        value = s->key_type;
        break;
    case VGW_CRYPTO_SCHEME:
        value = s->scheme;
        break;
    case VGW_CRYPTO_IN_LEN:
        value = s->in_len;
        break;
    case VGW_CRYPTO_OUT_LEN:
        value = s->out_len;
        break;
    case VGW_CRYPTO_RESULT:
        value = s->result;
        break;
    case VGW_CRYPTO_ERROR:
        value = s->error;
        break;
    case VGW_CRYPTO_IRQ_ENABLE:
        value = s->irq_enable;
        break;
    case VGW_CRYPTO_IRQ_STATUS:
        value = s->irq_status;
        break;
    case VGW_CRYPTO_TRNG_DATA:
        qemu_guest_getrandom_nofail(&value, sizeof(value));
        trace_vgw_crypto_trng_read();
        return value;
    case VGW_CRYPTO_CMD:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: read of the write-only CMD "
                      "register\n", DEVICE(s)->canonical_path);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: read of unknown offset 0x%04" HWADDR_PRIx "\n",
                      DEVICE(s)->canonical_path, offset);
        break;
    }

    trace_vgw_crypto_read(offset, value, size);
    return value;
}

/* SLOT, KEY_TYPE, SCHEME, IN_LEN and IN_BUF belong to a running command. */
static bool vgw_crypto_input_writable(VgwCryptoState *s, hwaddr offset)
{
    if (vgw_crypto_busy(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write at offset 0x%04"
                      HWADDR_PRIx " while %s runs: ignored\n",
                      DEVICE(s)->canonical_path, offset,
                      vgw_crypto_cmd_name(s->op_cmd));
        return false;
    }
    return true;
}

static void vgw_crypto_write(void *opaque, hwaddr offset, uint64_t value,
                             unsigned size)
{
    VgwCryptoState *s = opaque;

    trace_vgw_crypto_write(offset, value, size);
    if (!vgw_crypto_access_ok(s, offset, size, true)) {
        return;
    }
    if (vgw_crypto_in_buf(offset)) {
        if (vgw_crypto_input_writable(s, offset)) {
            stn_le_p(&s->in_buf[offset - VGW_CRYPTO_IN_BUF], size, value);
        }
        return;
    }
    if (vgw_crypto_in_out_buf(offset)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to the read-only OUT_BUF "
                      "at offset 0x%04" HWADDR_PRIx "\n",
                      DEVICE(s)->canonical_path, offset);
        return;
    }

    switch (offset) {
    case VGW_CRYPTO_CMD:
        vgw_crypto_start(s, value);
        break;
    case VGW_CRYPTO_SLOT:
        if (vgw_crypto_input_writable(s, offset)) {
            s->slot = value;
        }
        break;
    case VGW_CRYPTO_KEY_TYPE:
        if (vgw_crypto_input_writable(s, offset)) {
            s->key_type = value;
        }
        break;
    case VGW_CRYPTO_SCHEME:
        if (vgw_crypto_input_writable(s, offset)) {
            s->scheme = value;
        }
        break;
    case VGW_CRYPTO_IN_LEN:
        if (vgw_crypto_input_writable(s, offset)) {
            s->in_len = value;
        }
        break;
    case VGW_CRYPTO_IRQ_ENABLE:
        if (value & ~VGW_CRYPTO_IRQ_DONE) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: IRQ_ENABLE: reserved bits "
                          "0x%08" PRIx64 " ignored\n",
                          DEVICE(s)->canonical_path,
                          value & ~(uint64_t)VGW_CRYPTO_IRQ_DONE);
        }
        s->irq_enable = value & VGW_CRYPTO_IRQ_DONE;
        vgw_crypto_update_irq(s);
        break;
    case VGW_CRYPTO_IRQ_STATUS:
        s->irq_status &= ~value;
        vgw_crypto_update_irq(s);
        break;
    case VGW_CRYPTO_ID:
    case VGW_CRYPTO_VERSION:
    case VGW_CRYPTO_NUM_SLOTS:
    case VGW_CRYPTO_STATUS:
    case VGW_CRYPTO_OUT_LEN:
    case VGW_CRYPTO_RESULT:
    case VGW_CRYPTO_ERROR:
    case VGW_CRYPTO_TRNG_DATA:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write of read-only register at offset 0x%04"
                      HWADDR_PRIx "\n", DEVICE(s)->canonical_path, offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write to unknown offset 0x%04" HWADDR_PRIx "\n",
                      DEVICE(s)->canonical_path, offset);
        break;
    }
}

static const MemoryRegionOps vgw_crypto_ops = {
    .read = vgw_crypto_read,
    .write = vgw_crypto_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /*
     * Accept every size and alignment so that bad accesses reach the
     * handlers and are logged as guest errors instead of faulting.
     */
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/* -------------------------------------------------------------------- */
/* Device                                                               */

/* Registers, buffers and any command in flight; the key slots stay. */
static void vgw_crypto_reset_enter(Object *obj, ResetType type)
{
    VgwCryptoState *s = VGW_CRYPTO(obj);
    bool cancelled = timer_pending(s->cmd_timer);

    timer_del(s->cmd_timer);
    s->status = 0;
    s->slot = 0;
    s->key_type = VGW_KEY_TYPE_NONE;
    s->scheme = 0;
    s->in_len = 0;
    s->out_len = 0;
    s->result = 0;
    s->error = VGW_CRYPTO_ERR_OK;
    s->irq_enable = 0;
    s->irq_status = 0;
    memset(s->in_buf, 0, sizeof(s->in_buf));
    memset(s->out_buf, 0, sizeof(s->out_buf));
    s->op_cmd = VGW_CRYPTO_CMD_NOP;
    s->op_slot = 0;
    s->op_key_type = 0;
    s->op_scheme = 0;
    s->op_in_len = 0;
    trace_vgw_crypto_reset(cancelled);
}

static void vgw_crypto_reset_hold(Object *obj)
{
    vgw_crypto_update_irq(VGW_CRYPTO(obj));
}

static void vgw_crypto_init(Object *obj)
{
    VgwCryptoState *s = VGW_CRYPTO(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &vgw_crypto_ops, s,
                          TYPE_VGW_CRYPTO, VGW_CRYPTO_REGION_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
    s->cmd_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, vgw_crypto_complete, s);
}

static void vgw_crypto_finalize(Object *obj)
{
    VgwCryptoState *s = VGW_CRYPTO(obj);
    int i;

    timer_free(s->cmd_timer);
    for (i = 0; i < VGW_CRYPTO_SLOTS; i++) {
        vgw_key_clear(&s->slots[i]);
    }
    if (s->persistent) {
        vgw_keystore_close(&s->keystore);
    }
}

static void vgw_crypto_realize(DeviceState *dev, Error **errp)
{
    VgwCryptoState *s = VGW_CRYPTO(dev);

    if (s->latency_ns > VGW_CRYPTO_LATENCY_MAX_NS) {
        error_setg(errp, "%s: latency-ns %" PRIu64 " is above the maximum "
                   "of %" PRIu64 " (one minute)", TYPE_VGW_CRYPTO,
                   s->latency_ns, (uint64_t)VGW_CRYPTO_LATENCY_MAX_NS);
        return;
    }
    if (s->keystore_path && !s->secret_id) {
        error_setg(errp, "%s: keystore '%s' needs a secret (machine "
                   "property keystore-secret=ID of a -object secret)",
                   TYPE_VGW_CRYPTO, s->keystore_path);
        return;
    }
    if (s->secret_id && !s->keystore_path) {
        error_setg(errp, "%s: a keystore secret was given without a "
                   "keystore file", TYPE_VGW_CRYPTO);
        return;
    }
    if (s->keystore_path) {
        if (!vgw_keystore_open(&s->keystore, s->keystore_path, s->secret_id,
                               s->slots, errp)) {
            error_prepend(errp, "%s: ", TYPE_VGW_CRYPTO);
            return;
        }
        s->persistent = true;
    }
}

static int vgw_crypto_post_load(void *opaque, int version_id)
{
    VgwCryptoState *s = opaque;

    /* A command is in flight exactly when its completion is scheduled. */
    if (vgw_crypto_busy(s) != timer_pending(s->cmd_timer)) {
        return -EINVAL;
    }
    return 0;
}

/*
 * The key slots are not migrated: they live in the keystore file, which
 * the destination opens itself (see machine/README.md).
 */
static const VMStateDescription vmstate_vgw_crypto = {
    .name = TYPE_VGW_CRYPTO,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = vgw_crypto_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(status, VgwCryptoState),
        VMSTATE_UINT32(slot, VgwCryptoState),
        VMSTATE_UINT32(key_type, VgwCryptoState),
        VMSTATE_UINT32(scheme, VgwCryptoState),
        VMSTATE_UINT32(in_len, VgwCryptoState),
        VMSTATE_UINT32(out_len, VgwCryptoState),
        VMSTATE_UINT32(result, VgwCryptoState),
        VMSTATE_UINT32(error, VgwCryptoState),
        VMSTATE_UINT32(irq_enable, VgwCryptoState),
        VMSTATE_UINT32(irq_status, VgwCryptoState),
        VMSTATE_UINT8_ARRAY(in_buf, VgwCryptoState, VGW_CRYPTO_BUF_SIZE),
        VMSTATE_UINT8_ARRAY(out_buf, VgwCryptoState, VGW_CRYPTO_BUF_SIZE),
        VMSTATE_UINT32(op_cmd, VgwCryptoState),
        VMSTATE_UINT32(op_slot, VgwCryptoState),
        VMSTATE_UINT32(op_key_type, VgwCryptoState),
        VMSTATE_UINT32(op_scheme, VgwCryptoState),
        VMSTATE_UINT32(op_in_len, VgwCryptoState),
        VMSTATE_TIMER_PTR(cmd_timer, VgwCryptoState),
        VMSTATE_END_OF_LIST()
    },
};

static Property vgw_crypto_properties[] = {
    DEFINE_PROP_STRING("keystore", VgwCryptoState, keystore_path),
    DEFINE_PROP_STRING("secret", VgwCryptoState, secret_id),
    DEFINE_PROP_UINT64("latency-ns", VgwCryptoState, latency_ns,
                       VGW_CRYPTO_LATENCY_DEFAULT_NS),
    DEFINE_PROP_END_OF_LIST(),
};

static void vgw_crypto_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->desc = "vgw crypto engine";
    dc->realize = vgw_crypto_realize;
    dc->vmsd = &vmstate_vgw_crypto;
    /* Part of the SoC; it only exists at its fixed address. */
    dc->user_creatable = false;
    device_class_set_props(dc, vgw_crypto_properties);
    rc->phases.enter = vgw_crypto_reset_enter;
    rc->phases.hold = vgw_crypto_reset_hold;
}

static const TypeInfo vgw_crypto_types[] = {
    {
        .name = TYPE_VGW_CRYPTO,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(VgwCryptoState),
        .instance_init = vgw_crypto_init,
        .instance_finalize = vgw_crypto_finalize,
        .class_init = vgw_crypto_class_init,
    },
};

DEFINE_TYPES(vgw_crypto_types)
