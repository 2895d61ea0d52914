/* vgwd as a TLS client: see tls_client.h. */
#include "tls/tls_client.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>
#include <unistd.h>

#include "tls/tls_keylog.h"
#include "tls/tls_peer_name.h"
#include "tls/tls_pool.h"

/* One TLS Context as the client presents it. */
typedef struct {
  guint context;
  VgwTlsClientContext material; /* owns its certificates */
  SSL_CTX *ctx; /* for the next connections; NULL: to be made */
} Profile;

struct VgwTlsClient {
  VgwTlsServer *pool;  /* connections, bounds, counters, stream handler */
  GHashTable *profiles; /* context number -> Profile* */
  gboolean verify;
  char *verify_rule;   /* why it verifies, for the log; NULL: none */
  gboolean check_names; /* PeerHostNameVerificationMode covers the role */
  char *remote_subject_name; /* TLSRemoteSubjectName; NULL: none */
};

static void profile_reset_ctx(Profile *p) {
  SSL_CTX_free(p->ctx);
  p->ctx = NULL;
}

static void profile_free(Profile *p) {
  profile_reset_ctx(p);
  X509_free(p->material.cert);
  sk_X509_pop_free(p->material.chain, X509_free);
  sk_X509_pop_free(p->material.roots, X509_free);
  g_free(p);
}

VgwTlsClient *vgw_tls_client_new(VgwTlsSigner *signer) {
  VgwTlsClient *c = g_new0(VgwTlsClient, 1);

  c->pool = vgw_tls_server_new(signer);
  c->profiles = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                      (GDestroyNotify)profile_free);
  return c;
}

/* reset_ctxs makes every context's SSL_CTX again for the next connection,
 * which logs how it verifies servers. */
static void reset_ctxs(VgwTlsClient *c) {
  GHashTableIter iter;
  gpointer p;

  g_hash_table_iter_init(&iter, c->profiles);
  while (g_hash_table_iter_next(&iter, NULL, &p)) {
    profile_reset_ctx(p);
  }
}

void vgw_tls_client_set_context(VgwTlsClient *c, guint context,
                                const VgwTlsClientContext *material) {
  if (material == NULL) {
    g_hash_table_remove(c->profiles, GUINT_TO_POINTER(context));
    return;
  }
  Profile *p = g_new0(Profile, 1);
  p->context = context;
  p->material = *material;
  if (material->cert != NULL) {
    X509_up_ref(material->cert);
  }
  p->material.chain =
      material->chain != NULL ? X509_chain_up_ref(material->chain) : NULL;
  p->material.roots =
      material->roots != NULL ? X509_chain_up_ref(material->roots) : NULL;
  g_hash_table_replace(c->profiles, GUINT_TO_POINTER(context), p);
}

void vgw_tls_client_set_verify(VgwTlsClient *c, gboolean verify,
                               const char *rule) {
  c->verify = verify;
  g_free(c->verify_rule);
  c->verify_rule = g_strdup(rule);
  reset_ctxs(c);
}

void vgw_tls_client_set_peer_names(VgwTlsClient *c, gboolean check,
                                   const char *remote_subject_name) {
  if (c->check_names == check &&
      g_strcmp0(c->remote_subject_name, remote_subject_name) == 0) {
    return; /* every configuration change comes here */
  }
  c->check_names = check;
  g_free(c->remote_subject_name);
  c->remote_subject_name = g_strdup(remote_subject_name);
  reset_ctxs(c);
}

void vgw_tls_client_set_stream(VgwTlsClient *c, const VgwTlsStreamOps *ops,
                               gpointer data) {
  vgw_tls_server_set_stream(c->pool, ops, data);
}

/* log_verification says, when |p|'s SSL_CTX is made, how its
 * connections judge servers. */
static void log_verification(VgwTlsClient *c, const Profile *p) {
  guint n = p->material.roots != NULL
                ? (guint)sk_X509_num(p->material.roots)
                : 0;

  if (c->check_names) {
    g_message("tls client: context %u: the server certificate must name "
              "the Proxy Set address (PeerHostNameVerificationMode%s)",
              p->context,
              p->material.strict_names
                  ? ", strict RFC 5922: StrictHostNameMatch 1"
                  : "");
  }
  if (!c->verify) {
    g_message("tls client: context %u: server certificates are not "
              "verified (VerifyServerCertificate 0)",
              p->context);
  } else if (n == 0) {
    /* Verifying against nothing refuses every server: said once here, and
     * each refusal is logged with its reason. */
    g_warning("tls client: context %u: %s and no trusted root "
              "certificate: every server certificate is refused",
              p->context, c->verify_rule ? c->verify_rule : "verification");
  } else {
    g_message("tls client: context %u: server certificates are verified "
              "against its %u trusted root certificates",
              p->context, n);
  }
}

/* profile_ctx: the SSL_CTX for a new connection presenting |p|, made when
 * the context or the verification changed. */
