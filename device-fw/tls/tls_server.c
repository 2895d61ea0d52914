/* The TLS listener: see tls_server.h. */
#include "tls/tls_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <glib-unix.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sockets.h"
#include "tls/tls_cert.h"
#include "tls/tls_bundle.h"
#include "tls/tls_keylog.h"
#include "tls/tls_peer_verify.h"
#include "tls/tls_peer_name.h"
#include "tls/tls_pool.h"
#include "tls/tls_role_policy.h"
#include "tls/tls_versions.h"
#include "vgw_crypto.h"

/* Application data is read in chunks of READ_CHUNK, at most
 * READS_PER_WAKEUP of them per wake-up, so that one busy connection does
 * not keep the main loop (and the watchdog kick) waiting. A stream handler
 * that takes its time over what it read bounds it further with
 * vgw_tls_conn_hold(). */
#define READ_CHUNK 16384
#define READS_PER_WAKEUP 64
/* What the stream handler writes while it takes what one wake-up read
 * is gathered up to this much (a full TLS record) and written at once. */
#define GATHER_LIMIT 16384

/* What new connections are served with. */
typedef struct {
  SSL_CTX *ctx;
  gboolean engine; /* the key is in the engine (else software) */
  guint slot;
  uint32_t key_type;
  char *subject;
  char *fingerprint;
} Identity;

/* One listening socket; its connections carry its tag. */
struct VgwTlsListener {
  VgwTlsServer *server;
  int fd;
  guint accept_source;
  uint16_t port;
  int tag;
  guint context;  /* the TLS Context it serves (vgw_tls_listener_set_context) */
  char *why;      /* why, for the per-connection log line */
  gboolean require_client_cert; /* vgw_tls_listener_set_client_auth */
  char *client_auth_rule;       /* the rule that says so, for the log */
  char *owner;    /* what its connections belong to (set_owner) */
};

struct VgwTlsServer {
  GList *listeners;   /* VgwTlsListener*, oldest first */
  VgwTlsSigner *signer;
  VgwTlsRolePolicy policy; /* of the identities set from now on without
                            * one of their own (Context 0's) */
  Identity *engine_id;    /* Context 0 */
  Identity *software_id;
  GHashTable *context_ids; /* context number > 0 -> Identity* */
  GHashTable *context_roots; /* context number -> STACK_OF(X509)* */
  gboolean use_software;
  /* PeerHostNameVerificationMode in the server role
   * (vgw_tls_server_set_client_names): |client_names_off| NULL when
   * checked. */
  VgwTlsClientNames client_names;
  char *remote_subject_name;
  char *client_names_off;
  GQueue half_open;   /* VgwTlsConn*, oldest first */
  GQueue established; /* VgwTlsConn* */
  VgwTlsStreamOps stream; /* open is NULL: application data discarded */
  gpointer stream_data;
  guint max_half_open;
  guint max_established;
  guint handshake_timeout_s;
  guint64 handshakes;
  guint64 failures;
  guint64 failures_by_reason[VGW_TLS_ERROR_COUNT];
  guint rehandshake_interval_s; /* TLSReHandshakeInterval; 0: never */
  guint64 key_updates;         /* sent, by every connection */
  guint64 renewals;            /* TLS 1.2 re-handshakes asked of renew() */
  /* Log rate limit. */
  gint64 log_second;
  guint logged;
  guint suppressed;
  guint flush_source;
};

struct VgwTlsConn {
  VgwTlsServer *server;
  int tag;    /* its listener's */
  GList node; /* in server->half_open, then in server->established */
  int fd;
  SSL *ssl;
  char peer[VGW_PEER_LEN];
  gboolean engine_key;
  guint slot;
  gboolean handshake_done;
  guint watch;
  guint deadline;
  guint timeout_s; /* for the handshake, from accept */
  char alert[96]; /* the last alert sent or received, for the log */
  char context[160]; /* the TLS Context it got and why, for the log */
  guint64 discarded; /* application data read with no stream handler */
  gpointer app;      /* the stream handler's, once the handshake is done
                      * (a client connection's from the start) */
  gboolean client;   /* we opened it (tls_client.h) */
  GByteArray *out;   /* queued for SSL_write */
  gboolean aborted;  /* to be closed from the main loop */
  guint resume;      /* idle source: serve again without a socket event */
  gboolean held;     /* the stream handler takes no data for now */
  gboolean gathering; /* writes wait for the end of read_app() */
  /* Mutual authentication's verdict (what it asks is the SSL's
   * CertCheck, cert_check_of). */
  VgwTlsPeerIdentity *peer_identity; /* the verified client certificate's */
  GError *verify_error;              /* why it was refused */
  char owner[96];     /* what it belongs to, "" unknown (client role) */
  gint64 opened_us;   /* monotonic, when it was accepted or connected */
  guint64 bytes_in;   /* application data */
  guint64 bytes_out;
  guint rehandshake_timer; /* the TLSReHandshakeInterval timer */
  guint64 key_updates;     /* KeyUpdates sent */
  guint64 renewals;        /* re-handshakes asked of stream.renew() */
  guint idle_key_updates;  /* sent since bytes_out last grew */
  guint64 bytes_out_at_key_update;
  gboolean key_update_unsent; /* queued in BoringSSL, not yet written */
};

static void conn_drive(VgwTlsConn *c);
static gboolean on_resume(gpointer data);
static gboolean flush_out(VgwTlsConn *c);

/* resume_soon serves |c| again from the main loop without waiting for a
 * socket event. At the default priority, like the socket watches: a
 * connection with data already decrypted (or held by its handler) takes
 * its turn in every loop iteration, not only when the loop is idle. */
static void resume_soon(VgwTlsConn *c) {
  if (c->resume == 0) {
    c->resume = g_idle_add_full(G_PRIORITY_DEFAULT, on_resume, c, NULL);
  }
}

static gboolean on_log_flush(gpointer data) {
  VgwTlsServer *s = data;
  if (s->suppressed > 0) {
    g_message(
        "tls: %u more handshake/failure lines not logged (%" G_GUINT64_FORMAT
        " handshakes, %" G_GUINT64_FORMAT " failures so far)",
        s->suppressed, s->handshakes, s->failures);
  }
  s->suppressed = 0;
  s->logged = 0;
  s->log_second = g_get_monotonic_time() / G_USEC_PER_SEC;
  s->flush_source = 0;
  return G_SOURCE_REMOVE;
}

/* log_allowed applies VGW_TLS_LOG_PER_SECOND to per-connection lines. */
static gboolean log_allowed(VgwTlsServer *s) {
  gint64 second = g_get_monotonic_time() / G_USEC_PER_SEC;
  if (second != s->log_second && s->suppressed == 0) {
    s->log_second = second;
    s->logged = 0;
  }
  if (s->logged < VGW_TLS_LOG_PER_SECOND) {
    s->logged++;
    return TRUE;
  }
  s->suppressed++;
  if (s->flush_source == 0) {
    s->flush_source = g_timeout_add_seconds(1, on_log_flush, s);
  }
  return FALSE;
}

static void identity_free(Identity *id) {
  if (id == NULL) {
    return;
  }
  SSL_CTX_free(id->ctx);
  g_free(id->subject);
  g_free(id->fingerprint);
  g_free(id);
}

/* A connection's peer-certificate check, fixed when the connection
 * starts: the roots a client certificate must chain to (server role,
 * mutual authentication: those of the TLS Context it is served, a copy,
 * so a context changed meanwhile serves the next ones; NULL: the
 * connection verifies no client certificate) and the rule that asks for
 * the check, named in the log line of a certificate failure. Kept as the
 * SSL's ex_data, so it exists before the first handshake byte is read
 * and goes with the SSL. */
