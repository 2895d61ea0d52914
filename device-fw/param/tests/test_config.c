/* The configuration model: defaults, values, rows, validation, pending. */
#include <string.h>

#include "param_config.h"
#include "param_value.h"

static gsize global(const char *name) {
  gssize i = vgw_param_find_global(name, strlen(name));
  g_assert_cmpint(i, >=, 0);
  return (gsize)i;
}

static void set(VgwParamConfig *cfg, const char *name, const char *text) {
  char *reason = NULL;
  if (!vgw_param_config_set_text(cfg, global(name), text, strlen(text),
                                 &reason))
    g_error("%s = %s: %s", name, text, reason);
}

static void set_cell(VgwParamRow *row, gsize t, const char *column,
                     const char *text) {
  const VgwTableDesc *table = vgw_param_table(t);
  gssize c = vgw_param_find_column(table, column, strlen(column));
  g_assert_cmpint(c, >=, 0);
  char *reason = NULL;
  if (!vgw_param_config_set_cell(row, t, (gsize)c, text, strlen(text),
                                 &reason))
    g_error("%s.%s = %s: %s", table->name, column, text, reason);
}

static void assert_text(const VgwParamConfig *cfg, const char *name,
                        const char *want) {
  char *got = vgw_param_config_get_text(cfg, global(name));
  g_assert_cmpstr(got, ==, want);
  g_free(got);
}

static void test_defaults(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  assert_text(cfg, "TLSVersion", "0");
  assert_text(cfg, "TLSLocalSIPPort", "5061");
  assert_text(cfg, "SyslogServerIP", "0.0.0.0");
  assert_text(cfg, "MaintenanceUserName", "Admin");
  g_assert_cmpuint(vgw_param_config_row_count(cfg, VGW_TABLE_TLS_CONTEXTS), ==,
                   1);
  const VgwParamRow *ctx0 = vgw_param_config_row_at(cfg,
                                                    VGW_TABLE_TLS_CONTEXTS, 0);
  g_assert_cmpuint(ctx0->index, ==, 0);
  g_assert_cmpstr(ctx0->values[0].str, ==, "default");
  g_assert_cmpuint(vgw_param_config_row_count(cfg, VGW_TABLE_PROXY_SET), ==, 0);
  g_assert_true(vgw_param_config_validate(cfg, NULL, NULL));
  vgw_param_config_free(cfg);
}

