/*
 * Crash-injection tests of the store: cut the power at every operation of
 * a save and of a factory reset (tearing the cut write at many byte
 * positions, and with a volatile write cache that drops, keeps or tears
 * each unflushed write), then reboot, reopen and require exactly the old
 * or exactly the new contents, and a store that takes the next save.
 */
#include <string.h>

#include "powercut_blockdev.h"
#include "store_testutil.h"

static const TestBlob older_set[] = {
    {VGW_STORE_BLOB_CONFIG, "config.ini", "; generation zero\nSyslogLevel = 1\n"},
};

static const TestBlob old_set[] = {
    {VGW_STORE_BLOB_CONFIG, "config.ini", "TLSVersion = 0\nEnableSIPS = 0\n"},
    {VGW_STORE_BLOB_CERTIFICATE, "tls/0/cert.pem",
     "-----BEGIN CERTIFICATE-----\nMIIB...old\n-----END CERTIFICATE-----\n"},
    {VGW_STORE_BLOB_KEY_REFERENCE, "tls/0/key.ref", "engine-slot=0\n"},
    {VGW_STORE_BLOB_TRUSTED_ROOTS, "tls/0/roots.pem",
     "-----BEGIN CERTIFICATE-----\nMIIB...root\n-----END CERTIFICATE-----\n"},
};

static const TestBlob new_set[] = {
    {VGW_STORE_BLOB_CONFIG, "config.ini",
     "TLSVersion = 12\nEnableSIPS = 1\nTLSLocalSIPPort = 5061\n"},
    {VGW_STORE_BLOB_CERTIFICATE, "tls/0/cert.pem",
     "-----BEGIN CERTIFICATE-----\nMIIB...new\n-----END CERTIFICATE-----\n"},
    {VGW_STORE_BLOB_KEY_REFERENCE, "tls/1/key.ref", "engine-slot=3\n"},
};

static const TestBlob after_set[] = {
    {VGW_STORE_BLOB_CONFIG, "config.ini", "; saved after recovery\n"},
};

typedef enum { OP_SAVE_NEW, OP_FACTORY_RESET } Operation;

typedef struct {
  const char *what;
  gsize device_size;
  guint previous_generations; /* 0: blank, 1: old only, 2: older + old */
  Operation op;
  gsize big_blob; /* if > 0, new contents also get a blob this large */
} Scenario;

typedef struct {
  guint runs;
  guint cut_positions;
  guint saw_old;
  guint saw_new;
} Tally;

static guint total_runs;

static char *big_text(gsize len) {
  char *text = g_malloc(len + 1);
  for (gsize i = 0; i < len; i++) {
    text[i] = (char)('a' + (i * 7 + i / 13) % 26);
  }
  text[len] = '\0';
  return text;
}

/* Runs the scenario's operation on |dev|; failures are the power cut. */
static void run_operation(const Scenario *sc, VgwBlockDev *dev,
                          const char *big) {
  VgwStore *store = vgw_store_open(dev, NULL);
  g_assert_nonnull(store);
  if (sc->op == OP_FACTORY_RESET) {
    vgw_store_factory_reset(store, NULL);
  } else {
    VgwStoreTxn *txn = vgw_store_begin(store);
    put_set(txn, new_set, G_N_ELEMENTS(new_set));
    if (big != NULL) {
      g_assert_true(vgw_store_txn_put(txn, VGW_STORE_BLOB_TRUSTED_ROOTS,
                                      "roots/big.pem", big, strlen(big),
                                      NULL));
    }
    vgw_store_commit(store, txn, NULL);
    vgw_store_txn_free(txn);
  }
  vgw_store_free(store);
}

