/* Crypto engine driver: see crypto_engine.h. */
#include "hal/crypto_engine.h"

#include <string.h>

#include "hal/devmem.h"
#include "hal/devtree.h"
#include "vgw_crypto.h"

/* Poll intervals of a synchronous wait: from POLL_MIN_US, doubling, to
 * POLL_MAX_US. Most commands take the engine's small modelled latency;
 * RSA key generation takes much longer. */
#define POLL_MIN_US 20
#define POLL_MAX_US 2000

struct VgwCryptoEngine {
  const VgwCryptoBusOps *ops;
  void *ctx;
  uint32_t version;
  guint num_slots;
  guint timeout_ms;
  /* The asynchronous sign: started and not yet finished. */
  gboolean async_active;
  guint async_slot;
  uint32_t async_scheme;
  size_t async_len;
  /* A synchronous command needed the engine while the asynchronous sign
   * was in flight: its outcome was read out and kept here. */
  gboolean async_latched;
  uint32_t latched_code;
  GBytes *latched_out;
  GError *latched_error; /* transport failure or timeout while latching */
};

/* What a completed command left in the registers. */
typedef struct {
  uint32_t code;   /* ERROR: VGW_CRYPTO_ERR_* */
  uint32_t result; /* RESULT */
  GBytes *out;     /* OUT_BUF[0..OUT_LEN), when asked for */
} CommandResult;

G_DEFINE_QUARK(vgw - crypto - driver - error - quark, vgw_crypto_driver_error)

static uint32_t reg_read(VgwCryptoEngine *e, uint32_t offset) {
  return e->ops->read32(e->ctx, offset);
}

static void reg_write(VgwCryptoEngine *e, uint32_t offset, uint32_t value) {
  e->ops->write32(e->ctx, offset, value);
}

static gboolean bus_ok(VgwCryptoEngine *e, GError **error) {
  return e->ops->check == NULL || e->ops->check(e->ctx, error);
}

const char *vgw_crypto_key_type_name(uint32_t key_type) {
  return vgw_key_type_name(key_type);
}

gboolean vgw_crypto_key_type_parse(const char *name, uint32_t *key_type) {
  static const uint32_t types[] = {VGW_KEY_TYPE_EC_P256, VGW_KEY_TYPE_RSA_2048,
                                   VGW_KEY_TYPE_RSA_3072};
  for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
    if (strcmp(name, vgw_crypto_key_type_name(types[i])) == 0) {
      *key_type = types[i];
      return TRUE;
    }
  }
  return FALSE;
}

/* scheme_name names a VGW_SIG_* value for messages. */
static const char *scheme_name(uint32_t scheme) {
  switch (scheme) {
    case VGW_SIG_ECDSA:
      return "ecdsa";
    case VGW_SIG_RSA_PKCS1_SHA256:
      return "rsa-pkcs1-sha256";
    case VGW_SIG_RSA_PKCS1_SHA384:
      return "rsa-pkcs1-sha384";
    case VGW_SIG_RSA_PKCS1_SHA512:
      return "rsa-pkcs1-sha512";
    case VGW_SIG_RSA_PSS_SHA256:
      return "rsa-pss-sha256";
    case VGW_SIG_RSA_PSS_SHA384:
      return "rsa-pss-sha384";
    case VGW_SIG_RSA_PSS_SHA512:
      return "rsa-pss-sha512";
    default:
      return "unknown";
  }
}

