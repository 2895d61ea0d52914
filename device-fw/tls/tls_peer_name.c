/* Peer host-name verification in the handshake: see tls_peer_name.h. */
#include "tls/tls_peer_name.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

/* What one connection expects of its peer, and what it got. */
typedef struct {
  char **references;
  char *remote_subject_name;
  VgwTlsNameCheck check;  /* points into the above */
  gboolean checked;
  VgwTlsNameVerdict verdict;
} PeerName;

static void peer_name_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad,
                           int index, long argl, void *argp) {
  PeerName *p = ptr;

  if (p == NULL) {
    return;
  }
  g_strfreev(p->references);
  g_free(p->remote_subject_name);
  g_free(p);
}

static int peer_name_index(void) {
  static gsize once;
  static int index = -1;

  if (g_once_init_enter(&once)) {
    index = SSL_get_ex_new_index(0, NULL, NULL, NULL, peer_name_free);
    g_once_init_leave(&once, 1);
  }
  return index;
}

static PeerName *peer_name(const SSL *ssl) {
  return SSL_get_ex_data(ssl, peer_name_index());
}

/* verify_peer replaces X509_verify_cert for the installed contexts: the
 * chain (when |arg| says so), then the names. */
static int verify_peer(X509_STORE_CTX *store_ctx, void *arg) {
  gboolean verify_chain = GPOINTER_TO_INT(arg);
  SSL *ssl =
      X509_STORE_CTX_get_ex_data(store_ctx,
                                 SSL_get_ex_data_X509_STORE_CTX_idx());

  if (verify_chain && X509_verify_cert(store_ctx) != 1) {
    return 0;
  }
  if (ssl != NULL &&
      !vgw_tls_peer_name_match(ssl, X509_STORE_CTX_get0_cert(store_ctx))) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_HOSTNAME_MISMATCH);
    return 0;
  }
  return 1;
}

gboolean vgw_tls_peer_name_match(SSL *ssl, X509 *cert) {
  PeerName *p = peer_name(ssl);

  if (p == NULL) {
    return TRUE;
  }
  p->checked = TRUE;
  return vgw_tls_hostname_check(cert, &p->check, &p->verdict);
}

void vgw_tls_peer_name_install(SSL_CTX *ctx, gboolean verify_chain,
                               int extra_mode) {
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | extra_mode, NULL);
  SSL_CTX_set_cert_verify_callback(ctx, verify_peer,
                                   GINT_TO_POINTER(verify_chain));
}

gboolean vgw_tls_peer_name_expect(SSL *ssl, const VgwTlsNameCheck *check) {
  PeerName *p = g_new0(PeerName, 1);

  p->references = g_new0(char *, check->n_references + 1);
  for (guint k = 0; k < check->n_references; k++) {
    p->references[k] = g_strdup(check->references[k]);
  }
  p->remote_subject_name = g_strdup(check->remote_subject_name);
  p->check = (VgwTlsNameCheck){(const char *const *)p->references,
                               check->n_references, p->remote_subject_name,
                               check->strict};
  g_assert(peer_name(ssl) == NULL);
  if (!SSL_set_ex_data(ssl, peer_name_index(), p)) {
    peer_name_free(NULL, p, NULL, 0, 0, NULL);
    return FALSE;
  }
  return TRUE;
}

const VgwTlsNameVerdict *vgw_tls_peer_name_verdict(const SSL *ssl) {
  const PeerName *p = peer_name(ssl);

  return p != NULL && p->checked ? &p->verdict : NULL;
}

gboolean vgw_tls_peer_name_refused(const SSL *ssl) {
  const VgwTlsNameVerdict *v = vgw_tls_peer_name_verdict(ssl);

  return v != NULL && !vgw_tls_name_rule_accepts(v->rule);
}

char *vgw_tls_peer_name_describe(const SSL *ssl) {
  const VgwTlsNameVerdict *v = vgw_tls_peer_name_verdict(ssl);

  if (v == NULL) {
    return NULL;
  }
  return g_strdup_printf("%s: %s", vgw_tls_name_rule_name(v->rule),
                         v->sentence);
}
