/* vgwd's TLS: see tls_service.h. */
#include "tls/tls_service.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "manual_version.h"
#include "tls/tls_context_table.h"
#include "tls/tls_identity.h"
#include "tls/tls_role_policy.h"
#include "tls/tls_client.h"
#include "tls/tls_server.h"
#include "tls/tls_signer.h"
#include "tls/tls_softkey.h"
#include "tls/tls_versions.h"

struct VgwTlsService {
  VgwCryptoEngine *engine;
  VgwConfigState *cs;
  char *serial;
  VgwTlsSigner *signer;
  VgwTlsServer *server;
  VgwTlsClient *client;     /* SIP over TLS to proxies */
  VgwTlsIdentity *identity; /* Context 0's */
  char *policies;           /* every context's policies in force, worded
                             * (policies_of): a change reloads them */
  gboolean softkey_pending; /* a software key is being made */
  gboolean softkey_wanted;  /* switch to it when it is ready */
  VgwTlsServerInfo info;    /* the last status snapshot's strings */
  guint rehandshake_minutes; /* TLSReHandshakeInterval in force */
  guint rehandshake_unit_s;  /* a "minute" of it: 60, shorter in tests */
  VgwTlsReferencesFunc references; /* the server role's reference
                                    * identities; NULL: none yet */
  gpointer references_data;
};

static int64_t now_unix(void) { return g_get_real_time() / G_USEC_PER_SEC; }

/* context_roots returns |context|'s trusted roots, which peer
 * certificates are verified against in both roles: an empty stack when
 * it has none, or when they cannot be read (logged: every verified peer
 * is then refused as untrusted). */
static STACK_OF(X509) *context_roots(VgwTlsService *t, guint context) {
  GError *error = NULL;
  g_autofree char *name = vgw_tls_context_blob(context, VGW_TLS_ROOTS_FILE);
  STACK_OF(X509) *roots = vgw_tls_identity_stored_certs(t->cs, name, &error);
  if (roots == NULL) {
    g_warning("tls: context %u: %s cannot be read (%s); peer certificates "
              "are verified against no root",
              context, name, error->message);
    g_error_free(error);
    roots = sk_X509_new_null();
  }
  return roots;
}

/* use_context puts |context|'s identity |id| (NULL: it has none usable)
 * into effect for the next connections of both roles: the listeners that
 * chose it and the client connections that present it, each with the
 * context's policy for the role and its roots. Context 0's identity is
 * the server's own (vgw_tls_server_set_engine_identity). FALSE with
 * |error| when the server cannot serve it. */
static gboolean use_context(VgwTlsService *t, guint context,
                            const VgwTlsIdentity *id, GError **error) {
  const VgwParamConfig *cfg = vgw_config_state_running(t->cs);
  STACK_OF(X509) *roots = context_roots(t, context);
  VgwTlsClientContext client = {.roots = roots};
  VgwTlsRolePolicy server;
  gboolean ok;

  vgw_tls_role_policy(cfg, context, FALSE, &server);
  vgw_tls_role_policy(cfg, context, TRUE, &client.policy);
  client.strict_names = vgw_tls_context_strict_names(cfg, context);
  if (id != NULL) {
    client.cert = id->cert;
    client.chain = id->chain;
    client.slot = id->slot;
    client.key_type = id->key_type;
  }
  vgw_tls_server_set_context_roots(t->server, context, roots);
  if (context == 0) {
    vgw_tls_server_set_policy(t->server, &server);
    ok = vgw_tls_server_set_engine_identity(t->server, id->cert, id->chain,
                                            id->slot, id->key_type, error);
  } else {
    ok = vgw_tls_server_set_context_identity(
        t->server, context, id ? id->cert : NULL, id ? id->chain : NULL,
        id ? id->slot : 0, id ? id->key_type : 0, &server, error);
  }
  if (ok) {
    vgw_tls_client_set_context(t->client, context, &client);
  } else if (context > 0) {
    vgw_tls_client_set_context(t->client, context, NULL);
  } /* else Context 0 keeps what it had, as the server does */
  sk_X509_pop_free(roots, X509_free);
  return ok;
}

