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
#include "hw/registerfields.h"
#include "migration/vmstate.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/guest-random.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "trace.h"

/* QEMU's view of the register map in vgw-regs/vgw_crypto.h */
REG32(ID,           VGW_CRYPTO_ID)
REG32(VERSION,      VGW_CRYPTO_VERSION)
REG32(NUM_SLOTS,    VGW_CRYPTO_NUM_SLOTS)
REG32(STATUS,       VGW_CRYPTO_STATUS)
    FIELD(STATUS, BUSY,    0, 1)
    FIELD(STATUS, DONE,    1, 1)
    FIELD(STATUS, ERR,     2, 1)
    FIELD(STATUS, OVERRUN, 3, 1)
REG32(CMD,          VGW_CRYPTO_CMD)
REG32(SLOT,         VGW_CRYPTO_SLOT)
REG32(KEY_TYPE,     VGW_CRYPTO_KEY_TYPE)
REG32(SCHEME,       VGW_CRYPTO_SCHEME)
REG32(IN_LEN,       VGW_CRYPTO_IN_LEN)
REG32(OUT_LEN,      VGW_CRYPTO_OUT_LEN)
REG32(RESULT,       VGW_CRYPTO_RESULT)
REG32(ERROR,        VGW_CRYPTO_ERROR)
REG32(IRQ_ENABLE,   VGW_CRYPTO_IRQ_ENABLE)
    FIELD(IRQ_ENABLE, DONE, 0, 1)
REG32(IRQ_STATUS,   VGW_CRYPTO_IRQ_STATUS)
    FIELD(IRQ_STATUS, DONE, 0, 1)
REG32(TRNG_DATA,    VGW_CRYPTO_TRNG_DATA)

QEMU_BUILD_BUG_ON(R_STATUS_BUSY_MASK != VGW_CRYPTO_STATUS_BUSY);
QEMU_BUILD_BUG_ON(R_STATUS_DONE_MASK != VGW_CRYPTO_STATUS_DONE);
QEMU_BUILD_BUG_ON(R_STATUS_ERR_MASK != VGW_CRYPTO_STATUS_ERR);
QEMU_BUILD_BUG_ON(R_STATUS_OVERRUN_MASK != VGW_CRYPTO_STATUS_OVERRUN);
QEMU_BUILD_BUG_ON(R_IRQ_ENABLE_DONE_MASK != VGW_CRYPTO_IRQ_DONE);
QEMU_BUILD_BUG_ON(R_IRQ_STATUS_DONE_MASK != VGW_CRYPTO_IRQ_DONE);
QEMU_BUILD_BUG_ON(VGW_CRYPTO_NUM_REGS != R_TRNG_DATA + 1);

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
    return FIELD_EX32(s->regs[R_STATUS], STATUS, BUSY);
}

static void vgw_crypto_update_irq(VgwCryptoState *s)
{
    qemu_set_irq(s->irq,
                 (s->regs[R_IRQ_STATUS] & s->regs[R_IRQ_ENABLE]) != 0);
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
        s->regs[R_OUT_LEN] = out->len;
        s->regs[R_RESULT] = result;
    }
    memset(s->in_buf, 0, sizeof(s->in_buf));
    s->regs[R_ERROR] = err;
    s->regs[R_STATUS] = (s->regs[R_STATUS] & R_STATUS_OVERRUN_MASK) |
                        R_STATUS_DONE_MASK |
                        (err != VGW_CRYPTO_ERR_OK ? R_STATUS_ERR_MASK : 0);
    s->regs[R_IRQ_STATUS] |= R_IRQ_STATUS_DONE_MASK;
    trace_vgw_crypto_cmd_done(vgw_crypto_cmd_name(s->op_cmd), s->op_slot, err,
                              s->regs[R_OUT_LEN], s->regs[R_RESULT]);
    vgw_crypto_update_irq(s);
}