static void test_set_text(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  char *reason = NULL;
  gsize i = global("TLSReHandshakeInterval");
  g_assert_false(vgw_param_config_set_text(cfg, i, "1501", 4, &reason));
  g_assert_cmpstr(reason, ==, "value 1501 out of range 0..1500");
  g_clear_pointer(&reason, g_free);
  g_assert_false(vgw_param_config_set_text(cfg, i, "12x", 3, &reason));
  g_assert_cmpstr(reason, ==, "'12x' is not an integer");
  g_clear_pointer(&reason, g_free);
  g_assert_false(vgw_param_config_set_text(cfg, i, "", 0, &reason));
  g_assert_cmpstr(reason, ==, "'' is not an integer");
  g_clear_pointer(&reason, g_free);
  g_assert_false(vgw_param_config_set_text(
      cfg, i, "99999999999999999999", 20, &reason));
  g_assert_cmpstr(reason, ==, "'99999999999999999999' is not an integer");
  g_clear_pointer(&reason, g_free);
  assert_text(cfg, "TLSReHandshakeInterval", "0");
  set(cfg, "TLSReHandshakeInterval", "+30");
  assert_text(cfg, "TLSReHandshakeInterval", "30");

  i = global("SyslogServerIP");
  static const char *const bad_ips[] = {"1.2.3", "1.2.3.4.5", "256.1.1.1",
                                        "1..2.3", "01234.1.1.1", "a.b.c.d",
                                        "1.2.3.4 "};
  for (gsize k = 0; k < G_N_ELEMENTS(bad_ips); k++) {
    g_assert_false(vgw_param_config_set_text(cfg, i, bad_ips[k],
                                             strlen(bad_ips[k]), &reason));
    g_assert_true(g_str_has_suffix(reason, "' is not an IPv4 address"));
    g_clear_pointer(&reason, g_free);
  }
  set(cfg, "SyslogServerIP", "10.13.2.69");
  assert_text(cfg, "SyslogServerIP", "10.13.2.69");
  set(cfg, "SyslogServerIP", "");
  assert_text(cfg, "SyslogServerIP", "0.0.0.0");

  i = global("HTTPSCertFileName");
  g_assert_false(vgw_param_config_set_text(cfg, i, "../etc/passwd", 13,
                                           &reason));
  g_assert_cmpstr(reason, ==, "'../etc/passwd' is not a file name "
                              "(letters, digits, '_', '.', '-')");
  g_clear_pointer(&reason, g_free);
  g_assert_false(vgw_param_config_set_text(cfg, i, ".hidden", 7, &reason));
  g_assert_cmpstr(reason, ==, "file name starts with '.'");
  g_clear_pointer(&reason, g_free);
  set(cfg, "HTTPSCertFileName", "gw_cert-1.pem");

  i = global("TLSRemoteSubjectName");
  g_assert_false(vgw_param_config_set_text(cfg, i, "a\0b", 3, &reason));
  g_assert_cmpstr(reason, ==, "control character \\x00 in value");
  g_clear_pointer(&reason, g_free);
  g_assert_false(vgw_param_config_set_text(cfg, i, "it's \"x\"", 8, &reason));
  g_assert_cmpstr(reason, ==, "value holds both ' and \" quotes");
  g_clear_pointer(&reason, g_free);
  char *long_name = g_strnfill(256, 'a');
  g_assert_false(vgw_param_config_set_text(cfg, i, long_name, 256, &reason));
  g_assert_cmpstr(reason, ==, "longer than 255 characters");
  g_clear_pointer(&reason, g_free);
  g_assert_true(vgw_param_config_set_text(cfg, i, long_name, 255, &reason));
  g_free(long_name);

  i = global("SIPTransportType");
  g_assert_false(vgw_param_config_set_text(cfg, i, "3", 1, &reason));
  g_assert_cmpstr(reason, ==, "value 3 out of range 0..2");
  g_clear_pointer(&reason, g_free);
  vgw_param_config_free(cfg);
}

static void test_enum_not_contiguous(void) {
  const VgwTableDesc *ctx = vgw_param_table(VGW_TABLE_TLS_CONTEXTS);
  gssize c = vgw_param_find_column(ctx, "DHKeySize", 9);
  VgwParamValue v;
  char *reason = NULL;
  g_assert_false(vgw_param_value_parse(&ctx->columns[c], "1536", 4, &v,
                                       &reason));
  g_assert_cmpstr(reason, ==, "value 1536 not one of 1024, 2048");
  g_free(reason);
}

