/* TLS Context certificate verbs: see tls_context_verbs.h. */
#include "tls/tls_context_verbs.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <string.h>

#include "mgmt/mgmt_reply.h"
#include "tls/tls_bundle.h"
#include "tls/tls_cert.h"
#include "tls/tls_context_table.h"
#include "tls/tls_identity.h"
#include "tls/tls_slot_pick.h"
#include "vgw_base64.h"

struct VgwTlsContextVerbs {
  VgwCryptoEngine *engine;
  VgwConfigState *cs;
  VgwTlsContextChangedFunc changed;
  gpointer changed_data;
  /* The bundle being staged (cert-begin .. cert-commit). */
  gboolean staging;
  guint context;
  X509 *cert;
  STACK_OF(X509) *chain;
  STACK_OF(X509) *roots; /* replaces the context's when not empty */
};

VgwTlsContextVerbs *vgw_tls_context_verbs_new(VgwCryptoEngine *engine,
                                              VgwConfigState *cs,
                                              VgwTlsContextChangedFunc changed,
                                              gpointer data) {
  VgwTlsContextVerbs *v = g_new0(VgwTlsContextVerbs, 1);
  v->engine = engine;
  v->cs = cs;
  v->changed = changed;
  v->changed_data = data;
  return v;
}

/* drop_staging forgets the staged bundle (also at a session's end). */
static void drop_staging(gpointer data) {
  VgwTlsContextVerbs *v = data;
  X509_free(v->cert);
  sk_X509_pop_free(v->chain, X509_free);
  sk_X509_pop_free(v->roots, X509_free);
  v->cert = NULL;
  v->chain = NULL;
  v->roots = NULL;
  v->staging = FALSE;
}

void vgw_tls_context_verbs_free(VgwTlsContextVerbs *v) {
  if (v == NULL) {
    return;
  }
  drop_staging(v);
  g_free(v);
}

/* parse_context reads a TLSContexts row index of the running
 * configuration. */
static gboolean parse_context(VgwTlsContextVerbs *v, const char *text,
                              guint *context, VgwMgmtReply *out) {
  guint64 n;
  if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT, &n, NULL)) {
    vgw_reply_fail(out, "bad context: CONTEXT is a TLS Context index");
    return FALSE;
  }
  if (vgw_tls_context_name(vgw_config_state_running(v->cs), (guint)n) ==
      NULL) {
    vgw_reply_fail(out, "no TLS context %" G_GUINT64_FORMAT
                        " (the TLSContexts table has no row %" G_GUINT64_FORMAT
                        ")", n, n);
    return FALSE;
  }
  *context = (guint)n;
  return TRUE;
}

static void verb_begin(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwTlsContextVerbs *v = c->data;
  guint context;
  if (c->argc != 1) {
    vgw_reply_usage(c, out);
    return;
  }
  if (!parse_context(v, c->argv[1], &context, out)) {
    return;
  }
  drop_staging(v);
  v->staging = TRUE;
  v->context = context;
  v->chain = sk_X509_new_null();
  v->roots = sk_X509_new_null();
  vgw_reply_done(c, out, "Staging a bundle.\n");
}

/* decode_cert returns the one certificate the base64 DER |text| is. */
static X509 *decode_cert(const char *text) {
  gsize len = 0;
  guchar *der = vgw_base64_decode(text, strlen(text), &len);
  X509 *x = der != NULL ? vgw_tls_bundle_parse_der(der, len) : NULL;
  g_free(der);
  return x;
}

static void verb_add(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwTlsContextVerbs *v = c->data;
  if (c->argc != 2) {
    vgw_reply_usage(c, out);
    return;
  }
  const char *kind = c->argv[1];
  STACK_OF(X509) *to = strcmp(kind, "chain") == 0 ? v->chain
                       : strcmp(kind, "ca") == 0  ? v->roots
                                                  : NULL;
  if (to == NULL && strcmp(kind, "cert") != 0) {
    vgw_reply_usage(c, out);
    return;
  }
  if (!v->staging) {
    vgw_reply_fail(out, "no bundle staged (cert-begin first)");
    return;
  }
  if (to == NULL && v->cert != NULL) {
    vgw_reply_fail(out, "the device certificate was already staged");
    return;
  }
  X509 *x = decode_cert(c->argv[2]);
  if (x == NULL) {
    vgw_reply_fail(out, "unreadable: not one base64 DER certificate");
    return;
  }
  if (to == NULL) {
    v->cert = x;
  } else {
    sk_X509_push(to, x);
  }
  vgw_reply_done(c, out, "Staged.\n");
}

