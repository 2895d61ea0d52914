/* A TLS Context's policy for one role: see tls_role_policy.h. */
#include "tls/tls_role_policy.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>

#include "param/param_registry.h"
#include "tls/tls_error.h"

/* vgw's TLS 1.2 suites, what "DEFAULT" means: ECDHE only. The engine key
 * signs; RSA key exchange would need it to decrypt. */
#define VGW_TLS12_CIPHERS                                      \
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

/* BoringSSL's TLS 1.3 suites, all of them always offered and accepted. */
static const char *const tls13_fixed[] = {
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
};

/* The columns' defaults (param/registry.c), for a context with no row. */
#define DEFAULT_CIPHERS "DEFAULT"
#define DEFAULT_TLS13 \
  "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
#define DEFAULT_GROUPS "X25519:P-256:P-384:X448"

/* column_str returns |row|'s string cell |column|, |fallback| without a
 * row. */
static const char *column_str(const VgwParamRow *row, const char *column,
                              const char *fallback) {
  const VgwTableDesc *table = vgw_param_table(VGW_TABLE_TLS_CONTEXTS);
  gssize c = vgw_param_find_column(table, column, strlen(column));

  g_assert(c >= 0);
  if (row == NULL || row->values[c].str == NULL) {
    return fallback;
  }
  return row->values[c].str;
}

void vgw_tls_role_policy(const VgwParamConfig *cfg, guint context,
                         gboolean client, VgwTlsRolePolicy *out) {
  const VgwParamRow *row =
      vgw_param_config_find_row(cfg, VGW_TABLE_TLS_CONTEXTS, context);

  memset(out, 0, sizeof(*out));
  vgw_tls_version_policy(cfg, context, &out->versions);
  g_strlcpy(out->ciphers,
            column_str(row, client ? "ClientCipherString"
                                   : "ServerCipherString",
                       DEFAULT_CIPHERS),
            sizeof(out->ciphers));
  g_strlcpy(out->tls13,
            column_str(row, client ? "ClientCipherTLS13String"
                                   : "ServerCipherTLS13String",
                       DEFAULT_TLS13),
            sizeof(out->tls13));
  g_strlcpy(out->groups, column_str(row, "KeyExchangeGroups", DEFAULT_GROUPS),
            sizeof(out->groups));
  g_snprintf(out->where, sizeof(out->where), "TLSContexts %u as %s", context,
             client ? "client" : "server");
}

void vgw_tls_role_policy_builtin(VgwTlsRolePolicy *out) {
  memset(out, 0, sizeof(*out));
  vgw_tls_version_policy_builtin(&out->versions);
  g_strlcpy(out->ciphers, DEFAULT_CIPHERS, sizeof(out->ciphers));
  g_strlcpy(out->tls13, DEFAULT_TLS13, sizeof(out->tls13));
  g_strlcpy(out->groups, DEFAULT_GROUPS, sizeof(out->groups));
  g_strlcpy(out->where, "built-in", sizeof(out->where));
}

gboolean vgw_tls_role_policy_equal(const VgwTlsRolePolicy *a,
                                   const VgwTlsRolePolicy *b) {
  /* The version rule words every input of the version policy. */
  return strcmp(a->versions.rule, b->versions.rule) == 0 &&
         strcmp(a->ciphers, b->ciphers) == 0 &&
         strcmp(a->tls13, b->tls13) == 0 &&
         strcmp(a->groups, b->groups) == 0 && strcmp(a->where, b->where) == 0;
}

/* is_default: whether |p| asks for vgw's TLS 1.2 suites. */
static gboolean is_default(const VgwTlsRolePolicy *p) {
  return p->ciphers[0] == '\0' || g_ascii_strcasecmp(p->ciphers, "DEFAULT") == 0;
}

/* cipher_list returns the TLS 1.2 list |p| asks BoringSSL for (newly
 * allocated). */
static char *cipher_list(const VgwTlsRolePolicy *p) {
  if (is_default(p)) {
    return g_strdup(VGW_TLS12_CIPHERS);
  }
  return g_strconcat(p->ciphers, ":!kRSA", NULL);
}

