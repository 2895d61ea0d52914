/* Unit tests of the crypto engine driver's command encoding: the driver
 * runs against a recording fake bus, and each test asserts the exact
 * register writes a reader of machine/regs/vgw_crypto.h expects, and how
 * the driver reads results and errors back. The driver against the real
 * engine is test_crypto_qtest.c. */
#include <string.h>

#include "hal/crypto_engine.h"
#include "vgw_crypto.h"

#define REGS_SIZE (VGW_CRYPTO_OUT_BUF + VGW_CRYPTO_BUF_SIZE)

typedef struct {
  uint32_t offset;
  uint32_t value;
} Write;

/* The fake engine: registers in an array, every write recorded; a CMD
 * keeps STATUS BUSY for |busy_polls| reads of STATUS, then completes
 * with |next_error|, |next_result| and |next_out|. */
typedef struct {
  uint32_t regs[REGS_SIZE / 4];
  GArray *writes;
  guint busy_polls;   /* STATUS reads that still see BUSY */
  guint busy_per_cmd; /* busy_polls given to each command */
  gboolean stuck;     /* BUSY forever */
  uint32_t next_error;
  uint32_t next_result;
  GBytes *next_out;
  guint advances;
  guint writes_while_busy;
  guint trng_reads;
  gboolean closed;
} Fake;

static void fake_complete(Fake *f) {
  uint32_t *r = f->regs;
  r[VGW_CRYPTO_STATUS / 4] =
      VGW_CRYPTO_STATUS_DONE | (f->next_error ? VGW_CRYPTO_STATUS_ERR : 0);
  r[VGW_CRYPTO_ERROR / 4] = f->next_error;
  r[VGW_CRYPTO_RESULT / 4] = f->next_result;
  gsize len = 0;
  const uint8_t *out = f->next_out ? g_bytes_get_data(f->next_out, &len) : NULL;
  r[VGW_CRYPTO_OUT_LEN / 4] = f->next_error ? 0 : (uint32_t)len;
  memset(&r[VGW_CRYPTO_OUT_BUF / 4], 0, VGW_CRYPTO_BUF_SIZE);
  memcpy(&r[VGW_CRYPTO_OUT_BUF / 4], out, len); /* host is little-endian */
  memset(&r[VGW_CRYPTO_IN_BUF / 4], 0, VGW_CRYPTO_BUF_SIZE);
}

static uint32_t fake_read32(void *ctx, uint32_t offset) {
  Fake *f = ctx;
  g_assert_cmpuint(offset % 4, ==, 0);
  g_assert_cmpuint(offset, <, REGS_SIZE);
  if (offset == VGW_CRYPTO_STATUS &&
      (f->regs[offset / 4] & VGW_CRYPTO_STATUS_BUSY) && !f->stuck) {
    if (f->busy_polls == 0) {
      fake_complete(f);
    } else {
      f->busy_polls--;
    }
  }
  if (offset == VGW_CRYPTO_TRNG_DATA) {
    f->trng_reads++;
    return 0x03020100u + 0x04040404u * (f->trng_reads - 1);
  }
  return f->regs[offset / 4];
}

static void fake_write32(void *ctx, uint32_t offset, uint32_t value) {
  Fake *f = ctx;
  g_assert_cmpuint(offset % 4, ==, 0);
  g_assert_cmpuint(offset, <, REGS_SIZE);
  Write w = {offset, value};
  g_array_append_val(f->writes, w);
  if (f->regs[VGW_CRYPTO_STATUS / 4] & VGW_CRYPTO_STATUS_BUSY) {
    f->writes_while_busy++;
  }
  f->regs[offset / 4] = value;
  if (offset == VGW_CRYPTO_CMD) {
    f->regs[VGW_CRYPTO_STATUS / 4] = VGW_CRYPTO_STATUS_BUSY;
    f->busy_polls = f->busy_per_cmd;
  }
}

static void fake_advance(void *ctx) {
  Fake *f = ctx;
  f->advances++;
}

static void fake_close(void *ctx) {
  Fake *f = ctx;
  f->closed = TRUE;
}

static const VgwCryptoBusOps fake_ops = {
    .read32 = fake_read32,
    .write32 = fake_write32,
    .advance = fake_advance,
    .close = fake_close,
};

static Fake *fake_new(void) {
  Fake *f = g_new0(Fake, 1);
  f->writes = g_array_new(FALSE, FALSE, sizeof(Write));
  f->regs[VGW_CRYPTO_ID / 4] = VGW_CRYPTO_ID_VALUE;
  f->regs[VGW_CRYPTO_VERSION / 4] = VGW_CRYPTO_VERSION_VALUE;
  f->regs[VGW_CRYPTO_NUM_SLOTS / 4] = VGW_CRYPTO_SLOTS;
  return f;
}