/* refuse fails |out| with "REASON: message" and logs it. */
static void refuse(VgwTlsContextVerbs *v, VgwMgmtReply *out, GError *error) {
  const char *reason =
      error->domain == VGW_TLS_BUNDLE_ERROR
          ? vgw_tls_bundle_error_name(error->code)
          : "not-stored";
  g_message("tls: context %u: certificate bundle refused: %s: %s",
            v->context, reason, error->message);
  vgw_reply_fail(out, "%s: %s", reason, error->message);
  g_error_free(error);
}

/* key_of returns the public key of engine |slot|, failing |out| if the
 * slot is empty or the engine fails. */
static GBytes *key_of(VgwTlsContextVerbs *v, guint slot, VgwMgmtReply *out) {
  VgwCryptoSlotInfo info;
  GError *error = NULL;
  GBytes *spki = NULL;
  if (!vgw_crypto_info(v->engine, slot, &info, &error)) {
    vgw_reply_fail(out, "engine slot %u: %s", slot, error->message);
  } else if (info.key_type == VGW_KEY_TYPE_NONE) {
    vgw_reply_fail(out, "engine slot %u holds no key", slot);
  } else if ((spki = vgw_crypto_export_pub(v->engine, slot, &error)) == NULL) {
    vgw_reply_fail(out, "engine slot %u: %s", slot, error->message);
  }
  g_clear_error(&error);
  return spki;
}

/* validate checks the staged bundle with the public key |spki| against
 * the staged roots, or the stored ones if none were staged; on success
 * the staged roots as PEM (NULL: keep the stored ones) in |roots_pem|. */
static gboolean validate(VgwTlsContextVerbs *v, GBytes *spki,
                         char **roots_pem, GError **error) {
  gboolean new_roots = sk_X509_num(v->roots) > 0;
  char *name = vgw_tls_context_blob(v->context, VGW_TLS_ROOTS_FILE);
  STACK_OF(X509) *roots =
      new_roots ? v->roots : vgw_tls_identity_stored_certs(v->cs, name, error);
  g_free(name);
  gboolean ok =
      roots != NULL &&
      vgw_tls_bundle_check(v->cert, v->chain, spki, roots, VGW_TLS_ROLES_SIP,
                           g_get_real_time() / G_USEC_PER_SEC, error);
  *roots_pem = NULL;
  if (ok && new_roots &&
      (*roots_pem = vgw_tls_certs_to_pem(NULL, v->roots)) == NULL) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "cannot encode the trusted roots");
    ok = FALSE;
  }
  if (!new_roots && roots != NULL) {
    sk_X509_pop_free(roots, X509_free);
  }
  return ok;
}

/* fingerprint returns the SHA-256 (hex) of the public key in engine
 * |slot|, as keystore-list shows it; NULL with |error| set. */
static char *fingerprint(VgwCryptoEngine *engine, guint slot, GError **error) {
  GBytes *spki = vgw_crypto_export_pub(engine, slot, error);
  if (spki == NULL) {
    return NULL;
  }
  char *fp = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, spki);
  g_bytes_unref(spki);
  return fp;
}

/* key_retired sets |retired| to whether the key in |slot| is the one its
 * retired record names (tls_slot_pick.h), and then |when| to the
 * record's order. */
static gboolean key_retired(VgwTlsContextVerbs *v, guint slot,
                            gboolean *retired, guint64 *when,
                            GError **error) {
  char *fp = fingerprint(v->engine, slot, error);
  if (fp == NULL) {
    return FALSE;
  }
  char *name = vgw_tls_retired_blob(slot);
  GBytes *record = vgw_config_state_blob(v->cs, name);
  *retired = record != NULL &&
             vgw_tls_retired_matches(g_bytes_get_data(record, NULL),
                                     g_bytes_get_size(record), fp, when);
  if (record != NULL) {
    g_bytes_unref(record);
  }
  g_free(name);
  g_free(fp);
  return TRUE;
}

