/* A TLS Context's policy for one role (tls/tls_role_policy.h) and which
 * context the gateway's connections to a Proxy Set present
 * (tls/tls_context_table.h): the columns read for each role, what
 * BoringSSL is given of them, real handshakes in memory that negotiate
 * the configured suite and group, and the selection with its reasons. */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>

#include "tests/config_fixture.h"
#include "tests/tls_memory_pair.h"
#include "tls/tls_context_table.h"
#include "tls/tls_error.h"
#include "tls/tls_pool.h"
#include "tls/tls_role_policy.h"
#include "tls/tls_softkey.h"
#include "vgw_crypto.h"

#define CONTEXTS                                                          \
  "VgwManualVersion = 1\n"                                                \
  "[ TLSContexts ]\nFORMAT Index = Name, TLSVersion, ServerCipherString, " \
  "ClientCipherString, KeyExchangeGroups;\n"                              \
  "TLSContexts 1 = \"ctx1\", 4, \"ECDHE-ECDSA-CHACHA20-POLY1305\", "      \
  "\"ECDHE-ECDSA-AES256-GCM-SHA384\", \"X448:P-384:P-256\";\n"        \
  "TLSContexts 2 = \"ctx2\", 0, \"DEFAULT\", \"DEFAULT\", "               \
  "\"P-384:X25519:P-256:X448\";\n"                                        \
  "[ \\TLSContexts ]\n"

/* role_policy returns context |context|'s policy for a role under |ini|. */
static VgwTlsRolePolicy role_policy(const char *ini, guint context,
                                    gboolean client) {
  VgwParamConfig *cfg = test_config(ini);
  VgwTlsRolePolicy p;

  vgw_tls_role_policy(cfg, context, client, &p);
  vgw_param_config_free(cfg);
  return p;
}

/* Each role reads its own cipher column; the groups and versions are the
 * context's; a context with no row gets the columns' defaults. */
static void test_columns(void) {
  VgwTlsRolePolicy server = role_policy(CONTEXTS, 1, FALSE);
  VgwTlsRolePolicy client = role_policy(CONTEXTS, 1, TRUE);
  VgwTlsRolePolicy none = role_policy(CONTEXTS, 7, TRUE);

  g_assert_cmpstr(server.ciphers, ==, "ECDHE-ECDSA-CHACHA20-POLY1305");
  g_assert_cmpstr(client.ciphers, ==, "ECDHE-ECDSA-AES256-GCM-SHA384");
  g_assert_cmpstr(server.groups, ==, "X448:P-384:P-256");
  g_assert_cmpstr(client.groups, ==, "X448:P-384:P-256");
  g_assert_cmpuint(client.versions.versions, ==, VGW_TLS_V1_2);
  g_assert_cmpstr(client.where, ==, "TLSContexts 1 as client");
  g_assert_cmpstr(server.where, ==, "TLSContexts 1 as server");
  g_assert_false(vgw_tls_role_policy_equal(&server, &client));
  g_assert_cmpstr(none.ciphers, ==, "DEFAULT");
  g_assert_cmpstr(none.groups, ==, "X25519:P-256:P-384:X448");
}

/* has_cipher: whether |ctx| would negotiate the suite named |name|. */
static gboolean has_cipher(SSL_CTX *ctx, const char *name) {
  STACK_OF(SSL_CIPHER) *ciphers = SSL_CTX_get_ciphers(ctx);

  for (size_t i = 0; i < sk_SSL_CIPHER_num(ciphers); i++) {
    if (strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)), name) ==
        0) {
      return TRUE;
    }
  }
  return FALSE;
}

/* DEFAULT is vgw's ECDHE set; another list is BoringSSL's reading of it
 * without RSA key exchange; a list BoringSSL refuses is an error. */
static void test_cipher_lists(void) {
  VgwTlsRolePolicy p = role_policy("", 0, FALSE);
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  GError *error = NULL;

  g_assert_true(vgw_tls_role_policy_apply(ctx, &p, &error));
  g_assert_no_error(error);
  g_assert_true(has_cipher(ctx, "ECDHE-RSA-AES128-GCM-SHA256"));
  g_assert_false(has_cipher(ctx, "AES128-GCM-SHA256"));

  g_strlcpy(p.ciphers, "ECDHE-ECDSA-AES256-GCM-SHA384:AES128-GCM-SHA256",
            sizeof(p.ciphers));
  g_assert_true(vgw_tls_role_policy_apply(ctx, &p, &error));
  g_assert_no_error(error);
  g_assert_true(has_cipher(ctx, "ECDHE-ECDSA-AES256-GCM-SHA384"));
  g_assert_false(has_cipher(ctx, "ECDHE-RSA-AES128-GCM-SHA256"));
  g_assert_false(has_cipher(ctx, "AES128-GCM-SHA256"));

  g_strlcpy(p.ciphers, "NO-SUCH-SUITE", sizeof(p.ciphers));
  g_assert_false(vgw_tls_role_policy_apply(ctx, &p, &error));
  g_assert_error(error, VGW_TLS_ERROR, VGW_TLS_ERROR_SETUP);
  g_assert_nonnull(strstr(error->message, "NO-SUCH-SUITE"));
  g_clear_error(&error);
  SSL_CTX_free(ctx);
}

