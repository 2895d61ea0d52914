/* The TLS version policy (tls/tls_versions.h): every value of the global
 * TLSVersion and of the TLSContexts.TLSVersion mask under both manuals,
 * and real BoringSSL handshakes in memory, in both roles, against a peer
 * limited to one version: a version inside the policy is negotiated, one
 * outside (also one inside a gap of the mask) ends in a protocol_version
 * alert that the gateway's side counts as a "version" failure. */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>

#include "tests/config_fixture.h"
#include "tls/tls_error.h"
#include "tls/tls_softkey.h"
#include "tls/tls_versions.h"
#include "vgw_crypto.h"

#define ALL_BITS (VGW_TLS_V1_0 | VGW_TLS_V1_1 | VGW_TLS_V1_2 | VGW_TLS_V1_3)

/* policy_of returns the policy of context |context| for |ini|. */
static VgwTlsVersionPolicy policy_of(const char *ini, guint context) {
  VgwParamConfig *cfg = test_config(ini);
  VgwTlsVersionPolicy p;

  vgw_tls_version_policy(cfg, context, &p);
  vgw_param_config_free(cfg);
  return p;
}

/* policy_7x returns context 0's policy under 7.x with TLSVersion
 * |global| and context 0's mask |mask|. */
static VgwTlsVersionPolicy policy_7x(int global, guint mask) {
  char *ini = g_strdup_printf(
      "VgwManualVersion = 1\nTLSVersion = %d\n"
      "[ TLSContexts ]\nFORMAT Index = Name, TLSVersion;\n"
      "TLSContexts 0 = \"default\", %u;\n[ \\TLSContexts ]\n",
      global, mask);
  VgwTlsVersionPolicy p = policy_of(ini, 0);

  g_free(ini);
  return p;
}

#define CONTEXT_ROWS(m0, m2)                                       \
  "[ TLSContexts ]\nFORMAT Index = Name, TLSVersion;\n"            \
  "TLSContexts 0 = \"default\", " #m0 ";\n"                        \
  "TLSContexts 2 = \"two\", " #m2 ";\n[ \\TLSContexts ]\n"

/* The factory configuration: manual 6.4, TLSVersion 0, which names SSL
 * 2.0/3.0 and TLS 1.0 and becomes TLS 1.0 to 1.3. */
static void test_factory(void) {
  VgwTlsVersionPolicy p = policy_of("", 0);

  g_assert_cmpuint(p.versions, ==, ALL_BITS);
  g_assert_cmphex(p.min_version, ==, TLS1_VERSION);
  g_assert_cmphex(p.max_version, ==, TLS1_3_VERSION);
  g_assert_true(p.wants_ssl);
  g_assert_false(p.gap);
  g_assert_cmpstr(p.rule, ==, "TLSVersion 0 (manual 6.4): TLS 1.0-1.3");
}

/* 6.4: the global decides, whatever the contexts' masks say. */
static void test_manual_64(void) {
  static const char *rows[] = {"", CONTEXT_ROWS(4, 8), CONTEXT_ROWS(12, 1)};

  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
    for (guint context = 0; context <= 2; context += 2) {
      char *ini0 = g_strconcat("VgwManualVersion = 0\nTLSVersion = 0\n",
                               rows[i], NULL);
      char *ini1 = g_strconcat("VgwManualVersion = 0\nTLSVersion = 1\n",
                               rows[i], NULL);
      VgwTlsVersionPolicy p0 = policy_of(ini0, context);
      VgwTlsVersionPolicy p1 = policy_of(ini1, context);

      g_assert_cmpuint(p0.versions, ==, ALL_BITS);
      g_assert_true(p0.wants_ssl);
      g_assert_cmpstr(p0.rule, ==, "TLSVersion 0 (manual 6.4): TLS 1.0-1.3");
      /* "TLS 1.0 only" is TLS 1.0 and nothing else. */
      g_assert_cmpuint(p1.versions, ==, VGW_TLS_V1_0);
      g_assert_cmphex(p1.min_version, ==, TLS1_VERSION);
      g_assert_cmphex(p1.max_version, ==, TLS1_VERSION);
      g_assert_false(p1.wants_ssl);
      g_assert_cmpstr(p1.rule, ==, "TLSVersion 1 (manual 6.4): TLS 1.0");
      g_free(ini0);
      g_free(ini1);
    }
  }
}