/* in_service tells whether |context|'s key may be in service: it has a
 * certificate, or it is Context 0, which makes its own at boot. A
 * context without one serves nothing (its listeners fall back to
 * Context 0), so its slot is as free as any other. */
static gboolean in_service(VgwTlsContextVerbs *v, guint context) {
  if (context == 0) {
    return TRUE;
  }
  char *name = vgw_tls_context_blob(context, VGW_TLS_CERT_FILE);
  GBytes *cert = vgw_config_state_blob(v->cs, name);
  g_free(name);
  if (cert == NULL) {
    return FALSE;
  }
  g_bytes_unref(cert);
  return TRUE;
}

/* slot_uses fills |slots| with what each engine slot is to the swap
 * policy and |n| with how many there are; FALSE with |error| if the
 * engine fails. */
static gboolean slot_uses(VgwTlsContextVerbs *v,
                          VgwTlsSlot slots[VGW_CRYPTO_SLOTS], guint *n,
                          GError **error) {
  const VgwParamConfig *cfg = vgw_config_state_running(v->cs);
  gboolean referenced[VGW_CRYPTO_SLOTS] = {FALSE};
  *n = MIN(vgw_crypto_num_slots(v->engine), VGW_CRYPTO_SLOTS);
  for (gsize r = 0; r < vgw_tls_context_count(cfg); r++) {
    guint context = vgw_tls_context_index_at(cfg, r);
    guint slot = vgw_tls_identity_slot(v->cs, context);
    if (slot < *n && in_service(v, context)) {
      referenced[slot] = TRUE;
    }
  }
  for (guint slot = 0; slot < *n; slot++) {
    VgwCryptoSlotInfo info;
    gboolean retired = FALSE;
    slots[slot].retired_when = 0;
    if (!vgw_crypto_info(v->engine, slot, &info, error)) {
      return FALSE;
    }
    if (!referenced[slot] && info.key_type != VGW_KEY_TYPE_NONE &&
        !info.locked &&
        !key_retired(v, slot, &retired, &slots[slot].retired_when, error)) {
      return FALSE;
    }
    slots[slot].use = vgw_tls_slot_classify(&info, referenced[slot], retired);
  }
  return TRUE;
}

/* retire_failed logs why |slot| could not be recorded as retired. */
static gint retire_failed(VgwTlsContextVerbs *v, guint slot, GError *error) {
  g_warning("tls: context %u: the key in engine slot %u is not recorded "
            "as retired (%s); later swaps do not reuse the slot",
            v->context, slot, error->message);
  g_error_free(error);
  return -1;
}

/* retire records the key in |slot|, which the staged context is about to
 * leave, as retired by a swap, so that the slot policy may reuse the
 * slot once no context refers to it. The record is written before the
 * context moves: a power failure in between leaves a record for a slot
 * still in use, which the policy does not choose. Best effort: a slot
 * whose record could not be written is only never reused. Returns the
 * slot, or -1 when it held no key or the record failed (logged). */
static gint retire(VgwTlsContextVerbs *v, guint slot) {
  VgwCryptoSlotInfo info;
  GError *error = NULL;
  if (!vgw_crypto_info(v->engine, slot, &info, &error)) {
    return retire_failed(v, slot, error);
  }
  if (info.key_type == VGW_KEY_TYPE_NONE) {
    return -1;
  }
  char *fp = fingerprint(v->engine, slot, &error);
  if (fp == NULL) {
    return retire_failed(v, slot, error);
  }
  char *record =
      vgw_tls_retired_record(fp, vgw_config_state_generation(v->cs));
  char *name = vgw_tls_retired_blob(slot);
  VgwConfigBlob blob = {VGW_STORE_BLOB_KEY_REFERENCE, name, record,
                        strlen(record)};
  gboolean ok = vgw_config_state_put_blobs(v->cs, &blob, 1, &error);
  if (ok) {
    g_message("tls: context %u leaves engine slot %u: its key (sha256 %s) "
              "is retired, the slot free for a later swap",
              v->context, slot, fp);
  }
  g_free(name);
  g_free(record);
  g_free(fp);
  return ok ? (gint)slot : retire_failed(v, slot, error);
}