typedef struct {
  STACK_OF(X509) *roots;
  char *rule;
  char *names_for; /* whose names the certificate must carry, for the
                    * log line of a refusal ("the Proxy Sets ..."); NULL:
                    * names are not checked */
} CertCheck;

static void cert_check_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad,
                            int index, long argl, void *argp) {
  CertCheck *check = ptr;
  if (check != NULL) {
    sk_X509_pop_free(check->roots, X509_free);
    g_free(check->rule);
    g_free(check->names_for);
    g_free(check);
  }
}

static int cert_check_index(void) {
  static gsize index;
  if (g_once_init_enter(&index)) {
    int i = SSL_get_ex_new_index(0, NULL, NULL, NULL, cert_check_free);
    g_assert(i >= 0);
    g_once_init_leave(&index, (gsize)i + 1);
  }
  return (int)index - 1;
}

static CertCheck *cert_check_of(const SSL *ssl) {
  return SSL_get_ex_data(ssl, cert_check_index());
}

/* cert_check_attach gives |ssl| a CertCheck of |roots| (copied; NULL:
 * none) and |rule|; FALSE if it cannot. */
static gboolean cert_check_attach(SSL *ssl, STACK_OF(X509) *roots,
                                  const char *rule) {
  CertCheck *check = g_new0(CertCheck, 1);
  check->roots = roots != NULL ? X509_chain_up_ref(roots) : NULL;
  check->rule = g_strdup(rule);
  if ((roots != NULL && check->roots == NULL) ||
      !SSL_set_ex_data(ssl, cert_check_index(), check)) {
    cert_check_free(NULL, check, NULL, 0, 0, NULL);
    return FALSE;
  }
  return TRUE;
}

static enum ssl_verify_result_t verify_server(SSL *ssl, uint8_t *out_alert);

gboolean vgw_tls_ssl_verify_server(SSL *ssl, STACK_OF(X509) *roots,
                                   const char *rule, const char *dialled) {
  if (!cert_check_attach(ssl, roots, rule)) {
    return FALSE;
  }
  if (dialled != NULL) {
    cert_check_of(ssl)->names_for =
        g_strdup_printf("the server was dialled as %s", dialled);
  }
  SSL_set_custom_verify(ssl, SSL_VERIFY_PEER, verify_server);
  return TRUE;
}

/* is_certificate_reason says whether |code| is a refused peer
 * certificate, whose log line names the rule that asked for the check. */
static gboolean is_certificate_reason(VgwTlsError code) {
  switch (code) {
    case VGW_TLS_ERROR_PEER_CERTIFICATE:
    case VGW_TLS_ERROR_NO_PEER_CERTIFICATE:
    case VGW_TLS_ERROR_UNTRUSTED:
    case VGW_TLS_ERROR_EXPIRED:
    case VGW_TLS_ERROR_NOT_YET_VALID:
    case VGW_TLS_ERROR_CHAIN:
      return TRUE;
    default:
      return FALSE;
  }
}

/* failure_rule is the rule a failure of |ssl| with |code| names, NULL if
 * none: the version policy's for a version failure, the certificate
 * check's for a certificate failure. */
static const char *failure_rule(const SSL *ssl, VgwTlsError code) {
  if (code == VGW_TLS_ERROR_VERSION) {
    return vgw_tls_versions_rule(SSL_get_SSL_CTX(ssl));
  }
  CertCheck *check = cert_check_of(ssl);
  return check != NULL && is_certificate_reason(code) ? check->rule : NULL;
}

static enum ssl_verify_result_t verify_client(SSL *ssl, uint8_t *out_alert);

/* require_client_auth makes |ssl| ask for a client certificate and verify
 * it against |roots| (NULL: none, every certificate is refused), |rule|
 * saying why; FALSE if it cannot be set up. */
static gboolean require_client_auth(SSL *ssl, STACK_OF(X509) *roots,
                                    const char *rule) {
  STACK_OF(X509) *none = roots == NULL ? sk_X509_new_null() : NULL;
  gboolean attached = (roots != NULL || none != NULL) &&
                      cert_check_attach(ssl, roots ? roots : none, rule);
  sk_X509_free(none);
  if (!attached) {
    return FALSE;
  }
  SSL_set_custom_verify(ssl,
                        SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                        verify_client);
  return TRUE;
}

static void on_info(const SSL *ssl, int type, int value) {
  if (!(type & SSL_CB_ALERT)) {
    return;
  }
  VgwTlsConn *c = SSL_get_app_data(ssl);
  if (c != NULL) {
    g_snprintf(c->alert, sizeof(c->alert), "alert %s: %s",
               (type & SSL_CB_READ) ? "received" : "sent",
               SSL_alert_desc_string_long(value));
  }
}

/* vgw_tls_ctx_new (tls_pool.h): the versions, suites and groups of
 * |policy|, |cert| with the signature schemes of |key_type| (so BoringSSL only asks
 * the engine for what it can do), no session resumption (every handshake
 * is a full one: nothing resumes before SIP over TLS needs it). */
SSL_CTX *vgw_tls_ctx_new(X509 *cert, uint32_t key_type,
                         const VgwTlsRolePolicy *policy, GError **error) {
  size_t n;
  const uint16_t *prefs = vgw_tls_sigalgs(key_type, &n);
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  if (ctx == NULL) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "cannot set up the TLS context");
    return NULL;
  }
  if (!vgw_tls_role_policy_apply(ctx, policy, error)) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  if (cert != NULL && (!SSL_CTX_use_certificate(ctx, cert) ||
                       !SSL_CTX_set_signing_algorithm_prefs(ctx, prefs, n))) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "cannot set up the TLS context");
    SSL_CTX_free(ctx);
    return NULL;
  }
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  /* No 0-RTT: early data would reach the stream handler before the
   * client's certificate is verified (it cannot arrive anyway without
   * resumption; said here so it stays so). */
  SSL_CTX_set_early_data_enabled(ctx, 0);
  /* The write queue takes what SSL_write takes and may move in memory. */
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_info_callback(ctx, on_info);
  vgw_tls_keylog_attach(ctx);
  return ctx;
}

/* new_identity makes the SSL_CTX serving |cert| (vgw_tls_ctx_new). */
static Identity *new_identity(X509 *cert, uint32_t key_type,
                              const VgwTlsRolePolicy *policy,
                              GError **error) {
  SSL_CTX *ctx = vgw_tls_ctx_new(cert, key_type, policy, error);
  if (ctx == NULL) {
    return NULL;
  }
  Identity *id = g_new0(Identity, 1);
  id->ctx = ctx;
  id->key_type = key_type;
  id->subject = vgw_tls_cert_subject(cert);
  id->fingerprint = vgw_tls_cert_fingerprint(cert);
  return id;
}

/* identity_policy writes into |out| the policy an identity with a key of
 * |key_type| serves under |policy|. */
static void identity_policy(const VgwTlsRolePolicy *policy, uint32_t key_type,
                            VgwTlsRolePolicy *out) {
  *out = *policy;
  /* ECDSA signs TLS 1.0/1.1's SHA-1 digests; the engine has no RSA
   * scheme for their MD5-SHA1 (vgw_tls_scheme_for_sigalg). */
  if (key_type != VGW_KEY_TYPE_EC_P256 &&
      vgw_tls_versions_drop_legacy(&out->versions)) {
    g_message("tls: %s: TLS server versions: %s", out->where,
              out->versions.rule);
  }
}

/* new_engine_identity makes the identity serving |cert| and |chain| with
 * the key in engine |slot|, under |policy| (NULL: |s|'s). */