const char *vgw_crypto_error_text(uint32_t code) {
  switch (code) {
    case VGW_CRYPTO_ERR_OK:
      return "no error";
    case VGW_CRYPTO_ERR_BAD_COMMAND:
      return "the engine does not know the command";
    case VGW_CRYPTO_ERR_BAD_SLOT:
      return "no such slot";
    case VGW_CRYPTO_ERR_EMPTY_SLOT:
      return "the slot is empty";
    case VGW_CRYPTO_ERR_LOCKED:
      return "the slot is locked";
    case VGW_CRYPTO_ERR_BAD_KEY_TYPE:
      return "unknown key type";
    case VGW_CRYPTO_ERR_WRONG_TYPE:
      return "the signature scheme does not fit the slot's key";
    case VGW_CRYPTO_ERR_BAD_SCHEME:
      return "unknown signature scheme";
    case VGW_CRYPTO_ERR_BAD_LENGTH:
      return "the input length is wrong for the command";
    case VGW_CRYPTO_ERR_BAD_KEY:
      return "the imported key is malformed or not of the given type";
    case VGW_CRYPTO_ERR_BAD_MAGIC:
      return "zeroize without the magic value";
    case VGW_CRYPTO_ERR_STORAGE:
      return "the keystore file could not be written";
    case VGW_CRYPTO_ERR_INTERNAL:
      return "the engine failed internally";
    default:
      return "unknown engine error";
  }
}

/* engine_error turns a command's VGW_CRYPTO_ERR_* into a GError whose
 * message names what the user asked for ("slot 3 is locked"). */
static void engine_error(VgwCryptoEngine *e, GError **error, uint32_t code,
                         uint32_t cmd, guint slot, uint32_t key_type,
                         uint32_t scheme, size_t in_len) {
  switch (code) {
    case VGW_CRYPTO_ERR_BAD_SLOT:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code,
                  "slot %u does not exist (the engine has slots 0 to %u)", slot,
                  e->num_slots - 1);
      break;
    case VGW_CRYPTO_ERR_EMPTY_SLOT:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code, "slot %u is empty",
                  slot);
      break;
    case VGW_CRYPTO_ERR_LOCKED:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code, "slot %u is locked",
                  slot);
      break;
    case VGW_CRYPTO_ERR_BAD_KEY_TYPE:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code,
                  "key type %u is not one the engine knows", key_type);
      break;
    case VGW_CRYPTO_ERR_WRONG_TYPE:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code,
                  "the key in slot %u cannot sign with %s", slot,
                  scheme_name(scheme));
      break;
    case VGW_CRYPTO_ERR_BAD_SCHEME:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code,
                  "signature scheme %u is not one the engine knows", scheme);
      break;
    case VGW_CRYPTO_ERR_BAD_LENGTH:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code,
                  "%zu bytes of input are wrong for this command%s", in_len,
                  cmd == VGW_CRYPTO_CMD_SIGN
                      ? " (the digest must match the scheme's hash)"
                      : "");
      break;
    case VGW_CRYPTO_ERR_BAD_KEY:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code,
                  "the key is malformed or not an %s key",
                  vgw_crypto_key_type_name(key_type));
      break;
    case VGW_CRYPTO_ERR_STORAGE:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code,
                  "the keystore file could not be written; slot %u is "
                  "unchanged",
                  slot);
      break;
    default:
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, code, "%s (engine error %u)",
                  vgw_crypto_error_text(code), code);
      break;
  }
}

/* wait_not_busy polls STATUS until BUSY is clear, bounded by the engine's
 * timeout, and returns the last STATUS read. */
static gboolean wait_not_busy(VgwCryptoEngine *e, uint32_t *status,
                              GError **error) {
  gint64 deadline = g_get_monotonic_time() + (gint64)e->timeout_ms * 1000;
  gulong sleep_us = POLL_MIN_US;
  for (;;) {
    if (!bus_ok(e, error)) {
      return FALSE;
    }
    *status = reg_read(e, VGW_CRYPTO_STATUS);
    if (!(*status & VGW_CRYPTO_STATUS_BUSY)) {
      return bus_ok(e, error);
    }
    if (g_get_monotonic_time() > deadline) {
      g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_TIMEOUT,
                  "the crypto engine did not complete within %u ms",
                  e->timeout_ms);
      return FALSE;
    }
    if (e->ops->advance != NULL) {
      e->ops->advance(e->ctx);
    }
    g_usleep(sleep_us);
    sleep_us = MIN(sleep_us * 2, POLL_MAX_US);
  }
}

