/*
 * The TLS version policy of a TLS Context: which protocol versions the
 * gateway offers and accepts, in both roles, from the configuration under
 * the manual it follows (param/manual_version.h):
 *
 *  - 6.4: the global TLSVersion, 0 "SSL 2.0-3.0 and TLS 1.0" or 1 "TLS
 *    1.0 only"; 6.4 has no TLS Contexts, so their TLSVersion column is
 *    not read.
 *  - 7.x: the context's TLSVersion bit mask (VGW_TLS_V*); 0 follows the
 *    global TLSVersion as above.
 *
 * BoringSSL has no SSL 2.0 or 3.0, so global 0 becomes the widest set it
 * has, TLS 1.0 to 1.3 (wants_ssl says the value asked for more). It also
 * negotiates one contiguous range, min to max: a mask with a gap (TLS 1.0
 * and 1.2) allows what lies between too (widened says so). Both are
 * forced deviations, logged at boot by vgw_tls_versions_log().
 *
 * A peer outside the range is refused by BoringSSL with a protocol_version
 * alert, as server (no common version in the ClientHello) and as client
 * (a ServerHello version it did not offer). The policy's |rule| names the
 * parameter that decided, for the failure's log line.
 */
#ifndef VGW_TLS_VERSIONS_H
#define VGW_TLS_VERSIONS_H

#include <glib.h>
#include <openssl/base.h>
#include <stdint.h>

#include "param_config.h"

G_BEGIN_DECLS

/* The bits of TLSContexts.TLSVersion. */
#define VGW_TLS_V1_0 (1u << 0)
#define VGW_TLS_V1_1 (1u << 1)
#define VGW_TLS_V1_2 (1u << 2)
#define VGW_TLS_V1_3 (1u << 3)
#define VGW_TLS_V_ALL (VGW_TLS_V1_0 | VGW_TLS_V1_1 | VGW_TLS_V1_2 | VGW_TLS_V1_3)

typedef struct {
  guint versions;       /* VGW_TLS_V* the configuration allows (never 0) */
  uint16_t min_version; /* what BoringSSL enforces (TLS1_VERSION ...): */
  uint16_t max_version; /* the lowest and highest of |versions| */
  gboolean wants_ssl;   /* the value also names SSL 2.0/3.0 */
  gboolean widened;     /* |versions| has a gap the range fills */
  char rule[160];       /* "TLSVersion 1 = TLS 1.0 (manual 6.4)" */
} VgwTlsVersionPolicy;

/* vgw_tls_version_policy fills |out| with the policy of TLS Context
 * |context| (a TLSContexts index; a row that does not exist counts as
 * TLSVersion 0) under |cfg|'s manual. */
void vgw_tls_version_policy(const VgwParamConfig *cfg, guint context,
                            VgwTlsVersionPolicy *out);

/* vgw_tls_version_policy_builtin fills |out| with TLS 1.2 and 1.3, the
 * policy of a server or client made without a configuration (unit tests,
 * the benchmark). */
void vgw_tls_version_policy_builtin(VgwTlsVersionPolicy *out);

/* vgw_tls_versions_drop_legacy raises |p|'s minimum to TLS 1.2 for a
 * server whose key cannot make TLS 1.0/1.1 signatures (the crypto
 * engine's RSA keys sign no MD5-SHA1), when that leaves a range, and says
 * so in its rule. Returns whether it did. A policy of TLS 1.0/1.1 only is
 * left as it is: its handshakes fail at the signature. */
gboolean vgw_tls_versions_drop_legacy(VgwTlsVersionPolicy *p);

/* vgw_tls_versions_apply is the hook where vgwd's SSL_CTXs are made: it
 * sets |ctx|'s version range to |p|'s and its TLS 1.2 cipher list to
 * |ciphers| (OpenSSL syntax) followed by the ECDHE CBC-SHA suites, the
 * only ones TLS 1.0 and 1.1 have (also offered by a client whose policy
 * excludes those versions: an old server then answers with its version
 * and is refused with protocol_version, not handshake_failure), and keeps
 * |p|'s rule
 * with |ctx| for vgw_tls_versions_rule(). FALSE with |error| set
 * (VGW_TLS_ERROR_SETUP) if BoringSSL refuses. */
gboolean vgw_tls_versions_apply(SSL_CTX *ctx, const VgwTlsVersionPolicy *p,
                                const char *ciphers, GError **error);

/* vgw_tls_versions_rule returns the rule of the policy applied to |ctx|,
 * or NULL if none was. Valid while |ctx| lives. */
const char *vgw_tls_versions_rule(const SSL_CTX *ctx);

/* vgw_tls_versions_log logs |p| for TLS Context |context|, with a warning
 * for each forced deviation (SSL 2.0/3.0 asked for, a gap widened). For
 * vgwd's boot. */
void vgw_tls_versions_log(const VgwTlsVersionPolicy *p, guint context);

G_END_DECLS

#endif /* VGW_TLS_VERSIONS_H */
