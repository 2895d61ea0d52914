/* Peer host-name matching (tls_hostname.h): each rule and each wildcard
 * case, on certificates built in memory. Only the names matter to the
 * matcher, so the certificates carry a subject and a SubjectAltName and
 * are not signed. */
#include <arpa/inet.h>
#include <glib.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tls/tls_hostname.h"

/* add_san appends "DNS:name" or "IP:address" to |names|. */
static void add_san(GENERAL_NAMES *names, const char *spec) {
  GENERAL_NAME *gn = GENERAL_NAME_new();
  g_assert_nonnull(gn);
  if (g_str_has_prefix(spec, "DNS:")) {
    ASN1_IA5STRING *s = ASN1_IA5STRING_new();
    g_assert_true(ASN1_STRING_set(s, spec + 4, (int)strlen(spec + 4)));
    gn->type = GEN_DNS;
    gn->d.dNSName = s;
  } else {
    g_assert_true(g_str_has_prefix(spec, "IP:"));
    uint8_t addr[16];
    int len = 4;
    if (inet_pton(AF_INET, spec + 3, addr) != 1) {
      g_assert_cmpint(inet_pton(AF_INET6, spec + 3, addr), ==, 1);
      len = 16;
    }
    ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
    g_assert_true(ASN1_OCTET_STRING_set(s, addr, len));
    gn->type = GEN_IPADD;
    gn->d.iPAddress = s;
  }
  g_assert_true(sk_GENERAL_NAME_push(names, gn));
}

/* make_cert: subject CN |cn| (NULL: none) and the SubjectAltName entries
 * of the comma-separated |sans| (NULL: no extension), |critical| or not. */
static X509 *make_cert(const char *cn, const char *sans, gboolean critical) {
  X509 *x = X509_new();
  X509_NAME *subject = X509_NAME_new();

  g_assert_nonnull(x);
  if (cn != NULL) {
    g_assert_true(X509_NAME_add_entry_by_NID(
        subject, NID_commonName, MBSTRING_UTF8, (const uint8_t *)cn, -1, -1,
        0));
  }
  g_assert_true(X509_set_subject_name(x, subject));
  X509_NAME_free(subject);
  if (sans != NULL) {
    GENERAL_NAMES *names = GENERAL_NAMES_new();
    g_auto(GStrv) specs = g_strsplit(sans, ",", -1);
    for (guint i = 0; specs[i] != NULL; i++) {
      add_san(names, specs[i]);
    }
    g_assert_cmpint(X509_add1_ext_i2d(x, NID_subject_alt_name, names,
                                  critical ? 1 : 0, X509V3_ADD_DEFAULT),
                    ==, 1);
    GENERAL_NAMES_free(names);
  }
  return x;
}

typedef struct {
  const char *what;
  const char *cn;
  const char *sans;
  gboolean critical;
  const char *references; /* comma-separated */
  const char *remote_subject_name;
  gboolean strict;
  VgwTlsNameRule rule;
  const char *in_sentence; /* a piece the log sentence must hold */
} Case;

