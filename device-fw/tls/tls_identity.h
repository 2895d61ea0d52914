/*
 * The device identity of TLS Context 0: the key in crypto-engine slot 0
 * and a self-signed certificate for it, CN=ACL_<serial number> as
 * AudioCodes gateways have (reference/gateway-spec.md, "TLS Contexts
 * table"), signed through the engine.
 *
 * The certificate lives in the flash store as tls/0/cert.pem (type
 * certificate; an injected one followed by its chain, the issuer first)
 * next to tls/0/key.ref (type key-reference, "engine-slot=N", slot 0
 * unless a certificate was injected for another slot); the key never
 * leaves the engine.
 */
#ifndef VGW_TLS_IDENTITY_H
#define VGW_TLS_IDENTITY_H

#include <glib.h>
#include <openssl/base.h>
#include <openssl/x509.h>
#include <stdint.h>

#include "hal/crypto_engine.h"
#include "vgw_crypto.h"
#include "config/config_state.h"

G_BEGIN_DECLS

#define VGW_TLS_CONTEXT0_SLOT 0
#define VGW_TLS_CONTEXT0_CERT "tls/0/cert.pem"
#define VGW_TLS_CONTEXT0_KEY_REF "tls/0/key.ref"
/* Context 0's trusted roots, a PEM bundle (type trusted-roots). */
#define VGW_TLS_CONTEXT0_ROOTS "tls/0/roots.pem"

/* VGW_TLS_DEFAULT_KEY_TYPE is the key generated on first boot. The
 * parameter registry has no TLSPkeySize (the AudioCodes default is 2048
 * bits), so it is RSA-2048. */
#define VGW_TLS_DEFAULT_KEY_TYPE VGW_KEY_TYPE_RSA_2048

typedef struct {
  guint slot;        /* engine slot of the private key */
  uint32_t key_type; /* VGW_KEY_TYPE_* */
  GBytes *spki;      /* the public key, DER SubjectPublicKeyInfo */
  X509 *cert;        /* self-signed or injected, for |spki| */
  STACK_OF(X509) *chain; /* its intermediates, sent after it; never NULL */
  gboolean issued;   /* the certificate was issued by this call */
} VgwTlsIdentity;

/* vgw_tls_identity_common_name returns "ACL_<serial>" (newly allocated). */
char *vgw_tls_identity_common_name(const char *serial);

/* vgw_tls_identity_context0 returns Context 0's identity, making what is
 * missing (the slot is the key reference's, 0 without one):
 *  - the slot empty: a |default_key_type| key is generated in the engine;
 *  - no stored certificate, or one whose public key is not slot 0's (the
 *    key was replaced, e.g. by offline provisioning): a certificate for
 *    CN=ACL_|serial| valid from |now| is issued through the engine and
 *    stored with its key reference (a store that cannot be written is
 *    logged; the certificate is still returned).
 * Each step is logged. NULL with |error| set if the engine fails. */
VgwTlsIdentity *vgw_tls_identity_context0(VgwCryptoEngine *engine,
                                          VgwConfigState *cs,
                                          const char *serial,
                                          uint32_t default_key_type,
                                          int64_t now, GError **error);

/* Every TLS Context N keeps its material as tls/N/<file> in the store,
 * as Context 0 does. */
#define VGW_TLS_CERT_FILE "cert.pem"
#define VGW_TLS_KEY_REF_FILE "key.ref"
#define VGW_TLS_ROOTS_FILE "roots.pem"

/* vgw_tls_context_blob returns "tls/|context|/|file|" (newly allocated). */
char *vgw_tls_context_blob(guint context, const char *file);

/* vgw_tls_identity_slot returns the engine slot |context|'s key
 * reference names, or, without a (readable) one, slot |context| (so
 * Context 0's key is in slot 0 from the factory). */
guint vgw_tls_identity_slot(VgwConfigState *cs, guint context);

/* vgw_tls_identity_load returns the identity stored for |context| (its
 * certificate and chain for the key in its slot), or NULL: with |error|
 * unset when the context has no certificate yet, with |error| set when
 * the engine fails or the certificate is not for the slot's key (both
 * logged). Nothing is generated or issued: that is Context 0's alone
 * (vgw_tls_identity_context0). */
VgwTlsIdentity *vgw_tls_identity_load(VgwCryptoEngine *engine,
                                      VgwConfigState *cs, guint context,
                                      GError **error);

/* vgw_tls_identity_stored_certs returns the certificates of the store's
 * PEM blob |name| in order, an empty stack if there is no such blob, or
 * NULL with |error| (VGW_TLS_BUNDLE_ERROR_UNREADABLE) if it does not
 * parse. */
STACK_OF(X509) *vgw_tls_identity_stored_certs(VgwConfigState *cs,
                                              const char *name,
                                              GError **error);

/* vgw_tls_identity_store writes, as one flash generation (all or
 * nothing), |context|'s certificate |cert| followed by |chain| (may be
 * NULL) as tls/N/cert.pem, its key reference to engine slot |slot|, and,
 * unless |roots_pem| is NULL, its trusted roots tls/N/roots.pem. FALSE
 * with the store's error. */
gboolean vgw_tls_identity_store(VgwConfigState *cs, guint context, guint slot,
                                X509 *cert,
                                STACK_OF(X509) *chain, const char *roots_pem,
                                GError **error);

/* vgw_tls_identity_free releases |id|; NULL allowed. */
void vgw_tls_identity_free(VgwTlsIdentity *id);

/* vgw_tls_engine_sign is a VgwTlsSignFunc signing with the engine slot
 * in |data| (a VgwTlsEngineKey). */
typedef struct {
  VgwCryptoEngine *engine;
  guint slot;
} VgwTlsEngineKey;
GBytes *vgw_tls_engine_sign(uint32_t scheme, const uint8_t *digest, size_t len,
                            gpointer data, GError **error);

G_END_DECLS

#endif /* VGW_TLS_IDENTITY_H */
