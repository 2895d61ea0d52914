/* TLS Context 0's device identity: see tls_identity.h. */
#include "tls/tls_identity.h"

#include <openssl/x509.h>
#include <string.h>

#include "tls/tls_bundle.h"
#include "tls/tls_cert.h"
#include "vgw_crypto.h"

char *vgw_tls_identity_common_name(const char *serial) {
  return g_strconcat("ACL_", serial, NULL);
}

GBytes *vgw_tls_engine_sign(uint32_t scheme, const uint8_t *digest, size_t len,
                            gpointer data, GError **error) {
  const VgwTlsEngineKey *key = data;
  return vgw_crypto_sign(key->engine, key->slot, scheme, digest, len, error);
}

void vgw_tls_identity_free(VgwTlsIdentity *id) {
  if (id == NULL) {
    return;
  }
  if (id->spki != NULL) {
    g_bytes_unref(id->spki);
  }
  X509_free(id->cert);
  sk_X509_pop_free(id->chain, X509_free);
  g_free(id);
}

char *vgw_tls_context_blob(guint context, const char *file) {
  return g_strdup_printf("tls/%u/%s", context, file);
}

/* stored_cert returns |context|'s stored certificate if it is for
 * |spki|, with the chain stored after it in |*chain|. */
static X509 *stored_cert(VgwConfigState *cs, guint context, GBytes *spki,
                         guint slot, STACK_OF(X509) **chain) {
  GError *error = NULL;
  char *name = vgw_tls_context_blob(context, VGW_TLS_CERT_FILE);
  STACK_OF(X509) *certs = vgw_tls_identity_stored_certs(cs, name, &error);
  if (certs == NULL) {
    g_warning("tls: stored %s unreadable: %s", name, error->message);
    g_error_free(error);
    g_free(name);
    return NULL;
  }
  g_free(name);
  if (sk_X509_num(certs) == 0) {
    g_message("tls: no stored certificate for context %u", context);
    sk_X509_free(certs);
    return NULL;
  }
  X509 *cert = sk_X509_shift(certs);
  if (!vgw_tls_cert_matches(cert, spki)) {
    g_message(
        "tls: the stored certificate is not for the key in slot %u "
        "(the key was replaced)",
        slot);
    X509_free(cert);
    sk_X509_pop_free(certs, X509_free);
    return NULL;
  }
  *chain = certs;
  return cert;
}

STACK_OF(X509) *vgw_tls_identity_stored_certs(VgwConfigState *cs,
                                              const char *name,
                                              GError **error) {
  GBytes *pem = vgw_config_state_blob(cs, name);
  if (pem == NULL) {
    return sk_X509_new_null();
  }
  STACK_OF(X509) *certs = vgw_tls_bundle_read_pem(
      g_bytes_get_data(pem, NULL), g_bytes_get_size(pem), name, error);
  g_bytes_unref(pem);
  return certs;
}

guint vgw_tls_identity_slot(VgwConfigState *cs, guint context) {
  char *name = vgw_tls_context_blob(context, VGW_TLS_KEY_REF_FILE);
  GBytes *ref = vgw_config_state_blob(cs, name);
  guint slot = context;
  if (ref == NULL) {
    g_free(name);
    return slot;
  }
  /* "engine-slot=N", perhaps with a line end. */
  char *text = g_strstrip(g_strndup(g_bytes_get_data(ref, NULL),
                                    g_bytes_get_size(ref)));
  guint64 n;
  if (g_str_has_prefix(text, "engine-slot=") &&
      g_ascii_string_to_unsigned(text + strlen("engine-slot="), 10, 0,
                                 VGW_CRYPTO_SLOTS - 1, &n, NULL)) {
    slot = (guint)n;
  } else {
    g_warning("tls: %s unreadable; the key is taken from slot %u", name,
              slot);
  }
  g_free(name);
  g_free(text);
  g_bytes_unref(ref);
  return slot;
}

gboolean vgw_tls_identity_store(VgwConfigState *cs, guint context, guint slot,
                                X509 *cert, STACK_OF(X509) *chain,
                                const char *roots_pem, GError **error) {
  char *pem = vgw_tls_certs_to_pem(cert, chain);
  char *ref = g_strdup_printf("engine-slot=%u", slot);
  char *names[] = {vgw_tls_context_blob(context, VGW_TLS_CERT_FILE),
                   vgw_tls_context_blob(context, VGW_TLS_KEY_REF_FILE),
                   vgw_tls_context_blob(context, VGW_TLS_ROOTS_FILE)};
  VgwConfigBlob blobs[] = {
      {VGW_STORE_BLOB_CERTIFICATE, names[0], pem, pem ? strlen(pem) : 0},
      {VGW_STORE_BLOB_KEY_REFERENCE, names[1], ref, strlen(ref)},
      {VGW_STORE_BLOB_TRUSTED_ROOTS, names[2], roots_pem,
       roots_pem ? strlen(roots_pem) : 0},
  };
  gboolean ok = FALSE;
  if (pem == NULL) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_CERTIFICATE,
                      "cannot encode the certificate as PEM");
  } else {
    ok = vgw_config_state_put_blobs(cs, blobs,
                                    G_N_ELEMENTS(blobs) - (roots_pem == NULL),
                                    error);
  }
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    g_free(names[i]);
  }
  g_free(pem);
  g_free(ref);
  return ok;
}