/* load_identity (re)reads Context 0's identity and uses it. */
static gboolean load_identity(VgwTlsService *t, GError **error) {
  VgwTlsIdentity *id = vgw_tls_identity_context0(
      t->engine, t->cs, t->serial, VGW_TLS_DEFAULT_KEY_TYPE, now_unix(), error);
  if (id == NULL) {
    return FALSE;
  }
  if (!use_context(t, 0, id, error)) {
    vgw_tls_identity_free(id);
    return FALSE;
  }
  vgw_tls_identity_free(t->identity);
  t->identity = id;
  return TRUE;
}

/* load_context uses TLS Context |context| (> 0) in both roles, if it has
 * a certificate; a context that cannot be used is logged, and its
 * listeners and client connections use Context 0. */
static void load_context(VgwTlsService *t, guint context) {
  GError *error = NULL;
  VgwTlsIdentity *id = vgw_tls_identity_load(t->engine, t->cs, context, &error);
  if (id == NULL && error != NULL) {
    g_warning("tls: context %u cannot be served (%s); its listeners and "
              "the connections presenting it use context 0",
              context, error->message);
    g_clear_error(&error);
  }
  if (!use_context(t, context, id, &error)) {
    g_warning("tls: context %u cannot be served: %s; its listeners and "
              "the connections presenting it use context 0",
              context, error->message);
    g_error_free(error);
  }
  vgw_tls_identity_free(id);
}

/* load_contexts uses every TLSContexts row but 0 that has a
 * certificate. */
static void load_contexts(VgwTlsService *t) {
  const VgwParamConfig *cfg = vgw_config_state_running(t->cs);
  gsize rows = vgw_param_config_row_count(cfg, VGW_TABLE_TLS_CONTEXTS);
  for (gsize r = 0; r < rows; r++) {
    guint index =
        vgw_param_config_row_at(cfg, VGW_TABLE_TLS_CONTEXTS, r)->index;
    if (index > 0) {
      load_context(t, index);
    }
  }
}

/* policies_of words the policies of every context of |cfg| in both roles
 * and their StrictHostNameMatch (newly allocated): what must be in
 * force. */
static char *policies_of(const VgwParamConfig *cfg) {
  GString *all = g_string_new(NULL);
  gsize rows = vgw_param_config_row_count(cfg, VGW_TABLE_TLS_CONTEXTS);
  for (gsize r = 0; r < rows; r++) {
    guint index = vgw_param_config_row_at(cfg, VGW_TABLE_TLS_CONTEXTS, r)->index;
    for (int client = 0; client <= 1; client++) {
      VgwTlsRolePolicy p;
      vgw_tls_role_policy(cfg, index, client, &p);
      g_string_append_printf(all, "%s: %s; %s; %s; %s\n", p.where,
                             p.versions.rule, p.ciphers, p.tls13, p.groups);
    }
    g_string_append_printf(all, "strict %d\n",
                           vgw_tls_context_strict_names(cfg, index));
  }
  return g_string_free(all, FALSE);
}

/* log_policies logs every context's version policy and what BoringSSL
 * cannot do of its other columns. */
static void log_policies(const VgwParamConfig *cfg) {
  gsize rows = vgw_param_config_row_count(cfg, VGW_TABLE_TLS_CONTEXTS);
  for (gsize r = 0; r < rows; r++) {
    guint index = vgw_param_config_row_at(cfg, VGW_TABLE_TLS_CONTEXTS, r)->index;
    VgwTlsRolePolicy server, client;
    vgw_tls_role_policy(cfg, index, FALSE, &server);
    vgw_tls_role_policy(cfg, index, TRUE, &client);
    vgw_tls_versions_log(&server.versions, index);
    vgw_tls_role_policy_log(&server, &client);
  }
}

