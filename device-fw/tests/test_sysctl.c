/* Unit tests for the system controller driver, run against a plain array
 * standing in for the register window. */
#include <string.h>

#include "hal/sysctl.h"
#include "vgw_sysctl.h"

#define NREGS (0x100 / 4)

static uint32_t regs[NREGS];

static void reg_set(uint32_t off, uint32_t v) { regs[off / 4] = v; }
static uint32_t reg_get(uint32_t off) { return regs[off / 4]; }

static void setup_board(VgwSysctl *sc) {
  memset(regs, 0, sizeof(regs));
  vgw_sysctl_init(sc, regs);
  reg_set(VGW_SYSCTL_ID, VGW_SYSCTL_ID_VALUE);
  reg_set(VGW_SYSCTL_VERSION, VGW_SYSCTL_VERSION_VALUE);
  reg_set(VGW_SYSCTL_HW_REV, 3);
  /* "VGW-0001" little-endian words, then NUL padding. */
  const char serial[16] = "VGW-0001";
  for (int i = 0; i < 16; i += 4) {
    uint32_t w = 0;
    for (int b = 0; b < 4; b++) {
      w |= (uint32_t)(uint8_t)serial[i + b] << (8 * b);
    }
    reg_set(VGW_SYSCTL_SERIAL0 + i, w);
  }
  reg_set(VGW_SYSCTL_MAC_BASE_HI, 0x0252);
  reg_set(VGW_SYSCTL_MAC_BASE_LO, 0x56a1b2c3);
}

static void test_probe(void) {
  VgwSysctl sc;
  setup_board(&sc);
  g_assert_true(vgw_sysctl_probe(&sc));
  reg_set(VGW_SYSCTL_VERSION, 0x00010005);
  g_assert_true(vgw_sysctl_probe(&sc));
  reg_set(VGW_SYSCTL_VERSION, 0x00020000);
  g_assert_false(vgw_sysctl_probe(&sc));
  reg_set(VGW_SYSCTL_VERSION, VGW_SYSCTL_VERSION_VALUE);
  reg_set(VGW_SYSCTL_ID, 0xffffffff);
  g_assert_false(vgw_sysctl_probe(&sc));
}

static void test_identity(void) {
  VgwSysctl sc;
  VgwBoardIdentity id;
  setup_board(&sc);
  vgw_sysctl_read_identity(&sc, &id);
  g_assert_cmpstr(id.serial, ==, "VGW-0001");
  g_assert_cmpuint(id.hw_rev, ==, 3);
  char mac[18];
  vgw_format_mac(id.mac_base, mac);
  g_assert_cmpstr(mac, ==, "02:52:56:a1:b2:c3");

  /* A full 16-character serial has no NUL; bad bytes are masked. */
  reg_set(VGW_SYSCTL_SERIAL0 + 0, 0x44434241);  /* ABCD */
  reg_set(VGW_SYSCTL_SERIAL0 + 4, 0x48474601);  /* \1FGH */
  reg_set(VGW_SYSCTL_SERIAL0 + 8, 0x4c4b4a49);  /* IJKL */
  reg_set(VGW_SYSCTL_SERIAL0 + 12, 0x504f4e4d); /* MNOP */
  vgw_sysctl_read_identity(&sc, &id);
  g_assert_cmpstr(id.serial, ==, "ABCD?FGHIJKLMNOP");
}

static void test_reset_cause(void) {
  VgwSysctl sc;
  setup_board(&sc);
  g_assert_cmpstr(vgw_reset_cause_name(VGW_RESET_CAUSE_POWER_ON), ==,
                  "power-on");
  g_assert_cmpstr(vgw_reset_cause_name(VGW_RESET_CAUSE_HOST), ==, "host");
  g_assert_cmpstr(vgw_reset_cause_name(VGW_RESET_CAUSE_FIRMWARE), ==,
                  "firmware");
  g_assert_cmpstr(vgw_reset_cause_name(VGW_RESET_CAUSE_WATCHDOG), ==,
                  "watchdog");
  g_assert_cmpstr(vgw_reset_cause_name(99), ==, "unknown");
  reg_set(VGW_SYSCTL_RESET_CAUSE, VGW_RESET_CAUSE_WATCHDOG);
  reg_set(VGW_SYSCTL_RESET_COUNT, 4);
  g_assert_cmpuint(vgw_sysctl_reset_cause(&sc), ==, VGW_RESET_CAUSE_WATCHDOG);
  g_assert_cmpuint(vgw_sysctl_reset_count(&sc), ==, 4);
}

static void test_watchdog(void) {
  VgwSysctl sc;
  setup_board(&sc);
  g_assert_true(vgw_sysctl_wdt_start(&sc, 10000, TRUE));
  g_assert_cmpuint(reg_get(VGW_SYSCTL_WDT_TIMEOUT), ==, 10000);
  g_assert_cmpuint(reg_get(VGW_SYSCTL_WDT_CTRL), ==,
                   VGW_WDT_CTRL_ENABLE | VGW_WDT_CTRL_LOCK);
  g_assert_cmpuint(reg_get(VGW_SYSCTL_WDT_KICK), ==,
                   VGW_SYSCTL_WDT_KICK_MAGIC);
  g_assert_true(vgw_sysctl_wdt_enabled(&sc));
  g_assert_cmpuint(vgw_sysctl_wdt_timeout(&sc), ==, 10000);

  reg_set(VGW_SYSCTL_WDT_KICK, 0);
  vgw_sysctl_wdt_kick(&sc);
  g_assert_cmpuint(reg_get(VGW_SYSCTL_WDT_KICK), ==,
                   VGW_SYSCTL_WDT_KICK_MAGIC);

  /* Out of range: nothing written. */
  setup_board(&sc);
  g_assert_false(vgw_sysctl_wdt_start(&sc, VGW_WDT_TIMEOUT_MIN - 1, TRUE));
  g_assert_false(vgw_sysctl_wdt_start(&sc, VGW_WDT_TIMEOUT_MAX + 1, TRUE));
  g_assert_cmpuint(reg_get(VGW_SYSCTL_WDT_CTRL), ==, 0);
  g_assert_cmpuint(reg_get(VGW_SYSCTL_WDT_TIMEOUT), ==, 0);
  g_assert_false(vgw_sysctl_wdt_enabled(&sc));
}

static void test_reset_request(void) {
  VgwSysctl sc;
  setup_board(&sc);
  vgw_sysctl_request_reset(&sc);
  g_assert_cmpuint(reg_get(VGW_SYSCTL_RESET_REQ), ==,
                   VGW_SYSCTL_RESET_REQ_MAGIC);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sysctl/probe", test_probe);
  g_test_add_func("/sysctl/identity", test_identity);
  g_test_add_func("/sysctl/reset-cause", test_reset_cause);
  g_test_add_func("/sysctl/watchdog", test_watchdog);
  g_test_add_func("/sysctl/reset-request", test_reset_request);
  return g_test_run();
}
