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
 * has, TLS 1.0 to 1.3 (wants_ssl says the value asked for more), a forced
 * deviation logged at boot by vgw_tls_versions_log().
 *
 * A peer with no version in the policy ends in a protocol_version alert,
 * in both roles: BoringSSL sends it as server when the ClientHello offers
 * none, as client when the ServerHello picks one it did not offer; the
 * peer sends it when it got an answer it does not speak (a TLS <= 1.2
 * ClientHello names only its highest version, and the server picks its
 * highest below that). BoringSSL negotiates one range, min to max; a mask
 * with a gap (TLS 1.0 and 1.2) is kept exact by a ClientHello callback as
 * server and by vgw_tls_versions_refuse_outside() as client. The policy's
 * |rule| names the parameter that decided, for the failure's log line.
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
  guint versions;       /* VGW_TLS_V* allowed (never 0) */
  uint16_t min_version; /* the lowest and highest of |versions| */
  uint16_t max_version; /* (TLS1_VERSION ...) */
  gboolean wants_ssl;   /* the value also names SSL 2.0/3.0 */
  gboolean gap;         /* |versions| is not one range */
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

/* vgw_tls_versions_drop_legacy takes TLS 1.0 and 1.1 out of |p| for a
 * server whose key cannot make their signatures (the crypto engine's RSA
 * keys sign no MD5-SHA1), when a later version remains, and says so in its
 * rule. Returns whether it did. A policy of TLS 1.0/1.1 only is left as it
 * is: its handshakes fail at the signature. */
gboolean vgw_tls_versions_drop_legacy(VgwTlsVersionPolicy *p);

/* vgw_tls_versions_apply is the hook where vgwd's SSL_CTXs are made: it
 * sets |ctx|'s version range to |p|'s and its TLS 1.2 cipher list to
 * |ciphers| (OpenSSL syntax) followed by the ECDHE CBC-SHA suites, the
 * only ones TLS 1.0 and 1.1 have (also offered by a client whose policy
 * excludes those versions: an old server then answers with its version
 * and is refused with protocol_version, not handshake_failure), and keeps
 * a copy of |p| with |ctx|. A policy with a gap also takes |ctx|'s
 * select-certificate callback (SSL_CTX_set_select_certificate_cb): a
 * caller that needs that callback for itself must not use both. FALSE
 * with |error| set (VGW_TLS_ERROR_SETUP) if BoringSSL refuses. */
gboolean vgw_tls_versions_apply(SSL_CTX *ctx, const VgwTlsVersionPolicy *p,
                                const char *ciphers, GError **error);

/* vgw_tls_versions_rule returns the rule of the policy applied to |ctx|,
 * or NULL if none was. Valid while |ctx| lives. */
const char *vgw_tls_versions_rule(const SSL_CTX *ctx);

/* vgw_tls_versions_refuse_outside is called when a handshake completed
 * on |ssl|: if the version is not in the policy of its SSL_CTX (one inside
 * a gap, which a server may pick), it sends a protocol_version alert and
 * returns TRUE: the connection is to fail as VGW_TLS_ERROR_VERSION. */
gboolean vgw_tls_versions_refuse_outside(SSL *ssl);

/* vgw_tls_versions_log logs |p| for TLS Context |context|, with a warning
 * when SSL 2.0/3.0 was asked for (a forced deviation). For vgwd's boot and
 * each change. */
void vgw_tls_versions_log(const VgwTlsVersionPolicy *p, guint context);

G_END_DECLS

#endif /* VGW_TLS_VERSIONS_H */