/* write_input writes |len| bytes to IN_BUF as little-endian words, the
 * last one zero-padded. */
static void write_input(VgwCryptoEngine *e, const uint8_t *in, size_t len) {
  for (size_t i = 0; i < len; i += 4) {
    uint32_t word = 0;
    for (size_t b = 0; b < 4 && i + b < len; b++) {
      word |= (uint32_t)in[i + b] << (8 * b);
    }
    reg_write(e, VGW_CRYPTO_IN_BUF + (uint32_t)i, word);
  }
}

/* read_output returns OUT_BUF[0..OUT_LEN) read as little-endian words. */
static GBytes *read_output(VgwCryptoEngine *e, GError **error) {
  uint32_t len = reg_read(e, VGW_CRYPTO_OUT_LEN);
  if (len > VGW_CRYPTO_BUF_SIZE) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_TRANSPORT,
                "the engine reports %u bytes of output, more than its "
                "%u-byte buffer",
                len, VGW_CRYPTO_BUF_SIZE);
    return NULL;
  }
  uint8_t *out = g_malloc(len + 4);
  for (uint32_t i = 0; i < len; i += 4) {
    uint32_t word = reg_read(e, VGW_CRYPTO_OUT_BUF + i);
    for (uint32_t b = 0; b < 4; b++) {
      out[i + b] = (uint8_t)(word >> (8 * b));
    }
  }
  return g_bytes_new_take(out, len);
}

/* collect reads the outcome of the command that just completed (STATUS
 * |status|) into |r|. FALSE with |error| for a dropped command or a
 * transport failure; an engine error is r->code, not a failure here. */
static gboolean collect(VgwCryptoEngine *e, uint32_t status, gboolean want_out,
                        CommandResult *r, GError **error) {
  if (status & VGW_CRYPTO_STATUS_OVERRUN) {
    g_set_error_literal(error, VGW_CRYPTO_DRIVER_ERROR,
                        VGW_CRYPTO_ERROR_DROPPED,
                        "the crypto engine dropped the command (another "
                        "command was running)");
    return FALSE;
  }
  if (!(status & VGW_CRYPTO_STATUS_DONE)) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_DROPPED,
                "the crypto engine did not run the command (STATUS 0x%x)",
                status);
    return FALSE;
  }
  r->code = reg_read(e, VGW_CRYPTO_ERROR);
  r->result = reg_read(e, VGW_CRYPTO_RESULT);
  r->out = NULL;
  if (want_out && r->code == VGW_CRYPTO_ERR_OK &&
      (r->out = read_output(e, error)) == NULL) {
    return FALSE;
  }
  return bus_ok(e, error);
}

/* latch_async finishes the asynchronous sign in flight and keeps its
 * outcome, so a synchronous command can use the engine. */
static void latch_async(VgwCryptoEngine *e) {
  uint32_t status;
  CommandResult r = {0};
  GError *error = NULL;
  if (wait_not_busy(e, &status, &error) &&
      collect(e, status, TRUE, &r, &error)) {
    e->latched_code = r.code;
    e->latched_out = r.out;
  } else {
    e->latched_error = error;
  }
  e->async_latched = TRUE;
}

/* issue writes the registers |cmd| uses and starts it. The engine must
 * be idle: a command written while BUSY would be dropped. */