/* 7.x: every mask 1-15 is its set of versions; the range BoringSSL
 * enforces spans it, and a gap is reported. */
static void test_manual_7x_masks(void) {
  for (guint mask = 1; mask <= 15; mask++) {
    VgwTlsVersionPolicy p = policy_7x(1, mask);
    guint lo = (guint)g_bit_nth_lsf(mask, -1);
    guint hi = (guint)g_bit_nth_msf(mask, -1);
    gboolean gap = mask == 5 || mask == 9 || mask == 10 || mask == 11 ||
                   mask == 13;
    char *prefix = g_strdup_printf("TLSContexts 0 TLSVersion %u (manual 7.x): ",
                                   mask);

    g_test_message("mask %u: %s", mask, p.rule);
    g_assert_cmpuint(p.versions, ==, mask);
    g_assert_cmphex(p.min_version, ==, TLS1_VERSION + lo);
    g_assert_cmphex(p.max_version, ==, TLS1_VERSION + hi);
    g_assert_cmpint(p.gap, ==, gap);
    g_assert_false(p.wants_ssl);
    g_assert_true(g_str_has_prefix(p.rule, prefix));
    g_free(prefix);
  }
}

/* The words of a few masks, as the log shows them. */
static void test_manual_7x_rules(void) {
  static const struct {
    guint mask;
    const char *set;
  } cases[] = {
      {4, "TLS 1.2"},
      {12, "TLS 1.2-1.3"},
      {7, "TLS 1.0-1.2"},
      {5, "TLS 1.0, 1.2"},
      {9, "TLS 1.0, 1.3"},
      {11, "TLS 1.0, 1.1, 1.3"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    VgwTlsVersionPolicy p = policy_7x(0, cases[i].mask);
    char *want = g_strdup_printf("TLSContexts 0 TLSVersion %u (manual 7.x): %s",
                                 cases[i].mask, cases[i].set);
    g_assert_cmpstr(p.rule, ==, want);
    g_free(want);
  }
}

/* 7.x, mask 0 (and a context that does not exist): the global TLSVersion. */
static void test_manual_7x_follows_global(void) {
  VgwTlsVersionPolicy p;

  p = policy_of("VgwManualVersion = 1\nTLSVersion = 1\n" CONTEXT_ROWS(0, 4), 0);
  g_assert_cmpuint(p.versions, ==, VGW_TLS_V1_0);
  g_assert_cmpstr(p.rule, ==,
                  "TLSContexts 0 TLSVersion 0 -> TLSVersion 1 (manual 7.x): "
                  "TLS 1.0");
  p = policy_of("VgwManualVersion = 1\nTLSVersion = 0\n" CONTEXT_ROWS(0, 4), 0);
  g_assert_cmpuint(p.versions, ==, ALL_BITS);
  g_assert_true(p.wants_ssl);
  /* Context 2's own mask. */
  p = policy_of("VgwManualVersion = 1\nTLSVersion = 1\n" CONTEXT_ROWS(0, 4), 2);
  g_assert_cmpuint(p.versions, ==, VGW_TLS_V1_2);
  /* No row 7. */
  p = policy_of("VgwManualVersion = 1\nTLSVersion = 1\n" CONTEXT_ROWS(0, 4), 7);
  g_assert_cmpuint(p.versions, ==, VGW_TLS_V1_0);
  g_assert_cmpstr(p.rule, ==,
                  "TLSContexts 7 TLSVersion 0 -> TLSVersion 1 (manual 7.x): "
                  "TLS 1.0");
}

/* An engine RSA key cannot sign TLS 1.0/1.1: a policy with later versions
 * loses them; a TLS 1.0/1.1-only one cannot and is kept. */
static void test_drop_legacy(void) {
  VgwTlsVersionPolicy p = policy_of("TLSVersion = 0\n", 0);

  g_assert_true(vgw_tls_versions_drop_legacy(&p));
  g_assert_cmpuint(p.versions, ==, VGW_TLS_V1_2 | VGW_TLS_V1_3);
  g_assert_cmphex(p.min_version, ==, TLS1_2_VERSION);
  g_assert_cmphex(p.max_version, ==, TLS1_3_VERSION);
  g_assert_true(g_str_has_prefix(p.rule, "TLSVersion 0 (manual 6.4): TLS "
                                         "1.0-1.3; as server TLS 1.2 and up"));
  p = policy_of("TLSVersion = 1\n", 0);
  g_assert_false(vgw_tls_versions_drop_legacy(&p));
  g_assert_cmphex(p.min_version, ==, TLS1_VERSION);
  vgw_tls_version_policy_builtin(&p);
  g_assert_false(vgw_tls_versions_drop_legacy(&p));
  /* TLS 1.0 and 1.3: 1.3 alone remains. */
  p = policy_7x(1, VGW_TLS_V1_0 | VGW_TLS_V1_3);
  g_assert_true(p.gap);
  g_assert_true(vgw_tls_versions_drop_legacy(&p));
  g_assert_cmpuint(p.versions, ==, VGW_TLS_V1_3);
  g_assert_cmphex(p.min_version, ==, TLS1_3_VERSION);
  g_assert_false(p.gap);
}

/* --- handshakes ------------------------------------------------------ */

static EVP_PKEY *key;
static X509 *cert;

/* Records the last alert an SSL sent or received (its description) in
 * the int its app data points to. */
static void on_info(const SSL *ssl, int type, int value) {
  if (type & SSL_CB_ALERT) {
    *(int *)SSL_get_app_data(ssl) = value & 0xff;
  }
}

/* peer_ctx is a peer that speaks exactly |version|. */
static SSL_CTX *peer_ctx(uint16_t version, gboolean server) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());

  g_assert_true(SSL_CTX_set_min_proto_version(ctx, version));
  g_assert_true(SSL_CTX_set_max_proto_version(ctx, version));
  if (server) {
    g_assert_true(SSL_CTX_use_certificate(ctx, cert));
    g_assert_true(SSL_CTX_use_PrivateKey(ctx, key));
  }
  return ctx;
}

