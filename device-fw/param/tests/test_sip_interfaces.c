/* SIP Interfaces of a configuration: the ports each listens on, the
 * implicit interface of a configuration without rows, the ini check
 * that refuses listeners which could not all be bound, and whether a TLS
 * listener requires a client certificate. */
#include <string.h>

#include "param_ini.h"
#include "sip_interfaces.h"

#define HEAD                                                             \
  "[ SIPInterface ]\n"                                                   \
  "FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, "   \
  "TLSPort;\n"
#define TAIL "[ \\SIPInterface ]\n"

static VgwParamConfig *load(const char *ini, GError **error) {
  VgwParamConfig *cfg = vgw_param_config_new();
  if (!vgw_ini_load(cfg, ini, strlen(ini), "board.ini", VGW_INI_FULL, NULL,
                    error)) {
    vgw_param_config_free(cfg);
    return NULL;
  }
  return cfg;
}

static void assert_iface(const VgwSipIface *f, int row, const char *name,
                         VgwNetwork network, guint16 udp, guint16 tcp,
                         guint16 tls) {
  g_assert_cmpint(f->row, ==, row);
  g_assert_cmpstr(f->name, ==, name);
  g_assert_cmpint(f->network, ==, network);
  g_assert_cmpuint(f->port[VGW_SIP_LISTEN_UDP], ==, udp);
  g_assert_cmpuint(f->port[VGW_SIP_LISTEN_TCP], ==, tcp);
  g_assert_cmpuint(f->port[VGW_SIP_LISTEN_TLS], ==, tls);
}

/* The factory configuration has no rows: one interface on LAN from the
 * LocalSIPPort globals, 5060/5060/5061. */
static void test_factory(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  VgwSipIface ifaces[VGW_SIP_IFACE_MAX];

  g_assert_cmpuint(vgw_sip_interfaces_read(cfg, ifaces), ==, 1);
  assert_iface(&ifaces[0], VGW_SIP_IFACE_IMPLICIT, "default",
               VGW_NETWORK_LAN, 5060, 5060, 5061);
  vgw_param_config_free(cfg);
}

/* The implicit interface follows the globals it is made from. */
static void test_implicit_ports(void) {
  GError *error = NULL;
  VgwParamConfig *cfg = load("LocalSIPPort = 5070\nTCPLocalSIPPort = 5071\n"
                             "TLSLocalSIPPort = 5072\n",
                             &error);
  VgwSipIface ifaces[VGW_SIP_IFACE_MAX];

  g_assert_no_error(error);
  g_assert_cmpuint(vgw_sip_interfaces_read(cfg, ifaces), ==, 1);
  assert_iface(&ifaces[0], VGW_SIP_IFACE_IMPLICIT, "default",
               VGW_NETWORK_LAN, 5070, 5071, 5072);
  vgw_param_config_free(cfg);
}

/* Rows replace the implicit interface; the same port on LAN and WAN, and
 * UDP and TCP sharing a number, do not collide. */
static void test_rows(void) {
  GError *error = NULL;
  VgwParamConfig *cfg = load(HEAD
                             "SIPInterface 0 = \"a\", \"LAN\", 5060, 5060, "
                             "5061;\n"
                             "SIPInterface 2 = \"b\", \"wan\", 5060, 5060, "
                             "5061;\n"
                             "SIPInterface 5 = \"c\", \"LAN\", 5070, 0, "
                             "5071;\n" TAIL,
                             &error);
  VgwSipIface ifaces[VGW_SIP_IFACE_MAX];

  g_assert_no_error(error);
  g_assert_cmpuint(vgw_sip_interfaces_read(cfg, ifaces), ==, 3);
  assert_iface(&ifaces[0], 0, "a", VGW_NETWORK_LAN, 5060, 5060, 5061);
  assert_iface(&ifaces[1], 2, "b", VGW_NETWORK_WAN, 5060, 5060, 5061);
  assert_iface(&ifaces[2], 5, "c", VGW_NETWORK_LAN, 5070, 0, 5071);
  vgw_param_config_free(cfg);
}

typedef struct {
  const char *rows;
  VgwParamErrorCode code;
  const char *message;
} Refused;

static const Refused refused[] = {
    /* Two rows on one network port, one protocol. */
    {"SIPInterface 0 = \"a\", \"LAN\", 5060, 5060, 5061;\n"
     "SIPInterface 1 = \"b\", \"LAN\", 5070, 5060, 5071;\n",
     VGW_PARAM_ERROR_CONFLICT,
     "board.ini:4: SIPInterface 1: TCPPort: port 5060/tcp on LAN is already "
     "used by SIPInterface 0 (TCPPort)"},
    /* TLS is TCP too. */
    {"SIPInterface 0 = \"a\", \"LAN\", 5060, 5060, 5061;\n"
     "SIPInterface 1 = \"b\", \"LAN\", 5070, 5070, 5060;\n",
     VGW_PARAM_ERROR_CONFLICT,
     "board.ini:4: SIPInterface 1: TLSPort: port 5060/tcp on LAN is already "
     "used by SIPInterface 0 (TCPPort)"},
    {"SIPInterface 3 = \"a\", \"WAN\", 5080, 5080, 5081;\n"
     "SIPInterface 7 = \"b\", \"wan\", 5080, 5090, 5091;\n",
     VGW_PARAM_ERROR_CONFLICT,
     "board.ini:4: SIPInterface 7: UDPPort: port 5080/udp on WAN is already "
     "used by SIPInterface 3 (UDPPort)"},
    /* Within one row. */
    {"SIPInterface 0 = \"a\", \"LAN\", 5060, 5062, 5062;\n",
     VGW_PARAM_ERROR_CONFLICT,
     "board.ini:3: SIPInterface 0: TLSPort: port 5062/tcp on LAN is already "
     "used by SIPInterface 0 (TCPPort)"},
    /* The test extension's RTP ports. */
    {"SIPInterface 0 = \"a\", \"WAN\", 40002, 5060, 5061;\n",
     VGW_PARAM_ERROR_CONFLICT,
     "board.ini:3: SIPInterface 0: UDPPort: port 40002/udp is one of the "
     "test extension's RTP ports (40000-40003)"},
    {"SIPInterface 0 = \"a\", \"LAN\", 68, 5060, 5061;\n",
     VGW_PARAM_ERROR_CONFLICT,
     "board.ini:3: SIPInterface 0: UDPPort: port 68/udp is the DHCP "
     "client's"},
    {"SIPInterface 0 = \"a\", \"DMZ\", 5060, 5060, 5061;\n",
     VGW_PARAM_ERROR_VALUE,
     "board.ini:3: SIPInterface 0: NetworkInterface: 'DMZ' is not a network "
     "port (LAN or WAN)"},
};

