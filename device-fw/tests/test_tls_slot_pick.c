/* The slot policy of a certificate swap (tls_slot_pick.h): what each
 * slot is to it, which one it chooses, and the retired-key record. */
#include <glib.h>
#include <string.h>

#include "tls/tls_slot_pick.h"
#include "vgw_crypto.h"

static const VgwCryptoSlotInfo empty = {VGW_KEY_TYPE_NONE, FALSE, FALSE};
static const VgwCryptoSlotInfo key = {VGW_KEY_TYPE_EC_P256, FALSE, TRUE};
static const VgwCryptoSlotInfo locked = {VGW_KEY_TYPE_RSA_2048, TRUE, FALSE};

static void test_classify(void) {
  /* A context's slot is never free, whatever it holds. */
  g_assert_cmpint(vgw_tls_slot_classify(&empty, TRUE, FALSE), ==,
                  VGW_TLS_SLOT_CONTEXT);
  g_assert_cmpint(vgw_tls_slot_classify(&key, TRUE, TRUE), ==,
                  VGW_TLS_SLOT_CONTEXT);
  g_assert_cmpint(vgw_tls_slot_classify(&empty, FALSE, FALSE), ==,
                  VGW_TLS_SLOT_EMPTY);
  g_assert_cmpint(vgw_tls_slot_classify(&key, FALSE, TRUE), ==,
                  VGW_TLS_SLOT_RETIRED);
  /* A key nobody retired is someone's: kept. */
  g_assert_cmpint(vgw_tls_slot_classify(&key, FALSE, FALSE), ==,
                  VGW_TLS_SLOT_KEPT);
  /* A locked key cannot be replaced, retired or not. */
  g_assert_cmpint(vgw_tls_slot_classify(&locked, FALSE, TRUE), ==,
                  VGW_TLS_SLOT_LOCKED);
  g_assert_cmpstr(vgw_tls_slot_use_name(VGW_TLS_SLOT_RETIRED), ==, "retired");
  g_assert_cmpstr(vgw_tls_slot_use_name(VGW_TLS_SLOT_KEPT), ==, "kept");
}

#define EMPTY {VGW_TLS_SLOT_EMPTY, 0}
#define CONTEXT {VGW_TLS_SLOT_CONTEXT, 0}
#define KEPT {VGW_TLS_SLOT_KEPT, 0}
#define LOCKED {VGW_TLS_SLOT_LOCKED, 0}
#define RETIRED(when) {VGW_TLS_SLOT_RETIRED, when}

static void test_pick(void) {
  const VgwTlsSlot empty_after_retired[] = {CONTEXT, RETIRED(3), KEPT, EMPTY},
                   retired_only[] = {RETIRED(9), CONTEXT, LOCKED, RETIRED(4),
                                     RETIRED(7)},
                   none[] = {CONTEXT, KEPT, LOCKED, KEPT};
  /* An empty slot first, even after a retired one. */
  g_assert_cmpint(vgw_tls_slot_pick(empty_after_retired, 4), ==, 3);
  /* Else the retired one retired longest ago, not the lowest. */
  g_assert_cmpint(vgw_tls_slot_pick(retired_only, 5), ==, 3);
  g_assert_cmpint(vgw_tls_slot_pick(retired_only, 3), ==, 0);
  /* Kept, locked and in-service keys are never chosen. */
  g_assert_cmpint(vgw_tls_slot_pick(none, 4), ==, -1);
  /* Only the first |n| slots count. */
  g_assert_cmpint(vgw_tls_slot_pick(empty_after_retired, 3), ==, 1);
  g_assert_cmpint(vgw_tls_slot_pick(none, 0), ==, -1);
}

static void test_record(void) {
  const char *fp =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  const char *other =
      "0000d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  char *record = vgw_tls_retired_record(fp, 42);
  char *name = vgw_tls_retired_blob(7);
  guint64 when = 0;
  g_assert_cmpstr(name, ==, "tls/retired/7");
  g_assert_true(vgw_tls_retired_matches(record, strlen(record), fp, &when));
  g_assert_cmpuint(when, ==, 42);
  /* Another key in the slot since: not retired. */
  g_assert_false(
      vgw_tls_retired_matches(record, strlen(record), other, &when));
  /* A cut record, a malformed one, or none, matches nothing. */
  g_assert_false(
      vgw_tls_retired_matches(record, strlen(record) - 2, fp, &when));
  g_assert_false(vgw_tls_retired_matches(record, 20, fp, &when));
  char *bad = g_strconcat("sha256=", fp, " when=4x", NULL);
  g_assert_false(vgw_tls_retired_matches(bad, strlen(bad), fp, &when));
  g_assert_false(vgw_tls_retired_matches(NULL, 0, fp, &when));
  g_free(bad);
  g_free(name);
  g_free(record);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls/slot-pick/classify", test_classify);
  g_test_add_func("/tls/slot-pick/pick", test_pick);
  g_test_add_func("/tls/slot-pick/retired-record", test_record);
  return g_test_run();
}