static void fake_free(Fake *f) {
  g_array_unref(f->writes);
  if (f->next_out) {
    g_bytes_unref(f->next_out);
  }
  g_free(f);
}

static void fake_set_out(Fake *f, const void *data, size_t len) {
  if (f->next_out) {
    g_bytes_unref(f->next_out);
  }
  f->next_out = g_bytes_new(data, len);
}

static VgwCryptoEngine *open_fake(Fake *f) {
  GError *error = NULL;
  VgwCryptoEngine *e = vgw_crypto_engine_new(&fake_ops, f, &error);
  g_assert_no_error(error);
  g_assert_nonnull(e);
  g_array_set_size(f->writes, 0);
  return e;
}

/* assert_writes compares the recorded writes with |n| expected pairs and
 * forgets them. */
static void assert_writes(Fake *f, const Write *expect, size_t n) {
  for (size_t i = 0; i < MIN(n, f->writes->len); i++) {
    const Write *w = &g_array_index(f->writes, Write, i);
    if (w->offset != expect[i].offset || w->value != expect[i].value) {
      g_error("write %zu: got 0x%x <- 0x%x, expected 0x%x <- 0x%x", i,
              w->offset, w->value, expect[i].offset, expect[i].value);
    }
  }
  g_assert_cmpuint(f->writes->len, ==, n);
  g_array_set_size(f->writes, 0);
}

