/*
 * Unit tests of the store: blank detection, round trips (memory and file
 * devices), transactions, input validation, damage detection by flipping
 * every bit region, geometry and version refusal, many saves, sequence
 * exhaustion, factory reset.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "crc32c.h"
#include "store_format.h"
#include "store_testutil.h"

#define DEV_SIZE (64 * 1024)
#define SLOT_SIZE (DEV_SIZE / 2)

static const TestBlob set_a[] = {
    {VGW_STORE_BLOB_CONFIG, "config.ini", "SyslogLevel = 1\n"},
    {VGW_STORE_BLOB_CERTIFICATE, "tls/0/cert.pem", "-----BEGIN CERTIFICATE-----\nA\n"},
};

static const TestBlob set_b[] = {
    {VGW_STORE_BLOB_CONFIG, "config.ini", "SyslogLevel = 7\nEnableSIPS = 1\n"},
    {VGW_STORE_BLOB_KEY_REFERENCE, "tls/0/key.ref", "engine-slot=2"},
    {VGW_STORE_BLOB_TRUSTED_ROOTS, "tls/0/roots.pem", "-----BEGIN CERTIFICATE-----\nR\n"},
};

static VgwStore *open_ok(VgwBlockDev *dev) {
  GError *error = NULL;
  VgwStore *store = vgw_store_open(dev, &error);
  g_assert_no_error(error);
  g_assert_nonnull(store);
  return store;
}

static char *set_snapshot(const TestBlob *set, gsize n) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(DEV_SIZE, 0xff);
  VgwStore *store = open_ok(dev);
  g_assert_true(save_set(store, set, n, NULL));
  char *snap = snapshot(store);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
  return snap;
}

/* A device holding set_a as generation 1 (slot 0) and set_b as 2 (slot 1). */
static VgwBlockDev *two_generations(void) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(DEV_SIZE, 0xff);
  VgwStore *store = open_ok(dev);
  g_assert_true(save_set(store, set_a, G_N_ELEMENTS(set_a), NULL));
  g_assert_true(save_set(store, set_b, G_N_ELEMENTS(set_b), NULL));
  vgw_store_free(store);
  return dev;
}

static void test_crc32c_known_answer(void) {
  /* The standard check value of CRC-32C. */
  g_assert_cmphex(vgw_crc32c("123456789", 9), ==, 0xE3069283);
  g_assert_cmphex(vgw_crc32c_update(vgw_crc32c("1234", 4), "56789", 5), ==,
                  0xE3069283);
}

static void check_blank(guint8 fill) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(DEV_SIZE, fill);
  VgwStore *store = open_ok(dev);
  g_assert_true(vgw_store_is_blank(store));
  g_assert_null(vgw_store_damage(store));
  g_assert_cmpuint(vgw_store_sequence(store), ==, 0);
  GArray *list = vgw_store_list(store);
  g_assert_cmpuint(list->len, ==, 0);
  g_array_unref(list);
  g_assert_null(vgw_store_get(store, "config.ini", NULL));
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

static void test_blank_erased(void) { check_blank(0xff); }
static void test_blank_zeroed(void) { check_blank(0x00); }

static void test_device_too_small(void) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(16 * 1024 - 1, 0xff);
  GError *error = NULL;
  g_assert_null(vgw_store_open(dev, &error));
  g_assert_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_DEVICE_TOO_SMALL);
  g_assert_nonnull(strstr(error->message, "too small"));
  g_error_free(error);
  vgw_blockdev_free(dev);
}