/* Groups BoringSSL lacks are left out; a list of none it has is an
 * error naming the column. */
static void test_groups(void) {
  VgwTlsRolePolicy p = role_policy("", 0, TRUE);
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  GError *error = NULL;

  g_strlcpy(p.groups, "X448", sizeof(p.groups));
  g_assert_false(vgw_tls_role_policy_apply(ctx, &p, &error));
  g_assert_error(error, VGW_TLS_ERROR, VGW_TLS_ERROR_SETUP);
  g_assert_nonnull(strstr(error->message, "KeyExchangeGroups"));
  g_clear_error(&error);
  g_strlcpy(p.groups, "X448:P-256", sizeof(p.groups));
  g_assert_true(vgw_tls_role_policy_apply(ctx, &p, &error));
  g_assert_no_error(error);
  SSL_CTX_free(ctx);
}

/* What BoringSSL cannot do is said once per context: the TLS 1.3 suites
 * a role's list leaves out (not enforced), the groups it lacks. */
static void test_log(void) {
  VgwTlsRolePolicy server = role_policy(CONTEXTS, 1, FALSE);
  VgwTlsRolePolicy client = role_policy(CONTEXTS, 1, TRUE);

  g_strlcpy(client.tls13, "TLS_AES_256_GCM_SHA384", sizeof(client.tls13));
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: TLSContexts 1 as client: TLS 1.3 suites "
                        "\"TLS_AES_256_GCM_SHA384\" leave out "
                        "TLS_AES_128_GCM_SHA256*");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: TLSContexts 1 as client: TLS 1.3 suites "
                        "\"TLS_AES_256_GCM_SHA384\" leave out "
                        "TLS_CHACHA20_POLY1305_SHA256*");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: TLSContexts 1 as server: KeyExchangeGroups: "
                        "X448 left out*");
  vgw_tls_role_policy_log(&server, &client);
  g_test_assert_expected_messages();
}

/* handshake runs a handshake in memory between a server and a client made
 * by vgw_tls_ctx_new under |server| and |client|; TRUE if it completed,
 * with the suite and group in |cipher| and *group. */
static gboolean handshake(const VgwTlsRolePolicy *server,
                          const VgwTlsRolePolicy *client, char *cipher,
                          gsize len, uint16_t *group) {
  GError *error = NULL;
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  g_assert_true(vgw_tls_softkey_make(VGW_KEY_TYPE_EC_P256, "ACL_POLICY",
                                     1700000000, &key, &cert, &error));
  SSL_CTX *sctx = vgw_tls_ctx_new(cert, VGW_KEY_TYPE_EC_P256, server, &error);
  g_assert_no_error(error);
  g_assert_true(SSL_CTX_use_PrivateKey(sctx, key));
  SSL_CTX *cctx = vgw_tls_ctx_new(NULL, VGW_KEY_TYPE_EC_P256, client, &error);
  g_assert_no_error(error);
  SSL *s = SSL_new(sctx);
  SSL *c = SSL_new(cctx);
  gboolean done = tls_memory_handshake(c, s);
  ERR_clear_error();
  if (done) {
    g_strlcpy(cipher, SSL_CIPHER_get_name(SSL_get_current_cipher(c)), len);
    *group = SSL_get_curve_id(c);
  }
  SSL_free(c);
  SSL_free(s);
  SSL_CTX_free(cctx);
  SSL_CTX_free(sctx);
  EVP_PKEY_free(key);
  X509_free(cert);
  return done;
}

/* Context 1 as client (TLS 1.2, AES-256-GCM, P-384 first) against a
 * default server negotiates its suite and group; as server (ChaCha20) it
 * makes a default client use ChaCha20; a client whose only suite the
 * server's list leaves out fails (a configured list is exact: no CBC
 * suite is added to it). The certificate is P-256, which TLS 1.2 needs
 * among the groups. */