/* install validates the staged bundle with the key of |slot| and stores
 * it, retiring the context's previous slot if it moves (|retired| that
 * slot, else -1); FALSE with |out| failed otherwise. */
static gboolean install(VgwTlsContextVerbs *v, guint slot, gint *retired,
                        VgwMgmtReply *out) {
  GError *error = NULL;
  char *roots_pem = NULL;
  guint current = vgw_tls_identity_slot(v->cs, v->context);
  GBytes *spki = key_of(v, slot, out);
  if (spki == NULL) {
    return FALSE;
  }
  *retired = -1;
  gboolean ok = validate(v, spki, &roots_pem, &error);
  if (ok && slot != current) {
    *retired = retire(v, current);
  }
  ok = ok && vgw_tls_identity_store(v->cs, v->context, slot, v->cert,
                                    v->chain, roots_pem, &error);
  if (!ok) {
    refuse(v, out, error);
  }
  g_free(roots_pem);
  g_bytes_unref(spki);
  return ok;
}

/* staged_cert fails |out| unless a device certificate is staged. */
static gboolean staged_cert(VgwTlsContextVerbs *v, VgwMgmtReply *out) {
  if (!v->staging || v->cert == NULL) {
    vgw_reply_fail(out, "no device certificate staged (cert-begin, "
                        "cert-add cert first)");
    return FALSE;
  }
  return TRUE;
}

/* verb_check validates the staged bundle with a key given as base64 DER
 * SubjectPublicKeyInfo (a key about to be imported), keeping it staged. */
static void verb_check(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwTlsContextVerbs *v = c->data;
  if (c->argc != 1) {
    vgw_reply_usage(c, out);
    return;
  }
  if (!staged_cert(v, out)) {
    return;
  }
  gsize len = 0;
  guchar *der = vgw_base64_decode(c->argv[1], strlen(c->argv[1]), &len);
  if (der == NULL) {
    vgw_reply_fail(out, "bad key: not base64 DER");
    return;
  }
  GBytes *spki = g_bytes_new_take(der, len);
  GError *error = NULL;
  char *roots_pem = NULL;
  if (validate(v, spki, &roots_pem, &error)) {
    vgw_reply_done(c, out, "The bundle is acceptable.\n");
  } else {
    refuse(v, out, error);
    drop_staging(v);
  }
  g_free(roots_pem);
  g_bytes_unref(spki);
}

/* reply_cert answers |text| to a person, else {"context":N (unless
 * |context| < 0),"slot":S,"retired":R (unless |retired| < 0),"subject",
 * "sha256"} of |cert|. */
static void reply_cert(const VgwMgmtCall *c, VgwMgmtReply *out,
                       const char *text, gint context, guint slot,
                       gint retired, X509 *cert) {
  GString *b = g_string_new(NULL);
  if (c->human) {
    g_string_assign(b, text);
  } else {
    char *subject = vgw_tls_cert_subject(cert);
    char *fp = vgw_tls_cert_fingerprint(cert);
    g_string_append_c(b, '{');
    if (context >= 0) {
      vgw_json_uint(b, "context", (guint)context);
    }
    vgw_json_uint(b, "slot", slot);
    if (retired >= 0) {
      vgw_json_uint(b, "retired", (guint)retired);
    }
    vgw_json_str(b, "subject", subject);
    vgw_json_str(b, "sha256", fp);
    g_string_append_c(b, '}');
    g_free(subject);
    g_free(fp);
  }
  vgw_reply_ok(out, b);
}

/* engine_key_arg reads the SLOT COMMON-NAME arguments of cert-issue and
 * cert-csr: the engine key to sign with in |key|, and its public key
 * returned; NULL with |out| failed otherwise. */
static GBytes *engine_key_arg(const VgwMgmtCall *c, VgwTlsEngineKey *key,
                              VgwMgmtReply *out) {
  VgwTlsContextVerbs *v = c->data;
  guint64 n;
  if (c->argc != 2 ||
      !g_ascii_string_to_unsigned(c->argv[1], 10, 0, VGW_CRYPTO_SLOTS - 1, &n,
                                  NULL)) {
    vgw_reply_usage(c, out);
    return NULL;
  }
  if (!vgw_tls_cert_common_name_valid(c->argv[2])) {
    vgw_reply_fail(out,
                   "bad common name: 1 to %d printable ASCII characters",
                   VGW_TLS_CERT_CN_MAX);
    return NULL;
  }
  if (v->engine == NULL) {
    vgw_reply_fail(out, "no crypto engine on this board");
    return NULL;
  }
  key->engine = v->engine;
  key->slot = (guint)n;
  return key_of(v, key->slot, out);
}

