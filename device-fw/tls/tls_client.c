/* vgwd as a TLS client: see tls_client.h. */
#include "tls/tls_client.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <unistd.h>

#include "tls/tls_identity.h"
#include "tls/tls_peer_name.h"
#include "tls/tls_pool.h"

struct VgwTlsClient {
  VgwTlsServer *pool;  /* connections, bounds, counters, stream handler */
  SSL_CTX *ctx;        /* for the next connections; NULL: to be made */
  X509 *cert;          /* offered when a server asks; NULL: none */
  STACK_OF(X509) *chain; /* sent after |cert|; NULL: none */
  guint slot;
  uint32_t key_type;
  gboolean verify;
  char *verify_rule;   /* why it verifies, for the log; NULL: none */
  GBytes *roots;       /* PEM bundle; NULL: none */
  gboolean check_names; /* PeerHostNameVerificationMode covers the role */
  char *remote_subject_name; /* TLSRemoteSubjectName; NULL: none */
  gboolean strict_names; /* StrictHostNameMatch */
  VgwTlsVersionPolicy versions;
};

VgwTlsClient *vgw_tls_client_new(VgwTlsSigner *signer) {
  VgwTlsClient *c = g_new0(VgwTlsClient, 1);

  c->pool = vgw_tls_server_new(signer);
  vgw_tls_version_policy_builtin(&c->versions);
  return c;
}

static void client_reset_ctx(VgwTlsClient *c) {
  SSL_CTX_free(c->ctx);
  c->ctx = NULL;
}

gboolean vgw_tls_client_set_engine_identity(VgwTlsClient *c, X509 *cert,
                                            STACK_OF(X509) *chain,
                                            guint slot, uint32_t key_type,
                                            GError **error) {
  X509_up_ref(cert);
  X509_free(c->cert);
  c->cert = cert;
  sk_X509_pop_free(c->chain, X509_free);
  c->chain = chain != NULL ? X509_chain_up_ref(chain) : NULL;
  c->slot = slot;
  c->key_type = key_type;
  client_reset_ctx(c);
  return TRUE;
}

void vgw_tls_client_set_verify(VgwTlsClient *c, gboolean verify,
                               GBytes *roots) {
  if (roots != NULL) {
    g_bytes_ref(roots);
  }
  if (c->roots != NULL) {
    g_bytes_unref(c->roots);
  }
  c->verify = verify;
  c->roots = roots;
  client_reset_ctx(c);
}

void vgw_tls_client_set_verify_rule(VgwTlsClient *c, const char *rule) {
  g_free(c->verify_rule);
  c->verify_rule = g_strdup(rule);
}

void vgw_tls_client_set_peer_names(VgwTlsClient *c, gboolean check,
                                   const char *remote_subject_name,
                                   gboolean strict) {
  if (c->check_names == check && c->strict_names == strict &&
      g_strcmp0(c->remote_subject_name, remote_subject_name) == 0) {
    return; /* every configuration change comes here */
  }
  c->check_names = check;
  g_free(c->remote_subject_name);
  c->remote_subject_name = g_strdup(remote_subject_name);
  c->strict_names = strict;
  client_reset_ctx(c);
}

void vgw_tls_client_set_versions(VgwTlsClient *c,
                                 const VgwTlsVersionPolicy *versions) {
  c->versions = *versions;
  client_reset_ctx(c);
}

void vgw_tls_client_set_stream(VgwTlsClient *c, const VgwTlsStreamOps *ops,
                               gpointer data) {
  vgw_tls_server_set_stream(c->pool, ops, data);
}

/* add_roots puts every certificate of the PEM bundle |roots| in |store|;
 * the number added. */