/* Builds the device image the scenario starts from. */
static VgwBlockDev *starting_device(const Scenario *sc) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(sc->device_size, 0xff);
  VgwStore *store = vgw_store_open(dev, NULL);
  g_assert_nonnull(store);
  if (sc->previous_generations >= 2) {
    g_assert_true(save_set(store, older_set, G_N_ELEMENTS(older_set), NULL));
  }
  if (sc->previous_generations >= 1) {
    g_assert_true(save_set(store, old_set, G_N_ELEMENTS(old_set), NULL));
  }
  vgw_store_free(store);
  return dev;
}

/* The snapshot a device holds, opened from scratch. */
static char *snapshot_of(VgwBlockDev *dev) {
  GError *error = NULL;
  VgwStore *store = vgw_store_open(dev, &error);
  g_assert_no_error(error);
  char *snap = snapshot(store);
  vgw_store_free(store);
  return snap;
}

typedef enum { EXPECT_EITHER, EXPECT_OLD, EXPECT_NEW } Expect;

/* One power cut: run, reboot, check old-or-new, check recovery. */
static void one_cut(const Scenario *sc, const guint8 *image,
                    const PowercutPlan *plan, Expect expect,
                    const char *old_snap,
                    const char *new_snap, const char *big, Tally *tally) {
  VgwBlockDev *dev = powercut_blockdev_new(image, sc->device_size, plan);
  run_operation(sc, dev, big);
  VgwBlockDev *rebooted = powercut_blockdev_reboot(dev);
  vgw_blockdev_free(dev);

  GError *error = NULL;
  VgwStore *store = vgw_store_open(rebooted, &error);
  g_assert_no_error(error);
  g_assert_nonnull(store);
  const GError *damage = vgw_store_damage(store);
  if (damage != NULL) {
    g_assert_error(damage, VGW_STORE_ERROR, VGW_STORE_ERROR_CORRUPT);
  }
  char *snap = snapshot(store);
  if (strcmp(snap, old_snap) == 0) {
    tally->saw_old++;
    g_assert_true(expect != EXPECT_NEW);
  } else if (strcmp(snap, new_snap) == 0) {
    tally->saw_new++;
    g_assert_true(expect != EXPECT_OLD);
  } else {
    g_error("%s: cut at op %u (tear %" G_GSIZE_FORMAT ", %s cache, seed "
            "%u): neither old nor new contents:\n%s",
            sc->what, plan->cut_at, plan->tear_bytes,
            plan->volatile_cache ? "volatile" : "write-through", plan->seed,
            snap);
  }
  g_free(snap);

  /* The recovered store must take the next save, and keep it. */
  g_assert_true(save_set(store, after_set, G_N_ELEMENTS(after_set), NULL));
  char *expected = snapshot(store);
  vgw_store_free(store);
  char *reread = snapshot_of(rebooted);
  g_assert_cmpstr(reread, ==, expected);
  g_free(reread);
  g_free(expected);
  vgw_blockdev_free(rebooted);
  tally->runs++;
}

/* Byte positions at which to tear a write of |len| bytes: every position
 * of a short write (headers), a spread of positions of a long one. */
static GArray *tear_positions(gsize len, GRand *rand) {
  GArray *pos = g_array_new(FALSE, FALSE, sizeof(gsize));
  if (len <= 64) {
    for (gsize k = 0; k <= len; k++) {
      g_array_append_val(pos, k);
    }
    return pos;
  }
  gsize fixed[] = {0, 1, 7, 8, 63, 64, len / 2, len - 1, len};
  for (guint i = 0; i < G_N_ELEMENTS(fixed); i++) {
    g_array_append_val(pos, fixed[i]);
  }
  for (int i = 0; i < 8; i++) {
    gsize k = (gsize)g_rand_int_range(rand, 0, (gint32)len);
    g_array_append_val(pos, k);
  }
  return pos;
}