/* gateway_ctx is the gateway's side under |p| (as vgw_tls_ctx_new). */
static SSL_CTX *gateway_ctx(const VgwTlsVersionPolicy *p, gboolean server) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  GError *error = NULL;

  g_assert_true(vgw_tls_versions_apply(
      ctx, p, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
      &error));
  g_assert_no_error(error);
  g_assert_cmpstr(vgw_tls_versions_rule(ctx), ==, p->rule);
  if (server) {
    g_assert_true(SSL_CTX_use_certificate(ctx, cert));
    g_assert_true(SSL_CTX_use_PrivateKey(ctx, key));
  }
  return ctx;
}

typedef struct {
  gboolean ok;
  uint16_t version;   /* negotiated, if ok */
  int alert;          /* the last alert either side saw, -1 none */
  VgwTlsError reason; /* the gateway side's failure, if not ok */
} Outcome;

/* handshake runs gateway ctx |gw| against |peer| in memory, the gateway
 * as server or client. */
static Outcome handshake(SSL_CTX *gw, SSL_CTX *peer, gboolean gw_server) {
  SSL *g = SSL_new(gw);
  SSL *p = SSL_new(peer);
  BIO *bg, *bp;
  int g_alert = -1, p_alert = -1;
  Outcome out = {.alert = -1};

  g_assert_true(BIO_new_bio_pair(&bg, 0, &bp, 0));
  SSL_set_bio(g, bg, bg);
  SSL_set_bio(p, bp, bp);
  SSL_set_app_data(g, &g_alert);
  SSL_set_app_data(p, &p_alert);
  SSL_set_info_callback(g, on_info);
  SSL_set_info_callback(p, on_info);
  if (gw_server) {
    SSL_set_accept_state(g);
    SSL_set_connect_state(p);
  } else {
    SSL_set_connect_state(g);
    SSL_set_accept_state(p);
  }
  /* Each round moves at least one flight; a handshake has few. */
  for (int round = 0; round < 16; round++) {
    int rp = SSL_do_handshake(p);
    int ep = rp == 1 ? SSL_ERROR_NONE : SSL_get_error(p, rp);
    ERR_clear_error();
    int rg = SSL_do_handshake(g);
    int eg = rg == 1 ? SSL_ERROR_NONE : SSL_get_error(g, rg);
    if (rg == 1 && rp == 1) {
      /* As vgwd does when a handshake completes (tls_server.c). */
      if (vgw_tls_versions_refuse_outside(g)) {
        out.reason = VGW_TLS_ERROR_VERSION;
        break;
      }
      out.ok = TRUE;
      out.version = (uint16_t)SSL_version(g);
      break;
    }
    if (eg != SSL_ERROR_NONE && eg != SSL_ERROR_WANT_READ) {
      out.reason = vgw_tls_handshake_error(eg, rg, ERR_peek_error(), 0);
      break;
    }
    if (ep != SSL_ERROR_NONE && ep != SSL_ERROR_WANT_READ) {
      /* The peer gave up first: its alert reaches the gateway now. */
      ERR_clear_error();
      rg = SSL_do_handshake(g);
      eg = SSL_get_error(g, rg);
      out.reason = vgw_tls_handshake_error(eg, rg, ERR_peek_error(), 0);
      break;
    }
  }
  out.alert = g_alert != -1 ? g_alert : p_alert;
  ERR_clear_error();
  SSL_free(g);
  SSL_free(p);
  return out;
}