static void test_refused(gconstpointer data) {
  const Refused *c = data;
  GError *error = NULL;
  char *ini = g_strconcat(HEAD, c->rows, TAIL, NULL);

  g_assert_null(load(ini, &error));
  g_assert_error(error, VGW_PARAM_ERROR, (gint)c->code);
  g_assert_cmpstr(error->message, ==, c->message);
  g_error_free(error);
  g_free(ini);
}

/* A port 0 listener is no listener: two rows without TCP do not collide. */
static void test_zero_ports(void) {
  GError *error = NULL;
  VgwParamConfig *cfg = load(HEAD
                             "SIPInterface 0 = \"a\", \"LAN\", 5060, 0, 0;\n"
                             "SIPInterface 1 = \"b\", \"LAN\", 5070, 0, 0;\n"
                             TAIL,
                             &error);
  g_assert_no_error(error);
  vgw_param_config_free(cfg);
}

/* TLSMutualAuthentication -1 follows SIPSRequireClientCertificate, 0 and
 * 1 override it either way; the implicit interface follows the global.
 * The rule says which decided. */
static void test_mutual_authentication(void) {
  static const struct {
    int global, row0, row1;
    gboolean want0, want1;
  } cases[] = {
      {1, -1, 0, TRUE, FALSE},
      {0, -1, 1, FALSE, TRUE},
      {0, 0, -1, FALSE, FALSE},
      {1, 1, -1, TRUE, TRUE},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    GError *error = NULL;
    char *ini = g_strdup_printf(
        "SIPSRequireClientCertificate = %d\n"
        "[ SIPInterface ]\n"
        "FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, "
        "TLSPort, TLSMutualAuthentication;\n"
        "SIPInterface 0 = \"a\", \"LAN\", 5060, 5060, 5061, %d;\n"
        "SIPInterface 1 = \"b\", \"LAN\", 5070, 5070, 5071, %d;\n" TAIL,
        cases[i].global, cases[i].row0, cases[i].row1);
    VgwParamConfig *cfg = load(ini, &error);
    g_assert_no_error(error);
    VgwSipIface ifaces[VGW_SIP_IFACE_MAX];
    g_assert_cmpuint(vgw_sip_interfaces_read(cfg, ifaces), ==, 2);
    char *rule0, *rule1;
    g_assert_cmpint(vgw_sip_iface_requires_client_cert(cfg, &ifaces[0], &rule0),
                    ==, cases[i].want0);
    g_assert_cmpint(vgw_sip_iface_requires_client_cert(cfg, &ifaces[1], &rule1),
                    ==, cases[i].want1);
    char *want = cases[i].row0 < 0
                     ? g_strdup_printf("SIPSRequireClientCertificate = %d "
                                       "(global, interface a "
                                       "TLSMutualAuthentication -1)",
                                       cases[i].global)
                     : g_strdup_printf("TLSMutualAuthentication = %d "
                                       "(interface a, over "
                                       "SIPSRequireClientCertificate = %d)",
                                       cases[i].row0, cases[i].global);
    g_assert_cmpstr(rule0, ==, want);
    g_free(want);
    g_free(rule0);
    g_free(rule1);
    g_free(ini);
    vgw_param_config_free(cfg);
  }

  VgwParamConfig *cfg = load("SIPSRequireClientCertificate = 1\n", NULL);
  VgwSipIface implicit[VGW_SIP_IFACE_MAX];
  char *rule;
  g_assert_cmpuint(vgw_sip_interfaces_read(cfg, implicit), ==, 1);
  g_assert_true(vgw_sip_iface_requires_client_cert(cfg, &implicit[0], &rule));
  g_assert_cmpstr(rule, ==,
                  "SIPSRequireClientCertificate = 1 (global; no SIP Interface "
                  "is configured)");
  g_free(rule);
  vgw_param_config_free(cfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/param/sip-interfaces/factory", test_factory);
  g_test_add_func("/param/sip-interfaces/implicit-ports", test_implicit_ports);
  g_test_add_func("/param/sip-interfaces/rows", test_rows);
  g_test_add_func("/param/sip-interfaces/zero-ports", test_zero_ports);
  g_test_add_func("/param/sip-interfaces/mutual-authentication",
                  test_mutual_authentication);
  for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
    char *path = g_strdup_printf("/param/sip-interfaces/refused/%zu", i);
    g_test_add_data_func(path, &refused[i], test_refused);
    g_free(path);
  }
  return g_test_run();
}
