/* Where the boot configuration comes from (config/config_state.h) when
 * the flash holds damage: a damaged newest generation rolls back to the
 * older one, and the boot says so (log line, boot source naming the
 * generation skipped and the store's reason); damage to the older
 * generation, which the boot did not need, is no rollback. */
#include <string.h>

#include "config/config_state.h"
#include "param_ini.h"
#include "param_registry.h"

#define FLASH_SIZE (1024 * 1024)
#define SLOT_SIZE (FLASH_SIZE / 2)
#define PAYLOAD_OFFSET 4096 /* docs/flash-store.md: after the header block */

/* stage_and_save stages |ini| over the staged configuration and saves it
 * as the next generation. */
static void stage_and_save(VgwConfigState *cs, const char *ini) {
  GError *error = NULL;
  VgwParamConfig *next = vgw_param_config_copy(vgw_config_state_staged(cs));
  g_assert_true(vgw_ini_load(next, ini, strlen(ini), "test.ini",
                             VGW_INI_INCREMENTAL, NULL, &error));
  g_assert_no_error(error);
  g_assert_true(vgw_config_state_stage(cs, next, "test.ini", &error));
  guint64 generation;
  g_assert_true(vgw_config_state_save(cs, &generation, &error));
  g_assert_no_error(error);
}

/* two_generations returns a flash image holding generation 1
 * (GwDebugLevel 1, slot 0) and generation 2 (GwDebugLevel 2, slot 1). */
static guint8 *two_generations(void) {
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "config: factory defaults");
  VgwBlockDev *dev = vgw_blockdev_new_memory(FLASH_SIZE, 0xff);
  VgwConfigState *cs = vgw_config_state_open(dev);
  g_test_assert_expected_messages();
  stage_and_save(cs, "GwDebugLevel = 1\n");
  stage_and_save(cs, "GwDebugLevel = 2\n");
  g_assert_cmpuint(vgw_config_state_generation(cs), ==, 2);
  guint8 *image = g_memdup2(vgw_blockdev_memory_data(dev), FLASH_SIZE);
  vgw_config_state_free(cs);
  return image;
}

/* boot opens a configuration state on a copy of |image|. */
static VgwConfigState *boot(const guint8 *image) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(FLASH_SIZE, 0xff);
  memcpy(vgw_blockdev_memory_data(dev), image, FLASH_SIZE);
  return vgw_config_state_open(dev);
}

static char *debug_level(const VgwConfigState *cs) {
  gssize i = vgw_param_find_global("GwDebugLevel", strlen("GwDebugLevel"));
  g_assert_cmpint(i, >=, 0);
  return vgw_param_config_get_text(vgw_config_state_running(cs), (gsize)i);
}

/* check_source asserts that |cs| booted |generation| and skipped the |n|
 * |skipped| generations. */
static void check_source(const VgwConfigState *cs, guint64 generation,
                         const VgwConfigSkipped *skipped, gsize n) {
  const VgwConfigSource *src = vgw_config_state_boot_source(cs);
  g_assert_cmpuint(src->generation, ==, generation);
  g_assert_cmpuint(src->n_skipped, ==, n);
  for (gsize i = 0; i < n; i++) {
    g_assert_cmpuint(src->skipped[i].generation, ==, skipped[i].generation);
    g_assert_cmpstr(src->skipped[i].reason, ==, skipped[i].reason);
  }
}

/* No damage: the newest generation, nothing skipped. */
static void test_newest_used(void) {
  guint8 *image = two_generations();
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "config: flash generation 2");
  VgwConfigState *cs = boot(image);
  g_test_assert_expected_messages();
  check_source(cs, 2, NULL, 0);
  char *level = debug_level(cs);
  g_assert_cmpstr(level, ==, "2");
  g_free(level);
  vgw_config_state_free(cs);
  g_free(image);
}

/* One byte of generation 2's payload flipped: generation 1 boots, and the
 * boot names generation 2 and the reason. */
static void test_damaged_payload_rolls_back(void) {
  guint8 *image = two_generations();
  image[SLOT_SIZE + PAYLOAD_OFFSET + 3] ^= 0x40;
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: flash store damage ignored: flash store "
                        "damaged: slot 1 (generation 2): payload checksum "
                        "mismatch*");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "config: flash generation 1");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: rolled back: flash generation 2 skipped "
                        "(payload-checksum); the configuration comes from "
                        "flash generation 1");
  VgwConfigState *cs = boot(image);
  g_test_assert_expected_messages();
  check_source(cs, 1, (VgwConfigSkipped[]){{2, "payload-checksum"}}, 1);
  char *level = debug_level(cs);
  g_assert_cmpstr(level, ==, "1");
  g_free(level);

  /* A save afterwards does not rewrite history: the boot source stays. */
  stage_and_save(cs, "GwDebugLevel = 3\n");
  g_assert_cmpuint(vgw_config_state_generation(cs), ==, 3);
  check_source(cs, 1, (VgwConfigSkipped[]){{2, "payload-checksum"}}, 1);
  vgw_config_state_free(cs);
  g_free(image);
}

/* Generation 2's header damaged: its number cannot be trusted, so the
 * skipped slot is reported with an unknown generation. */
static void test_damaged_header_rolls_back(void) {
  guint8 *image = two_generations();
  image[SLOT_SIZE + 33] ^= 0x01; /* in the sequence field */
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: flash store damage ignored: *");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "config: flash generation 1");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: rolled back: a flash slot of unknown "
                        "generation skipped (header); the configuration "
                        "comes from flash generation 1");
  VgwConfigState *cs = boot(image);
  g_test_assert_expected_messages();
  check_source(cs, 1, (VgwConfigSkipped[]){{0, "header"}}, 1);
  vgw_config_state_free(cs);
  g_free(image);
}

/* Damage to the older generation is reported as damage, not as a
 * rollback: the newest one booted. */
static void test_damaged_older_is_no_rollback(void) {
  guint8 *image = two_generations();
  image[PAYLOAD_OFFSET + 3] ^= 0x40;
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: flash store damage ignored: flash store "
                        "damaged: slot 0 (generation 1): *");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "config: flash generation 2");
  VgwConfigState *cs = boot(image);
  g_test_assert_expected_messages();
  check_source(cs, 2, NULL, 0);
  vgw_config_state_free(cs);
  g_free(image);
}

/* Both generations damaged: factory defaults, both named. */
static void test_both_damaged(void) {
  guint8 *image = two_generations();
  image[PAYLOAD_OFFSET + 3] ^= 0x40;
  image[SLOT_SIZE + PAYLOAD_OFFSET + 3] ^= 0x40;
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: flash store damage ignored: *");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "config: factory defaults");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: rolled back: flash generation 1 skipped "
                        "(payload-checksum); the configuration comes from "
                        "factory defaults");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: rolled back: flash generation 2 skipped "
                        "(payload-checksum); *");
  VgwConfigState *cs = boot(image);
  g_test_assert_expected_messages();
  check_source(cs, 0,
               (VgwConfigSkipped[]){{1, "payload-checksum"},
                                    {2, "payload-checksum"}},
               2);
  vgw_config_state_free(cs);
  g_free(image);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/config-state/newest-used", test_newest_used);
  g_test_add_func("/config-state/damaged-payload-rolls-back",
                  test_damaged_payload_rolls_back);
  g_test_add_func("/config-state/damaged-header-rolls-back",
                  test_damaged_header_rolls_back);
  g_test_add_func("/config-state/damaged-older-no-rollback",
                  test_damaged_older_is_no_rollback);
  g_test_add_func("/config-state/both-damaged", test_both_damaged);
  return g_test_run();
}
