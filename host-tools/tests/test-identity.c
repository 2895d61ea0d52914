/* Serial number and MAC base derivation: stable, distinct, valid. */
#include <string.h>

#include "identity.h"

static void
test_serial(void)
{
  g_autofree char *a1 = vgw_identity_serial("default");
  g_autofree char *a2 = vgw_identity_serial("default");
  g_autofree char *b = vgw_identity_serial("b");

  g_assert_cmpstr(a1, ==, a2);
  g_assert_cmpstr(a1, !=, b);
  g_assert_cmpuint(strlen(a1), ==, 13);
  g_assert_true(g_str_has_prefix(a1, "VGW"));
  for (int i = 3; i < 13; i++)
    g_assert_true(g_ascii_isxdigit(a1[i]) && !g_ascii_islower(a1[i]));
  /* SHA-256("default") starts 37a8eec1ce: pins the derivation, so a
   * change (which would change every gateway's serial) is deliberate. */
  g_assert_cmpstr(a1, ==, "VGW37A8EEC1CE");
}

static void
test_mac_base(void)
{
  const char *names[] = { "default", "b", "gwa", "gwb", "x", "a-very-long-name_0123456789" };

  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    guint8 m1[VGW_MAC_LEN], m2[VGW_MAC_LEN];
    vgw_identity_mac_base(names[i], m1);
    vgw_identity_mac_base(names[i], m2);
    g_assert_cmpmem(m1, 6, m2, 6);
    g_assert_cmpuint(m1[0] & 0x01, ==, 0); /* unicast */
    g_assert_cmpuint(m1[0] & 0x02, ==, 2); /* locally administered */
    g_assert_cmpuint(m1[5] & 0x01, ==, 0); /* base+1 does not carry */
  }
  {
    guint8 a[VGW_MAC_LEN], b[VGW_MAC_LEN];
    vgw_identity_mac_base("gwa", a);
    vgw_identity_mac_base("gwb", b);
    g_assert_true(memcmp(a, b, 6) != 0);
  }
}

static void
test_mac_format_parse(void)
{
  const guint8 mac[VGW_MAC_LEN] = { 0x02, 0xab, 0x00, 0x10, 0xfe, 0xff };
  guint8 back[VGW_MAC_LEN];
  g_autofree char *text = vgw_mac_format(mac);
  g_autofree char *plus1 = vgw_mac_offset(mac, 1);
  g_autofree char *plus2 = vgw_mac_offset((const guint8[]){ 2, 0, 0, 0, 0, 0x10 }, 1);

  g_assert_cmpstr(text, ==, "02:ab:00:10:fe:ff");
  g_assert_true(vgw_mac_parse(text, back));
  g_assert_cmpmem(mac, 6, back, 6);
  g_assert_true(vgw_mac_parse("02:AB:00:10:FE:FF", back));
  g_assert_cmpmem(mac, 6, back, 6);
  g_assert_cmpstr(plus1, ==, "02:ab:00:10:ff:00"); /* carry */
  g_assert_cmpstr(plus2, ==, "02:00:00:00:00:11");
  g_assert_false(vgw_mac_parse("02:ab:00:10:fe", back));
  g_assert_false(vgw_mac_parse("02:ab:00:10:fe:fg", back));
  g_assert_false(vgw_mac_parse("02-ab-00-10-fe-ff", back));
  g_assert_false(vgw_mac_parse("02:ab:00:10:fe:ff:", back));
  g_assert_false(vgw_mac_parse(NULL, back));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/identity/serial", test_serial);
  g_test_add_func("/identity/mac-base", test_mac_base);
  g_test_add_func("/identity/mac-format-parse", test_mac_format_parse);
  return g_test_run();
}