static gboolean issue(VgwCryptoEngine *e, uint32_t cmd, guint slot,
                      uint32_t key_type, uint32_t scheme, const uint8_t *in,
                      size_t in_len, GError **error) {
  if (in_len > VGW_CRYPTO_BUF_SIZE) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_INVALID,
                "%zu bytes of input do not fit the engine's %u-byte buffer",
                in_len, VGW_CRYPTO_BUF_SIZE);
    return FALSE;
  }
  if (e->async_active && !e->async_latched) {
    latch_async(e);
  }
  uint32_t status;
  if (!wait_not_busy(e, &status, error)) {
    return FALSE;
  }
  reg_write(e, VGW_CRYPTO_SLOT, slot);
  if (cmd == VGW_CRYPTO_CMD_GENERATE || cmd == VGW_CRYPTO_CMD_IMPORT) {
    reg_write(e, VGW_CRYPTO_KEY_TYPE, key_type);
  }
  if (cmd == VGW_CRYPTO_CMD_SIGN) {
    reg_write(e, VGW_CRYPTO_SCHEME, scheme);
  }
  write_input(e, in, in_len);
  /* Always written: a stale length from the previous command would make
   * a command without input fail. */
  reg_write(e, VGW_CRYPTO_IN_LEN, (uint32_t)in_len);
  reg_write(e, VGW_CRYPTO_CMD, cmd);
  return bus_ok(e, error);
}

/* run issues |cmd| and waits for its outcome. Returns FALSE with |error|
 * set, worded for the user, on any failure including an engine error. */
static gboolean run(VgwCryptoEngine *e, uint32_t cmd, guint slot,
                    uint32_t key_type, uint32_t scheme, const uint8_t *in,
                    size_t in_len, gboolean want_out, CommandResult *r,
                    GError **error) {
  uint32_t status;
  memset(r, 0, sizeof(*r));
  if (!issue(e, cmd, slot, key_type, scheme, in, in_len, error) ||
      !wait_not_busy(e, &status, error) ||
      !collect(e, status, want_out, r, error)) {
    return FALSE;
  }
  if (r->code != VGW_CRYPTO_ERR_OK) {
    engine_error(e, error, r->code, cmd, slot, key_type, scheme, in_len);
    return FALSE;
  }
  return TRUE;
}

VgwCryptoEngine *vgw_crypto_engine_new(const VgwCryptoBusOps *ops, void *ctx,
                                       GError **error) {
  uint32_t id = ops->read32(ctx, VGW_CRYPTO_ID);
  uint32_t version = ops->read32(ctx, VGW_CRYPTO_VERSION);
  uint32_t slots = ops->read32(ctx, VGW_CRYPTO_NUM_SLOTS);
  if (ops->check != NULL && !ops->check(ctx, error)) {
    goto fail;
  }
  if (id != VGW_CRYPTO_ID_VALUE ||
      (version >> 16) != (VGW_CRYPTO_VERSION_VALUE >> 16)) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_NO_DEVICE,
                "no crypto engine this driver knows (ID 0x%08x, version "
                "0x%08x)",
                id, version);
    goto fail;
  }
  if (slots == 0 || slots > 256) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_NO_DEVICE,
                "the crypto engine reports %u key slots", slots);
    goto fail;
  }
  VgwCryptoEngine *e = g_new0(VgwCryptoEngine, 1);
  e->ops = ops;
  e->ctx = ctx;
  e->version = version;
  e->num_slots = slots;
  e->timeout_ms = VGW_CRYPTO_DEFAULT_TIMEOUT_MS;
  return e;

fail:
  if (ops->close != NULL) {
    ops->close(ctx);
  }
  return NULL;
}

/* The /dev/mem transport: the registers are the mapping itself. */

static uint32_t devmem_read32(void *ctx, uint32_t offset) {
  VgwDevmem *m = ctx;
  return m->regs[offset / 4];
}

static void devmem_write32(void *ctx, uint32_t offset, uint32_t value) {
  VgwDevmem *m = ctx;
  m->regs[offset / 4] = value;
}

static void devmem_close(void *ctx) {
  VgwDevmem *m = ctx;
  vgw_devmem_unmap(m);
  g_free(m);
}