/* store_cert saves an issued |cert| and its key reference. */
static void store_cert(VgwConfigState *cs, guint slot, X509 *cert) {
  GError *error = NULL;
  if (!vgw_tls_identity_store(cs, 0, slot, cert, NULL, NULL, &error)) {
    g_warning(
        "tls: certificate not stored (%s); it is issued again at the "
        "next boot",
        error->message);
    g_error_free(error);
  } else {
    g_message(
        "tls: certificate stored as %s (flash generation %" G_GUINT64_FORMAT
        ")",
        VGW_TLS_CONTEXT0_CERT, vgw_config_state_generation(cs));
  }
}

VgwTlsIdentity *vgw_tls_identity_load(VgwCryptoEngine *engine,
                                      VgwConfigState *cs, guint context,
                                      GError **error) {
  const guint slot = vgw_tls_identity_slot(cs, context);
  char *name = vgw_tls_context_blob(context, VGW_TLS_CERT_FILE);
  GBytes *pem = vgw_config_state_blob(cs, name);
  g_free(name);
  if (pem == NULL) {
    return NULL; /* nothing installed yet */
  }
  g_bytes_unref(pem);
  VgwCryptoSlotInfo info;
  VgwTlsIdentity *id = g_new0(VgwTlsIdentity, 1);
  id->slot = slot;
  if (!vgw_crypto_info(engine, slot, &info, error) ||
      (id->spki = vgw_crypto_export_pub(engine, slot, error)) == NULL) {
    vgw_tls_identity_free(id);
    return NULL;
  }
  id->key_type = info.key_type;
  id->cert = stored_cert(cs, context, id->spki, slot, &id->chain);
  if (id->cert == NULL) {
    vgw_tls_set_error(error, VGW_TLS_ERROR_KEY,
                      "context %u: its stored certificate is not for the key "
                      "in engine slot %u",
                      context, slot);
    vgw_tls_identity_free(id);
    return NULL;
  }
  char *subject = vgw_tls_cert_subject(id->cert);
  g_message("tls: context %u: certificate %s (%d intermediates) for the %s "
            "key in engine slot %u",
            context, subject, (int)sk_X509_num(id->chain),
            vgw_crypto_key_type_name(id->key_type), slot);
  g_free(subject);
  return id;
}

VgwTlsIdentity *vgw_tls_identity_context0(VgwCryptoEngine *engine,
                                          VgwConfigState *cs,
                                          const char *serial,
                                          uint32_t default_key_type,
                                          int64_t now, GError **error) {
  const guint slot = vgw_tls_identity_slot(cs, 0);
  VgwCryptoSlotInfo info;
  if (!vgw_crypto_info(engine, slot, &info, error)) {
    return NULL;
  }
  if (info.key_type == VGW_KEY_TYPE_NONE) {
    g_message(
        "tls: engine slot %u is empty: generating the device key "
        "(%s) in the crypto engine",
        slot, vgw_crypto_key_type_name(default_key_type));
    gint64 t0 = g_get_monotonic_time();
    if (!vgw_crypto_generate(engine, slot, default_key_type, error) ||
        !vgw_crypto_info(engine, slot, &info, error)) {
      return NULL;
    }
    g_message("tls: device key generated in %" G_GINT64_FORMAT " ms",
              (g_get_monotonic_time() - t0) / 1000);
  }
  VgwTlsIdentity *id = g_new0(VgwTlsIdentity, 1);
  id->slot = slot;
  id->key_type = info.key_type;
  id->spki = vgw_crypto_export_pub(engine, slot, error);
  if (id->spki == NULL) {
    vgw_tls_identity_free(id);
    return NULL;
  }
  id->cert = stored_cert(cs, 0, id->spki, slot, &id->chain);
  if (id->cert == NULL) {
    id->chain = sk_X509_new_null();
    char *cn = vgw_tls_identity_common_name(serial);
    VgwTlsEngineKey key = {engine, slot};
    id->cert =
        vgw_tls_cert_issue(id->spki, cn, now, vgw_tls_engine_sign, &key, error);
    g_free(cn);
    if (id->cert == NULL) {
      vgw_tls_identity_free(id);
      return NULL;
    }
    id->issued = TRUE;
    store_cert(cs, slot, id->cert);
  }
  char *subject = vgw_tls_cert_subject(id->cert);
  char *fp = vgw_tls_spki_fingerprint(id->spki);
  g_message(
      "tls: context 0: %s certificate %s (%zu intermediates) for the %s %s "
      "key in engine slot %u (public key sha256 %s)",
      id->issued ? "issued" : "stored", subject, sk_X509_num(id->chain),
      info.imported ? "imported" : "generated",
      vgw_crypto_key_type_name(id->key_type), slot, fp);
  g_free(subject);
  g_free(fp);
  return id;
}