static Identity *new_engine_identity(VgwTlsServer *s, X509 *cert,
                                     STACK_OF(X509) *chain, guint slot,
                                     uint32_t key_type,
                                     const VgwTlsRolePolicy *policy,
                                     GError **error) {
  VgwTlsRolePolicy served;
  identity_policy(policy != NULL ? policy : &s->policy, key_type, &served);
  Identity *id = new_identity(cert, key_type, &served, error);
  if (id == NULL) {
    return NULL;
  }
  if (chain != NULL && !SSL_CTX_set1_chain(id->ctx, chain)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "cannot set the certificate chain");
    identity_free(id);
    return NULL;
  }
  SSL_CTX_set_private_key_method(id->ctx, &vgw_tls_engine_key_method);
  id->engine = TRUE;
  id->slot = slot;
  return id;
}

gboolean vgw_tls_server_set_engine_identity(VgwTlsServer *s, X509 *cert,
                                            STACK_OF(X509) *chain,
                                            guint slot, uint32_t key_type,
                                            GError **error) {
  Identity *id =
      new_engine_identity(s, cert, chain, slot, key_type, NULL, error);
  if (id == NULL) {
    return FALSE;
  }
  identity_free(s->engine_id);
  s->engine_id = id;
  return TRUE;
}

gboolean vgw_tls_server_set_context_identity(VgwTlsServer *s, guint context,
                                             X509 *cert,
                                             STACK_OF(X509) *chain,
                                             guint slot, uint32_t key_type,
                                             const VgwTlsRolePolicy *policy,
                                             GError **error) {
  g_return_val_if_fail(context > 0, FALSE);
  if (cert == NULL) {
    g_hash_table_remove(s->context_ids, GUINT_TO_POINTER(context));
    return TRUE;
  }
  Identity *id =
      new_engine_identity(s, cert, chain, slot, key_type, policy, error);
  if (id == NULL) {
    return FALSE;
  }
  vgw_tls_keylog_set_context(id->ctx, context);
  g_hash_table_replace(s->context_ids, GUINT_TO_POINTER(context), id);
  return TRUE;
}

void vgw_tls_listener_set_context(VgwTlsListener *l, guint context,
                                  const char *why) {
  l->context = context;
  g_free(l->why);
  l->why = g_strdup(why);
}

void vgw_tls_listener_set_client_auth(VgwTlsListener *l, gboolean require,
                                      const char *rule) {
  l->require_client_cert = require;
  g_free(l->client_auth_rule);
  l->client_auth_rule = g_strdup(rule);
}

void vgw_tls_server_set_client_names(VgwTlsServer *s,
                                     const VgwTlsClientNames *names,
                                     const char *remote_subject_name,
                                     const char *why_not) {
  g_return_if_fail(names != NULL || why_not != NULL);
  g_free(s->remote_subject_name);
  s->remote_subject_name = g_strdup(remote_subject_name);
  g_free(s->client_names_off);
  s->client_names_off = names == NULL ? g_strdup(why_not) : NULL;
  if (names != NULL) {
    s->client_names = *names;
  }
}

void vgw_tls_server_set_context_roots(VgwTlsServer *s, guint context,
                                      STACK_OF(X509) *roots) {
  if (roots == NULL) {
    g_hash_table_remove(s->context_roots, GUINT_TO_POINTER(context));
    return;
  }
  g_hash_table_replace(s->context_roots, GUINT_TO_POINTER(context),
                       X509_chain_up_ref(roots));
}

static void roots_free(gpointer roots) { sk_X509_pop_free(roots, X509_free); }

gboolean vgw_tls_server_set_software_identity(VgwTlsServer *s, X509 *cert,
                                              EVP_PKEY *key, GError **error) {
  uint32_t key_type = EVP_PKEY_id(key) == EVP_PKEY_EC ? VGW_KEY_TYPE_EC_P256
                      : EVP_PKEY_bits(key) == 3072    ? VGW_KEY_TYPE_RSA_3072
                                                      : VGW_KEY_TYPE_RSA_2048;
  Identity *id = new_identity(cert, key_type, &s->policy, error);
  if (id == NULL) {
    return FALSE;
  }
  if (!SSL_CTX_use_PrivateKey(id->ctx, key) ||
      !SSL_CTX_check_private_key(id->ctx)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_KEY,
                      "the software key does not fit its certificate");
    identity_free(id);
    return FALSE;
  }
  identity_free(s->software_id);
  s->software_id = id;
  return TRUE;
}

gboolean vgw_tls_server_has_software_identity(const VgwTlsServer *s) {
  return s->software_id != NULL;
}

gboolean vgw_tls_server_use_software(VgwTlsServer *s, gboolean software) {
  if (software && s->software_id == NULL) {
    return FALSE;
  }
  s->use_software = software;
  return TRUE;
}

static Identity *current(const VgwTlsServer *s) {
  return s->use_software ? s->software_id : s->engine_id;
}

static void conn_close(VgwTlsConn *c) {
  VgwTlsServer *s = c->server;
  if (c->watch != 0) {
    g_source_remove(c->watch);
  }
  if (c->deadline != 0) {
    g_source_remove(c->deadline);
  }
  if (c->resume != 0) {
    g_source_remove(c->resume);
  }
  if (c->rehandshake_timer != 0) {
    g_source_remove(c->rehandshake_timer);
  }
  if (c->app != NULL) {
    s->stream.closed(c->app);
  }
  g_byte_array_unref(c->out);
  vgw_tls_peer_identity_free(c->peer_identity);
  g_clear_error(&c->verify_error);
  vgw_tls_signer_detach(c->ssl);
  SSL_free(c->ssl);
  close(c->fd);
  g_queue_unlink(c->handshake_done ? &s->established : &s->half_open,
                 &c->node);
  g_free(c);
}

static gboolean on_io(int fd, GIOCondition cond, gpointer data) {
  VgwTlsConn *c = data;
  c->watch = 0; /* every wakeup re-arms what the state needs */
  conn_drive(c);
  return G_SOURCE_REMOVE;
}

static void conn_watch(VgwTlsConn *c, GIOCondition cond) {
  if (c->watch != 0) {
    g_source_remove(c->watch);
    c->watch = 0;
  }
  if (cond != 0) {
    c->watch = g_unix_fd_add(c->fd, cond, on_io, c);
  }
}

/* failure_reason classifies why |ret| (from SSL_do_handshake or SSL_read)
 * failed with |ssl_error| and words it into |buf|. */
static VgwTlsError failure_reason(int ret, int ssl_error, char *buf,
                                  size_t len) {
  int saved_errno = errno;
  uint32_t err = ERR_peek_error();
  VgwTlsError code =
      vgw_tls_handshake_error(ssl_error, ret, err, saved_errno);
  if (ssl_error == SSL_ERROR_SSL && err != 0) {
    const char *reason = ERR_reason_error_string(err);
    g_snprintf(buf, len, "%s", reason ? reason : "TLS error");
  } else if (ssl_error == SSL_ERROR_ZERO_RETURN) {
    g_snprintf(buf, len, "peer closed the connection (close_notify)");
  } else if (ssl_error == SSL_ERROR_SYSCALL && ret == 0) {
    g_snprintf(buf, len, "peer closed the connection");
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    g_snprintf(buf, len, "%s", g_strerror(saved_errno));
  } else {
    g_snprintf(buf, len, "TLS error %d", ssl_error);
  }
  ERR_clear_error();
  return code;
}