/* Every peer version against a policy, both roles: inside it negotiates
 * that version, outside it ends in protocol_version, a "version" failure. */
static void check_policy(const VgwTlsVersionPolicy *pol) {
  for (int role = 0; role <= 1; role++) {
    gboolean gw_server = role == 0;
    SSL_CTX *gw = gateway_ctx(pol, gw_server);
    for (guint bit = 0; bit < 4; bit++) {
      uint16_t v = (uint16_t)(TLS1_VERSION + bit);
      SSL_CTX *peer = peer_ctx(v, !gw_server);
      Outcome o = handshake(gw, peer, gw_server);
      gboolean inside = (pol->versions & (1u << bit)) != 0;
      g_test_message("%s, gateway %s, peer TLS 1.%u: %s (alert %d)",
                     pol->rule, gw_server ? "server" : "client", bit,
                     o.ok ? "ok" : vgw_tls_error_name(o.reason), o.alert);
      g_assert_cmpint(o.ok, ==, inside);
      if (inside) {
        g_assert_cmphex(o.version, ==, v);
      } else {
        g_assert_cmpint(o.alert, ==, SSL_AD_PROTOCOL_VERSION);
        g_assert_cmpint(o.reason, ==, VGW_TLS_ERROR_VERSION);
      }
      SSL_CTX_free(peer);
    }
    SSL_CTX_free(gw);
  }
}

static void test_handshakes_64(void) {
  for (int value = 0; value <= 1; value++) {
    char *ini = g_strdup_printf("TLSVersion = %d\n", value);
    VgwTlsVersionPolicy p = policy_of(ini, 0);
    check_policy(&p);
    g_free(ini);
  }
}

static void test_handshakes_7x(void) {
  static const guint masks[] = {0, 1, 2, 4, 8, 6, 12, 15, 5, 9, 10, 11, 13};
  for (gsize i = 0; i < G_N_ELEMENTS(masks); i++) {
    VgwTlsVersionPolicy p = policy_7x(1, masks[i]);
    check_policy(&p);
  }
}

int main(int argc, char **argv) {
  GError *error = NULL;

  g_test_init(&argc, &argv, NULL);
  g_assert_true(vgw_tls_softkey_make(VGW_KEY_TYPE_EC_P256, "ACL_VERSIONS",
                                     1700000000, &key, &cert, &error));
  g_assert_no_error(error);
  g_test_add_func("/tls-versions/factory", test_factory);
  g_test_add_func("/tls-versions/6.4", test_manual_64);
  g_test_add_func("/tls-versions/7.x/masks", test_manual_7x_masks);
  g_test_add_func("/tls-versions/7.x/rules", test_manual_7x_rules);
  g_test_add_func("/tls-versions/7.x/follows-global",
                  test_manual_7x_follows_global);
  g_test_add_func("/tls-versions/drop-legacy", test_drop_legacy);
  g_test_add_func("/tls-versions/handshakes/6.4", test_handshakes_64);
  g_test_add_func("/tls-versions/handshakes/7.x", test_handshakes_7x);
  int r = g_test_run();
  EVP_PKEY_free(key);
  X509_free(cert);
  return r;
}
