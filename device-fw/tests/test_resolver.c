/* Proxy Set address resolution (net/resolver.h): literals, the DNS2IP
 * table loaded from ini text, and a DNS lookup on the worker thread,
 * answered on the main loop (localhost: /etc/hosts, no network). */
#include <string.h>

#include "net/resolver.h"
#include "param_ini.h"

static VgwParamConfig *load(const char *ini) {
  GError *error = NULL;
  VgwParamConfig *cfg = vgw_param_config_new();

  g_assert_true(vgw_ini_load(cfg, ini, strlen(ini), "test.ini",
                             VGW_INI_INCREMENTAL, NULL, &error));
  g_assert_no_error(error);
  return cfg;
}

static const char dns2ip_ini[] =
    "[ DNS2IP ]\n"
    "FORMAT DNS2IP_Index = DNS2IP_DomainName, DNS2IP_FirstIpAddress, "
    "DNS2IP_SecondIpAddress, DNS2IP_ThirdIpAddress, DNS2IP_FourthIpAddress;\n"
    "DNS2IP 0 = \"proxy.lab.test\", 10.0.2.2, 0.0.0.0, 10.0.2.7, 10.0.2.2;\n"
    "DNS2IP 3 = \"empty.lab.test\", 0.0.0.0, 0.0.0.0, 0.0.0.0, 0.0.0.0;\n"
    "[ \\DNS2IP ]\n";

static void test_dns2ip(void) {
  VgwParamConfig *cfg = load(dns2ip_ini);
  VgwAddressList list;
  VgwResolvedSource source;

  /* Case ignored; zero columns skipped; a repeated address once. */
  g_assert_true(vgw_dns2ip_lookup(cfg, "Proxy.LAB.test", &list));
  g_assert_cmpuint(list.n, ==, 2);
  g_assert_cmpstr(list.address[0], ==, "10.0.2.2");
  g_assert_cmpstr(list.address[1], ==, "10.0.2.7");
  g_assert_false(vgw_dns2ip_lookup(cfg, "empty.lab.test", &list));
  g_assert_cmpuint(list.n, ==, 0);
  g_assert_false(vgw_dns2ip_lookup(cfg, "proxy.lab", &list));

  g_assert_true(vgw_resolve_local(cfg, "proxy.lab.test", &list, &source));
  g_assert_cmpint(source, ==, VGW_RESOLVED_DNS2IP);
  g_assert_true(vgw_resolve_local(cfg, "192.0.2.1", &list, &source));
  g_assert_cmpint(source, ==, VGW_RESOLVED_LITERAL);
  g_assert_cmpuint(list.n, ==, 1);
  g_assert_cmpstr(list.address[0], ==, "192.0.2.1");
  /* Not a literal, not in the table: DNS's turn. */
  g_assert_false(vgw_resolve_local(cfg, "192.0.2.1.example", &list, &source));
  vgw_param_config_free(cfg);
}

typedef struct {
  GMainLoop *loop;
  VgwAddressList list;
  GError *error;
  guint calls;
} Outcome;

static void on_resolved(const char *name, const VgwAddressList *addresses,
                        const GError *error, gpointer data) {
  Outcome *o = data;

  o->calls++;
  if (addresses != NULL) {
    o->list = *addresses;
  }
  o->error = error != NULL ? g_error_copy(error) : NULL;
  g_main_loop_quit(o->loop);
}

static void test_dns(void) {
  Outcome o = {.loop = g_main_loop_new(NULL, FALSE)};

  vgw_dns_lookup_start("localhost", on_resolved, &o);
  g_main_loop_run(o.loop);
  g_assert_no_error(o.error);
  g_assert_cmpuint(o.calls, ==, 1);
  g_assert_cmpuint(o.list.n, >=, 1);
  g_assert_cmpstr(o.list.address[0], ==, "127.0.0.1");

  /* The reserved .invalid TLD (RFC 6761) never resolves. */
  vgw_dns_lookup_start("no-such-host.invalid", on_resolved, &o);
  g_main_loop_run(o.loop);
  g_assert_nonnull(o.error);
  g_assert_true(o.error->domain == VGW_RESOLVE_ERROR);
  g_clear_error(&o.error);
  g_main_loop_unref(o.loop);
}

static void on_cancelled(const char *name, const VgwAddressList *addresses,
                         const GError *error, gpointer data) {
  g_assert_not_reached();
}

static gboolean quit_later(gpointer loop) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

/* A cancelled lookup calls nothing back; a lookup started after it, on
 * the same worker threads, does, so the first one has finished by then. */
static void test_cancel(void) {
  Outcome o = {.loop = g_main_loop_new(NULL, FALSE)};

  vgw_dns_lookup_cancel(vgw_dns_lookup_start("localhost", on_cancelled, NULL));
  vgw_dns_lookup_start("localhost", on_resolved, &o);
  g_main_loop_run(o.loop);
  g_assert_cmpuint(o.calls, ==, 1);
  /* Let the cancelled lookup's completion run too. */
  g_idle_add(quit_later, o.loop);
  g_main_loop_run(o.loop);
  g_main_loop_unref(o.loop);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/resolver/dns2ip", test_dns2ip);
  g_test_add_func("/resolver/dns", test_dns);
  g_test_add_func("/resolver/cancel", test_cancel);
  return g_test_run();
}