static void test_rows(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  GError *error = NULL;
  VgwParamRow *r3 = vgw_param_config_ensure_row(cfg, VGW_TABLE_PROXY_SET, 3);
  VgwParamRow *r1 = vgw_param_config_ensure_row(cfg, VGW_TABLE_PROXY_SET, 1);
  g_assert_true(vgw_param_config_ensure_row(cfg, VGW_TABLE_PROXY_SET, 3) == r3);
  g_assert_cmpuint(vgw_param_config_row_count(cfg, VGW_TABLE_PROXY_SET), ==, 2);
  g_assert_true(vgw_param_config_row_at(cfg, VGW_TABLE_PROXY_SET, 0) == r1);
  g_assert_true(vgw_param_config_find_row(cfg, VGW_TABLE_PROXY_SET, 2) == NULL);
  g_assert_cmpint(r1->values[2].num, ==, 60); /* ProxyKeepAliveTime */

  g_assert_false(vgw_param_config_delete_row(cfg, VGW_TABLE_TLS_CONTEXTS, 0,
                                             &error));
  g_assert_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_PERMANENT);
  g_assert_cmpstr(error->message, ==, "TLSContexts 0: row 0 cannot be deleted");
  g_clear_error(&error);
  g_assert_false(vgw_param_config_delete_row(cfg, VGW_TABLE_PROXY_SET, 2,
                                             &error));
  g_assert_cmpstr(error->message, ==, "ProxySet 2: no such row");
  g_clear_error(&error);
  g_assert_true(vgw_param_config_delete_row(cfg, VGW_TABLE_PROXY_SET, 3, NULL));
  g_assert_cmpuint(vgw_param_config_row_count(cfg, VGW_TABLE_PROXY_SET), ==, 1);

  vgw_param_config_ensure_row(cfg, VGW_TABLE_TLS_CONTEXTS, 5);
  vgw_param_config_clear_table(cfg, VGW_TABLE_TLS_CONTEXTS);
  g_assert_cmpuint(vgw_param_config_row_count(cfg, VGW_TABLE_TLS_CONTEXTS), ==,
                   1);
  vgw_param_config_free(cfg);
}

static void test_validate(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  GError *error = NULL;
  VgwParamRow *sip = vgw_param_config_ensure_row(cfg, VGW_TABLE_SIP_INTERFACE,
                                                 0);
  set_cell(sip, VGW_TABLE_SIP_INTERFACE, "InterfaceName", "LAN-SIP");
  g_assert_true(vgw_param_config_validate(cfg, "x.ini", NULL));

  set_cell(sip, VGW_TABLE_SIP_INTERFACE, "TLSContext", "teams");
  g_assert_false(vgw_param_config_validate(cfg, "x.ini", &error));
  g_assert_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_REFERENCE);
  g_assert_cmpstr(error->message, ==,
                  "x.ini: SIPInterface 0: TLSContext: no TLSContexts row "
                  "named 'teams'");
  g_clear_error(&error);
  /* Names are matched ignoring case. */
  set_cell(sip, VGW_TABLE_SIP_INTERFACE, "TLSContext", "DEFAULT");
  sip->line = 7;

  VgwParamRow *ip = vgw_param_config_ensure_row(cfg, VGW_TABLE_PROXY_IP, 0);
  ip->line = 9;
  g_assert_false(vgw_param_config_validate(cfg, NULL, &error));
  g_assert_cmpstr(error->message, ==,
                  "config:9: ProxyIp 0: ProxySetId: no ProxySet row 0");
  g_clear_error(&error);
  VgwParamRow *ps = vgw_param_config_ensure_row(cfg, VGW_TABLE_PROXY_SET, 0);
  g_assert_true(vgw_param_config_validate(cfg, NULL, NULL));

  set_cell(ps, VGW_TABLE_PROXY_SET, "SBCIPv4SIPInterfaceName", "lan-sip");
  g_assert_true(vgw_param_config_validate(cfg, NULL, NULL));

  VgwParamRow *sip2 = vgw_param_config_ensure_row(cfg, VGW_TABLE_SIP_INTERFACE,
                                                  4);
  sip2->line = 8;
  set_cell(sip2, VGW_TABLE_SIP_INTERFACE, "InterfaceName", "Lan-Sip");
  g_assert_false(vgw_param_config_validate(cfg, "y.ini", &error));
  g_assert_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_DUPLICATE);
  g_assert_cmpstr(error->message, ==,
                  "y.ini:8: SIPInterface 4: InterfaceName: name 'Lan-Sip' "
                  "already used by row 0");
  g_clear_error(&error);
  vgw_param_config_free(cfg);
}

