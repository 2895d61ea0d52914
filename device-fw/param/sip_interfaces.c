/* SIP Interfaces of a configuration: see sip_interfaces.h. */
#include "sip_interfaces.h"

#include <string.h>

#include "param_row_error.h"
#include "param_value.h"

/* The port columns, in VgwSipListen order. */
static const char *const port_columns[VGW_SIP_LISTEN_COUNT] = {
    "UDPPort", "TCPPort", "TLSPort"};

const char *vgw_network_name(VgwNetwork network) {
  return network == VGW_NETWORK_WAN ? "WAN" : "LAN";
}

const char *vgw_sip_listen_name(VgwSipListen listen) {
  static const char *const names[VGW_SIP_LISTEN_COUNT] = {"udp", "tcp",
                                                          "tls"};
  return names[listen];
}

static gsize column(const char *name) {
  gssize c = vgw_param_find_column(vgw_param_table(VGW_TABLE_SIP_INTERFACE),
                                   name, strlen(name));
  g_assert(c >= 0);
  return (gsize)c;
}

/* parse_network reads a NetworkInterface cell; FALSE if it names neither
 * port. */
static gboolean parse_network(const char *text, VgwNetwork *out) {
  for (int n = 0; n < VGW_NETWORK_COUNT; n++) {
    if (g_ascii_strcasecmp(text, vgw_network_name(n)) == 0) {
      *out = n;
      return TRUE;
    }
  }
  return FALSE;
}

/* read_row fills |out| from |row|; FALSE if its network port is unknown. */
static gboolean read_row(const VgwParamRow *row, VgwSipIface *out) {
  out->row = (int)row->index;
  out->name = row->values[column("InterfaceName")].str;
  out->tls_context = row->values[column("TLSContext")].str;
  out->tls_mutual_auth =
      (int)row->values[column("TLSMutualAuthentication")].num;
  for (int l = 0; l < VGW_SIP_LISTEN_COUNT; l++) {
    out->port[l] = (guint16)row->values[column(port_columns[l])].num;
  }
  return parse_network(row->values[column("NetworkInterface")].str,
                       &out->network);
}

static void implicit_iface(const VgwParamConfig *cfg, VgwSipIface *out) {
  static const char *const globals[VGW_SIP_LISTEN_COUNT] = {
      "LocalSIPPort", "TCPLocalSIPPort", "TLSLocalSIPPort"};
  out->row = VGW_SIP_IFACE_IMPLICIT;
  out->name = VGW_SIP_IFACE_IMPLICIT_NAME;
  out->tls_context = "";
  out->tls_mutual_auth = -1;
  out->network = VGW_NETWORK_LAN;
  for (int l = 0; l < VGW_SIP_LISTEN_COUNT; l++) {
    out->port[l] =
        (guint16)vgw_param_config_global_named(cfg, globals[l])->num;
  }
}

gboolean vgw_sip_iface_requires_client_cert(const VgwParamConfig *cfg,
                                            const VgwSipIface *f,
                                            char **rule) {
  gint64 global =
      vgw_param_config_global_named(cfg, "SIPSRequireClientCertificate")->num;
  if (f->row == VGW_SIP_IFACE_IMPLICIT) {
    *rule = g_strdup_printf("SIPSRequireClientCertificate = %d (global; no "
                            "SIP Interface is configured)",
                            (int)global);
    return global == 1;
  }
  if (f->tls_mutual_auth < 0) {
    *rule = g_strdup_printf("SIPSRequireClientCertificate = %d (global, "
                            "interface %s TLSMutualAuthentication -1)",
                            (int)global, f->name);
    return global == 1;
  }
  *rule = g_strdup_printf("TLSMutualAuthentication = %d (interface %s, "
                          "over SIPSRequireClientCertificate = %d)",
                          f->tls_mutual_auth, f->name, (int)global);
  return f->tls_mutual_auth == 1;
}