/* verb_issue stages, as the device certificate, a self-signed one for
 * the key in an engine slot, signed by that key inside the engine (the
 * certificate Context 0 gets at first boot, tls_cert.h). */
static void verb_issue(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwTlsContextVerbs *v = c->data;
  if (!v->staging) {
    vgw_reply_fail(out, "no bundle staged (cert-begin first)");
    return;
  }
  if (v->cert != NULL) {
    vgw_reply_fail(out, "the device certificate was already staged");
    return;
  }
  VgwTlsEngineKey key;
  GBytes *spki = engine_key_arg(c, &key, out);
  if (spki == NULL) {
    return;
  }
  GError *error = NULL;
  v->cert = vgw_tls_cert_issue(spki, c->argv[2],
                               g_get_real_time() / G_USEC_PER_SEC,
                               vgw_tls_engine_sign, &key, &error);
  g_bytes_unref(spki);
  if (v->cert == NULL) {
    vgw_reply_fail(out, "engine slot %u: cannot issue a certificate: %s",
                   key.slot, error->message);
    g_error_free(error);
    return;
  }
  char *subject = vgw_tls_cert_subject(v->cert);
  char *text = g_strdup_printf(
      "Staged a self-signed %s for the key in slot %u.\n", subject, key.slot);
  reply_cert(c, out, text, -1, key.slot, -1, v->cert);
  g_free(text);
  g_free(subject);
}

/* verb_csr answers a PKCS#10 request for the key in an engine slot,
 * signed by that key inside the engine, for a CA to sign. */
static void verb_csr(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwTlsEngineKey key;
  GBytes *spki = engine_key_arg(c, &key, out);
  if (spki == NULL) {
    return;
  }
  GError *error = NULL;
  char *pem =
      vgw_tls_csr_issue(spki, c->argv[2], vgw_tls_engine_sign, &key, &error);
  g_bytes_unref(spki);
  if (pem == NULL) {
    vgw_reply_fail(out, "engine slot %u: cannot make a request: %s", key.slot,
                   error->message);
    g_error_free(error);
    return;
  }
  GString *b = g_string_new(NULL);
  if (c->human) {
    g_string_append(b, pem);
  } else {
    g_string_append_c(b, '{');
    vgw_json_uint(b, "slot", key.slot);
    vgw_json_str(b, "csr", pem);
    g_string_append_c(b, '}');
  }
  vgw_reply_ok(out, b);
  g_free(pem);
}

static void verb_commit(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwTlsContextVerbs *v = c->data;
  guint64 slot = v->staging ? vgw_tls_identity_slot(v->cs, v->context) : 0;
  if (c->argc > 1 ||
      (c->argc == 1 && !g_ascii_string_to_unsigned(c->argv[1], 10, 0,
                                                    VGW_CRYPTO_SLOTS - 1,
                                                    &slot, NULL))) {
    vgw_reply_usage(c, out);
    return;
  }
  if (!staged_cert(v, out)) {
    return;
  }
  if (v->engine == NULL) {
    vgw_reply_fail(out, "no crypto engine on this board");
    return;
  }
  gint retired;
  if (install(v, (guint)slot, &retired, out)) {
    char *subject = vgw_tls_cert_subject(v->cert);
    char *fp = vgw_tls_cert_fingerprint(v->cert);
    char *text = g_strdup_printf(
        "Context %u: %s installed; new connections use it.\n", v->context,
        subject);
    g_message("tls: context %u: certificate %s (sha256 %s) installed with "
              "%d intermediates, the key in engine slot %u%s",
              v->context, subject, fp, (int)sk_X509_num(v->chain),
              (guint)slot,
              sk_X509_num(v->roots) > 0 ? " and new trusted roots" : "");
    reply_cert(c, out, text, (gint)v->context, (guint)slot, retired,
               v->cert);
    g_free(text);
    g_free(subject);
    g_free(fp);
    guint context = v->context;
    drop_staging(v);
    if (v->changed != NULL) {
      v->changed(context, v->changed_data);
    }
    return;
  }
  drop_staging(v);
}