static const VgwCryptoBusOps devmem_ops = {
    .read32 = devmem_read32,
    .write32 = devmem_write32,
    .close = devmem_close,
};

VgwCryptoEngine *vgw_crypto_engine_open_devmem(GError **error) {
  char *node = vgw_dt_find_compatible(VGW_DT_ROOT, VGW_CRYPTO_COMPATIBLE);
  if (node == NULL) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_NO_DEVICE,
                "no device-tree node compatible with \"%s\"",
                VGW_CRYPTO_COMPATIBLE);
    return NULL;
  }
  uint64_t base = 0, size = 0;
  gboolean ok = vgw_dt_read_reg(node, &base, &size, error);
  g_free(node);
  if (!ok) {
    return NULL;
  }
  if (size < VGW_CRYPTO_OUT_BUF + VGW_CRYPTO_BUF_SIZE) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_NO_DEVICE,
                "the crypto engine's reg is 0x%" G_GINT64_MODIFIER
                "x bytes, too small for its buffers",
                (guint64)size);
    return NULL;
  }
  VgwDevmem *m = g_new0(VgwDevmem, 1);
  if (!vgw_devmem_map(base, size, m, error)) {
    g_free(m);
    return NULL;
  }
  return vgw_crypto_engine_new(&devmem_ops, m, error);
}

void vgw_crypto_engine_free(VgwCryptoEngine *e) {
  if (e == NULL) {
    return;
  }
  if (e->ops->close != NULL) {
    e->ops->close(e->ctx);
  }
  if (e->latched_out != NULL) {
    g_bytes_unref(e->latched_out);
  }
  g_clear_error(&e->latched_error);
  g_free(e);
}

void vgw_crypto_engine_set_timeout(VgwCryptoEngine *e, guint timeout_ms) {
  e->timeout_ms = timeout_ms;
}

guint vgw_crypto_num_slots(const VgwCryptoEngine *e) { return e->num_slots; }

uint32_t vgw_crypto_version(const VgwCryptoEngine *e) { return e->version; }

gboolean vgw_crypto_generate(VgwCryptoEngine *e, guint slot, uint32_t key_type,
                             GError **error) {
  CommandResult r;
  return run(e, VGW_CRYPTO_CMD_GENERATE, slot, key_type, 0, NULL, 0, FALSE, &r,
             error);
}

gboolean vgw_crypto_import(VgwCryptoEngine *e, guint slot, uint32_t key_type,
                           const uint8_t *key, size_t len, GError **error) {
  CommandResult r;
  return run(e, VGW_CRYPTO_CMD_IMPORT, slot, key_type, 0, key, len, FALSE, &r,
             error);
}

GBytes *vgw_crypto_export_pub(VgwCryptoEngine *e, guint slot, GError **error) {
  CommandResult r;
  if (!run(e, VGW_CRYPTO_CMD_EXPORT_PUB, slot, 0, 0, NULL, 0, TRUE, &r,
           error)) {
    return NULL;
  }
  return r.out;
}

gboolean vgw_crypto_info(VgwCryptoEngine *e, guint slot, VgwCryptoSlotInfo *out,
                         GError **error) {
  CommandResult r;
  if (!run(e, VGW_CRYPTO_CMD_INFO, slot, 0, 0, NULL, 0, FALSE, &r, error)) {
    return FALSE;
  }
  out->key_type = r.result & VGW_CRYPTO_INFO_TYPE_MASK;
  out->locked = (r.result & VGW_CRYPTO_INFO_LOCKED) != 0;
  out->imported = (r.result & VGW_CRYPTO_INFO_IMPORTED) != 0;
  return TRUE;
}

gboolean vgw_crypto_delete(VgwCryptoEngine *e, guint slot, GError **error) {
  CommandResult r;
  return run(e, VGW_CRYPTO_CMD_DELETE, slot, 0, 0, NULL, 0, FALSE, &r, error);
}