VgwTlsService *vgw_tls_service_start(VgwCryptoEngine *engine,
                                     VgwConfigState *cs, const char *serial,
                                     GError **error) {
  VgwTlsService *t = g_new0(VgwTlsService, 1);
  t->engine = engine;
  t->cs = cs;
  t->serial = g_strdup(serial);
  t->signer = vgw_tls_signer_new(engine);
  t->server = vgw_tls_server_new(t->signer);
  t->client = vgw_tls_client_new(t->signer);
  t->rehandshake_unit_s = VGW_TLS_REHANDSHAKE_UNIT_S;
  t->policies = policies_of(vgw_config_state_running(cs));
  log_policies(vgw_config_state_running(cs));
  if (!load_identity(t, error)) {
    vgw_tls_client_free(t->client);
    vgw_tls_server_free(t->server);
    vgw_tls_signer_free(t->signer);
    g_free(t->policies);
    g_free(t->serial);
    g_free(t);
    return NULL;
  }
  load_contexts(t);
  return t;
}

void vgw_tls_service_key_changed(guint slot, gpointer service) {
  VgwTlsService *t = service;
  GError *error = NULL;
  /* Connections that already have the old certificate must not get a
   * signature by the new key. */
  vgw_tls_signer_key_changed(t->signer, slot);
  if (slot != t->identity->slot) {
    /* Another context's key, perhaps: a context whose certificate no
     * longer fits its key is not served (its listeners fall back to
     * Context 0, logged) until a bundle for the new key is committed. */
    load_contexts(t);
    return;
  }
  if (!load_identity(t, &error)) {
    g_warning(
        "tls: the key in slot %u changed but no certificate could be "
        "issued for it: %s; the previous certificate no longer fits the "
        "key, so handshakes fail until the next key change or boot",
        slot, error->message);
    g_error_free(error);
    return;
  }
  g_message("tls: new connections are served with the new key of slot %u",
            slot);
}

void vgw_tls_service_set_client_references(VgwTlsService *t,
                                           VgwTlsReferencesFunc func,
                                           gpointer data) {
  t->references = func;
  t->references_data = data;
}

static void client_references(const char *address, GPtrArray *out,
                              gpointer service) {
  VgwTlsService *t = service;
  t->references(address, out, t->references_data);
}

static gboolean context_strict(guint context, gpointer service) {
  VgwTlsService *t = service;
  return vgw_tls_context_strict_names(vgw_config_state_running(t->cs),
                                      context);
}

/* apply_client_names: the server role's part of
 * vgw_tls_service_apply_peer_names. */
static void apply_client_names(VgwTlsService *t, VgwTlsRoles roles,
                               const VgwParamConfig *running,
                               const char *remote_subject_name) {
  const VgwTlsClientNames names = {client_references, context_strict, t};
  g_autofree char *why_not = NULL;

  if (!(roles & VGW_TLS_ROLE_SERVER)) {
    why_not = g_strdup_printf(
        "PeerHostNameVerificationMode %d under manual %s does not cover "
        "the server role",
        (int)vgw_param_config_global_named(running,
                                           "PeerHostNameVerificationMode")
            ->num,
        vgw_manual_version_name(vgw_manual_version(running)));
  } else if (t->references == NULL) {
    why_not = g_strdup("no Proxy Sets to match client certificates "
                       "against (no SIP)");
  }
  vgw_tls_server_set_client_names(t->server, why_not ? NULL : &names,
                                  remote_subject_name, why_not);
}

void vgw_tls_service_apply_peer_names(VgwTlsService *t,
                                      const VgwParamConfig *running) {
  VgwTlsRoles roles = vgw_manual_peer_hostname_roles(running);
  const char *remote_subject_name =
      vgw_param_config_global_named(running, "TLSRemoteSubjectName")->str;

  vgw_tls_client_set_peer_names(t->client, (roles & VGW_TLS_ROLE_CLIENT) != 0,
                                remote_subject_name);
  apply_client_names(t, roles, running, remote_subject_name);
}