/* verb_slot answers the slot the swap policy (tls_slot_pick.h) chooses
 * for a new key, or, given SLOT, what that slot is to the policy. */
static void verb_slot(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwTlsContextVerbs *v = c->data;
  guint64 asked = 0;
  if (c->argc > 1 ||
      (c->argc == 1 && !g_ascii_string_to_unsigned(c->argv[1], 10, 0,
                                                    VGW_CRYPTO_SLOTS - 1,
                                                    &asked, NULL))) {
    vgw_reply_usage(c, out);
    return;
  }
  if (v->engine == NULL) {
    vgw_reply_fail(out, "no crypto engine on this board");
    return;
  }
  VgwTlsSlot slots[VGW_CRYPTO_SLOTS];
  guint n;
  GError *error = NULL;
  if (!slot_uses(v, slots, &n, &error)) {
    vgw_reply_fail(out, "engine: %s", error->message);
    g_error_free(error);
    return;
  }
  int slot = c->argc == 1 ? (int)asked : vgw_tls_slot_pick(slots, n);
  if (slot >= (int)n) {
    vgw_reply_fail(out, "no engine slot %d (the engine has %u)", slot, n);
    return;
  }
  if (slot < 0) {
    vgw_reply_fail(out,
                   "no-free-slot: none of the engine's %u slots can take a "
                   "new key: each holds the key of a TLS Context, a locked "
                   "key, or a key no certificate swap retired",
                   n);
    return;
  }
  const char *use = vgw_tls_slot_use_name(slots[slot].use);
  GString *b = g_string_new(NULL);
  if (c->human) {
    g_string_append_printf(b, "Slot %d: %s.\n", slot, use);
  } else {
    g_string_append_c(b, '{');
    vgw_json_uint(b, "slot", (guint)slot);
    vgw_json_str(b, "use", use);
    g_string_append_c(b, '}');
  }
  vgw_reply_ok(out, b);
}

/* iso_time returns |t| as "YYYY-MM-DDTHH:MM:SSZ" (newly allocated). */
static char *iso_time(const ASN1_TIME *t) {
  ASN1_GENERALIZEDTIME *g = ASN1_TIME_to_generalizedtime(t, NULL);
  char *text = NULL;
  /* YYYYMMDDHHMMSSZ */
  if (g != NULL && ASN1_STRING_length(g) == 15) {
    const char *s = (const char *)ASN1_STRING_get0_data(g);
    text = g_strdup_printf("%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s, s + 4, s + 6,
                           s + 8, s + 10, s + 12);
  }
  ASN1_GENERALIZEDTIME_free(g);
  return text ? text : g_strdup("?");
}

/* describe appends |x| as a JSON object, or a text line. */
static void describe(GString *b, X509 *x, gboolean human, const char *label) {
  char *subject = vgw_tls_cert_subject(x);
  char *issuer = vgw_tls_cert_issuer(x);
  char *from = iso_time(X509_get0_notBefore(x));
  char *until = iso_time(X509_get0_notAfter(x));
  char *fp = vgw_tls_cert_fingerprint(x);
  if (human) {
    g_string_append_printf(b, "  %-12s %s (issuer %s), %s to %s, sha256 %s\n",
                           label, subject, issuer, from, until, fp);
  } else {
    g_string_append_c(b, '{');
    vgw_json_str(b, "subject", subject);
    vgw_json_str(b, "issuer", issuer);
    vgw_json_str(b, "not_before", from);
    vgw_json_str(b, "not_after", until);
    vgw_json_str(b, "sha256", fp);
    g_string_append_c(b, '}');
  }
  g_free(subject);
  g_free(issuer);
  g_free(from);
  g_free(until);
  g_free(fp);
}