static const Case cases[] = {
    {"SAN DNS equals the FQDN", "x", "DNS:proxy.lab.test", FALSE,
     "proxy.lab.test", NULL, FALSE, VGW_TLS_NAME_SAN_DNS,
     "DNS:proxy.lab.test matches the Proxy Set address proxy.lab.test"},
    {"SAN DNS compares without case", NULL, "DNS:Proxy.LAB.test", FALSE,
     "proxy.lab.TEST", NULL, FALSE, VGW_TLS_NAME_SAN_DNS, "DNS:Proxy.LAB"},
    {"SAN DNS, second of two references", NULL, "DNS:b.lab.test", FALSE,
     "10.0.2.2,b.lab.test", NULL, TRUE, VGW_TLS_NAME_SAN_DNS, "b.lab.test"},
    {"SAN IPv4", NULL, "DNS:other.test,IP:10.0.2.2", FALSE, "10.0.2.2",
     NULL, FALSE, VGW_TLS_NAME_SAN_IP, "IP:10.0.2.2"},
    {"SAN IPv6 as 16 bytes", NULL, "IP:2001:db8::1", FALSE,
     "2001:db8:0::1", NULL, TRUE, VGW_TLS_NAME_SAN_IP, "IP:2001:db8:0::1"},
    {"SAN IPv4 is not an IPv6 reference", NULL, "IP:10.0.2.2", FALSE,
     "::ffff:10.0.2.2", NULL, FALSE, VGW_TLS_NAME_NO_MATCH, "neither"},
    {"a DNS SAN spelling the address is not an IP SAN", "y",
     "DNS:10.0.2.2", FALSE, "10.0.2.2", NULL, FALSE, VGW_TLS_NAME_NO_MATCH,
     "10.0.2.2"},
    {"an FQDN is not matched through its resolved address", NULL,
     "IP:10.0.2.2", FALSE, "proxy.lab.test", NULL, FALSE,
     VGW_TLS_NAME_NO_MATCH, "proxy.lab.test"},
    {"wrong SAN falls back to the CN", "proxy.lab.test", "DNS:wrong.test",
     FALSE, "proxy.lab.test", NULL, FALSE, VGW_TLS_NAME_CN_REFERENCE,
     "CN proxy.lab.test matches the Proxy Set address proxy.lab.test"},
    {"wrong SAN, wrong CN", "wrong.test", "DNS:wrong.test", FALSE,
     "proxy.lab.test", NULL, FALSE, VGW_TLS_NAME_NO_MATCH,
     "neither a SubjectAltName nor the CN matches proxy.lab.test"},
    {"wrong SAN critical: no CN fallback", "proxy.lab.test",
     "DNS:wrong.test", TRUE, "proxy.lab.test", "proxy.lab.test", FALSE,
     VGW_TLS_NAME_SAN_CRITICAL, "is critical"},
    {"good SAN critical", NULL, "DNS:proxy.lab.test", TRUE,
     "proxy.lab.test", NULL, FALSE, VGW_TLS_NAME_SAN_DNS, "DNS:proxy"},
    {"CN only, TLSRemoteSubjectName", "sbc.example.com", NULL, FALSE,
     "10.0.2.2", "SBC.example.com", FALSE, VGW_TLS_NAME_CN_REMOTE_SUBJECT,
     "CN sbc.example.com is TLSRemoteSubjectName"},
    {"CN only, the Proxy Set FQDN", "proxy.lab.test", NULL, FALSE,
     "proxy.lab.test", "other.test", FALSE, VGW_TLS_NAME_CN_REFERENCE,
     "CN proxy.lab.test"},
    {"CN only, the Proxy Set IP as written", "10.0.2.2", NULL, FALSE,
     "10.0.2.2", NULL, FALSE, VGW_TLS_NAME_CN_REFERENCE, "CN 10.0.2.2"},
    {"CN only, nothing matches", "sbc.example.com", NULL, FALSE,
     "10.0.2.2", "gw.example.com", FALSE, VGW_TLS_NAME_NO_MATCH,
     "or TLSRemoteSubjectName gw.example.com"},
    {"no CN, no SAN", NULL, NULL, FALSE, "10.0.2.2", NULL, FALSE,
     VGW_TLS_NAME_NO_MATCH, "neither"},
    {"no reference at all", "x", "DNS:x", FALSE, "", NULL, FALSE,
     VGW_TLS_NAME_NO_MATCH, "(no Proxy Set address)"},
    {"strict: CN only is refused", "proxy.lab.test", NULL, FALSE,
     "proxy.lab.test", "proxy.lab.test", TRUE, VGW_TLS_NAME_NO_MATCH,
     "strict RFC 5922"},
    {"strict: wrong SAN refused, no CN", "proxy.lab.test", "DNS:wrong.test",
     FALSE, "proxy.lab.test", NULL, TRUE, VGW_TLS_NAME_NO_MATCH, "strict"},
    {"strict: SAN IP", NULL, "IP:10.0.2.2", FALSE, "10.0.2.2", NULL, TRUE,
     VGW_TLS_NAME_SAN_IP, "IP:10.0.2.2"},
    /* Wildcards. */
    {"*.lab.test matches a.lab.test", NULL, "DNS:*.lab.test", FALSE,
     "a.lab.test", NULL, FALSE, VGW_TLS_NAME_SAN_DNS, "DNS:*.lab.test"},
    {"*.lab.test does not match a.b.lab.test", NULL, "DNS:*.lab.test",
     FALSE, "a.b.lab.test", NULL, FALSE, VGW_TLS_NAME_NO_MATCH, "neither"},
    {"*.lab.test does not match lab.test", NULL, "DNS:*.lab.test", FALSE,
     "lab.test", NULL, FALSE, VGW_TLS_NAME_NO_MATCH, "neither"},
    {"f*.lab.test is refused", NULL, "DNS:f*.lab.test", FALSE,
     "foo.lab.test", NULL, FALSE, VGW_TLS_NAME_NO_MATCH, "neither"},
    {"a.*.test is refused", NULL, "DNS:a.*.test", FALSE, "a.lab.test", NULL,
     FALSE, VGW_TLS_NAME_NO_MATCH, "neither"},
    {"* is refused", NULL, "DNS:*", FALSE, "a", NULL, FALSE,
     VGW_TLS_NAME_NO_MATCH, "neither"},
    {"*.test is refused", NULL, "DNS:*.test", FALSE, "lab.test", NULL, FALSE,
     VGW_TLS_NAME_NO_MATCH, "neither"},
    {"strict: *.lab.test is refused", NULL, "DNS:*.lab.test", FALSE,
     "a.lab.test", NULL, TRUE, VGW_TLS_NAME_NO_MATCH, "no wildcard"},
    {"wildcard CN matches the FQDN", "*.lab.test", NULL, FALSE,
     "proxy.lab.test", NULL, FALSE, VGW_TLS_NAME_CN_REFERENCE,
     "CN *.lab.test"},
    {"a wildcard never matches an IP reference", "*.0.2.2", "DNS:*.0.2.2",
     FALSE, "10.0.2.2", NULL, FALSE, VGW_TLS_NAME_NO_MATCH, "neither"},
};

