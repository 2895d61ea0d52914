/*
 * The SIP Interfaces a configuration defines, as the listeners and the
 * host tool need them: which network port, which UDP, TCP and TLS ports.
 * Read from the SIPInterface table; when the table is empty, one implicit
 * interface on LAN from LocalSIPPort, TCPLocalSIPPort and TLSLocalSIPPort
 * (the registry says those apply "when no SIP Interface is defined"), so
 * the factory configuration listens on 5060/5060/5061 as before.
 *
 * The port-conflict check of a configuration is here too: two listeners
 * on one network port with the same port number on the same IP protocol
 * (TCP and TLS are both TCP), or a SIP port on one of the UDP ports the
 * test extension binds for RTP or on the DHCP client's, cannot both be
 * bound, so such a configuration is refused when it is loaded, not found
 * out at boot.
 */
#ifndef VGW_PARAM_SIP_INTERFACES_H
#define VGW_PARAM_SIP_INTERFACES_H

#include "param_config.h"

G_BEGIN_DECLS

/* At most as many interfaces as the SIPInterface table has rows. */
#define VGW_SIP_IFACE_MAX 32
/* VgwSipIface.row of the implicit interface (no row). */
#define VGW_SIP_IFACE_IMPLICIT (-1)
/* The implicit interface's name. */
#define VGW_SIP_IFACE_IMPLICIT_NAME "default"

/* The UDP ports the test extension binds for RTP on every address
 * (vgwd/test_extension.h, VGW_TEST_RTP_PORT_BASE and _PORTS). */
#define VGW_SIP_IFACE_RTP_FIRST 40000
#define VGW_SIP_IFACE_RTP_LAST 40003
/* The DHCP client (udhcpc) receives its leases on this UDP port of both
 * network ports. */
#define VGW_SIP_IFACE_DHCP_CLIENT_PORT 68

typedef enum {
  VGW_NETWORK_LAN,
  VGW_NETWORK_WAN,
  VGW_NETWORK_COUNT
} VgwNetwork;

typedef enum {
  VGW_SIP_LISTEN_UDP,
  VGW_SIP_LISTEN_TCP,
  VGW_SIP_LISTEN_TLS,
  VGW_SIP_LISTEN_COUNT
} VgwSipListen;

typedef struct {
  int row;            /* SIPInterface index, or VGW_SIP_IFACE_IMPLICIT */
  const char *name;   /* InterfaceName (borrowed from the configuration) */
  VgwNetwork network;
  guint16 port[VGW_SIP_LISTEN_COUNT]; /* 0 = no listener */
  const char *tls_context; /* TLSContext (borrowed); "" = context 0 */
  int tls_mutual_auth; /* TLSMutualAuthentication: -1 = the global
                        * SIPSRequireClientCertificate, 0 off, 1 on */
} VgwSipIface;

/* vgw_network_name returns "LAN" or "WAN". */
const char *vgw_network_name(VgwNetwork network);

/* vgw_sip_listen_name returns "udp", "tcp" or "tls". */
const char *vgw_sip_listen_name(VgwSipListen listen);

/* vgw_sip_iface_requires_client_cert says whether |f|'s TLS listener
 * requires and verifies a client certificate: its TLSMutualAuthentication
 * when 0 or 1, else (-1, and the implicit interface) the global
 * SIPSRequireClientCertificate of |cfg| (the same under both manuals:
 * 7.x widened only its client-role meaning, manual_version.h). *rule
 * (newly allocated) words the decision for the log, e.g.
 * "SIPSRequireClientCertificate = 1 (global, interface lan-main
 * TLSMutualAuthentication -1)". */
gboolean vgw_sip_iface_requires_client_cert(const VgwParamConfig *cfg,
                                            const VgwSipIface *f,
                                            char **rule);

/* vgw_sip_interfaces_read fills |out| (room for VGW_SIP_IFACE_MAX) with
 * the interfaces of |cfg| in row order, or the implicit one, and returns
 * how many. A row whose NetworkInterface names no network port is left
 * out (vgw_param_config_validate refuses such a configuration). The
 * strings stay valid as long as |cfg| is not changed. */
gsize vgw_sip_interfaces_read(const VgwParamConfig *cfg, VgwSipIface *out);

/* vgw_sip_interfaces_check is the SIPInterface part of
 * vgw_param_config_validate: every NetworkInterface is LAN or WAN (any
 * case; VGW_PARAM_ERROR_VALUE), and no two listeners conflict
 * (VGW_PARAM_ERROR_CONFLICT): "FILE:LINE: SIPInterface 1: TCPPort: port
 * 5060/tcp on LAN is already used by SIPInterface 0 (TCPPort)", or
 * "... is one of the test extension's RTP ports (40000-40003)", "port
 * 68/udp is the DHCP client's". */
gboolean vgw_sip_interfaces_check(const VgwParamConfig *cfg,
                                  const char *file_name, GError **error);

G_END_DECLS

#endif /* VGW_PARAM_SIP_INTERFACES_H */