static void run_scenario(gconstpointer data) {
  const Scenario *sc = data;
  char *big = sc->big_blob > 0 ? big_text(sc->big_blob) : NULL;
  VgwBlockDev *start = starting_device(sc);
  const guint8 *image = vgw_blockdev_memory_data(start);
  char *old_snap = snapshot_of(start);

  /* Dry run: count the operations and learn the new contents. */
  PowercutPlan never = {.cut_at = POWERCUT_NEVER};
  VgwBlockDev *dry = powercut_blockdev_new(image, sc->device_size, &never);
  run_operation(sc, dry, big);
  guint ops = powercut_blockdev_op_count(dry);
  VgwBlockDev *done = powercut_blockdev_reboot(dry);
  char *new_snap = snapshot_of(done);
  vgw_blockdev_free(done);
  g_assert_cmpstr(old_snap, !=, new_snap);
  g_assert_cmpuint(ops, >=, 4);

  Tally tally = {0};
  GRand *rand = g_rand_new_with_seed(0x5eed + ops);
  for (guint cut = 0; cut <= ops; cut++) {
    gsize len = powercut_blockdev_op_length(dry, cut);
    GArray *tears = tear_positions(len, rand);
    for (guint t = 0; t < tears->len; t++) {
      PowercutPlan plan = {.cut_at = cut,
                           .tear_bytes = g_array_index(tears, gsize, t)};
      /* Nothing issued yet: old. Only the last flush lost, with the cache
       * written through: the new contents are already on the medium. */
      Expect expect = cut == 0 && plan.tear_bytes == 0 ? EXPECT_OLD
                      : cut + 1 >= ops                 ? EXPECT_NEW
                                                       : EXPECT_EITHER;
      one_cut(sc, image, &plan, expect, old_snap, new_snap, big, &tally);
      tally.cut_positions++;
    }
    g_array_unref(tears);
    for (guint32 seed = 1; seed <= 12; seed++) {
      PowercutPlan plan = {.cut_at = cut,
                           .tear_bytes = (gsize)g_rand_int_range(
                               rand, 0, (gint32)MAX(len, 1)),
                           .volatile_cache = TRUE,
                           .seed = seed * 7919 + cut};
      one_cut(sc, image, &plan, cut >= ops ? EXPECT_NEW : EXPECT_EITHER,
              old_snap, new_snap, big, &tally);
      tally.cut_positions++;
    }
  }
  g_rand_free(rand);
  vgw_blockdev_free(dry);

  /* Both outcomes must actually occur, or the cuts missed the window. */
  g_assert_cmpuint(tally.saw_old, >, 0);
  g_assert_cmpuint(tally.saw_new, >, 0);
  g_test_message("%s: %u operations, %u cut positions, %u runs: old %u, "
                 "new %u", sc->what, ops, tally.cut_positions, tally.runs,
                 tally.saw_old, tally.saw_new);
  total_runs += tally.runs;

  g_free(old_snap);
  g_free(new_snap);
  vgw_blockdev_free(start);
  g_free(big);
}

static const Scenario scenarios[] = {
    {"save-over-two-generations", 64 * 1024, 2, OP_SAVE_NEW, 0},
    {"save-over-one-generation", 64 * 1024, 1, OP_SAVE_NEW, 0},
    {"first-save-on-blank", 64 * 1024, 0, OP_SAVE_NEW, 0},
    {"save-multi-chunk", 1024 * 1024, 2, OP_SAVE_NEW, 200 * 1024},
    {"factory-reset-two-generations", 64 * 1024, 2, OP_FACTORY_RESET, 0},
    {"factory-reset-one-generation", 64 * 1024, 1, OP_FACTORY_RESET, 0},
    {"factory-reset-multi-chunk", 512 * 1024, 2, OP_FACTORY_RESET, 0},
};

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(scenarios); i++) {
    char *path = g_strdup_printf("/store/crash/%s", scenarios[i].what);
    g_test_add_data_func(path, &scenarios[i], run_scenario);
    g_free(path);
  }
  int rc = g_test_run();
  /* A figure for the log, not a test: each scenario asserted its own runs. */
  g_print("# power cuts over the scenarios run: %u\n", total_runs);
  return rc;
}
