/* Peer host-name matching (tls_hostname.h): each rule and each wildcard
 * case, on certificates built in memory. Only the names matter to the
 * matcher, so those certificates carry a subject and a SubjectAltName and
 * are not signed. Then the check inside a handshake (tls_peer_name.h),
 * in memory, with a signed self-signed server certificate. */
#include <arpa/inet.h>
#include <glib.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tls/tls_error.h"
#include "tls/tls_hostname.h"
#include "tls/tls_peer_name.h"

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

/* --- inside a handshake ------------------------------------------------ */

static EVP_PKEY *key;

/* signed_cert: make_cert's certificate, self-signed with |key|, valid
 * now. */
static X509 *signed_cert(const char *cn, const char *sans) {
  X509 *x = make_cert(cn, sans, FALSE);

  g_assert_true(X509_set_version(x, X509_VERSION_3));
  g_assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
  g_assert_true(X509_set_issuer_name(x, X509_get_subject_name(x)));
  g_assert_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
  g_assert_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
  g_assert_true(X509_set_pubkey(x, key));
  g_assert_true(X509_sign(x, key, EVP_sha256()));
  return x;
}

static void on_alert(const SSL *ssl, int type, int value) {
  if ((type & SSL_CB_WRITE_ALERT) == SSL_CB_WRITE_ALERT) {
    *(int *)SSL_get_app_data(ssl) = value & 0xff;
  }
}

typedef struct {
  gboolean ok;
  int client_alert;   /* the alert the client sent, -1 none */
  VgwTlsError reason; /* the client's failure, if not ok */
  gboolean refused;   /* vgw_tls_peer_name_refused */
  VgwTlsNameRule rule; /* the verdict's, if any */
  gboolean verdict;   /* a verdict was reached */
  gboolean app_data;  /* the server read application data */
} Handshake;

/* client_handshake: a client as tls_client.c makes it (the chain
 * verified against |root| alone, not at all when NULL) checking |check|
 * against a server presenting |server_cert|, in memory; the client writes
 * once it is connected. */
static Handshake client_handshake(X509 *server_cert, X509 *root,
                                  const VgwTlsNameCheck *check) {
  SSL_CTX *sctx = SSL_CTX_new(TLS_method());
  SSL_CTX *cctx = SSL_CTX_new(TLS_method());
  Handshake out = {.client_alert = -1};
  BIO *bc, *bs;

  g_assert_true(SSL_CTX_use_certificate(sctx, server_cert));
  g_assert_true(SSL_CTX_use_PrivateKey(sctx, key));
  if (root != NULL) {
    g_assert_true(X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), root));
  }
  vgw_tls_peer_name_install(cctx, root != NULL, 0);
  SSL *c = SSL_new(cctx);
  SSL *sv = SSL_new(sctx);
  g_assert_true(vgw_tls_peer_name_expect(c, check));
  g_assert_true(BIO_new_bio_pair(&bc, 0, &bs, 0));
  SSL_set_bio(c, bc, bc);
  SSL_set_bio(sv, bs, bs);
  SSL_set_app_data(c, &out.client_alert);
  SSL_set_info_callback(c, on_alert);
  SSL_set_connect_state(c);
  SSL_set_accept_state(sv);
  for (int round = 0; round < 16; round++) {
    int rc = SSL_do_handshake(c);
    int ec = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(c, rc);
    if (ec != SSL_ERROR_NONE && ec != SSL_ERROR_WANT_READ) {
      out.reason = vgw_tls_handshake_error(ec, rc, ERR_peek_error(), 0);
      break;
    }
    if (rc == 1) {
      out.ok = TRUE;
      g_assert_cmpint(SSL_write(c, "OPTIONS", 7), ==, 7);
    }
    char buf[8];
    int rs = SSL_read(sv, buf, sizeof(buf));
    if (rs > 0) {
      out.app_data = TRUE;
      break;
    }
    ERR_clear_error();
  }
  ERR_clear_error();
  const VgwTlsNameVerdict *v = vgw_tls_peer_name_verdict(c);
  out.verdict = v != NULL;
  out.rule = v != NULL ? v->rule : VGW_TLS_NAME_NO_MATCH;
  out.refused = vgw_tls_peer_name_refused(c);
  SSL_free(c);
  SSL_free(sv);
  SSL_CTX_free(cctx);
  SSL_CTX_free(sctx);
  return out;
}

/* A matching name: connected, the rule recorded for the log line. */
static void test_handshake_match(void) {
  const char *refs[] = {"proxy.lab.test"};
  VgwTlsNameCheck check = {refs, 1, NULL, FALSE};
  X509 *cert = signed_cert("x", "DNS:proxy.lab.test");

  for (int verify_chain = 0; verify_chain <= 1; verify_chain++) {
    Handshake h = client_handshake(cert, verify_chain ? cert : NULL, &check);
    g_assert_true(h.ok);
    g_assert_true(h.app_data);
    g_assert_true(h.verdict);
    g_assert_cmpint(h.rule, ==, VGW_TLS_NAME_SAN_DNS);
    g_assert_false(h.refused);
  }
  X509_free(cert);
}

/* A wrong name: the client sends bad_certificate, fails as a refused
 * peer certificate that tls_server.c counts as "hostname", and nothing
 * reaches the server. */