static void test_case(gconstpointer data) {
  const Case *c = data;
  X509 *cert = make_cert(c->cn, c->sans, c->critical);
  g_auto(GStrv) refs = g_strsplit(c->references, ",", -1);
  guint n = c->references[0] != '\0' ? g_strv_length(refs) : 0;
  VgwTlsNameCheck check = {(const char *const *)refs, n,
                           c->remote_subject_name, c->strict};
  VgwTlsNameVerdict v;

  gboolean ok = vgw_tls_hostname_check(cert, &check, &v);
  g_test_message("%s: %s", vgw_tls_name_rule_name(v.rule), v.sentence);
  g_assert_cmpstr(vgw_tls_name_rule_name(v.rule), ==,
                  vgw_tls_name_rule_name(c->rule));
  g_assert_cmpint(ok, ==, vgw_tls_name_rule_accepts(c->rule));
  g_assert_nonnull(strstr(v.sentence, c->in_sentence));
  X509_free(cert);
}

/* The DNS pattern rule itself, including what a certificate builder
 * would not let through (empty labels, NUL, a root dot). */
static void test_dns_patterns(void) {
  static const struct {
    const char *pattern;
    size_t len; /* 0: strlen */
    const char *reference;
    gboolean wildcard, matches;
  } cases[] = {
      {"a.lab.test", 0, "A.Lab.Test", TRUE, TRUE},
      {"a.lab.test.", 0, "a.lab.test", TRUE, TRUE},
      {"a.lab.test", 0, "a.lab.test.", TRUE, TRUE},
      {"a.lab.test..", 0, "a.lab.test", TRUE, FALSE},
      {"a..test", 0, "a..test", TRUE, FALSE},
      {".lab.test", 0, ".lab.test", TRUE, FALSE},
      {"", 0, "", TRUE, FALSE},
      {"a.lab.test\0.evil", 16, "a.lab.test", TRUE, FALSE},
      {"*.lab.test", 0, "a.lab.test", TRUE, TRUE},
      {"*.lab.test", 0, "a.lab.test", FALSE, FALSE},
      {"*.lab.test", 0, "*.lab.test", TRUE, FALSE},
      {"**.lab.test", 0, "a.lab.test", TRUE, FALSE},
      {"*.*.test", 0, "a.b.test", TRUE, FALSE},
      {"a.lab.*", 0, "a.lab.test", TRUE, FALSE},
      {"*.lab.test", 0, ".lab.test", TRUE, FALSE},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const char *p = cases[i].pattern;
    size_t len = cases[i].len ? cases[i].len : strlen(p);
    g_test_message("%s against %s", p, cases[i].reference);
    g_assert_cmpint(vgw_tls_dns_name_matches((const uint8_t *)p, len,
                                             cases[i].reference,
                                             cases[i].wildcard),
                    ==, cases[i].matches);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *path = g_strdup_printf("/tls-hostname/%u", i);
    g_test_add_data_func(path, &cases[i], test_case);
  }
  g_test_add_func("/tls-hostname/dns-patterns", test_dns_patterns);
  return g_test_run();
}