static void test_round_trip_memory(void) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(DEV_SIZE, 0xff);
  VgwStore *store = open_ok(dev);
  g_assert_true(save_set(store, set_b, G_N_ELEMENTS(set_b), NULL));
  g_assert_false(vgw_store_is_blank(store));
  g_assert_cmpuint(vgw_store_sequence(store), ==, 1);
  char *written = snapshot(store);
  vgw_store_free(store);

  store = open_ok(dev);
  g_assert_null(vgw_store_damage(store));
  g_assert_cmpuint(vgw_store_sequence(store), ==, 1);
  char *reread = snapshot(store);
  g_assert_cmpstr(reread, ==, written);
  VgwStoreBlobType type;
  GBytes *key = vgw_store_get(store, "tls/0/key.ref", &type);
  g_assert_cmpint(type, ==, VGW_STORE_BLOB_KEY_REFERENCE);
  g_assert_cmpmem(g_bytes_get_data(key, NULL), g_bytes_get_size(key),
                  "engine-slot=2", 13);
  g_bytes_unref(key);
  GArray *list = vgw_store_list(store);
  g_assert_cmpuint(list->len, ==, 3);
  g_assert_cmpstr(g_array_index(list, VgwStoreBlobInfo, 0).name, ==,
                  "config.ini");
  g_array_unref(list);
  g_free(written);
  g_free(reread);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

/* The firmware and `vgw` use a file descriptor device: /dev/vda and
 * flash.img respectively. */