static guint add_roots(X509_STORE *store, GBytes *roots) {
  gsize len;
  const void *pem = g_bytes_get_data(roots, &len);
  BIO *bio = BIO_new_mem_buf(pem, (int)MIN(len, G_MAXINT));
  X509 *x;
  guint n = 0;

  while (bio != NULL &&
         (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
    if (X509_STORE_add_cert(store, x)) {
      n++;
    }
    X509_free(x);
  }
  ERR_clear_error(); /* the end of the bundle reads as an error */
  BIO_free(bio);
  return n;
}

/* client_ctx: the SSL_CTX for a new connection, made when the identity or
 * the verification changed. */
static SSL_CTX *client_ctx(VgwTlsClient *c, GError **error) {
  if (c->ctx != NULL) {
    return c->ctx;
  }
  c->ctx = vgw_tls_ctx_new(c->cert, c->key_type, &c->versions, error);
  if (c->ctx == NULL) {
    return NULL;
  }
  if (c->cert != NULL) {
    SSL_CTX_set_private_key_method(c->ctx, &vgw_tls_engine_key_method);
  }
  if (c->chain != NULL && !SSL_CTX_set1_chain(c->ctx, c->chain)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "cannot set the certificate chain");
    client_reset_ctx(c);
    return NULL;
  }
  if (c->check_names) {
    vgw_tls_peer_name_install(c->ctx, c->verify, 0);
    g_message("tls client: the server certificate must name the Proxy Set "
              "address (PeerHostNameVerificationMode%s)",
              c->strict_names ? ", strict RFC 5922: StrictHostNameMatch 1"
                              : "");
  }
  if (!c->verify) {
    if (!c->check_names) {
      SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
    }
    g_message("tls client: server certificates are not verified "
              "(VerifyServerCertificate 0)");
    return c->ctx;
  }
  guint n = c->roots != NULL
                ? add_roots(SSL_CTX_get_cert_store(c->ctx), c->roots)
                : 0;
  if (!c->check_names) {
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
  }
  if (n == 0) {
    /* Verifying against nothing refuses every server: said once here, and
     * each refusal is logged with its reason. */
    g_warning("tls client: VerifyServerCertificate 1 and no trusted root "
              "certificate (no %s): every server certificate is refused",
              VGW_TLS_CONTEXT0_ROOTS);
  } else {
    g_message("tls client: server certificates are verified against %u "
              "trusted root certificates",
              n);
  }
  return c->ctx;
}

static gboolean is_ip_literal(const char *name) {
  guint8 buf[16];

  return inet_pton(AF_INET, name, buf) == 1 ||
         inet_pton(AF_INET6, name, buf) == 1;
}

/* set_server_name: SNI for a host name (RFC 6066 §3: never for an
 * address), and, when host names are checked, the name the certificate
 * must carry: the Proxy Set address as configured (tls_hostname.h). Chain
 * verification alone (VerifyServerCertificate) does not look at names:
 * "to check the subject name too, PeerHostNameVerificationMode must also
 * be set" (gateway-spec.md §1). */
static gboolean set_server_name(VgwTlsClient *c, SSL *ssl, const char *name) {
  if (!is_ip_literal(name) && !SSL_set_tlsext_host_name(ssl, name)) {
    return FALSE;
  }
  if (!c->check_names) {
    return TRUE;
  }
  VgwTlsNameCheck check = {&name, 1, c->remote_subject_name,
                           c->strict_names};
  return vgw_tls_peer_name_expect(ssl, &check);
}

VgwTlsConn *vgw_tls_client_connect(VgwTlsClient *c, int fd,
                                   const char *server_name, const char *peer,
                                   gpointer conn_data, GError **error) {
  SSL_CTX *ctx;
  SSL *ssl;

  g_return_val_if_fail(conn_data != NULL, NULL);
  if (!vgw_tls_pool_admit(c->pool, peer, error) ||
      (ctx = client_ctx(c, error)) == NULL) {
    close(fd);
    return NULL;
  }
  ssl = SSL_new(ctx);
  if (ssl == NULL || !set_server_name(c, ssl, server_name) ||
      (c->verify && c->verify_rule != NULL &&
       !vgw_tls_ssl_set_cert_rule(ssl, c->verify_rule))) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "cannot set up a connection to %s", peer);
    SSL_free(ssl);
    close(fd);
    return NULL;
  }
  SSL_set_connect_state(ssl);
  VgwTlsConn *conn = vgw_tls_pool_start(
      c->pool, fd, ssl, peer, -1, c->cert != NULL, c->slot, c->key_type,
      /* ProxySet.TLSContextName is not applied yet */
      "TLS Context 0 (default: outgoing connections present context 0)",
      conn_data, error);
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
  SSL_CTX_free(c->ctx);
  X509_free(c->cert);
  sk_X509_pop_free(c->chain, X509_free);
  if (c->roots != NULL) {
    g_bytes_unref(c->roots);
  }
  g_free(c->verify_rule);
  g_free(c->remote_subject_name);
  g_free(c);
}
