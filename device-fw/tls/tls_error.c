/* TLS error reasons: see tls_error.h. */
#include "tls/tls_error.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

G_DEFINE_QUARK(vgw-tls-error-quark, vgw_tls_error)

static const char *const names[VGW_TLS_ERROR_COUNT] = {
    [VGW_TLS_ERROR_SETUP] = "setup",
    [VGW_TLS_ERROR_KEY] = "key",
    [VGW_TLS_ERROR_CERTIFICATE] = "certificate",
    [VGW_TLS_ERROR_SIGN] = "sign",
    [VGW_TLS_ERROR_VERSION] = "version",
    [VGW_TLS_ERROR_NO_SHARED_ALGORITHM] = "no-shared-algorithm",
    [VGW_TLS_ERROR_NOT_TLS] = "not-tls",
    [VGW_TLS_ERROR_PEER_ALERT] = "peer-alert",
    [VGW_TLS_ERROR_PEER_CERTIFICATE] = "peer-certificate",
    [VGW_TLS_ERROR_HOSTNAME] = "hostname",
    [VGW_TLS_ERROR_PROTOCOL] = "protocol",
    [VGW_TLS_ERROR_PEER_CLOSED] = "peer-closed",
    [VGW_TLS_ERROR_IO] = "io",
    [VGW_TLS_ERROR_TIMEOUT] = "timeout",
    [VGW_TLS_ERROR_EVICTED] = "evicted",
    [VGW_TLS_ERROR_LIMIT] = "limit",
    [VGW_TLS_ERROR_NO_PEER_CERTIFICATE] = "no-peer-certificate",
    [VGW_TLS_ERROR_UNTRUSTED] = "untrusted",
    [VGW_TLS_ERROR_EXPIRED] = "expired",
    [VGW_TLS_ERROR_NOT_YET_VALID] = "not-yet-valid",
    [VGW_TLS_ERROR_CHAIN] = "chain",
    [VGW_TLS_ERROR_RENEGOTIATION] = "renegotiation",
};

const char *vgw_tls_error_name(VgwTlsError code) {
  if ((unsigned)code >= G_N_ELEMENTS(names) || names[code] == NULL) {
    return "unknown";
  }
  return names[code];
}

void vgw_tls_set_error(GError **error, VgwTlsError code, const char *fmt,
                       ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  uint32_t err = ERR_get_error();
  if (err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    g_set_error(error, VGW_TLS_ERROR, code, "%s (%s)", msg, buf);
  } else {
    g_set_error_literal(error, VGW_TLS_ERROR, code, msg);
  }
  ERR_clear_error();
  g_free(msg);
}

/* ssl_reason_error maps BoringSSL's SSL library reason |reason|. */
static VgwTlsError ssl_reason_error(int reason) {
  if (reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION) {
    return VGW_TLS_ERROR_VERSION; /* the peer found no common version */
  }
  if (reason >= SSL_AD_REASON_OFFSET) {
    return VGW_TLS_ERROR_PEER_ALERT; /* SSL_R_*_ALERT_*: received */
  }
  switch (reason) {
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_NO_SUPPORTED_VERSIONS_ENABLED:
      return VGW_TLS_ERROR_VERSION;
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_CIPHERS_AVAILABLE:
    case SSL_R_NO_SHARED_GROUP:
    case SSL_R_NO_COMMON_SIGNATURE_ALGORITHMS:
      return VGW_TLS_ERROR_NO_SHARED_ALGORITHM;
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_UNKNOWN_PROTOCOL:
      return VGW_TLS_ERROR_NOT_TLS;
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return VGW_TLS_ERROR_PEER_CERTIFICATE;
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
      return VGW_TLS_ERROR_NO_PEER_CERTIFICATE;
    case SSL_R_PRIVATE_KEY_OPERATION_FAILED:
      return VGW_TLS_ERROR_SIGN;
    case SSL_R_NO_RENEGOTIATION:
      return VGW_TLS_ERROR_RENEGOTIATION;
    default:
      return VGW_TLS_ERROR_PROTOCOL;
  }
}

VgwTlsError vgw_tls_handshake_error(int ssl_error, int ret, uint32_t packed,
                                    int sys_errno) {
  switch (ssl_error) {
    case SSL_ERROR_SSL:
      if (packed != 0 && ERR_GET_LIB(packed) == ERR_LIB_SSL) {
        return ssl_reason_error(ERR_GET_REASON(packed));
      }
      return VGW_TLS_ERROR_PROTOCOL;
    case SSL_ERROR_ZERO_RETURN:
      return VGW_TLS_ERROR_PEER_CLOSED;
    case SSL_ERROR_SYSCALL:
      return ret == 0 || sys_errno == ECONNRESET || sys_errno == EPIPE
                 ? VGW_TLS_ERROR_PEER_CLOSED
                 : VGW_TLS_ERROR_IO;
    default:
      return VGW_TLS_ERROR_PROTOCOL;
  }
}
