/* The TLS version policy: see tls_versions.h. */
#include "tls/tls_versions.h"

#include <openssl/ssl.h>
#include <string.h>

#include "manual_version.h"
#include "tls/tls_error.h"

/* ECDHE suites TLS 1.0 and 1.1 can use: they have no AEAD suite. Offered
 * after the AEAD ones in every role and policy: a client offering them
 * lets an old server answer with its version, which the policy then
 * refuses with protocol_version, instead of both sides failing on a
 * cipher with handshake_failure. */
#define LEGACY_CIPHERS                                          \
  "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"                \
  "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA"

/* The global TLSVersion's 6.4 values. */
#define GLOBAL_SSL_AND_TLS10 0 /* "SSL 2.0-3.0 and TLS 1.0" */

/* version_of returns the protocol version of mask bit |bit| (0: TLS 1.0). */
static uint16_t version_of(guint bit) { return (uint16_t)(TLS1_VERSION + bit); }

/* span_of returns |versions| (not 0) with its gaps filled: what one
 * BoringSSL range from its lowest to its highest version allows. */
static guint span_of(guint versions) {
  guint lo = (guint)g_bit_nth_lsf(versions, -1);
  guint hi = (guint)g_bit_nth_msf(versions, -1);

  return ((1u << (hi + 1)) - 1) & ~((1u << lo) - 1);
}

/* describe words |versions| as "TLS 1.2", "TLS 1.0-1.3" or "TLS 1.0, 1.2". */
static void describe(guint versions, char *buf, gsize len) {
  guint lo = (guint)g_bit_nth_lsf(versions, -1);
  guint hi = (guint)g_bit_nth_msf(versions, -1);

  if (lo == hi) {
    g_snprintf(buf, len, "TLS 1.%u", lo);
  } else if (versions == span_of(versions)) {
    g_snprintf(buf, len, "TLS 1.%u-1.%u", lo, hi);
  } else {
    GString *s = g_string_new("TLS ");
    for (guint b = lo; b <= hi; b++) {
      if (versions & (1u << b)) {
        g_string_append_printf(s, "%s1.%u", b == lo ? "" : ", ", b);
      }
    }
    g_strlcpy(buf, s->str, len);
    g_string_free(s, TRUE);
  }
}

/* set_versions fills |p|'s versions and range from |versions| and words
 * the rule as "|source| (manual M): TLS ...". */
static void set_versions(VgwTlsVersionPolicy *p, guint versions,
                         const char *source, VgwManualVersion manual) {
  guint span = span_of(versions);
  char set[48];
  char range[48] = "";

  p->versions = versions;
  p->min_version = version_of((guint)g_bit_nth_lsf(versions, -1));
  p->max_version = version_of((guint)g_bit_nth_msf(versions, -1));
  p->widened = versions != span;
  describe(versions, set, sizeof(set));
  if (p->widened) {
    char negotiated[24];
    describe(span, negotiated, sizeof(negotiated));
    g_snprintf(range, sizeof(range), " (negotiated as %s)", negotiated);
  }
  g_snprintf(p->rule, sizeof(p->rule), "%s (manual %s): %s%s", source,
             vgw_manual_version_name(manual), set, range);
}

/* global_versions: the set the global TLSVersion |value| allows. */
static guint global_versions(gint64 value, gboolean *wants_ssl) {
  *wants_ssl = value == GLOBAL_SSL_AND_TLS10;
  return value == GLOBAL_SSL_AND_TLS10 ? VGW_TLS_V_ALL : VGW_TLS_V1_0;
}

/* context_mask returns TLSContexts row |context|'s TLSVersion, 0 without
 * the row. */
static guint context_mask(const VgwParamConfig *cfg, guint context) {
  const VgwTableDesc *table = vgw_param_table(VGW_TABLE_TLS_CONTEXTS);
  const VgwParamRow *row =
      vgw_param_config_find_row(cfg, VGW_TABLE_TLS_CONTEXTS, context);
  gssize column = vgw_param_find_column(table, "TLSVersion", 10);

  g_assert(column >= 0);
  return row != NULL ? (guint)row->values[column].num & VGW_TLS_V_ALL : 0;
}