static void test_handshake_mismatch(void) {
  const char *refs[] = {"proxy.lab.test"};
  VgwTlsNameCheck check = {refs, 1, NULL, FALSE};
  X509 *cert = signed_cert("wrong.test", "DNS:wrong.test");

  for (int verify_chain = 0; verify_chain <= 1; verify_chain++) {
    Handshake h = client_handshake(cert, verify_chain ? cert : NULL, &check);
    g_assert_false(h.ok);
    g_assert_false(h.app_data);
    g_assert_cmpint(h.client_alert, ==, SSL_AD_BAD_CERTIFICATE);
    g_assert_cmpint(h.reason, ==, VGW_TLS_ERROR_PEER_CERTIFICATE);
    g_assert_true(h.refused);
    g_assert_cmpint(h.rule, ==, VGW_TLS_NAME_NO_MATCH);
  }
  X509_free(cert);
}

/* The chain is verified first: an untrusted certificate with the right
 * name fails for its chain, not for its name. */
static void test_handshake_untrusted(void) {
  const char *refs[] = {"proxy.lab.test"};
  VgwTlsNameCheck check = {refs, 1, NULL, FALSE};
  X509 *cert = signed_cert("x", "DNS:proxy.lab.test");
  X509 *other = signed_cert("other", "DNS:other.test");

  Handshake h = client_handshake(cert, other, &check);
  g_assert_false(h.ok);
  g_assert_false(h.app_data);
  g_assert_cmpint(h.reason, ==, VGW_TLS_ERROR_PEER_CERTIFICATE);
  g_assert_false(h.verdict);
  g_assert_false(h.refused);
  X509_free(cert);
  X509_free(other);
}

/* A connection that verifies its peer itself (the server role) matches
 * the leaf once its chain is accepted: the verdict is recorded as in a
 * handshake, and a refusal is one. */
static void test_match_after_chain(void) {
  const char *refs[] = {"proxy.lab.test", "10.0.2.2"};
  VgwTlsNameCheck check = {refs, 2, NULL, FALSE};
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  X509 *good = signed_cert("x", "IP:10.0.2.2");
  X509 *bad = signed_cert("wrong.test", "DNS:wrong.test");
  SSL *a = SSL_new(ctx);
  SSL *b = SSL_new(ctx);

  g_assert_true(vgw_tls_peer_name_expect(a, &check));
  g_assert_true(vgw_tls_peer_name_expect(b, &check));
  g_assert_true(vgw_tls_peer_name_match(a, good));
  g_assert_cmpint(vgw_tls_peer_name_verdict(a)->rule, ==,
                  VGW_TLS_NAME_SAN_IP);
  g_assert_false(vgw_tls_peer_name_refused(a));
  g_assert_false(vgw_tls_peer_name_match(b, bad));
  g_assert_true(vgw_tls_peer_name_refused(b));
  g_autofree char *text = vgw_tls_peer_name_describe(b);
  g_assert_true(g_str_has_prefix(text, "no-match: "));
  g_assert_null(vgw_tls_peer_name_skipped(a));
  SSL_free(a);
  SSL_free(b);
  X509_free(good);
  X509_free(bad);
  SSL_CTX_free(ctx);
}

/* A connection told why its names are not checked accepts any name,
 * has no verdict and gives the reason; one told nothing gives none. */
static void test_skip(void) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  X509 *bad = signed_cert("wrong.test", "DNS:wrong.test");
  SSL *skipped = SSL_new(ctx);
  SSL *untold = SSL_new(ctx);

  g_assert_true(vgw_tls_peer_name_skip(skipped, "mode 0"));
  g_assert_true(vgw_tls_peer_name_match(skipped, bad));
  g_assert_null(vgw_tls_peer_name_verdict(skipped));
  g_assert_null(vgw_tls_peer_name_describe(skipped));
  g_assert_cmpstr(vgw_tls_peer_name_skipped(skipped), ==, "mode 0");
  g_assert_true(vgw_tls_peer_name_match(untold, bad));
  g_assert_null(vgw_tls_peer_name_verdict(untold));
  g_assert_null(vgw_tls_peer_name_skipped(untold));
  SSL_free(skipped);
  SSL_free(untold);
  X509_free(bad);
  SSL_CTX_free(ctx);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *path = g_strdup_printf("/tls-hostname/%u", i);
    g_test_add_data_func(path, &cases[i], test_case);
  }
  g_test_add_func("/tls-hostname/dns-patterns", test_dns_patterns);
  EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  g_assert_true(EC_KEY_generate_key(ec));
  key = EVP_PKEY_new();
  g_assert_true(EVP_PKEY_assign_EC_KEY(key, ec));
  g_test_add_func("/tls-hostname/handshake/match", test_handshake_match);
  g_test_add_func("/tls-hostname/handshake/mismatch",
                  test_handshake_mismatch);
  g_test_add_func("/tls-hostname/handshake/untrusted-first",
                  test_handshake_untrusted);
  g_test_add_func("/tls-hostname/match-after-chain", test_match_after_chain);
  g_test_add_func("/tls-hostname/skip", test_skip);
  int ret = g_test_run();
  EVP_PKEY_free(key);
  return ret;
}