/* log_tls13 logs what of |p|'s TLS 1.3 column BoringSSL cannot do. */
static void log_tls13(const VgwTlsRolePolicy *p) {
  g_auto(GStrv) names = g_strsplit(p->tls13, ":", -1);

  for (gsize k = 0; k < G_N_ELEMENTS(tls13_fixed); k++) {
    if (!g_strv_contains((const char *const *)names, tls13_fixed[k])) {
      g_message("tls: %s: TLS 1.3 suites \"%s\" leave out %s, which "
                "BoringSSL offers and accepts anyway (its TLS 1.3 suites "
                "are fixed)",
                p->where, p->tls13, tls13_fixed[k]);
    }
  }
}

/* known_groups returns the groups of |groups| (colon separated) that
 * BoringSSL has, in order (newly allocated; "" for none), trying each on
 * |ctx|; those it lacks are appended to |lacking| when not NULL. */
static char *known_groups(SSL_CTX *ctx, const char *groups, GString *lacking) {
  g_auto(GStrv) names = g_strsplit(groups, ":", -1);
  GString *known = g_string_new(NULL);

  for (gsize k = 0; names[k] != NULL; k++) {
    if (names[k][0] == '\0') {
      continue;
    }
    if (!SSL_CTX_set1_curves_list(ctx, names[k])) {
      ERR_clear_error();
      if (lacking != NULL) {
        g_string_append_printf(lacking, "%s%s", lacking->len ? ", " : "",
                               names[k]);
      }
      continue;
    }
    g_string_append_printf(known, "%s%s", known->len ? ":" : "", names[k]);
  }
  return g_string_free(known, FALSE);
}

void vgw_tls_role_policy_log(const VgwTlsRolePolicy *server,
                             const VgwTlsRolePolicy *client) {
  SSL_CTX *scratch = SSL_CTX_new(TLS_method());
  GString *lacking = g_string_new(NULL);

  log_tls13(server);
  log_tls13(client);
  if (scratch != NULL) {
    g_free(known_groups(scratch, server->groups, lacking));
  }
  if (lacking->len > 0) {
    g_message("tls: %s: KeyExchangeGroups: %s left out (BoringSSL does not "
              "have it)",
              server->where, lacking->str);
  }
  g_string_free(lacking, TRUE);
  SSL_CTX_free(scratch);
}

/* apply_groups sets the groups of |p| that BoringSSL has on |ctx|. */
static gboolean apply_groups(SSL_CTX *ctx, const VgwTlsRolePolicy *p,
                             GError **error) {
  g_autofree char *known = known_groups(ctx, p->groups, NULL);

  if (known[0] == '\0' || !SSL_CTX_set1_curves_list(ctx, known)) {
    ERR_clear_error();
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "%s: KeyExchangeGroups \"%s\" names no group BoringSSL "
                      "has",
                      p->where, p->groups);
    return FALSE;
  }
  return TRUE;
}

/* apply_ciphers gives |ctx| the versions of |p| and its TLS 1.2 suites:
 * vgw's set with the CBC suites TLS 1.0/1.1 need
 * (vgw_tls_versions_apply), or a configured list exactly as it is. */
static gboolean apply_ciphers(SSL_CTX *ctx, const VgwTlsRolePolicy *p,
                              GError **error) {
  g_autofree char *ciphers = cipher_list(p);
  GError *local = NULL;

  if (!vgw_tls_versions_apply(ctx, &p->versions, ciphers, &local)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "%s: cipher string \"%s\" or versions not accepted by "
                      "BoringSSL (%s)",
                      p->where, p->ciphers, local->message);
    g_error_free(local);
    return FALSE;
  }
  if (!is_default(p) && !SSL_CTX_set_strict_cipher_list(ctx, ciphers)) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "%s: cipher string \"%s\" not accepted by BoringSSL",
                      p->where, p->ciphers);
    return FALSE;
  }
  return TRUE;
}

gboolean vgw_tls_role_policy_apply(SSL_CTX *ctx, const VgwTlsRolePolicy *p,
                                   GError **error) {
  if (!apply_ciphers(ctx, p, error)) {
    ERR_clear_error();
    return FALSE;
  }
  return apply_groups(ctx, p, error);
}