static void log_handshake(VgwTlsConn *c) {
  if (!log_allowed(c->server)) {
    return;
  }
  SSL *ssl = c->ssl;
  uint16_t sigalg = vgw_tls_signer_last_sigalg(ssl);
  char key[48];
  if (c->engine_key) {
    g_snprintf(key, sizeof(key), "engine key (slot %u)", c->slot);
  } else {
    g_snprintf(key, sizeof(key), "software key (debug)");
  }
  const char *group = SSL_get_curve_name(SSL_get_curve_id(ssl));
  g_autofree char *names = vgw_tls_peer_name_describe(ssl);
  g_message("tls: handshake %s %s: %s, %s, %s%s%s, %s; %s%s%s",
            c->client ? "to" : "with", c->peer, SSL_get_version(ssl),
            SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl)),
            group ? group : "-", sigalg ? ", " : "",
            sigalg ? SSL_get_signature_algorithm_name(sigalg, 0) : "", key,
            c->context, names ? "; host name: " : "", names ? names : "");
}

/* count_failure counts a connection that failed with |code|. */
static void count_failure(VgwTlsServer *s, VgwTlsError code) {
  s->failures++;
  s->failures_by_reason[code]++;
}

/* handshake_failed counts and logs |c|'s failure: |code| for programs,
 * |detail| for people. */
static void handshake_failed(VgwTlsConn *c, VgwTlsError code,
                             const char *detail) {
  g_autofree char *names = NULL;

  if ((code == VGW_TLS_ERROR_PEER_CERTIFICATE ||
       code == VGW_TLS_ERROR_HOSTNAME) &&
      vgw_tls_peer_name_refused(c->ssl)) {
    code = VGW_TLS_ERROR_HOSTNAME;
    names = vgw_tls_peer_name_describe(c->ssl);
  }
  count_failure(c->server, code);
  if (log_allowed(c->server)) {
    const char *rule = names != NULL ? names : failure_rule(c->ssl, code);
    g_message("tls: handshake %s %s failed: %s%s%s; %s%s%s; reason: %s",
              c->client ? "to" : "with", c->peer, detail,
              c->alert[0] ? "; " : "", c->alert, c->context,
              rule ? "; rule: " : "", rule ? rule : "",
              vgw_tls_error_name(code));
  }
  if (c->client && c->server->stream.failed != NULL) {
    c->server->stream.failed(c->app, code, detail);
  }
}

static gboolean on_deadline(gpointer data) {
  VgwTlsConn *c = data;
  c->deadline = 0;
  char reason[64];
  g_snprintf(reason, sizeof(reason), "no handshake within %u s",
             c->timeout_s);
  handshake_failed(c, VGW_TLS_ERROR_TIMEOUT, reason);
  conn_close(c);
  return G_SOURCE_REMOVE;
}

/* ask_renewal asks the stream handler to replace TLS 1.2 client connection
 * |c|, as BoringSSL cannot renegotiate it. */
static void ask_renewal(VgwTlsConn *c) {
  c->renewals++;
  c->server->renewals++;
  if (log_allowed(c->server)) {
    g_message("tls: %s: TLS 1.2 cannot be renegotiated: to be replaced by a "
              "new connection (TLSReHandshakeInterval; %" G_GUINT64_FORMAT
              " so far)",
              c->peer, c->renewals);
  }
  c->server->stream.renew(c->app);
}

static gboolean on_rehandshake_due(gpointer data) {
  VgwTlsConn *c = data;
  if (c->aborted) {
    return G_SOURCE_CONTINUE; /* closed from the main loop soon */
  }
  if (SSL_version(c->ssl) < TLS1_3_VERSION) {
    ask_renewal(c);
    return G_SOURCE_CONTINUE;
  }
  if (c->bytes_out != c->bytes_out_at_key_update) {
    c->idle_key_updates = 0;
    c->bytes_out_at_key_update = c->bytes_out;
  }
  if (c->idle_key_updates >= VGW_TLS_IDLE_KEY_UPDATES) {
    return G_SOURCE_CONTINUE; /* until we send application data again */
  }
  if (!SSL_key_update(c->ssl, SSL_KEY_UPDATE_REQUESTED)) {
    char reason[160];
    failure_reason(0, SSL_ERROR_SSL, reason, sizeof(reason));
    g_message("tls: %s: cannot update its keys: %s", c->peer, reason);
    return G_SOURCE_CONTINUE;
  }
  c->key_updates++;
  c->idle_key_updates++;
  c->server->key_updates++;
  c->key_update_unsent = TRUE;
  if (log_allowed(c->server)) {
    g_message("tls: %s: KeyUpdate sent, the peer's requested "
              "(TLSReHandshakeInterval; %" G_GUINT64_FORMAT " so far)",
              c->peer, c->key_updates);
  }
  if (!flush_out(c)) {
    vgw_tls_conn_abort(c, "KeyUpdate failed");
    return G_SOURCE_CONTINUE;
  }
  if (c->key_update_unsent) {
    conn_watch(c, (c->held ? 0 : G_IO_IN) | G_IO_OUT);
  }
  return G_SOURCE_CONTINUE;
}

/* arm_rehandshake starts (or restarts, or stops) |c|'s re-handshake timer
 * from the pool's interval: KeyUpdates on TLS 1.3, renew() on a TLS 1.2
 * client connection whose handler has one; BoringSSL cannot renegotiate
 * (tls_server.h). */
static void arm_rehandshake(VgwTlsConn *c) {
  if (c->rehandshake_timer != 0) {
    g_source_remove(c->rehandshake_timer);
    c->rehandshake_timer = 0;
  }
  if (c->server->rehandshake_interval_s > 0 &&
      (SSL_version(c->ssl) >= TLS1_3_VERSION ||
       (c->client && c->server->stream.renew != NULL))) {
    c->rehandshake_timer = g_timeout_add_seconds(
        c->server->rehandshake_interval_s, on_rehandshake_due, c);
  }
}

/* drive_handshake advances the handshake; returns FALSE when the
 * connection is to be closed, TRUE otherwise (*done says it finished). */
static gboolean drive_handshake(VgwTlsConn *c, gboolean *done) {
  *done = FALSE;
  int r = SSL_do_handshake(c->ssl);
  if (r == 1) {
    VgwTlsServer *s = c->server;
    if (vgw_tls_versions_refuse_outside(c->ssl)) {
      char reason[64];
      g_snprintf(reason, sizeof(reason), "%s is not in the policy",
                 SSL_get_version(c->ssl));
      handshake_failed(c, VGW_TLS_ERROR_VERSION, reason);
      return FALSE;
    }
    if (s->established.length >= s->max_established) {
      /* Filled up while this handshake ran: refuse it as accept would. */
      char reason[64];
      g_snprintf(reason, sizeof(reason), "%u established connections open",
                 s->established.length);
      handshake_failed(c, VGW_TLS_ERROR_LIMIT, reason);
      return FALSE;
    }
    g_queue_unlink(&s->half_open, &c->node);
    g_queue_push_tail_link(&s->established, &c->node);
    c->handshake_done = TRUE;
    s->handshakes++;
    if (c->deadline != 0) {
      g_source_remove(c->deadline);
      c->deadline = 0;
    }
    log_handshake(c);
    arm_rehandshake(c);
    *done = TRUE;
    return TRUE;
  }
  int err = SSL_get_error(c->ssl, r);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      conn_watch(c, G_IO_IN);
      return TRUE;
    case SSL_ERROR_WANT_WRITE:
      conn_watch(c, G_IO_OUT);
      return TRUE;
    case SSL_ERROR_WANT_PRIVATE_KEY_OPERATION:
      /* The engine is signing: no socket watch (BoringSSL reads nothing
       * meanwhile, and a readable socket would wake us in a loop); the
       * signer's callback resumes the handshake. */
      conn_watch(c, 0);
      return TRUE;
    default: {
      char reason[256];
      VgwTlsError code = failure_reason(r, err, reason, sizeof(reason));
      if (c->verify_error != NULL) {
        /* The certificate check refused it: its reason, not BoringSSL's
         * CERTIFICATE_VERIFY_FAILED. */
        code = c->verify_error->code;
        g_snprintf(reason, sizeof(reason), "%s %s",
                   c->client ? "server" : "client", c->verify_error->message);
      } else if (code == VGW_TLS_ERROR_NO_PEER_CERTIFICATE) {
        g_snprintf(reason, sizeof(reason), "no client certificate (%s)",
                   SSL_version(c->ssl) >= TLS1_3_VERSION ? "TLS 1.3"
                                                         : "TLS 1.2");
      }
      handshake_failed(c, code, reason);
      return FALSE;
    }
  }
}