/* describe_all appends |certs| from |first| on as a JSON array or lines. */
static void describe_all(GString *b, STACK_OF(X509) *certs, size_t first,
                         gboolean human, const char *label) {
  if (!human) {
    g_string_append_c(b, '[');
  }
  for (size_t i = first; i < sk_X509_num(certs); i++) {
    if (!human && i > first) {
      g_string_append_c(b, ',');
    }
    describe(b, sk_X509_value(certs, i), human, label);
  }
  if (!human) {
    g_string_append_c(b, ']');
  }
}

static void verb_show(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwTlsContextVerbs *v = c->data;
  guint context = 0;
  if (c->argc > 1) {
    vgw_reply_usage(c, out);
    return;
  }
  if (c->argc == 1 && !parse_context(v, c->argv[1], &context, out)) {
    return;
  }
  GError *error = NULL;
  char *cert_blob = vgw_tls_context_blob(context, VGW_TLS_CERT_FILE);
  char *roots_blob = vgw_tls_context_blob(context, VGW_TLS_ROOTS_FILE);
  STACK_OF(X509) *certs =
      vgw_tls_identity_stored_certs(v->cs, cert_blob, &error);
  STACK_OF(X509) *roots =
      certs ? vgw_tls_identity_stored_certs(v->cs, roots_blob, &error) : NULL;
  g_free(cert_blob);
  g_free(roots_blob);
  if (roots == NULL) {
    vgw_reply_fail(out, "%s", error->message);
    g_error_free(error);
    sk_X509_pop_free(certs, X509_free);
    return;
  }
  guint slot = vgw_tls_identity_slot(v->cs, context);
  const char *name =
      vgw_tls_context_name(vgw_config_state_running(v->cs), context);
  GString *b = g_string_new(NULL);
  if (c->human) {
    g_string_append_printf(b, "TLS context %u (%s): key in engine slot %u\n",
                           context, name, slot);
    if (sk_X509_num(certs) == 0) {
      g_string_append(b, context == 0 ? "  no certificate yet (made at the "
                                        "next boot)\n"
                                      : "  no certificate yet (cert-commit "
                                        "installs one)\n");
    } else {
      describe(b, sk_X509_value(certs, 0), TRUE, "certificate");
    }
    describe_all(b, certs, 1, TRUE, "chain");
    describe_all(b, roots, 0, TRUE, "trusted root");
  } else {
    g_string_append_c(b, '{');
    vgw_json_uint(b, "context", context);
    vgw_json_str(b, "name", name);
    vgw_json_uint(b, "slot", slot);
    vgw_json_key(b, "certificate");
    if (sk_X509_num(certs) == 0) {
      g_string_append(b, "null");
    } else {
      describe(b, sk_X509_value(certs, 0), FALSE, NULL);
    }
    vgw_json_key(b, "chain");
    describe_all(b, certs, 1, FALSE, NULL);
    vgw_json_key(b, "roots");
    describe_all(b, roots, 0, FALSE, NULL);
    g_string_append_c(b, '}');
  }
  vgw_reply_ok(out, b);
  sk_X509_pop_free(certs, X509_free);
  sk_X509_pop_free(roots, X509_free);
}

static const VgwMgmtVerb context_verbs[] = {
    {"cert-begin", "CONTEXT", "start staging a TLS Context's certificates",
     0, verb_begin},
    {"cert-add", "cert|chain|ca BASE64-DER", "stage one certificate", 0,
     verb_add},
    {"cert-check", "BASE64-SPKI",
     "validate the staged bundle for a key not yet in the engine", 0,
     verb_check},
    {"cert-issue", "SLOT COMMON-NAME",
     "stage a self-signed certificate for the key in engine SLOT", 0,
     verb_issue},
    {"cert-csr", "SLOT COMMON-NAME",
     "a PKCS#10 request for the key in engine SLOT, signed in the engine", 0,
     verb_csr},
    {"cert-slot", "[SLOT]",
     "the engine slot a new key would go into, or what SLOT is used for", 0,
     verb_slot},
    {"cert-commit", "[SLOT]",
     "validate the staged bundle and install it (key in engine SLOT)", 0,
     verb_commit},
    {"cert-show", "[CONTEXT]", "a TLS Context's certificates", 0, verb_show},
};

const VgwMgmtVerbSet vgw_tls_context_verb_set = {
    context_verbs, G_N_ELEMENTS(context_verbs), drop_staging};