/* use_rehandshake_interval gives both roles' connections the KeyUpdate
 * interval of TLSReHandshakeInterval (tls_server.h: what BoringSSL can
 * do of a re-handshake). */
static void use_rehandshake_interval(VgwTlsService *t) {
  guint seconds = t->rehandshake_minutes * t->rehandshake_unit_s;
  vgw_tls_server_set_rehandshake_interval(t->server, seconds);
  vgw_tls_client_set_rehandshake_interval(t->client, seconds);
  if (seconds == 0) {
    g_message("tls: TLSReHandshakeInterval 0: no re-handshakes");
    return;
  }
  g_message("tls: TLSReHandshakeInterval %u min (%u s): TLS 1.3 "
            "connections send a KeyUpdate every %u s; the gateway's TLS 1.2 "
            "connections are replaced by new ones; accepted TLS 1.2 "
            "connections are not re-handshaken (BoringSSL cannot "
            "renegotiate)",
            t->rehandshake_minutes, seconds, seconds);
}

void vgw_tls_service_apply_rehandshake(VgwTlsService *t,
                                       const VgwParamConfig *running) {
  guint minutes = (guint)vgw_param_config_global_named(
                      running, "TLSReHandshakeInterval")->num;
  if (minutes != t->rehandshake_minutes) {
    t->rehandshake_minutes = minutes;
    use_rehandshake_interval(t);
  }
}

void vgw_tls_service_foreach_conn(VgwTlsService *t, VgwTlsConnFunc func,
                                  gpointer data) {
  vgw_tls_server_foreach_conn(t->server, func, data);
  vgw_tls_client_foreach_conn(t->client, func, data);
}

void vgw_tls_service_apply_policies(VgwTlsService *t,
                                    const VgwParamConfig *running) {
  GError *error = NULL;
  char *policies = policies_of(running);

  if (strcmp(policies, t->policies) == 0) {
    g_free(policies);
    return;
  }
  g_free(t->policies);
  t->policies = policies;
  log_policies(running);
  if (!load_identity(t, &error)) {
    g_warning("tls: the new TLS Context policies are not in force: %s",
              error->message);
    g_error_free(error);
    return;
  }
  load_contexts(t);
  g_message("tls: new connections follow the new TLS Context policies");
}

void vgw_tls_service_context_changed(guint context, gpointer service) {
  VgwTlsService *t = service;
  GError *error = NULL;
  if (context > 0) {
    load_context(t, context);
    g_message("tls: context %u: new connections use its new certificate",
              context);
    return;
  }
  if (!load_identity(t, &error)) {
    g_warning("tls: context %u: the new certificate cannot be served: %s; "
              "new connections keep the previous one",
              context, error->message);
    g_error_free(error);
    return;
  }
  g_message("tls: context %u: new connections use the new certificate",
            context);
}

void vgw_tls_service_set_stream(VgwTlsService *t, const VgwTlsStreamOps *ops,
                                gpointer data) {
  vgw_tls_server_set_stream(t->server, ops, data);
}

VgwTlsClient *vgw_tls_service_client(VgwTlsService *t) {
  return t->client;
}

void vgw_tls_service_apply_verify_server(VgwTlsService *t,
                                         const VgwParamConfig *running) {
  const char *rule = vgw_manual_server_verification_rule(running);
  vgw_tls_client_set_verify(t->client, rule != NULL, rule);
}

VgwTlsServer *vgw_tls_service_server(VgwTlsService *t) { return t->server; }

/* Every failure reason fits the status's counters. */
G_STATIC_ASSERT(VGW_TLS_ERROR_COUNT <= VGW_STATUS_MAX_COUNTS);