/* write_blocked: whether the SSL_write on |c| that returned |n| waits
 * for the socket (TRUE) or failed (FALSE, logged: "cannot WHAT"). */
static gboolean write_blocked(VgwTlsConn *c, int n, const char *what) {
  int err = SSL_get_error(c->ssl, n);
  if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
    return TRUE;
  }
  char reason[160];
  VgwTlsError code = failure_reason(n, err, reason, sizeof(reason));
  g_message("tls: %s: cannot %s: %s (%s)", c->peer, what, reason,
            vgw_tls_error_name(code));
  return FALSE;
}

/* flush_key_update writes a KeyUpdate that BoringSSL holds with no
 * application data to carry it (a zero-length SSL_write flushes it);
 * FALSE when the connection failed. */
static gboolean flush_key_update(VgwTlsConn *c) {
  if (!c->key_update_unsent) {
    return TRUE;
  }
  int n = SSL_write(c->ssl, "", 0);
  if (n >= 0) {
    c->key_update_unsent = FALSE;
    return TRUE;
  }
  return write_blocked(c, n, "send a KeyUpdate");
}

/* flush_out writes what SSL_write takes of the queue; FALSE when the
 * connection failed. */
static gboolean flush_out(VgwTlsConn *c) {
  while (c->out->len > 0) {
    int n = SSL_write(c->ssl, c->out->data, (int)MIN(c->out->len, INT_MAX));
    if (n > 0) {
      g_byte_array_remove_range(c->out, 0, (guint)n);
      c->bytes_out += (guint64)n;
      c->key_update_unsent = FALSE; /* written ahead of the data */
      continue;
    }
    return write_blocked(c, n, "write");
  }
  return flush_key_update(c);
}

/* renegotiation_refused counts and logs |c|, closed because its peer
 * tried to renegotiate (BoringSSL refused it with a no_renegotiation
 * alert, recorded in c->alert). */
static void renegotiation_refused(VgwTlsConn *c, const char *detail) {
  count_failure(c->server, VGW_TLS_ERROR_RENEGOTIATION);
  if (log_allowed(c->server)) {
    g_message("tls: connection %s %s closed: the peer tried to renegotiate "
              "(%s)%s%s; %s; rule: %s; reason: %s",
              c->client ? "to" : "with", c->peer, detail,
              c->alert[0] ? "; " : "", c->alert, c->context,
              VGW_TLS_RENEGOTIATION_RULE,
              vgw_tls_error_name(VGW_TLS_ERROR_RENEGOTIATION));
  }
}

/* read_app reads application data and hands it to the stream handler
 * (discards it without one) until the handler holds the connection. FALSE
 * when the connection is over; *more when READS_PER_WAKEUP stopped it,
 * *want_write when TLS must write before it can read on. */
static gboolean read_app(VgwTlsConn *c, gboolean *more,
                         gboolean *want_write) {
  guint8 buf[READ_CHUNK];
  for (guint i = 0; !c->aborted && !c->held; i++) {
    if (i == READS_PER_WAKEUP) {
      *more = TRUE;
      return TRUE;
    }
    int n = SSL_read(c->ssl, buf, sizeof(buf));
    if (n > 0) {
      c->bytes_in += (guint64)n;
      if (c->app != NULL) {
        c->server->stream.received(c->app, buf, (gsize)n);
      } else {
        c->discarded += (guint64)n;
      }
      continue;
    }
    int err = SSL_get_error(c->ssl, n);
    if (err == SSL_ERROR_WANT_READ) {
      return TRUE;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
      *want_write = TRUE;
      return TRUE;
    }
    char reason[160];
    VgwTlsError code = failure_reason(n, err, reason, sizeof(reason));
    if (code == VGW_TLS_ERROR_RENEGOTIATION) {
      renegotiation_refused(c, reason);
      return FALSE;
    }
    if (code == VGW_TLS_ERROR_PEER_ALERT && log_allowed(c->server)) {
      /* Under TLS 1.3 a server's verdict on our client certificate comes
       * after our side of the handshake is done: said, not only debug. */
      g_message("tls: connection %s %s ended by the peer: %s; %s; %s",
                c->client ? "to" : "with", c->peer, reason, c->alert,
                c->context);
    } else {
      g_debug("tls: %s: connection over (%s: %s), %" G_GUINT64_FORMAT
              " bytes discarded",
              c->peer, vgw_tls_error_name(code), reason, c->discarded);
    }
    return FALSE;
  }
  return TRUE;
}

static gboolean on_resume(gpointer data) {
  VgwTlsConn *c = data;
  c->resume = 0;
  conn_drive(c);
  return G_SOURCE_REMOVE;
}

/* conn_serve moves an established connection's data both ways; FALSE when
 * it is to be closed. */
static gboolean conn_serve(VgwTlsConn *c) {
  gboolean more = FALSE;
  gboolean want_write = FALSE;
  /* The answers to what this wake-up reads go out together, in one TLS
   * record and one write, not one of each per answer; also when the
   * handler then aborted or the peer closed, as they would have at once. */
  c->gathering = TRUE;
  gboolean read = !c->aborted && flush_out(c) &&
                  read_app(c, &more, &want_write);
  c->gathering = FALSE;
  if (!flush_out(c) || !read || c->aborted) {
    return FALSE;
  }
  /* A held connection is not read: its bytes wait in the socket, and the
   * peer slows down as TCP's window closes. */
  conn_watch(c, (c->held ? 0 : G_IO_IN) |
                    (c->out->len > 0 || want_write ? G_IO_OUT : 0));
  if (more) {
    resume_soon(c);
  }
  return TRUE;
}

/* conn_open hands |c|, whose handshake just completed, to the stream
 * handler; FALSE if it refuses the connection. */
static gboolean conn_open(VgwTlsConn *c) {
  VgwTlsServer *s = c->server;
  struct sockaddr_in sa;
  socklen_t salen = sizeof(sa);
  if (c->client) {
    if (s->stream.established != NULL) {
      s->stream.established(c->app);
    }
    return !c->aborted;
  }
  if (s->stream.open == NULL) {
    return TRUE;
  }
  if (getpeername(c->fd, (struct sockaddr *)&sa, &salen) < 0 ||
      sa.sin_family != AF_INET) {
    g_message("tls: %s: gone before it was served", c->peer);
    return FALSE;
  }
  c->app = s->stream.open(c, &sa, c->peer, s->stream_data);
  return c->app != NULL;
}

static void conn_drive(VgwTlsConn *c) {
  if (!c->handshake_done) {
    gboolean done;
    if (!drive_handshake(c, &done)) {
      conn_close(c);
      return;
    }
    /* The stream handler meets the connection only now: nothing the peer
     * sent can reach it before the handshake is complete. */
    if (!done) {
      return;
    }
    if (!conn_open(c)) {
      conn_close(c);
      return;
    }
  }
  if (!conn_serve(c)) {
    conn_close(c);
  }
}

