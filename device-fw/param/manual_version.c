/* The chosen manual's meaning of the TLS parameters: see manual_version.h. */
#include "manual_version.h"

static gint64 global(const VgwParamConfig *cfg, const char *name) {
  return vgw_param_config_global_named(cfg, name)->num;
}

VgwManualVersion vgw_manual_version(const VgwParamConfig *cfg) {
  return global(cfg, "VgwManualVersion") == VGW_MANUAL_7X ? VGW_MANUAL_7X
                                                          : VGW_MANUAL_6_4;
}

const char *vgw_manual_version_name(VgwManualVersion manual) {
  return manual == VGW_MANUAL_7X ? "7.x" : "6.4";
}

VgwTlsRoles vgw_manual_peer_hostname_roles(const VgwParamConfig *cfg) {
  switch (global(cfg, "PeerHostNameVerificationMode")) {
    case 1:
      return vgw_manual_version(cfg) == VGW_MANUAL_7X ? VGW_TLS_ROLE_CLIENT
                                                      : VGW_TLS_ROLE_SERVER;
    case 2:
      return VGW_TLS_ROLE_SERVER | VGW_TLS_ROLE_CLIENT;
    default:
      return VGW_TLS_ROLE_NONE;
  }
}

gboolean vgw_manual_client_requires_server_verification(
    const VgwParamConfig *cfg) {
  return vgw_manual_server_verification_rule(cfg) != NULL;
}

const char *vgw_manual_server_verification_rule(const VgwParamConfig *cfg) {
  if (global(cfg, "VerifyServerCertificate") == 1) {
    return "VerifyServerCertificate = 1";
  }
  if (vgw_manual_version(cfg) == VGW_MANUAL_7X &&
      global(cfg, "SIPSRequireClientCertificate") == 1) {
    return "SIPSRequireClientCertificate = 1 (manual 7.x: also the client "
           "role; VerifyServerCertificate = 0)";
  }
  return NULL;
}