void vgw_tls_version_policy(const VgwParamConfig *cfg, guint context,
                            VgwTlsVersionPolicy *out) {
  VgwManualVersion manual = vgw_manual_version(cfg);
  gint64 global = vgw_param_config_global_named(cfg, "TLSVersion")->num;
  guint mask = manual == VGW_MANUAL_7X ? context_mask(cfg, context) : 0;
  char source[64];

  memset(out, 0, sizeof(*out));
  if (mask != 0) {
    g_snprintf(source, sizeof(source), "TLSContexts %u TLSVersion %u",
               context, mask);
    set_versions(out, mask, source, manual);
    return;
  }
  if (manual == VGW_MANUAL_7X) {
    g_snprintf(source, sizeof(source),
               "TLSContexts %u TLSVersion 0 -> TLSVersion %" G_GINT64_FORMAT,
               context, global);
  } else {
    g_snprintf(source, sizeof(source), "TLSVersion %" G_GINT64_FORMAT,
               global);
  }
  set_versions(out, global_versions(global, &out->wants_ssl), source,
               manual);
}

void vgw_tls_version_policy_builtin(VgwTlsVersionPolicy *out) {
  memset(out, 0, sizeof(*out));
  out->versions = VGW_TLS_V1_2 | VGW_TLS_V1_3;
  out->min_version = TLS1_2_VERSION;
  out->max_version = TLS1_3_VERSION;
  g_strlcpy(out->rule, "built-in (no configuration): TLS 1.2-1.3",
            sizeof(out->rule));
}

gboolean vgw_tls_versions_drop_legacy(VgwTlsVersionPolicy *p) {
  if (p->min_version >= TLS1_2_VERSION || p->max_version < TLS1_2_VERSION) {
    return FALSE;
  }
  p->min_version = TLS1_2_VERSION;
  g_strlcat(p->rule,
            "; as server TLS 1.2 and up only: the crypto engine's RSA key "
            "cannot sign TLS 1.0/1.1 handshakes",
            sizeof(p->rule));
  return TRUE;
}

static void rule_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int index,
                      long argl, void *argp) {
  g_free(ptr);
}

/* rule_index is the SSL_CTX ex_data slot holding the policy's rule. */
static int rule_index(void) {
  static gsize once = 0;
  static int index = -1;

  if (g_once_init_enter(&once)) {
    index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, rule_free);
    g_once_init_leave(&once, 1);
  }
  return index;
}

gboolean vgw_tls_versions_apply(SSL_CTX *ctx, const VgwTlsVersionPolicy *p,
                                const char *ciphers, GError **error) {
  char *list = g_strconcat(ciphers, ":" LEGACY_CIPHERS, NULL);
  gboolean ok = SSL_CTX_set_min_proto_version(ctx, p->min_version) &&
                SSL_CTX_set_max_proto_version(ctx, p->max_version) &&
                SSL_CTX_set_strict_cipher_list(ctx, list);

  g_free(list);
  if (!ok) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_SETUP,
                      "cannot apply the TLS version policy %s", p->rule);
    return FALSE;
  }
  /* SSL_CTX_set_ex_data does not free what it replaces. */
  g_free(SSL_CTX_get_ex_data(ctx, rule_index()));
  SSL_CTX_set_ex_data(ctx, rule_index(), g_strdup(p->rule));
  return TRUE;
}

const char *vgw_tls_versions_rule(const SSL_CTX *ctx) {
  return SSL_CTX_get_ex_data(ctx, rule_index());
}

void vgw_tls_versions_log(const VgwTlsVersionPolicy *p, guint context) {
  g_message("tls: TLS Context %u versions: %s", context, p->rule);
  if (p->wants_ssl) {
    g_warning("tls: TLS Context %u: SSL 2.0/3.0 cannot be offered "
              "(BoringSSL has neither); TLS 1.0-1.3 instead",
              context);
  }
  if (p->widened) {
    g_warning("tls: TLS Context %u: BoringSSL negotiates one range of "
              "versions, so the gap in the mask is allowed too",
              context);
  }
}