void vgw_tls_server_set_stream(VgwTlsServer *s, const VgwTlsStreamOps *ops,
                               gpointer data) {
  if (ops != NULL) {
    /* A client pool's handler has established() instead of open(). */
    g_return_if_fail((ops->open != NULL || ops->established != NULL) &&
                     ops->received != NULL && ops->closed != NULL);
    s->stream = *ops;
  } else {
    memset(&s->stream, 0, sizeof(s->stream));
  }
  s->stream_data = data;
}

gboolean vgw_tls_conn_write(VgwTlsConn *c, const guint8 *bytes, gsize len) {
  if (c->aborted) {
    return FALSE;
  }
  g_byte_array_append(c->out, bytes, (guint)len);
  if (c->gathering && c->out->len < GATHER_LIMIT) {
    return TRUE; /* conn_serve() writes it */
  }
  if (!flush_out(c)) {
    vgw_tls_conn_abort(c, "write failed");
    return FALSE;
  }
  if (c->out->len > 0) {
    conn_watch(c, G_IO_IN | G_IO_OUT);
  }
  return TRUE;
}

gsize vgw_tls_conn_pending(const VgwTlsConn *c) { return c->out->len; }

void vgw_tls_conn_abort(VgwTlsConn *c, const char *why) {
  if (c->aborted) {
    return;
  }
  g_debug("tls: %s: closing: %s", c->peer, why);
  c->aborted = TRUE;
  conn_watch(c, 0);
  resume_soon(c);
}

void vgw_tls_conn_hold(VgwTlsConn *c, gboolean hold) {
  if (c->held == hold) {
    return;
  }
  c->held = hold;
  if (!hold && !c->aborted) {
    resume_soon(c);
  }
}

static void on_signed(gpointer data) { conn_drive(data); }

/* evict_oldest_half_open drops the half-open connection that has waited
 * longest, to make room for one from |newcomer|. */
static void evict_oldest_half_open(VgwTlsServer *s, const char *newcomer) {
  VgwTlsConn *oldest = g_queue_peek_head(&s->half_open);
  char reason[96];
  g_snprintf(reason, sizeof(reason),
             "dropped as the oldest of %u half-open connections to admit %s",
             s->half_open.length, newcomer);
  handshake_failed(oldest, VGW_TLS_ERROR_EVICTED, reason);
  conn_close(oldest);
}

/* VGW_TLS_DEFAULT_CONTEXT is the choice of a connection no rule chose
 * for: a listener without a context. */
#define VGW_TLS_DEFAULT_CONTEXT \
  "TLS Context 0 (default: no other context is configured)"

void vgw_tls_context_label(char *buf, size_t len, guint chosen,
                           const char *why, gboolean usable) {
  if (why == NULL) {
    g_strlcpy(buf, VGW_TLS_DEFAULT_CONTEXT, len);
  } else if (usable || chosen == 0) {
    g_snprintf(buf, len, "TLS Context %u (%s)", usable ? chosen : 0, why);
  } else {
    g_snprintf(buf, len,
               "TLS Context 0 (%s, but context %u has no usable certificate)",
               why, chosen);
  }
}

/* listener_identity returns the identity |l|'s next connection gets,
 * writes the choice and its reason into |context| and the number of the
 * context served into *served. */
static Identity *listener_identity(VgwTlsServer *s, VgwTlsListener *l,
                                   char *context, size_t len,
                                   guint *served) {
  Identity *id = l->context > 0 ? g_hash_table_lookup(
                                      s->context_ids,
                                      GUINT_TO_POINTER(l->context))
                                : NULL;
  *served = id != NULL ? l->context : 0;
  vgw_tls_context_label(context, len, l->context, l->why, id != NULL);
  return id != NULL ? id : current(s);
}

/* peer_certs returns the certificates the peer of |ssl| sent, its own
 * first (an empty stack if it sent none), or NULL if one does not
 * parse. */
static STACK_OF(X509) *peer_certs(const SSL *ssl) {
  const STACK_OF(CRYPTO_BUFFER) *bufs = SSL_get0_peer_certificates(ssl);
  STACK_OF(X509) *out = sk_X509_new_null();
  for (size_t i = 0; out != NULL && bufs != NULL &&
                     i < sk_CRYPTO_BUFFER_num(bufs);
       i++) {
    const CRYPTO_BUFFER *b = sk_CRYPTO_BUFFER_value(bufs, i);
    X509 *x = vgw_tls_bundle_parse_der(CRYPTO_BUFFER_data(b),
                                       CRYPTO_BUFFER_len(b));
    if (x == NULL || !sk_X509_push(out, x)) {
      X509_free(x);
      sk_X509_pop_free(out, X509_free);
      return NULL;
    }
  }
  return out;
}

/* verify_client is the custom verification of a listener that requires
 * a client certificate, and the chain half of a client connection's
 * (verify_server, the peer then being a TLS server): the connection's
 * context's roots decide (tls_peer_verify.h), and the alert says why.
 * BoringSSL calls it before the peer's Finished is processed; the stream
 * handler meets the connection only after the handshake completed
 * (conn_drive), so nothing the peer sent can be read before this
 * verdict. */
static enum ssl_verify_result_t verify_client(SSL *ssl, uint8_t *out_alert) {
  VgwTlsConn *c = SSL_get_app_data(ssl);
  CertCheck *check = cert_check_of(ssl);
  if (c == NULL || check == NULL || check->roots == NULL) {
    *out_alert = SSL_AD_INTERNAL_ERROR;
    return ssl_verify_invalid;
  }
  STACK_OF(X509) *certs = peer_certs(ssl);
  if (certs == NULL) {
    g_set_error(&c->verify_error, VGW_TLS_ERROR, VGW_TLS_ERROR_CHAIN,
                "certificate: a certificate it sent does not parse");
    *out_alert = SSL_AD_BAD_CERTIFICATE;
    return ssl_verify_invalid;
  }
  g_clear_error(&c->verify_error);
  vgw_tls_peer_identity_free(c->peer_identity);
  c->peer_identity = vgw_tls_peer_verify(
      certs, check->roots,
      c->client ? VGW_TLS_ROLE_SERVER : VGW_TLS_ROLE_CLIENT,
      g_get_real_time() / G_USEC_PER_SEC, out_alert, &c->verify_error);
  /* The chain first, then the names (tls_peer_name.h): the log line
   * names the first rule that refused. */
  if (c->peer_identity != NULL &&
      !vgw_tls_peer_name_match(ssl, sk_X509_value(certs, 0))) {
    g_set_error(&c->verify_error, VGW_TLS_ERROR, VGW_TLS_ERROR_HOSTNAME,
                "certificate %s: its names are refused: %s",
                c->peer_identity->subject,
                check->names_for ? check->names_for : "-");
    vgw_tls_peer_identity_free(c->peer_identity);
    c->peer_identity = NULL;
    *out_alert = SSL_AD_BAD_CERTIFICATE;
  }
  sk_X509_pop_free(certs, X509_free);
  return c->peer_identity != NULL ? ssl_verify_ok : ssl_verify_invalid;
}

/* NAMES_NOT_REQUESTED is why a listener without mutual authentication checks
 * no names: there is no client certificate to match. */
#define NAMES_NOT_REQUESTED \
  "no client certificate is requested (mutual authentication is off on " \
  "this interface)"

/* expect_client_names sets up |ssl|'s check of its client's names, under
 * |s|'s PeerHostNameVerificationMode, for a connection accepted on |l|
 * from socket |fd| and served TLS Context |context|: against the
 * addresses of the Proxy Sets the client's address classifies to.
 * FALSE if it cannot be set up. */