static void test_round_trip_file(void) {
  char *path = NULL;
  int fd = g_file_open_tmp("vgw-store-XXXXXX", &path, NULL);
  g_assert_cmpint(fd, >=, 0);
  guint8 *ones = g_malloc(DEV_SIZE);
  memset(ones, 0xff, DEV_SIZE);
  g_assert_cmpint(write(fd, ones, DEV_SIZE), ==, DEV_SIZE);
  close(fd);
  g_free(ones);

  GError *error = NULL;
  VgwBlockDev *dev = vgw_blockdev_open_file(path, TRUE, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(dev->size, ==, DEV_SIZE);
  VgwStore *store = open_ok(dev);
  g_assert_true(vgw_store_is_blank(store));
  g_assert_true(save_set(store, set_a, G_N_ELEMENTS(set_a), NULL));
  g_assert_true(save_set(store, set_b, G_N_ELEMENTS(set_b), NULL));
  char *written = snapshot(store);
  vgw_store_free(store);
  vgw_blockdev_free(dev);

  dev = vgw_blockdev_open_file(path, FALSE, &error);
  g_assert_no_error(error);
  store = open_ok(dev);
  char *reread = snapshot(store);
  g_assert_cmpstr(reread, ==, written);
  g_assert_cmpuint(vgw_store_sequence(store), ==, 2);
  /* Read-only device: a save fails cleanly and changes nothing. */
  g_assert_false(save_set(store, set_a, G_N_ELEMENTS(set_a), &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_BADF);
  g_clear_error(&error);
  vgw_store_free(store);
  vgw_blockdev_free(dev);

  g_assert_null(vgw_blockdev_open_file("/nonexistent/flash.img", FALSE,
                                       &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull(strstr(error->message, "/nonexistent/flash.img"));
  g_clear_error(&error);
  unlink(path);
  g_free(path);
  g_free(written);
  g_free(reread);
}

static void test_txn_invisible_until_commit(void) {
  VgwBlockDev *dev = two_generations();
  guint8 *before = g_memdup2(vgw_blockdev_memory_data(dev), DEV_SIZE);
  VgwStore *store = open_ok(dev);
  char *snap = snapshot(store);
  VgwStoreTxn *txn = vgw_store_begin(store);
  g_assert_true(vgw_store_txn_put(txn, VGW_STORE_BLOB_CONFIG, "config.ini",
                                  "x", 1, NULL));
  g_assert_true(vgw_store_txn_delete(txn, "tls/0/key.ref", NULL));
  GError *error = NULL;
  g_assert_false(vgw_store_txn_delete(txn, "tls/0/key.ref", &error));
  g_assert_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(error->message, "'tls/0/key.ref'"));
  g_clear_error(&error);
  char *during = snapshot(store);
  g_assert_cmpstr(during, ==, snap);
  vgw_store_txn_free(txn);
  g_assert_cmpmem(vgw_blockdev_memory_data(dev), DEV_SIZE, before, DEV_SIZE);

  /* Delete and clear, committed. */
  txn = vgw_store_begin(store);
  g_assert_true(vgw_store_txn_delete(txn, "tls/0/roots.pem", NULL));
  g_assert_true(vgw_store_commit(store, txn, NULL));
  vgw_store_txn_free(txn);
  g_assert_null(vgw_store_get(store, "tls/0/roots.pem", NULL));
  txn = vgw_store_begin(store);
  vgw_store_txn_clear(txn);
  g_assert_true(vgw_store_commit(store, txn, NULL));
  vgw_store_txn_free(txn);
  vgw_store_free(store);
  store = open_ok(dev);
  /* An empty generation is not blank: it was saved. */
  g_assert_false(vgw_store_is_blank(store));
  g_assert_cmpuint(vgw_store_sequence(store), ==, 4);
  char *empty = snapshot(store);
  g_assert_cmpstr(empty, ==, "");
  g_free(empty);
  g_free(during);
  g_free(snap);
  g_free(before);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

static void expect_put_error(VgwStoreBlobType type, const char *name,
                             const void *data, gsize len, int code,
                             const char *message_part) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(DEV_SIZE, 0xff);
  VgwStore *store = open_ok(dev);
  VgwStoreTxn *txn = vgw_store_begin(store);
  GError *error = NULL;
  g_assert_false(vgw_store_txn_put(txn, type, name, data, len, &error));
  g_assert_error(error, VGW_STORE_ERROR, code);
  if (strstr(error->message, message_part) == NULL) {
    g_error("message '%s' lacks '%s'", error->message, message_part);
  }
  g_error_free(error);
  vgw_store_txn_free(txn);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

static void test_put_validation(void) {
  const char *bad_names[] = {"", "/etc/passwd", ".hidden", "a b", "x\n",
                             "caf\xc3\xa9"};
  for (guint i = 0; i < G_N_ELEMENTS(bad_names); i++) {
    expect_put_error(VGW_STORE_BLOB_CONFIG, bad_names[i], "x", 1,
                     VGW_STORE_ERROR_BAD_NAME, "is invalid");
  }
  char *long_name = g_strnfill(VGW_STORE_NAME_MAX + 1, 'n');
  expect_put_error(VGW_STORE_BLOB_CONFIG, long_name, "x", 1,
                   VGW_STORE_ERROR_BAD_NAME, "is invalid");
  g_free(long_name);
  expect_put_error(9, "x", "x", 1, VGW_STORE_ERROR_BAD_TYPE,
                   "unknown type 9");
  expect_put_error(VGW_STORE_BLOB_KEY_REFERENCE, "k.ref",
                   "-----BEGIN EC PRIVATE KEY-----\nMHcC\n", 36,
                   VGW_STORE_ERROR_PRIVATE_KEY, "private keys stay in");
  expect_put_error(VGW_STORE_BLOB_CERTIFICATE, "c.pem",
                   "-----BEGIN PRIVATE KEY-----\n", 28,
                   VGW_STORE_ERROR_PRIVATE_KEY, "'c.pem' holds a PEM private key");
  char *ref = g_strnfill(VGW_STORE_KEY_REFERENCE_MAX + 1, 'r');
  expect_put_error(VGW_STORE_BLOB_KEY_REFERENCE, "k.ref", ref, strlen(ref),
                   VGW_STORE_ERROR_TOO_LARGE, "at most 256 bytes");
  g_free(ref);
}

static void test_oversized_blob(void) {
  gsize len = VGW_STORE_BLOB_MAX + 1;
  char *big = g_malloc0(len);
  expect_put_error(VGW_STORE_BLOB_TRUSTED_ROOTS, "roots.pem", big, len,
                   VGW_STORE_ERROR_TOO_LARGE,
                   "blob 'roots.pem' is 1048577 bytes; the largest blob the "
                   "store takes is 1048576 bytes");
  g_free(big);
}

/* A generation larger than a slot is refused before anything is written. */
static void test_oversized_generation(void) {
  VgwBlockDev *dev = two_generations();
  guint8 *before = g_memdup2(vgw_blockdev_memory_data(dev), DEV_SIZE);
  VgwStore *store = open_ok(dev);
  g_assert_cmpuint(vgw_store_capacity(store), ==,
                   SLOT_SIZE - VGW_STORE_HEADER_BLOCK);
  VgwStoreTxn *txn = vgw_store_begin(store);
  char *chunk = g_strnfill(12 * 1024, 'c');
  for (int i = 0; i < 3; i++) {
    char *name = g_strdup_printf("roots/%d.pem", i);
    g_assert_true(vgw_store_txn_put(txn, VGW_STORE_BLOB_TRUSTED_ROOTS, name,
                                    chunk, strlen(chunk), NULL));
    g_free(name);
  }
  GError *error = NULL;
  g_assert_false(vgw_store_commit(store, txn, &error));
  g_assert_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_TOO_LARGE);
  g_assert_nonnull(strstr(error->message, "holds 28672 bytes"));
  g_clear_error(&error);
  g_assert_cmpmem(vgw_blockdev_memory_data(dev), DEV_SIZE, before, DEV_SIZE);
  g_assert_cmpuint(vgw_store_sequence(store), ==, 2);
  vgw_store_txn_free(txn);
  g_free(chunk);
  g_free(before);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

/* decode_header decodes slot |slot|'s intact header into |h|. */
static void decode_header(const guint8 *bytes, int slot, VgwSlotHeader *h) {
  char *why = NULL;
  g_assert_cmpint(vgw_slot_header_decode(bytes + slot * SLOT_SIZE, h, &why),
                  ==, VGW_SLOT_VALID);
}

/* Flips one bit in every byte of the newest generation's header and
 * payload in turn: each flip must be detected, named, and answered by
 * falling back to the older generation. */
static void test_bit_flip_newest_falls_back(void) {
  char *snap_a = set_snapshot(set_a, G_N_ELEMENTS(set_a));
  VgwBlockDev *dev = two_generations();
  guint8 *bytes = vgw_blockdev_memory_data(dev);
  VgwSlotHeader h;
  decode_header(bytes, 1, &h);
  g_assert_cmpuint(h.sequence, ==, 2);
  guint regions[2][2] = {
      {SLOT_SIZE, SLOT_SIZE + VGW_STORE_HEADER_SIZE},
      {SLOT_SIZE + VGW_STORE_HEADER_BLOCK,
       SLOT_SIZE + VGW_STORE_HEADER_BLOCK + h.payload_len},
  };
  guint flips = 0;
  for (int r = 0; r < 2; r++) {
    for (guint off = regions[r][0]; off < regions[r][1]; off++) {
      guint8 mask = (guint8)(1u << (off % 8));
      bytes[off] ^= mask;
      VgwStore *store = open_ok(dev);
      const GError *damage = vgw_store_damage(store);
      g_assert_error(damage, VGW_STORE_ERROR, VGW_STORE_ERROR_CORRUPT);
      g_assert_nonnull(strstr(damage->message, "slot 1"));
      g_assert_nonnull(strstr(damage->message, "using generation 1 from slot 0"));
      g_assert_cmpuint(vgw_store_sequence(store), ==, 1);
      char *snap = snapshot(store);
      g_assert_cmpstr(snap, ==, snap_a);
      g_free(snap);
      vgw_store_free(store);
      bytes[off] ^= mask;
      flips++;
    }
  }
  g_test_message("%u single-bit flips detected", flips);
  VgwStore *store = open_ok(dev);
  g_assert_null(vgw_store_damage(store));
  g_assert_cmpuint(vgw_store_sequence(store), ==, 2);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
  g_free(snap_a);
}

/* check_damaged asserts that |store| lists exactly the |n| |want| slots. */
static void check_damaged(const VgwStore *store, const VgwStoreSlotDamage *want,
                          gsize n) {
  gsize got_n;
  const VgwStoreSlotDamage *got = vgw_store_damaged_slots(store, &got_n);
  g_assert_cmpuint(got_n, ==, n);
  for (gsize i = 0; i < n; i++) {
    g_assert_cmpint(got[i].slot, ==, want[i].slot);
    g_assert_cmpuint(got[i].generation, ==, want[i].generation);
    g_assert_cmpstr(vgw_store_damage_reason_name(got[i].reason), ==,
                    vgw_store_damage_reason_name(want[i].reason));
  }
}

static void test_damage_messages(void) {
  VgwBlockDev *dev = two_generations();
  guint8 *bytes = vgw_blockdev_memory_data(dev);
  guint8 *payload = bytes + SLOT_SIZE + VGW_STORE_HEADER_BLOCK;

  payload[20] ^= 0x01; /* inside record 0's name */
  VgwStore *store = open_ok(dev);
  g_assert_cmpstr(vgw_store_damage(store)->message, ==,
                  "flash store damaged: slot 1 (generation 2): payload "
                  "checksum mismatch (torn or damaged records); using "
                  "generation 1 from slot 0");
  check_damaged(store,
                (VgwStoreSlotDamage[]){
                    {1, 2, VGW_STORE_DAMAGE_PAYLOAD_CHECKSUM}},
                1);
  vgw_store_free(store);
  payload[20] ^= 0x01;

  bytes[SLOT_SIZE + 60] ^= 0x80; /* header CRC */
  store = open_ok(dev);
  g_assert_cmpstr(vgw_store_damage(store)->message, ==,
                  "flash store damaged: slot 1: header checksum mismatch "
                  "(torn or damaged header); using generation 1 from slot 0");
  check_damaged(store,
                (VgwStoreSlotDamage[]){{1, 0, VGW_STORE_DAMAGE_HEADER}}, 1);
  vgw_store_free(store);

  /* Both generations damaged: blank, and both named. */
  bytes[0] = 'X';
  store = open_ok(dev);
  g_assert_true(vgw_store_is_blank(store));
  g_assert_cmpstr(vgw_store_damage(store)->message, ==,
                  "flash store damaged: slot 0: no store magic in the "
                  "header; slot 1: header checksum mismatch (torn or damaged "
                  "header); the store reads as blank");
  check_damaged(store,
                (VgwStoreSlotDamage[]){{0, 0, VGW_STORE_DAMAGE_HEADER},
                                       {1, 0, VGW_STORE_DAMAGE_HEADER}},
                2);
  /* ... and still takes a save. */
  g_assert_true(save_set(store, set_a, G_N_ELEMENTS(set_a), NULL));
  vgw_store_free(store);
  store = open_ok(dev);
  g_assert_false(vgw_store_is_blank(store));
  GBytes *config = vgw_store_get(store, "config.ini", NULL);
  g_assert_nonnull(config);
  g_bytes_unref(config);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

/* Damage in the older generation is reported though the newest is used. */
static void test_bit_flip_older_reported(void) {
  VgwBlockDev *dev = two_generations();
  vgw_blockdev_memory_data(dev)[VGW_STORE_HEADER_BLOCK + 3] ^= 0x10;
  VgwStore *store = open_ok(dev);
  g_assert_cmpuint(vgw_store_sequence(store), ==, 2);
  g_assert_cmpstr(vgw_store_damage(store)->message, ==,
                  "flash store damaged: slot 0 (generation 1): payload "
                  "checksum mismatch (torn or damaged records); using "
                  "generation 2 from slot 1");
  check_damaged(store,
                (VgwStoreSlotDamage[]){
                    {0, 1, VGW_STORE_DAMAGE_PAYLOAD_CHECKSUM}},
                1);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

/* A payload whose checksum matches but whose records do not parse, and a
 * header that belongs in the other slot, have their own reasons. */
static void test_damage_reasons(void) {
  VgwBlockDev *dev = two_generations();
  guint8 *bytes = vgw_blockdev_memory_data(dev);
  VgwSlotHeader h;
  decode_header(bytes, 1, &h);
  guint8 *payload = bytes + SLOT_SIZE + VGW_STORE_HEADER_BLOCK;
  payload[0] ^= 0x01; /* record 0's magic, then the payload CRC made good */
  h.payload_crc = vgw_crc32c(payload, h.payload_len);
  vgw_slot_header_encode(&h, bytes + SLOT_SIZE);
  VgwStore *store = open_ok(dev);
  g_assert_cmpuint(vgw_store_sequence(store), ==, 1);
  check_damaged(store,
                (VgwStoreSlotDamage[]){{1, 2, VGW_STORE_DAMAGE_RECORDS}}, 1);
  vgw_store_free(store);

  h.slot_index = 0;
  vgw_slot_header_encode(&h, bytes + SLOT_SIZE);
  store = open_ok(dev);
  check_damaged(store,
                (VgwStoreSlotDamage[]){{1, 2, VGW_STORE_DAMAGE_WRONG_SLOT}},
                1);
  vgw_store_free(store);
  g_assert_cmpstr(vgw_store_damage_reason_name(VGW_STORE_DAMAGE_RECORDS), ==,
                  "records");
  g_assert_cmpstr(vgw_store_damage_reason_name((VgwStoreDamageReason)99), ==,
                  "unknown");
  vgw_blockdev_free(dev);
}

/* Rewrites slot |slot|'s header after |edit|, with a correct CRC. */
static void rewrite_header(guint8 *bytes, int slot,
                           void (*edit)(VgwSlotHeader *h)) {
  VgwSlotHeader h;
  decode_header(bytes, slot, &h);
  edit(&h);
  vgw_slot_header_encode(&h, bytes + slot * SLOT_SIZE);
}

static void test_store_larger_than_device(void) {
  VgwBlockDev *dev = two_generations();
  /* The image cut to half its size: slot 0 claims 64 KiB. */
  VgwBlockDev *small = vgw_blockdev_new_memory(DEV_SIZE / 2, 0xff);
  memcpy(vgw_blockdev_memory_data(small), vgw_blockdev_memory_data(dev),
         DEV_SIZE / 2);
  GError *error = NULL;
  g_assert_null(vgw_store_open(small, &error));
  g_assert_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_GEOMETRY);
  g_assert_cmpstr(error->message, ==,
                  "flash store slot 0: the store spans 65536 bytes but the "
                  "device holds only 32768");
  g_clear_error(&error);
  /* The image grown: the slots would move, so it is refused too. */
  VgwBlockDev *big = vgw_blockdev_new_memory(DEV_SIZE * 2, 0xff);
  memcpy(vgw_blockdev_memory_data(big), vgw_blockdev_memory_data(dev),
         DEV_SIZE);
  g_assert_null(vgw_store_open(big, &error));
  g_assert_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_GEOMETRY);
  g_assert_nonnull(strstr(error->message, "made for 65536-byte store"));
  g_clear_error(&error);
  vgw_blockdev_free(small);
  vgw_blockdev_free(big);
  vgw_blockdev_free(dev);
}

static void make_version_2(VgwSlotHeader *h) { h->version = 2; }

static void test_newer_version_refused(void) {
  VgwBlockDev *dev = two_generations();
  rewrite_header(vgw_blockdev_memory_data(dev), 1, make_version_2);
  GError *error = NULL;
  g_assert_null(vgw_store_open(dev, &error));
  g_assert_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_VERSION);
  g_assert_cmpstr(error->message, ==,
                  "flash store slot 1: written by store format version 2; "
                  "this software reads version 1");
  g_clear_error(&error);
  vgw_blockdev_free(dev);
}

static void test_many_saves(void) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(DEV_SIZE, 0xff);
  VgwStore *store = open_ok(dev);
  for (guint i = 1; i <= 1000; i++) {
    char *text = g_strdup_printf("SaveCount = %u\n", i);
    TestBlob blob = {VGW_STORE_BLOB_CONFIG, "config.ini", text};
    g_assert_true(save_set(store, &blob, 1, NULL));
    g_free(text);
    if (i % 97 == 0) {
      vgw_store_free(store);
      store = open_ok(dev);
      g_assert_null(vgw_store_damage(store));
    }
    g_assert_cmpuint(vgw_store_sequence(store), ==, i);
  }
  vgw_store_free(store);
  store = open_ok(dev);
  GBytes *config = vgw_store_get(store, "config.ini", NULL);
  g_assert_cmpmem(g_bytes_get_data(config, NULL), g_bytes_get_size(config),
                  "SaveCount = 1000\n", 17);
  g_bytes_unref(config);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

static void make_last_sequence(VgwSlotHeader *h) { h->sequence = G_MAXUINT64; }

/* Sequence numbers are 64-bit: wrap cannot happen in practice; the last
 * one is refused cleanly, and a factory reset starts over at 1. */
static void test_sequence_exhausted(void) {
  VgwBlockDev *dev = two_generations();
  rewrite_header(vgw_blockdev_memory_data(dev), 1, make_last_sequence);
  VgwStore *store = open_ok(dev);
  g_assert_cmpuint(vgw_store_sequence(store), ==, G_MAXUINT64);
  GError *error = NULL;
  g_assert_false(save_set(store, set_a, G_N_ELEMENTS(set_a), &error));
  g_assert_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_SEQUENCE_EXHAUSTED);
  g_clear_error(&error);
  g_assert_true(vgw_store_factory_reset(store, NULL));
  g_assert_true(save_set(store, set_a, G_N_ELEMENTS(set_a), NULL));
  g_assert_cmpuint(vgw_store_sequence(store), ==, 1);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

static void test_factory_reset(void) {
  VgwBlockDev *dev = two_generations();
  VgwStore *store = open_ok(dev);
  g_assert_true(vgw_store_factory_reset(store, NULL));
  g_assert_true(vgw_store_is_blank(store));
  g_assert_null(vgw_store_get(store, "config.ini", NULL));
  const guint8 *bytes = vgw_blockdev_memory_data(dev);
  for (gsize i = 0; i < DEV_SIZE; i++) {
    g_assert_cmphex(bytes[i], ==, 0xff);
  }
  vgw_store_free(store);
  store = open_ok(dev);
  g_assert_true(vgw_store_is_blank(store));
  g_assert_null(vgw_store_damage(store));
  vgw_store_free(store);
  vgw_blockdev_free(dev);
}

static void test_blockdev_bounds(void) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(100, 0);
  guint8 buf[8];
  GError *error = NULL;
  g_assert_false(vgw_blockdev_read(dev, 96, buf, 8, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_clear_error(&error);
  g_assert_false(vgw_blockdev_write(dev, G_MAXUINT64 - 2, buf, 8, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_clear_error(&error);
  g_assert_true(vgw_blockdev_read(dev, 92, buf, 8, NULL));
  vgw_blockdev_free(dev);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/store/crc32c", test_crc32c_known_answer);
  g_test_add_func("/store/blockdev-bounds", test_blockdev_bounds);
  g_test_add_func("/store/blank/erased", test_blank_erased);
  g_test_add_func("/store/blank/zeroed", test_blank_zeroed);
  g_test_add_func("/store/device-too-small", test_device_too_small);
  g_test_add_func("/store/round-trip/memory", test_round_trip_memory);
  g_test_add_func("/store/round-trip/file", test_round_trip_file);
  g_test_add_func("/store/txn/invisible-until-commit",
                  test_txn_invisible_until_commit);
  g_test_add_func("/store/put/validation", test_put_validation);
  g_test_add_func("/store/put/oversized-blob", test_oversized_blob);
  g_test_add_func("/store/commit/oversized-generation",
                  test_oversized_generation);
  g_test_add_func("/store/damage/bit-flip-newest",
                  test_bit_flip_newest_falls_back);
  g_test_add_func("/store/damage/bit-flip-older", test_bit_flip_older_reported);
  g_test_add_func("/store/damage/messages", test_damage_messages);
  g_test_add_func("/store/damage/reasons", test_damage_reasons);
  g_test_add_func("/store/geometry/larger-than-device",
                  test_store_larger_than_device);
  g_test_add_func("/store/version/newer-refused", test_newer_version_refused);
  g_test_add_func("/store/sequence/many-saves", test_many_saves);
  g_test_add_func("/store/sequence/exhausted", test_sequence_exhausted);
  g_test_add_func("/store/factory-reset", test_factory_reset);
  return g_test_run();
}
