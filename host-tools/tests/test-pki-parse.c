/* vgw pki's command-line values: times (pki_time.h) and --san specs
 * (pki_san.h).  What the certificates hold is checked with openssl in
 * test-pki.py. */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include "pki_san.h"
#include "pki_time.h"
#include "vgw-error.h"

#define NOW G_GINT64_CONSTANT(1800000000) /* 2027-01-15T08:00:00Z */

static gint64
parsed(const char *text)
{
  gint64 t = 0;
  g_autoptr(GError) error = NULL;

  if (!vgw_pki_time_parse(text, NOW, "not-before", &t, &error))
    g_error("'%s' did not parse: %s", text, error->message);
  return t;
}

static void
refused(const char *text, const char *needle)
{
  gint64 t = 0;
  g_autoptr(GError) error = NULL;

  g_assert_false(vgw_pki_time_parse(text, NOW, "not-after", &t, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
  if (strstr(error->message, needle) == NULL || strstr(error->message, "--not-after") == NULL)
    g_error("'%s': '%s' lacks '%s' or the option", text, error->message, needle);
}

/* "now", signed offsets in each unit, and ISO 8601 with and without a
 * zone. */
static void
test_time_accepted(void)
{
  g_assert_cmpint(parsed("now"), ==, NOW);
  g_assert_cmpint(parsed("-30d"), ==, NOW - 30 * 86400);
  g_assert_cmpint(parsed("+2h"), ==, NOW + 2 * 3600);
  g_assert_cmpint(parsed("-15m"), ==, NOW - 15 * 60);
  g_assert_cmpint(parsed("+10s"), ==, NOW + 10);
  g_assert_cmpint(parsed("+0d"), ==, NOW);
  g_assert_cmpint(parsed("2030-01-01T00:00:00Z"), ==, G_GINT64_CONSTANT(1893456000));
  g_assert_cmpint(parsed("2030-01-01T00:00:00"), ==, G_GINT64_CONSTANT(1893456000));
  g_assert_cmpint(parsed("2030-01-01T02:00:00+02:00"), ==, G_GINT64_CONSTANT(1893456000));
  g_assert_cmpint(parsed("1950-01-01T00:00:00Z"), ==, G_GINT64_CONSTANT(-631152000));
  g_assert_cmpint(parsed("9999-12-31T23:59:59Z"), ==, G_GINT64_CONSTANT(253402300799));
}

/* Words that are no time, offsets without a unit or sign or with too
 * many digits, and times a certificate cannot hold. */
static void
test_time_refused(void)
{
  refused("yesterday", "expected now, an offset");
  refused("30d", "expected now, an offset");
  refused("-30", "expected now, an offset");
  refused("-30w", "expected now, an offset");
  refused("-d", "expected now, an offset");
  refused("+1x0d", "expected now, an offset");
  refused("+9999999999d", "expected now, an offset");
  refused("2030-01-01", "expected now, an offset");
  refused("", "expected now, an offset");
  refused("1949-12-31T23:59:59Z", "outside the years 1950-9999");
  refused("+999999999d", "outside the years 1950-9999");
}

static void
test_time_format(void)
{
  g_autofree char *a = vgw_pki_time_format(G_GINT64_CONSTANT(1893456000));
  g_autofree char *b = vgw_pki_time_format(NOW);

  g_assert_cmpstr(a, ==, "2030-01-01T00:00:00Z");
  g_assert_cmpstr(b, ==, "2027-01-15T08:00:00Z");
}

/* The GENERAL_NAME at |i| of |names|: its type and its bytes. */
static void
assert_name(GENERAL_NAMES *names, int i, int type, const void *bytes, int len)
{
  const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
  const ASN1_STRING *value = type == GEN_IPADD ? gn->d.iPAddress
                           : type == GEN_DNS   ? gn->d.dNSName
                                               : gn->d.uniformResourceIdentifier;

  g_assert_cmpint(gn->type, ==, type);
  g_assert_cmpmem(ASN1_STRING_get0_data(value), ASN1_STRING_length(value), bytes, len);
}

/* Each kind, in the order given; wildcards anywhere are kept. */
static void
test_san_accepted(void)
{
  char *specs[] = { "dns:a.*.lab.test", "ip:10.0.2.2", "uri:sip:proxy.lab.test",
                    "ip:fd00::1", "dns:*", NULL };
  static const guint8 v4[] = { 10, 0, 2, 2 };
  static const guint8 v6[] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
  g_autoptr(GError) error = NULL;
  GENERAL_NAMES *names = vgw_pki_sans_parse(specs, &error);

  g_assert_no_error(error);
  g_assert_cmpint(sk_GENERAL_NAME_num(names), ==, 5);
  assert_name(names, 0, GEN_DNS, "a.*.lab.test", 12);
  assert_name(names, 1, GEN_IPADD, v4, sizeof v4);
  assert_name(names, 2, GEN_URI, "sip:proxy.lab.test", 18);
  assert_name(names, 3, GEN_IPADD, v6, sizeof v6);
  assert_name(names, 4, GEN_DNS, "*", 1);
  GENERAL_NAMES_free(names);
}

static void
san_refused(const char *spec, const char *needle)
{
  char *specs[] = { "dns:ok.lab.test", (char *) spec, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_null(vgw_pki_sans_parse(specs, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
  if (strstr(error->message, spec) == NULL || strstr(error->message, needle) == NULL)
    g_error("'%s': '%s' lacks the spec or '%s'", spec, error->message, needle);
}

/* Unknown kinds, no kind, empty or unprintable names, IPs that are
 * none: each named in the error. */
static void
test_san_refused(void)
{
  san_refused("mail:a@lab.test", "expected dns:NAME, ip:ADDRESS or uri:URI");
  san_refused("gw.lab.test", "expected dns:NAME, ip:ADDRESS or uri:URI");
  san_refused("DNS:gw.lab.test", "expected dns:NAME, ip:ADDRESS or uri:URI");
  san_refused("dns:", "non-empty printable ASCII");
  san_refused("uri:", "non-empty printable ASCII");
  san_refused("dns:g\tw", "non-empty printable ASCII");
  san_refused("dns:gw.l\xc3\xa4" "b.test", "non-empty printable ASCII");
  san_refused("ip:10.0.2", "not an IPv4 or IPv6 address");
  san_refused("ip:gw.lab.test", "not an IPv4 or IPv6 address");
  san_refused("ip:", "not an IPv4 or IPv6 address");
}

/* The default SAN names the CN: an IP literal as an address. */
static void
test_san_of_host(void)
{
  static const guint8 v4[] = { 192, 0, 2, 7 };
  GENERAL_NAMES *dns = vgw_pki_san_of_host("gw.lab.test");
  GENERAL_NAMES *ip = vgw_pki_san_of_host("192.0.2.7");

  g_assert_cmpint(sk_GENERAL_NAME_num(dns), ==, 1);
  assert_name(dns, 0, GEN_DNS, "gw.lab.test", 11);
  g_assert_cmpint(sk_GENERAL_NAME_num(ip), ==, 1);
  assert_name(ip, 0, GEN_IPADD, v4, sizeof v4);
  g_assert_null(vgw_pki_san_of_host(""));
  g_assert_null(vgw_pki_san_of_host("caf\xc3\xa9"));
  GENERAL_NAMES_free(dns);
  GENERAL_NAMES_free(ip);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pki/time-accepted", test_time_accepted);
  g_test_add_func("/pki/time-refused", test_time_refused);
  g_test_add_func("/pki/time-format", test_time_format);
  g_test_add_func("/pki/san-accepted", test_san_accepted);
  g_test_add_func("/pki/san-refused", test_san_refused);
  g_test_add_func("/pki/san-of-host", test_san_of_host);
  return g_test_run();
}