static void test_probe(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  g_assert_cmpuint(vgw_crypto_num_slots(e), ==, 16);
  g_assert_cmpuint(vgw_crypto_version(e), ==, VGW_CRYPTO_VERSION_VALUE);
  vgw_crypto_engine_free(e);
  g_assert_true(f->closed);

  /* A different block, or a newer major version, is refused. */
  GError *error = NULL;
  f->closed = FALSE;
  f->regs[VGW_CRYPTO_ID / 4] = 0x53574756u;
  g_assert_null(vgw_crypto_engine_new(&fake_ops, f, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_NO_DEVICE);
  g_assert_true(f->closed);
  g_clear_error(&error);
  f->regs[VGW_CRYPTO_ID / 4] = VGW_CRYPTO_ID_VALUE;
  f->regs[VGW_CRYPTO_VERSION / 4] = 0x00020000u;
  g_assert_null(vgw_crypto_engine_new(&fake_ops, f, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_NO_DEVICE);
  g_clear_error(&error);
  fake_free(f);
}

static void test_generate(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  GError *error = NULL;
  g_assert_true(vgw_crypto_generate(e, 3, VGW_KEY_TYPE_RSA_2048, &error));
  g_assert_no_error(error);
  const Write expect[] = {
      {VGW_CRYPTO_SLOT, 3},
      {VGW_CRYPTO_KEY_TYPE, VGW_KEY_TYPE_RSA_2048},
      {VGW_CRYPTO_IN_LEN, 0},
      {VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_GENERATE},
  };
  assert_writes(f, expect, G_N_ELEMENTS(expect));
  vgw_crypto_engine_free(e);
  fake_free(f);
}

static void test_import_pads_last_word(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  GError *error = NULL;
  const uint8_t key[5] = {0x11, 0x22, 0x33, 0x44, 0x55};
  g_assert_true(
      vgw_crypto_import(e, 7, VGW_KEY_TYPE_EC_P256, key, sizeof(key), &error));
  g_assert_no_error(error);
  const Write expect[] = {
      {VGW_CRYPTO_SLOT, 7},
      {VGW_CRYPTO_KEY_TYPE, VGW_KEY_TYPE_EC_P256},
      {VGW_CRYPTO_IN_BUF + 0, 0x44332211u},
      {VGW_CRYPTO_IN_BUF + 4, 0x00000055u},
      {VGW_CRYPTO_IN_LEN, 5},
      {VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_IMPORT},
  };
  assert_writes(f, expect, G_N_ELEMENTS(expect));

  /* Input larger than the buffer never reaches the engine. */
  uint8_t *big = g_malloc0(VGW_CRYPTO_BUF_SIZE + 1);
  g_assert_false(vgw_crypto_import(e, 7, VGW_KEY_TYPE_RSA_3072, big,
                                   VGW_CRYPTO_BUF_SIZE + 1, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_INVALID);
  g_clear_error(&error);
  g_free(big);
  assert_writes(f, NULL, 0);
  vgw_crypto_engine_free(e);
  fake_free(f);
}

static void test_sign_and_output(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  uint8_t digest[32];
  for (size_t i = 0; i < sizeof(digest); i++) {
    digest[i] = (uint8_t)(0xa0 + i);
  }
  const uint8_t sig[7] = {1, 2, 3, 4, 5, 6, 7};
  fake_set_out(f, sig, sizeof(sig));
  f->busy_per_cmd = 2;
  GError *error = NULL;
  GBytes *out = vgw_crypto_sign(e, 2, VGW_SIG_RSA_PSS_SHA256, digest,
                                sizeof(digest), &error);
  g_assert_no_error(error);
  g_assert_nonnull(out);
  gsize len;
  const uint8_t *bytes = g_bytes_get_data(out, &len);
  g_assert_cmpmem(bytes, len, sig, sizeof(sig));
  g_bytes_unref(out);
  /* The driver let time pass while the engine was busy. */
  g_assert_cmpuint(f->advances, >=, 2);

  Write expect[4 + 8];
  size_t n = 0;
  expect[n++] = (Write){VGW_CRYPTO_SLOT, 2};
  expect[n++] = (Write){VGW_CRYPTO_SCHEME, VGW_SIG_RSA_PSS_SHA256};
  for (uint32_t i = 0; i < 32; i += 4) {
    expect[n++] = (Write){VGW_CRYPTO_IN_BUF + i,
                          (uint32_t)digest[i] | (uint32_t)digest[i + 1] << 8 |
                              (uint32_t)digest[i + 2] << 16 |
                              (uint32_t)digest[i + 3] << 24};
  }
  expect[n++] = (Write){VGW_CRYPTO_IN_LEN, 32};
  expect[n++] = (Write){VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_SIGN};
  assert_writes(f, expect, n);
  g_assert_cmpuint(f->writes_while_busy, ==, 0);
  vgw_crypto_engine_free(e);
  fake_free(f);
}

static void test_export_and_info(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  const uint8_t spki[3] = {0x30, 0x01, 0x00};
  fake_set_out(f, spki, sizeof(spki));
  GError *error = NULL;
  GBytes *pub = vgw_crypto_export_pub(e, 15, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(g_bytes_get_size(pub), ==, 3);
  g_assert_cmpmem(g_bytes_get_data(pub, NULL), 3, spki, 3);
  g_bytes_unref(pub);
  const Write expect_export[] = {
      {VGW_CRYPTO_SLOT, 15},
      {VGW_CRYPTO_IN_LEN, 0},
      {VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_EXPORT_PUB},
  };
  assert_writes(f, expect_export, G_N_ELEMENTS(expect_export));

  f->next_result =
      VGW_KEY_TYPE_RSA_3072 | VGW_CRYPTO_INFO_LOCKED | VGW_CRYPTO_INFO_IMPORTED;
  VgwCryptoSlotInfo info;
  g_assert_true(vgw_crypto_info(e, 4, &info, &error));
  g_assert_cmpuint(info.key_type, ==, VGW_KEY_TYPE_RSA_3072);
  g_assert_true(info.locked);
  g_assert_true(info.imported);
  const Write expect_info[] = {
      {VGW_CRYPTO_SLOT, 4},
      {VGW_CRYPTO_IN_LEN, 0},
      {VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_INFO},
  };
  assert_writes(f, expect_info, G_N_ELEMENTS(expect_info));

  f->next_result = VGW_KEY_TYPE_NONE;
  g_assert_true(vgw_crypto_info(e, 5, &info, &error));
  g_assert_cmpuint(info.key_type, ==, VGW_KEY_TYPE_NONE);
  g_assert_false(info.locked);
  g_assert_false(info.imported);
  vgw_crypto_engine_free(e);
  fake_free(f);
}

static void test_delete_lock_zeroize(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  GError *error = NULL;
  g_assert_true(vgw_crypto_delete(e, 1, &error));
  g_assert_true(vgw_crypto_lock(e, 2, &error));
  g_assert_true(vgw_crypto_zeroize(e, &error));
  g_assert_no_error(error);
  const Write expect[] = {
      {VGW_CRYPTO_SLOT, 1},
      {VGW_CRYPTO_IN_LEN, 0},
      {VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_DELETE},
      {VGW_CRYPTO_SLOT, 2},
      {VGW_CRYPTO_IN_LEN, 0},
      {VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_LOCK},
      {VGW_CRYPTO_SLOT, VGW_CRYPTO_ZEROIZE_MAGIC},
      {VGW_CRYPTO_IN_LEN, 0},
      {VGW_CRYPTO_CMD, VGW_CRYPTO_CMD_ZEROIZE},
  };
  assert_writes(f, expect, G_N_ELEMENTS(expect));
  vgw_crypto_engine_free(e);
  fake_free(f);
}

/* Each engine error code becomes a message naming what was asked. */
static void test_error_messages(void) {
  static const struct {
    uint32_t code;
    const char *message;
  } cases[] = {
      {VGW_CRYPTO_ERR_LOCKED, "slot 3 is locked"},
      {VGW_CRYPTO_ERR_EMPTY_SLOT, "slot 3 is empty"},
      {VGW_CRYPTO_ERR_BAD_SLOT,
       "slot 3 does not exist (the engine has slots 0 to 15)"},
      {VGW_CRYPTO_ERR_STORAGE,
       "the keystore file could not be written; slot 3 is unchanged"},
      {VGW_CRYPTO_ERR_INTERNAL,
       "the engine failed internally (engine error 12)"},
  };
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    GError *error = NULL;
    f->next_error = cases[i].code;
    g_assert_false(vgw_crypto_delete(e, 3, &error));
    g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, (gint)cases[i].code);
    g_assert_cmpstr(error->message, ==, cases[i].message);
    g_error_free(error);
  }

  GError *error = NULL;
  f->next_error = VGW_CRYPTO_ERR_BAD_KEY;
  const uint8_t junk[4] = {0};
  g_assert_false(
      vgw_crypto_import(e, 0, VGW_KEY_TYPE_RSA_2048, junk, 4, &error));
  g_assert_cmpstr(error->message, ==,
                  "the key is malformed or not an rsa-2048 key");
  g_clear_error(&error);

  f->next_error = VGW_CRYPTO_ERR_WRONG_TYPE;
  uint8_t digest[32] = {0};
  g_assert_null(vgw_crypto_sign(e, 6, VGW_SIG_ECDSA, digest, 32, &error));
  g_assert_cmpstr(error->message, ==,
                  "the key in slot 6 cannot sign with ecdsa");
  g_clear_error(&error);

  f->next_error = VGW_CRYPTO_ERR_BAD_LENGTH;
  g_assert_null(
      vgw_crypto_sign(e, 6, VGW_SIG_RSA_PKCS1_SHA384, digest, 32, &error));
  g_assert_cmpstr(error->message, ==,
                  "32 bytes of input are wrong for this command (the digest "
                  "must match the scheme's hash)");
  g_clear_error(&error);
  vgw_crypto_engine_free(e);
  fake_free(f);
}

/* The asynchronous sign: start returns at once, done polls without
 * blocking, finish fetches the signature. */
static void test_async_sign(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  const uint8_t sig[4] = {9, 8, 7, 6};
  fake_set_out(f, sig, sizeof(sig));
  f->busy_per_cmd = 3;
  GError *error = NULL;
  uint8_t digest[48] = {1};
  g_assert_null(vgw_crypto_sign_finish(e, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_NOT_STARTED);
  g_clear_error(&error);

  g_assert_true(vgw_crypto_sign_start(e, 1, VGW_SIG_RSA_PKCS1_SHA384, digest,
                                      sizeof(digest), &error));
  g_assert_true(vgw_crypto_sign_in_flight(e));
  g_assert_false(vgw_crypto_sign_start(e, 1, VGW_SIG_RSA_PKCS1_SHA384, digest,
                                       sizeof(digest), &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_IN_PROGRESS);
  g_clear_error(&error);
  guint polls = 0;
  while (!vgw_crypto_sign_done(e)) {
    polls++;
    g_assert_cmpuint(polls, <, 100);
  }
  /* Each sign_done read STATUS (twice while busy, with an advance in
   * between), so three busy reads took two calls. */
  g_assert_cmpuint(polls, ==, 1);
  g_assert_cmpuint(f->advances, ==, 2);
  GBytes *out = vgw_crypto_sign_finish(e, &error);
  g_assert_no_error(error);
  g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), sig,
                  sizeof(sig));
  g_bytes_unref(out);
  g_assert_false(vgw_crypto_sign_in_flight(e));

  /* An engine error arrives through finish. */
  f->next_error = VGW_CRYPTO_ERR_EMPTY_SLOT;
  g_assert_true(vgw_crypto_sign_start(e, 9, VGW_SIG_ECDSA, digest, 32, &error));
  while (!vgw_crypto_sign_done(e)) {
  }
  g_assert_null(vgw_crypto_sign_finish(e, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERR_EMPTY_SLOT);
  g_assert_cmpstr(error->message, ==, "slot 9 is empty");
  g_clear_error(&error);
  vgw_crypto_engine_free(e);
  fake_free(f);
}

/* A synchronous command while a sign is in flight waits for it, keeps its
 * result for finish, and never writes to a busy engine. */
static void test_sync_during_async(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  const uint8_t sig[4] = {0xde, 0xad, 0xbe, 0xef};
  fake_set_out(f, sig, sizeof(sig));
  f->busy_per_cmd = 5;
  GError *error = NULL;
  uint8_t digest[32] = {0};
  g_assert_true(vgw_crypto_sign_start(e, 0, VGW_SIG_ECDSA, digest, 32, &error));
  f->next_result = VGW_KEY_TYPE_EC_P256;
  VgwCryptoSlotInfo info;
  g_assert_true(vgw_crypto_info(e, 4, &info, &error));
  g_assert_cmpuint(info.key_type, ==, VGW_KEY_TYPE_EC_P256);
  g_assert_cmpuint(f->writes_while_busy, ==, 0);
  g_assert_true(vgw_crypto_sign_done(e));
  GBytes *out = vgw_crypto_sign_finish(e, &error);
  g_assert_no_error(error);
  g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), sig,
                  sizeof(sig));
  g_bytes_unref(out);
  vgw_crypto_engine_free(e);
  fake_free(f);
}

/* A command that never completes times out instead of hanging. */
static void test_timeout(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  vgw_crypto_engine_set_timeout(e, 50);
  f->stuck = TRUE;
  GError *error = NULL;
  g_assert_false(vgw_crypto_generate(e, 0, VGW_KEY_TYPE_EC_P256, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_TIMEOUT);
  g_clear_error(&error);
  /* The engine is still busy: the next command is not written at all. */
  g_array_set_size(f->writes, 0);
  g_assert_false(vgw_crypto_delete(e, 0, &error));
  g_assert_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_TIMEOUT);
  g_clear_error(&error);
  assert_writes(f, NULL, 0);
  vgw_crypto_engine_free(e);
  fake_free(f);
}

static void test_trng(void) {
  Fake *f = fake_new();
  VgwCryptoEngine *e = open_fake(f);
  uint8_t buf[6];
  GError *error = NULL;
  g_assert_true(vgw_crypto_trng(e, buf, sizeof(buf), &error));
  const uint8_t expect[6] = {0, 1, 2, 3, 4, 5};
  g_assert_cmpmem(buf, 6, expect, 6);
  g_assert_cmpuint(f->trng_reads, ==, 2);
  assert_writes(f, NULL, 0);
  vgw_crypto_engine_free(e);
  fake_free(f);
}

static void test_key_type_names(void) {
  uint32_t t;
  g_assert_true(vgw_crypto_key_type_parse("rsa-2048", &t));
  g_assert_cmpuint(t, ==, VGW_KEY_TYPE_RSA_2048);
  g_assert_true(vgw_crypto_key_type_parse("rsa-3072", &t));
  g_assert_cmpuint(t, ==, VGW_KEY_TYPE_RSA_3072);
  g_assert_true(vgw_crypto_key_type_parse("ec-p256", &t));
  g_assert_cmpuint(t, ==, VGW_KEY_TYPE_EC_P256);
  g_assert_false(vgw_crypto_key_type_parse("none", &t));
  g_assert_false(vgw_crypto_key_type_parse("rsa-4096", &t));
  g_assert_cmpstr(vgw_crypto_key_type_name(VGW_KEY_TYPE_EC_P256), ==,
                  "ec-p256");
  g_assert_cmpstr(vgw_crypto_key_type_name(42), ==, "unknown");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/crypto/probe", test_probe);
  g_test_add_func("/crypto/generate", test_generate);
  g_test_add_func("/crypto/import-pads-last-word", test_import_pads_last_word);
  g_test_add_func("/crypto/sign-and-output", test_sign_and_output);
  g_test_add_func("/crypto/export-and-info", test_export_and_info);
  g_test_add_func("/crypto/delete-lock-zeroize", test_delete_lock_zeroize);
  g_test_add_func("/crypto/error-messages", test_error_messages);
  g_test_add_func("/crypto/async-sign", test_async_sign);
  g_test_add_func("/crypto/sync-during-async", test_sync_during_async);
  g_test_add_func("/crypto/timeout", test_timeout);
  g_test_add_func("/crypto/trng", test_trng);
  g_test_add_func("/crypto/key-type-names", test_key_type_names);
  return g_test_run();
}
