/* The meaning of PeerHostNameVerificationMode, SIPSRequireClientCertificate
 * and VerifyServerCertificate under each VgwManualVersion, every value. */
#include "manual_version.h"
#include "tests/config_fixture.h"

/* The factory configuration follows the seed, 6.4. */
static void test_default_is_64(void) {
  VgwParamConfig *cfg = vgw_param_config_new();

  g_assert_cmpint(vgw_manual_version(cfg), ==, VGW_MANUAL_6_4);
  g_assert_cmpstr(vgw_manual_version_name(vgw_manual_version(cfg)), ==,
                  "6.4");
  vgw_param_config_free(cfg);
}

static void test_manual_names(void) {
  VgwParamConfig *cfg = test_config("VgwManualVersion = 1\n");

  g_assert_cmpint(vgw_manual_version(cfg), ==, VGW_MANUAL_7X);
  g_assert_cmpstr(vgw_manual_version_name(VGW_MANUAL_7X), ==, "7.x");
  vgw_param_config_free(cfg);
}

/* PeerHostNameVerificationMode 0, 1, 2 under 6.4 and 7.x: only 1 differs. */
static void test_peer_hostname_roles(void) {
  static const struct {
    const char *ini;
    VgwTlsRoles roles;
  } cases[] = {
      {"VgwManualVersion = 0\nPeerHostNameVerificationMode = 0\n",
       VGW_TLS_ROLE_NONE},
      {"VgwManualVersion = 0\nPeerHostNameVerificationMode = 1\n",
       VGW_TLS_ROLE_SERVER},
      {"VgwManualVersion = 0\nPeerHostNameVerificationMode = 2\n",
       VGW_TLS_ROLE_SERVER | VGW_TLS_ROLE_CLIENT},
      {"VgwManualVersion = 1\nPeerHostNameVerificationMode = 0\n",
       VGW_TLS_ROLE_NONE},
      {"VgwManualVersion = 1\nPeerHostNameVerificationMode = 1\n",
       VGW_TLS_ROLE_CLIENT},
      {"VgwManualVersion = 1\nPeerHostNameVerificationMode = 2\n",
       VGW_TLS_ROLE_SERVER | VGW_TLS_ROLE_CLIENT},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    VgwParamConfig *cfg = test_config(cases[i].ini);
    g_test_message("%s", cases[i].ini);
    g_assert_cmpint(vgw_manual_peer_hostname_roles(cfg), ==, cases[i].roles);
    vgw_param_config_free(cfg);
  }
}

/* Server verification as client: VerifyServerCertificate alone under 6.4;
 * under 7.x SIPSRequireClientCertificate 1 requires it too; the rule for
 * the log says which. */
static void test_client_verifies_server(void) {
  for (int manual = 0; manual <= 1; manual++) {
    for (int require = 0; require <= 1; require++) {
      for (int verify = 0; verify <= 1; verify++) {
        char *ini = g_strdup_printf("VgwManualVersion = %d\n"
                                    "SIPSRequireClientCertificate = %d\n"
                                    "VerifyServerCertificate = %d\n",
                                    manual, require, verify);
        VgwParamConfig *cfg = test_config(ini);
        gboolean want = verify == 1 || (manual == 1 && require == 1);
        g_test_message("%s", ini);
        g_assert_cmpint(vgw_manual_client_requires_server_verification(cfg),
                        ==, want);
        /* The rule names the parameter that decided. */
        const char *rule = vgw_manual_server_verification_rule(cfg);
        g_assert_cmpstr(rule, ==,
                        verify == 1 ? "VerifyServerCertificate = 1"
                        : want ? "SIPSRequireClientCertificate = 1 (manual "
                                 "7.x: also the client role; "
                                 "VerifyServerCertificate = 0)"
                               : NULL);
        vgw_param_config_free(cfg);
        g_free(ini);
      }
    }
  }
}

/* The manual setting waits for a reset, as TLSVersion does. */
static void test_needs_reset(void) {
  gssize i = vgw_param_find_global("VgwManualVersion", 16);

  g_assert_cmpint(i, >=, 0);
  g_assert_true(vgw_param_global(i)->reset_needed);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/manual/default-is-6.4", test_default_is_64);
  g_test_add_func("/manual/names", test_manual_names);
  g_test_add_func("/manual/peer-hostname-roles", test_peer_hostname_roles);
  g_test_add_func("/manual/client-verifies-server",
                  test_client_verifies_server);
  g_test_add_func("/manual/needs-reset", test_needs_reset);
  return g_test_run();
}