static void test_handshakes(void) {
  VgwTlsRolePolicy ctx_client = role_policy(CONTEXTS, 1, TRUE);
  VgwTlsRolePolicy ctx_server = role_policy(CONTEXTS, 1, FALSE);
  VgwTlsRolePolicy plain = role_policy(CONTEXTS, 2, FALSE);
  char cipher[64];
  uint16_t group = 0;

  g_assert_true(handshake(&plain, &ctx_client, cipher, sizeof(cipher), &group));
  g_assert_cmpstr(cipher, ==, "ECDHE-ECDSA-AES256-GCM-SHA384");
  g_assert_cmpuint(group, ==, SSL_CURVE_SECP384R1);

  VgwTlsRolePolicy plain_client = role_policy(CONTEXTS, 2, TRUE);
  plain_client.versions = ctx_client.versions; /* TLS 1.2: suites apply */
  g_assert_true(handshake(&ctx_server, &plain_client, cipher, sizeof(cipher),
                          &group));
  g_assert_cmpstr(cipher, ==, "ECDHE-ECDSA-CHACHA20-POLY1305");
  g_assert_cmpuint(group, ==, SSL_CURVE_SECP384R1);

  g_assert_false(handshake(&ctx_server, &ctx_client, cipher, sizeof(cipher),
                           &group));
}

#define PROXY_SETS                                                          \
  "[ TLSContexts ]\nFORMAT Index = Name;\nTLSContexts 1 = \"ctx1\";\n"       \
  "TLSContexts 2 = \"ctx2\";\n[ \\TLSContexts ]\n"                           \
  "[ SIPInterface ]\nFORMAT Index = InterfaceName, NetworkInterface, "       \
  "UDPPort, TCPPort, TLSPort, TLSContext;\n"                                 \
  "SIPInterface 0 = \"lan-main\", \"LAN\", 5060, 5060, 5061, \"default\";\n" \
  "SIPInterface 1 = \"lan-2\", \"LAN\", 5070, 5070, 5071, \"ctx2\";\n"       \
  "SIPInterface 2 = \"lan-3\", \"LAN\", 5080, 5080, 5081, \"\";\n"           \
  "[ \\SIPInterface ]\n"                                                     \
  "[ ProxySet ]\nFORMAT Index = ProxyName, TLSContextName, "                 \
  "GWIPv4SIPInterfaceName, SBCIPv4SIPInterfaceName;\n"                       \
  "ProxySet 1 = \"own\", \"ctx1\", \"lan-2\", \"\";\n"                       \
  "ProxySet 2 = \"gw\", \"\", \"lan-2\", \"lan-main\";\n"                    \
  "ProxySet 3 = \"sbc\", \"\", \"\", \"lan-2\";\n"                           \
  "ProxySet 4 = \"empty-iface\", \"\", \"lan-3\", \"\";\n"                   \
  "ProxySet 5 = \"\", \"\", \"\", \"\";\n"                                   \
  "[ \\ProxySet ]\n"

/* The Proxy Set's context, else its SIP Interface's (GW, then SBC), else
 * context 0, each with its reason. */
static void test_proxy_set_selection(void) {
  VgwParamConfig *cfg = test_config(PROXY_SETS);
  static const struct {
    guint set;
    guint context;
    const char *why;
  } cases[] = {
      {1, 1, "Proxy Set own's TLSContextName ctx1"},
      {2, 2, "Proxy Set gw names no TLSContextName: SIP Interface lan-2's "
             "TLSContext ctx2"},
      {3, 2, "Proxy Set sbc names no TLSContextName: SIP Interface lan-2's "
             "TLSContext ctx2"},
      {4, 0, "Proxy Set empty-iface names no TLSContextName: SIP Interface "
             "lan-3 names no TLSContext"},
      {5, 0, "default: Proxy Set 5 names no TLSContextName and no SIP "
             "Interface"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *why = NULL;
    guint context = vgw_tls_context_for_proxy_set(cfg, cases[i].set, &why);
    g_assert_cmpuint(context, ==, cases[i].context);
    g_assert_cmpstr(why, ==, cases[i].why);
    g_free(why);
  }
  vgw_param_config_free(cfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls-role-policy/columns", test_columns);
  g_test_add_func("/tls-role-policy/cipher-lists", test_cipher_lists);
  g_test_add_func("/tls-role-policy/groups", test_groups);
  g_test_add_func("/tls-role-policy/log", test_log);
  g_test_add_func("/tls-role-policy/handshakes", test_handshakes);
  g_test_add_func("/tls-role-policy/proxy-set-selection",
                  test_proxy_set_selection);
  return g_test_run();
}