static void vgw_crypto_write_cmd(void *opaque, unsigned reg, uint32_t cmd)
{
    VgwCryptoState *s = opaque;

    if (vgw_crypto_busy(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: CMD 0x%" PRIx32 " written while "
                      "%s runs: dropped\n", DEVICE(s)->canonical_path, cmd,
                      vgw_crypto_cmd_name(s->op_cmd));
        trace_vgw_crypto_cmd_overrun(cmd, vgw_crypto_cmd_name(s->op_cmd));
        s->regs[R_STATUS] |= R_STATUS_OVERRUN_MASK;
        return;
    }

    s->op_cmd = cmd;
    s->op_slot = s->regs[R_SLOT];
    s->op_key_type = s->regs[R_KEY_TYPE];
    s->op_scheme = s->regs[R_SCHEME];
    s->op_in_len = s->regs[R_IN_LEN];

    /* Accepting a command clears DONE, ERR and OVERRUN. */
    s->regs[R_STATUS] = R_STATUS_BUSY_MASK;
    s->regs[R_ERROR] = VGW_CRYPTO_ERR_OK;
    s->regs[R_RESULT] = 0;
    s->regs[R_OUT_LEN] = 0;
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

static void vgw_crypto_write_input(void *opaque, unsigned reg,
                                   uint32_t value)
{
    VgwCryptoState *s = opaque;

    if (vgw_crypto_input_writable(s, reg * 4)) {
        s->regs[reg] = value;
    }
}

static void vgw_crypto_write_irq_enable(void *opaque, unsigned reg,
                                        uint32_t value)
{
    VgwCryptoState *s = opaque;

    s->regs[R_IRQ_ENABLE] = value;
    vgw_crypto_update_irq(s);
}

static void vgw_crypto_write_irq_status(void *opaque, unsigned reg,
                                        uint32_t value)
{
    VgwCryptoState *s = opaque;

    s->regs[R_IRQ_STATUS] &= ~value;
    vgw_crypto_update_irq(s);
}

static uint32_t vgw_crypto_read_trng(void *opaque, unsigned reg)
{
    uint32_t value;

    qemu_guest_getrandom_nofail(&value, sizeof(value));
    return value;
}

/*
 * The register map: access, reset value and writable bits of each
 * register, and the hooks of those with side effects.  STATUS, OUT_LEN,
 * RESULT and ERROR are the engine's to set.
 */
#define VGW_CRYPTO_INPUT_REG(reg) \
    [R_ ## reg] = { .name = #reg, .access = VGW_REG_RW, \
                    .write_mask = UINT32_MAX, \
                    .write = vgw_crypto_write_input }

static const VgwRegInfo vgw_crypto_regs[VGW_CRYPTO_NUM_REGS] = {
    [R_ID] = {
        .name = "ID", .access = VGW_REG_RO, .reset = VGW_CRYPTO_ID_VALUE,
    },
    [R_VERSION] = {
        .name = "VERSION", .access = VGW_REG_RO,
        .reset = VGW_CRYPTO_VERSION_VALUE,
    },
    [R_NUM_SLOTS] = {
        .name = "NUM_SLOTS", .access = VGW_REG_RO, .reset = VGW_CRYPTO_SLOTS,
    },
    [R_STATUS] = { .name = "STATUS", .access = VGW_REG_RO },
    [R_CMD] = {
        .name = "CMD", .access = VGW_REG_WO, .write_mask = UINT32_MAX,
        .write = vgw_crypto_write_cmd,
    },
    VGW_CRYPTO_INPUT_REG(SLOT),
    VGW_CRYPTO_INPUT_REG(KEY_TYPE),
    VGW_CRYPTO_INPUT_REG(SCHEME),
    VGW_CRYPTO_INPUT_REG(IN_LEN),
    [R_OUT_LEN] = { .name = "OUT_LEN", .access = VGW_REG_RO },
    [R_RESULT] = { .name = "RESULT", .access = VGW_REG_RO },
    [R_ERROR] = { .name = "ERROR", .access = VGW_REG_RO },
    [R_IRQ_ENABLE] = {
        .name = "IRQ_ENABLE", .access = VGW_REG_RW,
        .write_mask = R_IRQ_ENABLE_DONE_MASK,
        .write = vgw_crypto_write_irq_enable,
    },
    [R_IRQ_STATUS] = {
        .name = "IRQ_STATUS", .access = VGW_REG_RW,
        .write_mask = R_IRQ_STATUS_DONE_MASK,
        .write = vgw_crypto_write_irq_status,
    },
    [R_TRNG_DATA] = {
        .name = "TRNG_DATA", .access = VGW_REG_RO,
        .read = vgw_crypto_read_trng,
    },
};

/* The buffers take aligned 8-, 16- and 32-bit accesses, registers 32-bit. */
static uint64_t vgw_crypto_read(void *opaque, hwaddr offset, unsigned size)
{
    VgwCryptoState *s = opaque;
    uint32_t value;

    if (!vgw_crypto_in_buf(offset) && !vgw_crypto_in_out_buf(offset)) {
        return vgw_regfile_read(&s->regfile, offset, size);
    }
    if (!vgw_mmio_access_ok(DEVICE(s), offset, size, false, 1, 4)) {
        return 0;
    }
    if (vgw_crypto_in_buf(offset)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: read of the write-only IN_BUF "
                      "at offset 0x%04" HWADDR_PRIx "\n",
                      DEVICE(s)->canonical_path, offset);
        return 0;
    }
    value = ldn_le_p(&s->out_buf[offset - VGW_CRYPTO_OUT_BUF], size);
    trace_vgw_crypto_buf_read(offset, value, size);
    return value;
}

static void vgw_crypto_write(void *opaque, hwaddr offset, uint64_t value,
                             unsigned size)
{
    VgwCryptoState *s = opaque;

    if (!vgw_crypto_in_buf(offset) && !vgw_crypto_in_out_buf(offset)) {
        vgw_regfile_write(&s->regfile, offset, value, size);
        return;
    }
    trace_vgw_crypto_buf_write(offset, value, size);
    if (!vgw_mmio_access_ok(DEVICE(s), offset, size, true, 1, 4)) {
        return;
    }
    if (vgw_crypto_in_out_buf(offset)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to the read-only OUT_BUF "
                      "at offset 0x%04" HWADDR_PRIx "\n",
                      DEVICE(s)->canonical_path, offset);
        return;
    }
    if (vgw_crypto_input_writable(s, offset)) {
        stn_le_p(&s->in_buf[offset - VGW_CRYPTO_IN_BUF], size, value);
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
    vgw_regfile_reset(&s->regfile);
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
    s->regfile = (VgwRegFile) {
        .dev = DEVICE(obj), .info = vgw_crypto_regs,
        .num = VGW_CRYPTO_NUM_REGS, .regs = s->regs, .opaque = s,
    };
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
    .version_id = 2,
    .minimum_version_id = 2,
    .post_load = vgw_crypto_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32_ARRAY(regs, VgwCryptoState, VGW_CRYPTO_NUM_REGS),
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
