/* SIP Interfaces of a configuration: the ports each listens on, the
 * implicit interface of a configuration without rows, and the ini check
 * that refuses listeners which could not all be bound. */
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

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/param/sip-interfaces/factory", test_factory);
  g_test_add_func("/param/sip-interfaces/implicit-ports", test_implicit_ports);
  g_test_add_func("/param/sip-interfaces/rows", test_rows);
  g_test_add_func("/param/sip-interfaces/zero-ports", test_zero_ports);
  for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
    char *path = g_strdup_printf("/param/sip-interfaces/refused/%zu", i);
    g_test_add_data_func(path, &refused[i], test_refused);
    g_free(path);
  }
  return g_test_run();
}