void vgw_tls_service_status(VgwTlsService *t, VgwStatusTls *out) {
  vgw_tls_server_info(t->server, &t->info);
  memset(out, 0, sizeof(*out));
  out->present = TRUE;
  out->port = t->info.port;
  out->key_source = t->info.key_source;
  out->slot = t->info.slot;
  out->key_type = t->info.key_type;
  out->subject = t->info.subject;
  out->cert_sha256 = t->info.cert_sha256;
  out->handshakes = t->info.handshakes;
  out->failures = t->info.failures;
  for (int r = 0; r < VGW_TLS_ERROR_COUNT; r++) {
    guint64 n = t->info.failures_by_reason[r];
    if (n != 0) {
      out->failure_reasons[out->n_failure_reasons++] =
          (VgwStatusCount){vgw_tls_error_name(r), n};
    }
  }
  out->half_open = t->info.half_open;
  out->half_open_max = t->info.max_half_open;
  out->half_open_dropped = t->info.failures_by_reason[VGW_TLS_ERROR_EVICTED];
  out->established = t->info.established;
  out->established_max = t->info.max_established;
  out->handshake_timeout_s = t->info.handshake_timeout_s;
  out->engine_signatures = vgw_tls_signer_signatures(t->signer);
  VgwTlsServerInfo client;
  vgw_tls_client_info(t->client, &client);
  out->key_updates = t->info.key_updates + client.key_updates;
  out->rehandshakes = client.renewals;
  out->client_handshakes = client.handshakes;
  out->client_failures = client.failures;
  for (int r = 0; r < VGW_TLS_ERROR_COUNT; r++) {
    if (client.failures_by_reason[r] != 0) {
      out->client_failure_reasons[out->n_client_failure_reasons++] =
          (VgwStatusCount){vgw_tls_error_name(r), client.failures_by_reason[r]};
    }
  }
}

static void on_softkey(EVP_PKEY *key, X509 *cert, GError *error,
                       gpointer data) {
  VgwTlsService *t = data;
  t->softkey_pending = FALSE;
  if (error != NULL) {
    g_warning("tls: software key (debug) not made: %s", error->message);
    g_error_free(error);
    return;
  }
  GError *install_error = NULL;
  if (!vgw_tls_server_set_software_identity(t->server, cert, key,
                                            &install_error)) {
    g_warning("tls: software key (debug) not usable: %s",
              install_error->message);
    g_error_free(install_error);
  } else {
    g_message("tls: software key (debug) ready");
    if (t->softkey_wanted) {
      vgw_tls_server_use_software(t->server, TRUE);
      g_message(
          "tls: DEBUG: new connections use the software key, not the "
          "crypto engine");
    }
  }
  EVP_PKEY_free(key);
  X509_free(cert);
}

/* reply_key_source answers debug tls-key with the state it leaves. */
static void reply_key_source(VgwMgmtReply *out, gboolean human,
                             const char *source, const char *state) {
  out->ok = TRUE;
  if (human) {
    out->body = g_strdup_printf("TLS key for new connections: %s (%s)\n",
                                source, state);
  } else {
    out->body = g_strdup_printf("{\"key_source\":\"%s\",\"state\":\"%s\"}",
                                source, state);
  }
}

/* VGW_TLS_DEBUG_TIMEOUT_MAX bounds debug tls-handshake-timeout (1 h). */
#define VGW_TLS_DEBUG_TIMEOUT_MAX 3600

/* seconds_arg reads SECONDS, argv[2] of `debug VERB SECONDS`, from 1 to
 * |max|; FALSE, with the usage in |out|, for anything else. */
static gboolean seconds_arg(char **argv, guint max, guint *seconds,
                            VgwMgmtReply *out) {
  guint64 n = 0;
  if (g_strv_length(argv) == 3 &&
      g_ascii_string_to_unsigned(argv[2], 10, 1, max, &n, NULL)) {
    *seconds = (guint)n;
    return TRUE;
  }
  out->body = g_strdup_printf("usage: debug %s SECONDS (1-%u)", argv[1], max);
  return FALSE;
}

