/*
 * Why something in device-fw/tls failed, as a code a caller can branch
 * on: the GError domain VGW_TLS_ERROR with a VgwTlsError code, and the
 * stable lower-case name of each code for log lines, counters and the
 * status JSON (as store.h's VgwStoreError does for the flash store).
 *
 * The handshake reasons classify a failed connection by who or what
 * ended it; BoringSSL's own reason ("UNSUPPORTED_PROTOCOL") stays in the
 * message for the human reading the log.
 */
#ifndef VGW_TLS_ERROR_H
#define VGW_TLS_ERROR_H

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

#define VGW_TLS_ERROR (vgw_tls_error_quark())
GQuark vgw_tls_error_quark(void);

/* The names are the interface (logs, status); the numbers index the
 * per-reason counters. */
typedef enum {
  /* Setting up TLS. */
  VGW_TLS_ERROR_SETUP,         /* a TLS context or connection cannot be made */
  VGW_TLS_ERROR_KEY,           /* a key cannot be made, used or encoded, or
                                * does not fit its certificate */
  VGW_TLS_ERROR_CERTIFICATE,   /* a certificate cannot be built or parsed */
  VGW_TLS_ERROR_SIGN,          /* a signature failed (engine or software) */
  /* A handshake or connection that failed. */
  VGW_TLS_ERROR_VERSION,       /* no protocol version both sides accept */
  VGW_TLS_ERROR_NO_SHARED_ALGORITHM, /* no common cipher suite, group or
                                      * signature scheme */
  VGW_TLS_ERROR_NOT_TLS,       /* the peer does not speak TLS */
  VGW_TLS_ERROR_PEER_ALERT,    /* the peer sent a fatal alert */
  VGW_TLS_ERROR_PEER_CERTIFICATE, /* the peer's certificate was refused */
  VGW_TLS_ERROR_HOSTNAME,      /* the peer's certificate does not name it
                                * (PeerHostNameVerificationMode,
                                * tls_hostname.h) */
  VGW_TLS_ERROR_PROTOCOL,      /* any other TLS protocol violation */
  VGW_TLS_ERROR_PEER_CLOSED,   /* the peer closed mid-handshake */
  VGW_TLS_ERROR_IO,            /* the socket failed */
  VGW_TLS_ERROR_TIMEOUT,       /* no handshake within the deadline */
  VGW_TLS_ERROR_EVICTED,       /* dropped as the oldest half-open
                                * connection to admit a new one */
  VGW_TLS_ERROR_LIMIT,         /* refused: the established connections
                                * are at their bound */
  /* Why a peer's certificate was refused when it had to show one
   * (mutual authentication, tls_peer_verify.h). */
  VGW_TLS_ERROR_NO_PEER_CERTIFICATE, /* it showed none */
  VGW_TLS_ERROR_UNTRUSTED,     /* no path to a trusted root */
  VGW_TLS_ERROR_EXPIRED,       /* a certificate on the path is past its
                                * notAfter */
  VGW_TLS_ERROR_NOT_YET_VALID, /* ... before its notBefore */
  VGW_TLS_ERROR_CHAIN,         /* the chain it sent is broken: a missing
                                * intermediate, a bad signature, an issuer
                                * that is no CA, a usage that does not fit */
  VGW_TLS_ERROR_RENEGOTIATION, /* the peer tried to renegotiate an
                                * established connection: refused */
} VgwTlsError;

/* VGW_TLS_ERROR_COUNT is one more than the highest VgwTlsError. */
#define VGW_TLS_ERROR_COUNT (VGW_TLS_ERROR_RENEGOTIATION + 1)

/* vgw_tls_error_name returns the stable lower-case name of |code|
 * ("version", "no-shared-algorithm", "timeout", ...), or "unknown" for a
 * number that is not a VgwTlsError. */
const char *vgw_tls_error_name(VgwTlsError code);

/* vgw_tls_set_error sets |error| to |code| with the printf-style message,
 * followed by BoringSSL's first queued error, if any (and clears that
 * queue). */
void vgw_tls_set_error(GError **error, VgwTlsError code, const char *fmt,
                       ...) G_GNUC_PRINTF(3, 4);

/* vgw_tls_handshake_error classifies a failed SSL_do_handshake (or
 * SSL_read): |ssl_error| from SSL_get_error, |ret| the call's return
 * value, |packed| BoringSSL's first queued error (ERR_peek_error, 0 if
 * none) and |sys_errno| errno right after the call. */
VgwTlsError vgw_tls_handshake_error(int ssl_error, int ret, uint32_t packed,
                                    int sys_errno);

G_END_DECLS

#endif /* VGW_TLS_ERROR_H */
