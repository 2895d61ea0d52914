/* TLS Context 0's device identity: see tls_identity.h. */
#include "tls/tls_identity.h"

#include <openssl/x509.h>
#include <string.h>

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
  g_free(id);
}

/* stored_cert returns the stored certificate if it is for |spki|. */
static X509 *stored_cert(VgwConfigState *cs, GBytes *spki) {
  GBytes *pem = vgw_config_state_blob(cs, VGW_TLS_CONTEXT0_CERT);
  if (pem == NULL) {
    g_message("tls: no stored certificate for context 0");
    return NULL;
  }
  GError *error = NULL;
  X509 *cert = vgw_tls_cert_from_pem(g_bytes_get_data(pem, NULL),
                                     g_bytes_get_size(pem), &error);
  g_bytes_unref(pem);
  if (cert == NULL) {
    g_warning("tls: stored %s unreadable: %s", VGW_TLS_CONTEXT0_CERT,
              error->message);
    g_error_free(error);
    return NULL;
  }
  if (!vgw_tls_cert_matches(cert, spki)) {
    g_message(
        "tls: the stored certificate is not for the key in slot %u "
        "(the key was replaced)",
        VGW_TLS_CONTEXT0_SLOT);
    X509_free(cert);
    return NULL;
  }
  return cert;
}

/* store_cert saves |cert| and its key reference in the flash store. */
static void store_cert(VgwConfigState *cs, X509 *cert) {
  char *pem = vgw_tls_cert_to_pem(cert);
  char *ref = g_strdup_printf("engine-slot=%u", VGW_TLS_CONTEXT0_SLOT);
  VgwConfigBlob blobs[] = {
      {VGW_STORE_BLOB_CERTIFICATE, VGW_TLS_CONTEXT0_CERT, pem,
       pem ? strlen(pem) : 0},
      {VGW_STORE_BLOB_KEY_REFERENCE, VGW_TLS_CONTEXT0_KEY_REF, ref,
       strlen(ref)},
  };
  GError *error = NULL;
  if (pem == NULL) {
    g_warning("tls: cannot encode the certificate as PEM");
  } else if (!vgw_config_state_put_blobs(cs, blobs, G_N_ELEMENTS(blobs),
                                         &error)) {
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
  g_free(pem);
  g_free(ref);
}

VgwTlsIdentity *vgw_tls_identity_context0(VgwCryptoEngine *engine,
                                          VgwConfigState *cs,
                                          const char *serial,
                                          uint32_t default_key_type,
                                          int64_t now, GError **error) {
  const guint slot = VGW_TLS_CONTEXT0_SLOT;
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
  id->cert = stored_cert(cs, id->spki);
  if (id->cert == NULL) {
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
    store_cert(cs, id->cert);
  }
  char *subject = vgw_tls_cert_subject(id->cert);
  char *fp = vgw_tls_spki_fingerprint(id->spki);
  g_message(
      "tls: context 0: %s certificate %s for the %s %s key in engine "
      "slot %u (public key sha256 %s)",
      id->issued ? "issued" : "stored", subject,
      info.imported ? "imported" : "generated",
      vgw_crypto_key_type_name(id->key_type), slot, fp);
  g_free(subject);
  g_free(fp);
  return id;
}