/* reply_seconds answers a debug verb that set |seconds|: "|what|: N s"
 * for people, {"|key|":N} for programs. */
static void reply_seconds(VgwMgmtReply *out, gboolean human, const char *what,
                          const char *key, guint seconds) {
  out->ok = TRUE;
  out->body = human ? g_strdup_printf("%s: %u s\n", what, seconds)
                    : g_strdup_printf("{\"%s\":%u}", key, seconds);
}

/* handshake_timeout_verb answers debug tls-handshake-timeout S. */
static void handshake_timeout_verb(VgwTlsService *t, char **argv,
                                   gboolean human, VgwMgmtReply *out) {
  guint seconds;
  if (!seconds_arg(argv, VGW_TLS_DEBUG_TIMEOUT_MAX, &seconds, out)) {
    return;
  }
  vgw_tls_server_set_handshake_timeout(t->server, seconds);
  g_message("tls: DEBUG: new connections get %u s for their handshake",
            seconds);
  reply_seconds(out, human, "TLS handshake timeout for new connections",
                "handshake_timeout_s", seconds);
}

/* rehandshake_unit_verb answers debug tls-rehandshake-unit S. */
static void rehandshake_unit_verb(VgwTlsService *t, char **argv,
                                  gboolean human, VgwMgmtReply *out) {
  if (!seconds_arg(argv, VGW_TLS_REHANDSHAKE_UNIT_S, &t->rehandshake_unit_s,
                   out)) {
    return;
  }
  g_message("tls: DEBUG: a minute of TLSReHandshakeInterval lasts %u s",
            t->rehandshake_unit_s);
  use_rehandshake_interval(t);
  reply_seconds(out, human, "TLSReHandshakeInterval unit",
                "rehandshake_unit_s", t->rehandshake_unit_s);
}

gboolean vgw_tls_service_debug_verb(char **argv, gboolean human,
                                    VgwMgmtReply *out, gpointer user_data) {
  VgwTlsService *t = user_data;
  if (strcmp(argv[0], "debug") != 0 || argv[1] == NULL) {
    return FALSE;
  }
  if (strcmp(argv[1], "tls-rehandshake-unit") == 0) {
    memset(out, 0, sizeof(*out));
    rehandshake_unit_verb(t, argv, human, out);
    return TRUE;
  }
  if (strcmp(argv[1], "tls-handshake-timeout") == 0) {
    memset(out, 0, sizeof(*out));
    handshake_timeout_verb(t, argv, human, out);
    return TRUE;
  }
  if (strcmp(argv[1], "tls-key") != 0) {
    return FALSE;
  }
  memset(out, 0, sizeof(*out));
  if (g_strv_length(argv) != 3 ||
      (strcmp(argv[2], "engine") != 0 && strcmp(argv[2], "software") != 0)) {
    out->body = g_strdup("usage: debug tls-key engine|software");
    return TRUE;
  }
  if (strcmp(argv[2], "engine") == 0) {
    t->softkey_wanted = FALSE;
    vgw_tls_server_use_software(t->server, FALSE);
    g_message("tls: new connections use the crypto engine's key");
    reply_key_source(out, human, "engine", "active");
    return TRUE;
  }
  t->softkey_wanted = TRUE;
  if (vgw_tls_server_use_software(t->server, TRUE)) {
    g_message(
        "tls: DEBUG: new connections use the software key, not the "
        "crypto engine");
    reply_key_source(out, human, "software", "active");
    return TRUE;
  }
  if (!t->softkey_pending) {
    t->softkey_pending = TRUE;
    char *cn = vgw_tls_identity_common_name(t->serial);
    g_message("tls: DEBUG: making a software %s key for benchmarking",
              vgw_crypto_key_type_name(t->identity->key_type));
    vgw_tls_softkey_make_async(t->identity->key_type, cn, now_unix(),
                               on_softkey, t);
    g_free(cn);
  }
  reply_key_source(out, human, "software", "generating");
  return TRUE;
}