static gboolean expect_client_names(VgwTlsServer *s, VgwTlsListener *l,
                                    SSL *ssl, int fd, guint context) {
  if (s->client_names_off != NULL) {
    return vgw_tls_peer_name_skip(ssl, s->client_names_off);
  }
  if (!l->require_client_cert) {
    return vgw_tls_peer_name_skip(ssl, NAMES_NOT_REQUESTED);
  }
  struct sockaddr_in sa;
  socklen_t salen = sizeof(sa);
  char address[INET_ADDRSTRLEN];
  if (getpeername(fd, (struct sockaddr *)&sa, &salen) < 0 ||
      sa.sin_family != AF_INET ||
      inet_ntop(AF_INET, &sa.sin_addr, address, sizeof(address)) == NULL) {
    return FALSE;
  }
  GPtrArray *refs = g_ptr_array_new();
  s->client_names.references(address, refs, s->client_names.data);
  g_ptr_array_add(refs, NULL);
  const VgwTlsNameCheck names = {
      (const char *const *)refs->pdata, refs->len - 1,
      s->remote_subject_name,
      s->client_names.strict(context, s->client_names.data)};
  CertCheck *check = cert_check_of(ssl);
  g_free(check->names_for);
  if (names.n_references == 0) {
    check->names_for = g_strdup_printf(
        "no Proxy Set classifies %s (no TLS proxy address resolves to it)",
        address);
  } else {
    g_autofree char *list = g_strjoinv(", ", (char **)refs->pdata);
    check->names_for = g_strdup_printf(
        "the Proxy Sets %s classifies to are %s", address, list);
  }
  gboolean ok = vgw_tls_peer_name_expect(ssl, &names);
  g_ptr_array_free(refs, TRUE);
  return ok;
}

/* verify_server is the custom verification of a client connection
 * (vgw_tls_ssl_verify_server): with roots to judge the chain by,
 * verify_client's (the chain, then the names); without, the names alone
 * (tls_peer_name.h; a mismatch is bad_certificate). */
static enum ssl_verify_result_t verify_server(SSL *ssl, uint8_t *out_alert) {
  CertCheck *check = cert_check_of(ssl);
  if (check != NULL && check->roots != NULL) {
    return verify_client(ssl, out_alert);
  }
  STACK_OF(X509) *certs = peer_certs(ssl);
  gboolean named = certs != NULL && sk_X509_num(certs) > 0 &&
                   vgw_tls_peer_name_match(ssl, sk_X509_value(certs, 0));
  sk_X509_pop_free(certs, X509_free);
  if (!named) {
    *out_alert = SSL_AD_BAD_CERTIFICATE;
    return ssl_verify_invalid;
  }
  return ssl_verify_ok;
}

static void accept_one(int fd, const char *peer, gpointer data) {
  VgwTlsListener *l = data;
  VgwTlsServer *s = l->server;
  char context[sizeof(((VgwTlsConn *)NULL)->context)];
  guint served;
  Identity *id = listener_identity(s, l, context, sizeof(context), &served);
  if (id == NULL) {
    if (log_allowed(s)) {
      g_warning("tls: refusing %s: no certificate yet", peer);
    }
    close(fd);
    return;
  }
  GError *error = NULL;
  if (!vgw_tls_pool_admit(s, peer, &error)) {
    if (log_allowed(s)) {
      g_warning("tls: refusing %s: %s; reason: %s", peer, error->message,
                vgw_tls_error_name(error->code));
    }
    g_error_free(error);
    close(fd);
    return;
  }
  SSL *ssl = SSL_new(id->ctx);
  if (ssl == NULL) {
    g_warning("tls: cannot set up a connection for %s", peer);
    close(fd);
    return;
  }
  SSL_set_accept_state(ssl);
  if ((l->require_client_cert &&
       !require_client_auth(
           ssl, g_hash_table_lookup(s->context_roots,
                                    GUINT_TO_POINTER(served)),
           l->client_auth_rule)) ||
      !expect_client_names(s, l, ssl, fd, served)) {
    g_warning("tls: cannot set up a connection for %s", peer);
    SSL_free(ssl);
    close(fd);
    return;
  }
  if (vgw_tls_pool_start(s, fd, ssl, peer, l->tag, id->engine, id->slot,
                         id->key_type, context, NULL, NULL) == NULL) {
    g_warning("tls: cannot set up a connection for %s", peer);
  }
}

VgwTlsConn *vgw_tls_pool_start(VgwTlsServer *s, int fd, SSL *ssl,
                               const char *peer, int tag, gboolean engine_key,
                               guint slot, uint32_t key_type,
                               const char *context, gpointer app,
                               GError **error) {
  if (!SSL_set_fd(ssl, fd)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "cannot set up a connection for %s", peer);
    SSL_free(ssl);
    close(fd);
    return NULL;
  }
  if (s->half_open.length >= s->max_half_open) {
    evict_oldest_half_open(s, peer);
  }
  VgwTlsConn *c = g_new0(VgwTlsConn, 1);
  c->server = s;
  c->tag = tag;
  c->fd = fd;
  c->ssl = ssl;
  c->out = g_byte_array_new();
  c->engine_key = engine_key;
  c->slot = slot;
  c->app = app;
  c->client = app != NULL;
  g_strlcpy(c->peer, peer, sizeof(c->peer));
  c->opened_us = g_get_monotonic_time();
  g_strlcpy(c->context, context ? context : VGW_TLS_DEFAULT_CONTEXT,
            sizeof(c->context));
  SSL_set_app_data(ssl, c);
  if (engine_key) {
    vgw_tls_signer_attach(s->signer, ssl, slot, key_type, on_signed, c);
  }
  c->node.data = c;
  g_queue_push_tail_link(&s->half_open, &c->node);
  c->timeout_s = s->handshake_timeout_s;
  c->deadline = g_timeout_add_seconds(c->timeout_s, on_deadline, c);
  g_debug("tls: connection %s %s", c->client ? "to" : "from", peer);
  if (c->client) {
    /* The caller learns of its connection before any callback about it. */
    resume_soon(c);
  } else {
    conn_drive(c);
  }
  return c;
}

static gboolean on_accept(int fd, GIOCondition cond, gpointer data) {
  vgw_tcp_accept_all(fd, accept_one, data);
  return G_SOURCE_CONTINUE;
}

VgwTlsServer *vgw_tls_server_new(VgwTlsSigner *signer) {
  VgwTlsServer *s = g_new0(VgwTlsServer, 1);
  s->signer = signer;
  vgw_tls_role_policy_builtin(&s->policy);
  s->max_half_open = VGW_TLS_MAX_HALF_OPEN;
  s->max_established = VGW_TLS_MAX_ESTABLISHED;
  s->handshake_timeout_s = VGW_TLS_HANDSHAKE_TIMEOUT_S;
  s->client_names_off = g_strdup(VGW_TLS_NAMES_NOT_CONFIGURED);
  g_queue_init(&s->half_open);
  g_queue_init(&s->established);
  s->context_ids = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify)identity_free);
  s->context_roots = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                           NULL, roots_free);
  return s;
}

gboolean vgw_tls_pool_admit(VgwTlsServer *s, const char *peer,
                            GError **error) {
  if (s->established.length < s->max_established) {
    return TRUE;
  }
  count_failure(s, VGW_TLS_ERROR_LIMIT);
  g_set_error(error, VGW_TLS_ERROR, VGW_TLS_ERROR_LIMIT,
              "%u established connections open", s->established.length);
  return FALSE;
}