static SSL_CTX *profile_ctx(VgwTlsClient *c, Profile *p, GError **error) {
  const VgwTlsClientContext *m = &p->material;

  if (p->ctx != NULL) {
    return p->ctx;
  }
  p->ctx = vgw_tls_ctx_new(m->cert, m->key_type, &m->policy, error);
  if (p->ctx == NULL) {
    return NULL;
  }
  if (m->cert != NULL) {
    SSL_CTX_set_private_key_method(p->ctx, &vgw_tls_engine_key_method);
  }
  if (m->chain != NULL && !SSL_CTX_set1_chain(p->ctx, m->chain)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "cannot set the certificate chain of context %u",
                      p->context);
    profile_reset_ctx(p);
    return NULL;
  }
  vgw_tls_keylog_set_context(p->ctx, p->context);
  log_verification(c, p);
  return p->ctx;
}

static gboolean is_ip_literal(const char *name) {
  guint8 buf[16];

  return inet_pton(AF_INET, name, buf) == 1 ||
         inet_pton(AF_INET6, name, buf) == 1;
}

/* set_checks gives |ssl| its SNI for a host name (RFC 6066 §3: never for
 * an address) and what it asks of the server's certificate: the chain
 * against |p|'s roots under VerifyServerCertificate, then, when host
 * names are checked, the name dialled: the Proxy Set address as
 * configured (tls_hostname.h). Chain verification alone does not look at
 * names: "to check the subject name too, PeerHostNameVerificationMode
 * must also be set" (gateway-spec.md §1). */
static gboolean set_checks(VgwTlsClient *c, const Profile *p, SSL *ssl,
                           const char *name) {
  if (!is_ip_literal(name) && !SSL_set_tlsext_host_name(ssl, name)) {
    return FALSE;
  }
  if (c->check_names) {
    VgwTlsNameCheck check = {&name, 1, c->remote_subject_name,
                             p->material.strict_names};
    if (!vgw_tls_peer_name_expect(ssl, &check)) {
      return FALSE;
    }
  }
  if (!c->verify && !c->check_names) {
    return TRUE;
  }
  STACK_OF(X509) *none = sk_X509_new_null();
  STACK_OF(X509) *roots =
      p->material.roots != NULL ? p->material.roots : none;
  gboolean ok = none != NULL &&
                vgw_tls_ssl_verify_server(ssl, c->verify ? roots : NULL,
                                          c->verify ? c->verify_rule : NULL,
                                          c->check_names ? name : NULL);
  sk_X509_free(none);
  return ok;
}

/* usable_profile is context |context|'s profile if it has a certificate. */
static Profile *usable_profile(VgwTlsClient *c, guint context) {
  Profile *p = g_hash_table_lookup(c->profiles, GUINT_TO_POINTER(context));

  return p != NULL && p->material.cert != NULL ? p : NULL;
}

VgwTlsConn *vgw_tls_client_connect(VgwTlsClient *c, int fd, guint context,
                                   const char *why, const char *server_name,
                                   const char *peer, gpointer conn_data,
                                   GError **error) {
  Profile *p = usable_profile(c, context);
  char label[160];
  SSL_CTX *ctx;
  SSL *ssl;

  g_return_val_if_fail(conn_data != NULL, NULL);
  vgw_tls_context_label(label, sizeof(label), context, why, p != NULL);
  if (p == NULL) {
    /* Context 0's profile exists from the service's start; without it
     * (unit tests) there is nothing to present. */
    p = g_hash_table_lookup(c->profiles, GUINT_TO_POINTER(0));
  }
  if (p == NULL) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "cannot connect to %s: no TLS Context", peer);
    close(fd);
    return NULL;
  }
  if (!vgw_tls_pool_admit(c->pool, peer, error) ||
      (ctx = profile_ctx(c, p, error)) == NULL) {
    close(fd);
    return NULL;
  }
  ssl = SSL_new(ctx);
  if (ssl == NULL || !set_checks(c, p, ssl, server_name)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "cannot set up a connection to %s", peer);
    SSL_free(ssl);
    close(fd);
    return NULL;
  }
  SSL_set_connect_state(ssl);
  VgwTlsConn *conn = vgw_tls_pool_start(
      c->pool, fd, ssl, peer, -1, p->material.cert != NULL,
      p->material.slot, p->material.key_type, label, conn_data, error);
  if (conn != NULL) {
    g_autofree char *owner = g_strdup_printf("server %s", server_name);
    vgw_tls_conn_set_owner(conn, owner);
  }
  return conn;
}

void vgw_tls_client_info(VgwTlsClient *c, VgwTlsServerInfo *out) {
  vgw_tls_server_info(c->pool, out);
}

void vgw_tls_client_foreach_conn(VgwTlsClient *c, VgwTlsConnFunc func,
                                 gpointer data) {
  vgw_tls_server_foreach_conn(c->pool, func, data);
}

void vgw_tls_client_set_rehandshake_interval(VgwTlsClient *c, guint seconds) {
  vgw_tls_server_set_rehandshake_interval(c->pool, seconds);
}

void vgw_tls_client_free(VgwTlsClient *c) {
  if (c == NULL) {
    return;
  }
  vgw_tls_server_free(c->pool);
  g_hash_table_destroy(c->profiles);
  g_free(c->verify_rule);
  g_free(c->remote_subject_name);
  g_free(c);
}