gboolean vgw_crypto_lock(VgwCryptoEngine *e, guint slot, GError **error) {
  CommandResult r;
  return run(e, VGW_CRYPTO_CMD_LOCK, slot, 0, 0, NULL, 0, FALSE, &r, error);
}

gboolean vgw_crypto_zeroize(VgwCryptoEngine *e, GError **error) {
  CommandResult r;
  return run(e, VGW_CRYPTO_CMD_ZEROIZE, VGW_CRYPTO_ZEROIZE_MAGIC, 0, 0, NULL, 0,
             FALSE, &r, error);
}

gboolean vgw_crypto_trng(VgwCryptoEngine *e, uint8_t *out, size_t len,
                         GError **error) {
  for (size_t i = 0; i < len; i += 4) {
    uint32_t word = reg_read(e, VGW_CRYPTO_TRNG_DATA);
    for (size_t b = 0; b < 4 && i + b < len; b++) {
      out[i + b] = (uint8_t)(word >> (8 * b));
    }
  }
  return bus_ok(e, error);
}

GBytes *vgw_crypto_sign(VgwCryptoEngine *e, guint slot, uint32_t scheme,
                        const uint8_t *digest, size_t len, GError **error) {
  CommandResult r;
  if (!run(e, VGW_CRYPTO_CMD_SIGN, slot, 0, scheme, digest, len, TRUE, &r,
           error)) {
    return NULL;
  }
  return r.out;
}

gboolean vgw_crypto_sign_start(VgwCryptoEngine *e, guint slot, uint32_t scheme,
                               const uint8_t *digest, size_t len,
                               GError **error) {
  if (e->async_active) {
    g_set_error_literal(error, VGW_CRYPTO_DRIVER_ERROR,
                        VGW_CRYPTO_ERROR_IN_PROGRESS,
                        "a signature is already in progress");
    return FALSE;
  }
  if (!issue(e, VGW_CRYPTO_CMD_SIGN, slot, 0, scheme, digest, len, error)) {
    return FALSE;
  }
  e->async_active = TRUE;
  e->async_latched = FALSE;
  e->async_slot = slot;
  e->async_scheme = scheme;
  e->async_len = len;
  return TRUE;
}

gboolean vgw_crypto_sign_in_flight(const VgwCryptoEngine *e) {
  return e->async_active;
}

gboolean vgw_crypto_sign_done(VgwCryptoEngine *e) {
  if (!e->async_active || e->async_latched) {
    return TRUE;
  }
  uint32_t status = reg_read(e, VGW_CRYPTO_STATUS);
  if ((status & VGW_CRYPTO_STATUS_BUSY) && e->ops->advance != NULL) {
    e->ops->advance(e->ctx);
    status = reg_read(e, VGW_CRYPTO_STATUS);
  }
  return !(status & VGW_CRYPTO_STATUS_BUSY) || !bus_ok(e, NULL);
}

GBytes *vgw_crypto_sign_finish(VgwCryptoEngine *e, GError **error) {
  if (!e->async_active) {
    g_set_error_literal(error, VGW_CRYPTO_DRIVER_ERROR,
                        VGW_CRYPTO_ERROR_NOT_STARTED,
                        "no signature was started");
    return NULL;
  }
  if (!e->async_latched) {
    latch_async(e);
  }
  GBytes *out = NULL;
  if (e->latched_error != NULL) {
    g_propagate_error(error, e->latched_error);
  } else if (e->latched_code != VGW_CRYPTO_ERR_OK) {
    engine_error(e, error, e->latched_code, VGW_CRYPTO_CMD_SIGN, e->async_slot,
                 0, e->async_scheme, e->async_len);
  } else {
    out = e->latched_out;
  }
  e->latched_error = NULL;
  e->latched_out = NULL;
  e->latched_code = VGW_CRYPTO_ERR_OK;
  e->async_active = FALSE;
  e->async_latched = FALSE;
  return out;
}