static void test_copy_equal_take(void) {
  VgwParamConfig *a = vgw_param_config_new();
  VgwParamConfig *b = vgw_param_config_copy(a);
  g_assert_true(vgw_param_config_equal(a, b));
  set(b, "TLSRemoteSubjectName", "sbc.example.com");
  g_assert_false(vgw_param_config_equal(a, b));
  set(a, "TLSRemoteSubjectName", "sbc.example.com");
  g_assert_true(vgw_param_config_equal(a, b));
  VgwParamRow *row = vgw_param_config_ensure_row(b, VGW_TABLE_IP_GROUP, 2);
  g_assert_false(vgw_param_config_equal(a, b));
  VgwParamRow *row_a = vgw_param_config_ensure_row(a, VGW_TABLE_IP_GROUP, 2);
  row_a->line = 44; /* lines are not configuration */
  g_assert_true(vgw_param_config_equal(a, b));
  set_cell(row, VGW_TABLE_IP_GROUP, "Name", "ITSP");
  g_assert_false(vgw_param_config_equal(a, b));
  VgwParamConfig *c = vgw_param_config_copy(b);
  vgw_param_config_take(a, c);
  g_assert_true(vgw_param_config_equal(a, b));
  vgw_param_config_free(a);
  vgw_param_config_free(b);
  vgw_param_config_free(NULL);
}

static void test_pending(void) {
  VgwParamConfig *running = vgw_param_config_new();
  VgwParamConfig *staged = vgw_param_config_copy(running);
  GPtrArray *pending = vgw_param_config_pending(running, staged);
  g_assert_cmpuint(pending->len, ==, 0);
  g_ptr_array_unref(pending);

  set(staged, "TLSVersion", "1");               /* reset needed */
  set(staged, "LANIPAddress", "192.0.2.10");    /* reset needed */
  set(staged, "TLSReHandshakeInterval", "60");  /* live */
  vgw_param_config_ensure_row(staged, VGW_TABLE_PROXY_SET, 1);  /* live */

  pending = vgw_param_config_pending(running, staged);
  g_assert_cmpuint(pending->len, ==, 2);
  VgwParamPending *p = g_ptr_array_index(pending, 0);
  g_assert_cmpstr(p->name, ==, "TLSVersion");
  g_assert_cmpstr(p->running_value, ==, "0");
  g_assert_cmpstr(p->pending_value, ==, "1");
  p = g_ptr_array_index(pending, 1);
  g_assert_cmpstr(p->name, ==, "LANIPAddress");
  g_assert_cmpstr(p->running_value, ==, "0.0.0.0");
  g_assert_cmpstr(p->pending_value, ==, "192.0.2.10");
  g_ptr_array_unref(pending);

  vgw_param_config_apply_live(running, staged);
  assert_text(running, "TLSReHandshakeInterval", "60");
  assert_text(running, "TLSVersion", "0");
  g_assert_nonnull(vgw_param_config_find_row(running, VGW_TABLE_PROXY_SET, 1));
  pending = vgw_param_config_pending(running, staged);
  g_assert_cmpuint(pending->len, ==, 2);
  g_ptr_array_unref(pending);

  /* Setting it back clears the pending entry. */
  set(staged, "TLSVersion", "0");
  pending = vgw_param_config_pending(running, staged);
  g_assert_cmpuint(pending->len, ==, 1);
  g_ptr_array_unref(pending);

  /* The boot: running becomes staged. */
  vgw_param_config_take(running, vgw_param_config_copy(staged));
  pending = vgw_param_config_pending(running, staged);
  g_assert_cmpuint(pending->len, ==, 0);
  g_ptr_array_unref(pending);
  vgw_param_config_free(running);
  vgw_param_config_free(staged);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/param/config/defaults", test_defaults);
  g_test_add_func("/param/config/set-text", test_set_text);
  g_test_add_func("/param/config/enum-not-contiguous", test_enum_not_contiguous);
  g_test_add_func("/param/config/rows", test_rows);
  g_test_add_func("/param/config/validate", test_validate);
  g_test_add_func("/param/config/copy-equal-take", test_copy_equal_take);
  g_test_add_func("/param/config/pending", test_pending);
  return g_test_run();
}