VgwTlsListener *vgw_tls_server_listen(VgwTlsServer *s, int fd, int tag) {
  struct sockaddr_in sa;
  socklen_t salen = sizeof(sa);
  VgwTlsListener *l = g_new0(VgwTlsListener, 1);
  l->server = s;
  l->fd = fd;
  l->tag = tag;
  if (getsockname(fd, (struct sockaddr *)&sa, &salen) == 0 &&
      sa.sin_family == AF_INET) {
    l->port = ntohs(sa.sin_port);
  }
  l->accept_source = g_unix_fd_add(fd, G_IO_IN, on_accept, l);
  s->listeners = g_list_append(s->listeners, l);
  return l;
}

/* close_tagged closes the connections of |queue| accepted on a listener
 * tagged |tag|, logging |why|. */
static void close_tagged(GQueue *queue, int tag, const char *why) {
  GList *next;
  for (GList *n = queue->head; n != NULL; n = next) {
    VgwTlsConn *c = n->data;
    next = n->next;
    if (c->tag != tag) {
      continue;
    }
    g_message("tls: %s: closed: %s", c->peer, why);
    conn_close(c);
  }
}

void vgw_tls_server_unlisten(VgwTlsServer *s, VgwTlsListener *l,
                             gboolean close_connections) {
  s->listeners = g_list_remove(s->listeners, l);
  g_source_remove(l->accept_source);
  close(l->fd);
  if (close_connections) {
    gboolean shared = FALSE;
    for (GList *n = s->listeners; n != NULL; n = n->next) {
      shared |= ((VgwTlsListener *)n->data)->tag == l->tag;
    }
    if (!shared) {
      close_tagged(&s->half_open, l->tag, "its listener was closed");
      close_tagged(&s->established, l->tag, "its listener was closed");
    }
  }
  g_free(l->why);
  g_free(l->client_auth_rule);
  g_free(l->owner);
  g_free(l);
}

VgwTlsServer *vgw_tls_server_start(uint16_t port, VgwTlsSigner *signer,
                                   GError **error) {
  int fd = vgw_inet_bind_any(SOCK_STREAM, port, 64, NULL, error);
  if (fd < 0) {
    return NULL;
  }
  VgwTlsServer *s = vgw_tls_server_new(signer);
  vgw_tls_server_listen(s, fd, 0);
  return s;
}

void vgw_tls_server_set_versions(VgwTlsServer *s,
                                 const VgwTlsVersionPolicy *versions) {
  s->policy.versions = *versions;
}

void vgw_tls_server_set_policy(VgwTlsServer *s,
                               const VgwTlsRolePolicy *policy) {
  s->policy = *policy;
}

void vgw_tls_server_set_limits(VgwTlsServer *s, guint max_half_open,
                               guint max_established) {
  g_return_if_fail(max_half_open >= 1 && max_established >= 1);
  s->max_half_open = max_half_open;
  s->max_established = max_established;
}

void vgw_tls_server_set_handshake_timeout(VgwTlsServer *s, guint seconds) {
  g_return_if_fail(seconds >= 1);
  s->handshake_timeout_s = seconds;
}

uint16_t vgw_tls_server_port(const VgwTlsServer *s) {
  return s->listeners != NULL ? ((VgwTlsListener *)s->listeners->data)->port
                              : 0;
}

int vgw_tls_conn_tag(const VgwTlsConn *conn) { return conn->tag; }

const VgwTlsPeerIdentity *vgw_tls_conn_peer_identity(const VgwTlsConn *conn) {
  return conn->peer_identity;
}

void vgw_tls_listener_set_owner(VgwTlsListener *l, const char *owner) {
  g_free(l->owner);
  l->owner = g_strdup(owner);
}

void vgw_tls_conn_set_owner(VgwTlsConn *conn, const char *owner) {
  g_strlcpy(conn->owner, owner, sizeof(conn->owner));
}

/* conn_owner: what |c| belongs to, NULL when unknown. An accepted
 * connection belongs to what its listener's tag does, while a listener
 * of that tag is open. */
static const char *conn_owner(const VgwTlsConn *c) {
  if (c->owner[0] != '\0') {
    return c->owner;
  }
  for (GList *n = c->client ? NULL : c->server->listeners; n != NULL;
       n = n->next) {
    const VgwTlsListener *l = n->data;
    if (l->tag == c->tag && l->owner != NULL) {
      return l->owner;
    }
  }
  return NULL;
}

/* describe_queue calls |func| for each connection of |queue|. */
static void describe_queue(GQueue *queue, gint64 now_us,
                           VgwTlsConnFunc func, gpointer data) {
  for (GList *n = queue->head; n != NULL; n = n->next) {
    const VgwTlsConn *c = n->data;
    VgwTlsConnInfo info = {
        .peer = c->peer,
        .client = c->client,
        .owner = conn_owner(c),
        .established = c->handshake_done,
        .context = c->context,
        .ssl = c->ssl,
        .age_s = (guint64)MAX(now_us - c->opened_us, 0) / G_USEC_PER_SEC,
        .bytes_in = c->bytes_in,
        .bytes_out = c->bytes_out,
        .key_updates = c->key_updates,
        .renewals = c->renewals,
    };
    func(&info, data);
  }
}

void vgw_tls_server_foreach_conn(VgwTlsServer *s, VgwTlsConnFunc func,
                                 gpointer data) {
  gint64 now_us = g_get_monotonic_time();
  describe_queue(&s->established, now_us, func, data);
  describe_queue(&s->half_open, now_us, func, data);
}

void vgw_tls_server_set_rehandshake_interval(VgwTlsServer *s, guint seconds) {
  if (s->rehandshake_interval_s == seconds) {
    return;
  }
  s->rehandshake_interval_s = seconds;
  for (GList *n = s->established.head; n != NULL; n = n->next) {
    arm_rehandshake(n->data);
  }
}

void vgw_tls_server_info(VgwTlsServer *s, VgwTlsServerInfo *out) {
  Identity *id = current(s);
  memset(out, 0, sizeof(*out));
  out->port = vgw_tls_server_port(s);
  out->key_source = id == NULL ? "none" : id->engine ? "engine" : "software";
  out->slot = id != NULL && id->engine ? (int)id->slot : -1;
  out->key_type = id ? vgw_crypto_key_type_name(id->key_type) : NULL;
  out->subject = id ? id->subject : NULL;
  out->cert_sha256 = id ? id->fingerprint : NULL;
  out->handshakes = s->handshakes;
  out->failures = s->failures;
  memcpy(out->failures_by_reason, s->failures_by_reason,
         sizeof(out->failures_by_reason));
  out->half_open = s->half_open.length;
  out->max_half_open = s->max_half_open;
  out->established = s->established.length;
  out->max_established = s->max_established;
  out->handshake_timeout_s = s->handshake_timeout_s;
  out->key_updates = s->key_updates;
  out->renewals = s->renewals;
}

void vgw_tls_server_free(VgwTlsServer *s) {
  if (s == NULL) {
    return;
  }
  while (s->half_open.head != NULL) {
    conn_close(s->half_open.head->data);
  }
  while (s->established.head != NULL) {
    conn_close(s->established.head->data);
  }
  if (s->flush_source != 0) {
    g_source_remove(s->flush_source);
  }
  while (s->listeners != NULL) {
    vgw_tls_server_unlisten(s, s->listeners->data, FALSE);
  }
  identity_free(s->engine_id);
  identity_free(s->software_id);
  g_hash_table_destroy(s->context_ids);
  g_hash_table_destroy(s->context_roots);
  g_free(s->remote_subject_name);
  g_free(s->client_names_off);
  g_free(s);
}
