/* The TLS version policy: see tls_versions.h. */
#include "tls/tls_versions.h"

#include <openssl/bytestring.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
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
  char set[48];

  p->versions = versions;
  p->min_version = version_of((guint)g_bit_nth_lsf(versions, -1));
  p->max_version = version_of((guint)g_bit_nth_msf(versions, -1));
  p->gap = versions != span_of(versions);
  describe(versions, set, sizeof(set));
  g_snprintf(p->rule, sizeof(p->rule), "%s (manual %s): %s", source,
             vgw_manual_version_name(manual), set);
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
  guint modern = p->versions & ~(VGW_TLS_V1_0 | VGW_TLS_V1_1);

  if (modern == 0 || modern == p->versions) {
    return FALSE;
  }
  p->versions = modern;
  p->min_version = version_of((guint)g_bit_nth_lsf(modern, -1));
  p->gap = modern != span_of(modern);
  g_strlcat(p->rule,
            "; as server TLS 1.2 and up only: the crypto engine's RSA key "
            "cannot sign TLS 1.0/1.1 handshakes",
            sizeof(p->rule));
  return TRUE;
}

static void policy_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad,
                        int index, long argl, void *argp) {
  g_free(ptr);
}

/* policy_index is the SSL_CTX ex_data slot holding a copy of the policy
 * applied to it. */
static int policy_index(void) {
  static gsize once = 0;
  static int index = -1;

  if (g_once_init_enter(&once)) {
    index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, policy_free);
    g_once_init_leave(&once, 1);
  }
  return index;
}

static const VgwTlsVersionPolicy *policy_of_ctx(const SSL_CTX *ctx) {
  return SSL_CTX_get_ex_data(ctx, policy_index());
}

/* bit_of returns the VGW_TLS_V* bit of protocol |version|, 0 for any
 * other value (SSL 3.0, DTLS, GREASE, drafts). */
static guint bit_of(uint16_t version) {
  return version >= TLS1_VERSION && version <= TLS1_3_VERSION
             ? 1u << (version - TLS1_VERSION)
             : 0;
}

/* offered_versions returns the VGW_TLS_V* set |hello| offers: its
 * supported_versions list (RFC 8446 §4.2.1), or without one every
 * version up to its legacy version. 0 if the list is malformed. */
static guint offered_versions(const SSL_CLIENT_HELLO *hello) {
  const uint8_t *data;
  size_t len;
  guint offered = 0;

  if (!SSL_early_callback_ctx_extension_get(
          hello, TLSEXT_TYPE_supported_versions, &data, &len)) {
    for (uint16_t v = TLS1_VERSION; v <= MIN(hello->version, TLS1_2_VERSION);
         v++) {
      offered |= bit_of(v);
    }
    return offered;
  }
  CBS ext, list;
  CBS_init(&ext, data, len);
  if (!CBS_get_u8_length_prefixed(&ext, &list) || CBS_len(&ext) != 0) {
    return 0;
  }
  while (CBS_len(&list) > 0) {
    uint16_t v;
    if (!CBS_get_u16(&list, &v)) {
      return 0;
    }
    offered |= bit_of(v);
  }
  return offered;
}

/* on_client_hello narrows the range of a server connection whose policy
 * has a gap to the one version it will negotiate: the highest the client
 * offers within the policy, or, with none, the policy's highest, which the
 * client does not offer, so that BoringSSL refuses it with
 * protocol_version. BoringSSL fixes the range after this callback. */
static enum ssl_select_cert_result_t on_client_hello(
    const SSL_CLIENT_HELLO *hello) {
  const VgwTlsVersionPolicy *p = policy_of_ctx(SSL_get_SSL_CTX(hello->ssl));
  guint common = p != NULL ? offered_versions(hello) & p->versions : 0;
  uint16_t v;

  if (p == NULL) {
    return ssl_select_cert_success;
  }
  v = common != 0 ? version_of((guint)g_bit_nth_msf(common, -1))
                  : p->max_version;
  if (!SSL_set_min_proto_version(hello->ssl, v) ||
      !SSL_set_max_proto_version(hello->ssl, v)) {
    return ssl_select_cert_error;
  }
  return ssl_select_cert_success;
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
  if (p->gap) {
    SSL_CTX_set_select_certificate_cb(ctx, on_client_hello);
  }
  /* SSL_CTX_set_ex_data does not free what it replaces. */
  g_free(SSL_CTX_get_ex_data(ctx, policy_index()));
  SSL_CTX_set_ex_data(ctx, policy_index(), g_memdup2(p, sizeof(*p)));
  return TRUE;
}

const char *vgw_tls_versions_rule(const SSL_CTX *ctx) {
  const VgwTlsVersionPolicy *p = policy_of_ctx(ctx);

  return p != NULL ? p->rule : NULL;
}

gboolean vgw_tls_versions_refuse_outside(SSL *ssl) {
  const VgwTlsVersionPolicy *p = policy_of_ctx(SSL_get_SSL_CTX(ssl));

  if (p == NULL || (bit_of((uint16_t)SSL_version(ssl)) & p->versions) != 0) {
    return FALSE;
  }
  SSL_send_fatal_alert(ssl, SSL_AD_PROTOCOL_VERSION);
  return TRUE;
}

void vgw_tls_versions_log(const VgwTlsVersionPolicy *p, guint context) {
  g_message("tls: TLS Context %u versions: %s", context, p->rule);
  if (p->wants_ssl) {
    g_warning("tls: TLS Context %u: SSL 2.0/3.0 cannot be offered "
              "(BoringSSL has neither); TLS 1.0-1.3 instead",
              context);
  }
}