gsize vgw_sip_interfaces_read(const VgwParamConfig *cfg, VgwSipIface *out) {
  gsize rows = vgw_param_config_row_count(cfg, VGW_TABLE_SIP_INTERFACE);
  gsize n = 0;

  if (rows == 0) {
    implicit_iface(cfg, &out[0]);
    return 1;
  }
  for (gsize r = 0; r < rows && n < VGW_SIP_IFACE_MAX; r++) {
    if (read_row(vgw_param_config_row_at(cfg, VGW_TABLE_SIP_INTERFACE, r),
                 &out[n])) {
      n++;
    }
  }
  return n;
}

/* TCP and TLS listeners both bind TCP ports. */
static gboolean same_protocol(VgwSipListen a, VgwSipListen b) {
  return (a == VGW_SIP_LISTEN_UDP) == (b == VGW_SIP_LISTEN_UDP);
}

/* conflict_reason says why listener |l| of |f| cannot be bound next to
 * the listeners of the rows before it and its own columns before |l|;
 * NULL if it can. */
static char *conflict_reason(const VgwSipIface *ifaces, gsize i,
                             VgwSipListen l) {
  const VgwSipIface *f = &ifaces[i];
  guint16 port = f->port[l];
  const char *proto = l == VGW_SIP_LISTEN_UDP ? "udp" : "tcp";

  if (l == VGW_SIP_LISTEN_UDP && port >= VGW_SIP_IFACE_RTP_FIRST &&
      port <= VGW_SIP_IFACE_RTP_LAST) {
    return g_strdup_printf("port %u/udp is one of the test extension's RTP "
                           "ports (%u-%u)",
                           port, VGW_SIP_IFACE_RTP_FIRST,
                           VGW_SIP_IFACE_RTP_LAST);
  }
  if (l == VGW_SIP_LISTEN_UDP && port == VGW_SIP_IFACE_DHCP_CLIENT_PORT) {
    return g_strdup_printf("port %u/udp is the DHCP client's", port);
  }
  for (gsize j = 0; j <= i; j++) {
    const VgwSipIface *g = &ifaces[j];
    if (g->network != f->network) {
      continue;
    }
    for (int m = 0; m < (j == i ? (int)l : VGW_SIP_LISTEN_COUNT); m++) {
      if (g->port[m] == port && same_protocol(l, m)) {
        return g_strdup_printf("port %u/%s on %s is already used by "
                               "SIPInterface %d (%s)",
                               port, proto, vgw_network_name(f->network),
                               g->row, port_columns[m]);
      }
    }
  }
  return NULL;
}

gboolean vgw_sip_interfaces_check(const VgwParamConfig *cfg,
                                  const char *file_name, GError **error) {
  const VgwTableDesc *table = vgw_param_table(VGW_TABLE_SIP_INTERFACE);
  gsize rows = vgw_param_config_row_count(cfg, VGW_TABLE_SIP_INTERFACE);
  VgwSipIface ifaces[VGW_SIP_IFACE_MAX];

  g_assert(rows <= VGW_SIP_IFACE_MAX);
  for (gsize i = 0; i < rows; i++) {
    const VgwParamRow *row =
        vgw_param_config_row_at(cfg, VGW_TABLE_SIP_INTERFACE, i);
    char *reason = NULL;
    gint code = VGW_PARAM_ERROR_CONFLICT;
    gsize bad_column = 0;

    if (!read_row(row, &ifaces[i])) {
      const char *text = row->values[column("NetworkInterface")].str;
      char *p = vgw_param_printable(text, strlen(text), 40);
      reason = g_strdup_printf("'%s' is not a network port (LAN or WAN)", p);
      g_free(p);
      code = VGW_PARAM_ERROR_VALUE;
      bad_column = column("NetworkInterface");
    }
    for (int l = 0; reason == NULL && l < VGW_SIP_LISTEN_COUNT; l++) {
      if (ifaces[i].port[l] != 0 &&
          (reason = conflict_reason(ifaces, i, l)) != NULL) {
        bad_column = column(port_columns[l]);
      }
    }
    if (reason != NULL) {
      vgw_param_set_row_error(error, code, file_name, table, row,
                              &table->columns[bad_column], reason);
      g_free(reason);
      return FALSE;
    }
  }
  return TRUE;
}
