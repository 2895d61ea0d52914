/*
 * What a TLS Context asks of the connections it serves in one role, the
 * gateway as TLS server (it accepted the connection) or as TLS client (it
 * opened it): the version policy (tls_versions.h) and the TLSContexts
 * row's cipher columns for that role and its key-exchange groups.
 *
 *  - ServerCipherString / ClientCipherString (TLS 1.2 and below, OpenSSL
 *    syntax): "DEFAULT" is vgw's ECDHE AEAD set; any other string is
 *    BoringSSL's reading of it without RSA key exchange (the engine's key
 *    signs, it never decrypts), exactly: "DEFAULT" alone is followed by
 *    the ECDHE CBC-SHA suites TLS 1.0 and 1.1 need (tls_versions.h). A
 *    string BoringSSL refuses makes the context unusable in that role
 *    (logged), never silently another set.
 *  - ServerCipherTLS13String / ClientCipherTLS13String: BoringSSL's TLS
 *    1.3 suites are fixed (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305)
 *    and cannot be narrowed: the column is kept for the log, and a string
 *    that leaves one of them out is logged as not enforced (a forced
 *    deviation, documented in docs/parameters.md).
 *  - KeyExchangeGroups: the groups BoringSSL knows of the list, in its
 *    order (X25519, P-256, P-384, P-521); the others (X448) are left out
 *    (logged by vgw_tls_role_policy_log). None known: the context is unusable in that role. Under
 *    TLS 1.2 they also bound the curve of an ECDSA certificate either
 *    side accepts (RFC 8422 §5.1.1).
 *
 * Under the 6.4 manual only the TLS version is global (TLSVersion): the
 * cipher and group columns of every context apply under both manuals.
 */
#ifndef VGW_TLS_ROLE_POLICY_H
#define VGW_TLS_ROLE_POLICY_H

#include <glib.h>
#include <openssl/base.h>

#include "param_config.h"
#include "tls/tls_versions.h"

G_BEGIN_DECLS

/* The string columns hold at most 255 characters (docs/parameters.md). */
#define VGW_TLS_POLICY_STRING_LEN 256

typedef struct {
  VgwTlsVersionPolicy versions;
  char ciphers[VGW_TLS_POLICY_STRING_LEN];  /* TLS <= 1.2, as configured */
  char tls13[VGW_TLS_POLICY_STRING_LEN];    /* TLS 1.3 suites, as configured */
  char groups[VGW_TLS_POLICY_STRING_LEN];   /* KeyExchangeGroups */
  char where[48];  /* "TLSContexts 2 as client", for logs */
} VgwTlsRolePolicy;

/* vgw_tls_role_policy fills |out| with TLS Context |context|'s policy for
 * its connections in the client role (|client|) or the server role, under
 * |cfg| (a context with no row: its version policy, tls_versions.h, and
 * the columns' defaults). */
void vgw_tls_role_policy(const VgwParamConfig *cfg, guint context,
                         gboolean client, VgwTlsRolePolicy *out);

/* vgw_tls_role_policy_builtin fills |out| with the policy of a server or
 * client made without a configuration (unit tests, the benchmark): the
 * built-in versions, vgw's cipher set, BoringSSL's groups. */
void vgw_tls_role_policy_builtin(VgwTlsRolePolicy *out);

/* vgw_tls_role_policy_apply gives |ctx| the versions (vgw_tls_versions_apply),
 * the TLS 1.2 cipher list and the groups of |p| (those BoringSSL has).
 * FALSE with |error| (VGW_TLS_ERROR_SETUP, naming the column) when a
 * column cannot be applied at all. */
gboolean vgw_tls_role_policy_apply(SSL_CTX *ctx, const VgwTlsRolePolicy *p,
                                   GError **error);

/* vgw_tls_role_policy_log logs what BoringSSL cannot do of a context's
 * policies for the two roles, |server| and |client| (see the top of this
 * file): each role's TLS 1.3 suites that are not enforced, the groups it
 * lacks (once: the roles share them). For boot and each change, not for
 * every SSL_CTX. */
void vgw_tls_role_policy_log(const VgwTlsRolePolicy *server,
                             const VgwTlsRolePolicy *client);

/* vgw_tls_role_policy_equal: whether |a| and |b| ask the same. */
gboolean vgw_tls_role_policy_equal(const VgwTlsRolePolicy *a,
                                   const VgwTlsRolePolicy *b);

G_END_DECLS

#endif /* VGW_TLS_ROLE_POLICY_H */
