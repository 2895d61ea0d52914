/*
 * Which SIP User's Manual the gateway behaves like (VgwManualVersion,
 * vgw's own parameter): 6.4, the seed, or 7.x. Three parameters changed
 * meaning after 6.4 (reference/gateway-spec.md §1.2-§1.4); the functions
 * here are the one place that reads them under the chosen manual, so the
 * TLS code asks "what does this configuration mean" and never looks at
 * the manual setting itself. TLSVersion's meaning is in
 * tls/tls_versions.h, which needs BoringSSL's version numbers.
 */
#ifndef VGW_MANUAL_VERSION_H
#define VGW_MANUAL_VERSION_H

#include "param_config.h"

G_BEGIN_DECLS

/* The values of VgwManualVersion. */
typedef enum {
  VGW_MANUAL_6_4 = 0,
  VGW_MANUAL_7X = 1,
} VgwManualVersion;

/* The roles the gateway plays in a TLS connection, as a set. */
typedef enum {
  VGW_TLS_ROLE_NONE = 0,
  VGW_TLS_ROLE_SERVER = 1 << 0, /* it accepted the connection */
  VGW_TLS_ROLE_CLIENT = 1 << 1, /* it opened the connection */
} VgwTlsRoles;

/* vgw_manual_version returns the manual |cfg| follows. */
VgwManualVersion vgw_manual_version(const VgwParamConfig *cfg);

/* vgw_manual_version_name returns "6.4" or "7.x" for logs and rules. */
const char *vgw_manual_version_name(VgwManualVersion manual);

/* vgw_manual_peer_hostname_roles returns the roles in which the gateway
 * matches the peer certificate's names (PeerHostNameVerificationMode):
 * 0 none; 1 the server role under 6.4 ("Server Only": it checks the
 * client's certificate) and the client role under 7.x (6.6 and later: it
 * checks the server's certificate); 2 both. */
VgwTlsRoles vgw_manual_peer_hostname_roles(const VgwParamConfig *cfg);

/* vgw_manual_client_requires_server_verification says whether the
 * gateway as TLS client must verify the server's certificate chain:
 * VerifyServerCertificate 1, or, under 7.x only (7.2 widened it),
 * SIPSRequireClientCertificate 1. Under 6.4 SIPSRequireClientCertificate
 * is about the server role alone. */
gboolean vgw_manual_client_requires_server_verification(
    const VgwParamConfig *cfg);

/* vgw_manual_server_verification_rule words why the gateway as TLS
 * client verifies the server's certificate under |cfg|, for the log line
 * of a refused one ("VerifyServerCertificate = 1", or
 * "SIPSRequireClientCertificate = 1 (manual 7.x: also the client role;
 * VerifyServerCertificate = 0)"); NULL when it does not verify (the
 * same decision as vgw_manual_client_requires_server_verification). */
const char *vgw_manual_server_verification_rule(const VgwParamConfig *cfg);

G_END_DECLS

#endif /* VGW_MANUAL_VERSION_H */
