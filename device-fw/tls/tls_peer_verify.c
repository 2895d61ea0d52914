/* A TLS peer's certificate judged: see tls_peer_verify.h. */
#include "tls/tls_peer_verify.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/tls_bundle.h"
#include "tls/tls_cert.h"

/* san_text words one GENERAL_NAME, or NULL for kinds SIP does not use. */
static char *san_text(const GENERAL_NAME *name) {
  const char *kind;
  const ASN1_STRING *value;
  switch (name->type) {
    case GEN_DNS:
      kind = "DNS";
      value = name->d.dNSName;
      break;
    case GEN_URI:
      kind = "URI";
      value = name->d.uniformResourceIdentifier;
      break;
    case GEN_EMAIL:
      kind = "email";
      value = name->d.rfc822Name;
      break;
    case GEN_IPADD: {
      const ASN1_OCTET_STRING *ip = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN];
      int family = ASN1_STRING_length(ip) == 4    ? AF_INET
                   : ASN1_STRING_length(ip) == 16 ? AF_INET6
                                                  : 0;
      if (family == 0 ||
          inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof(text)) ==
              NULL) {
        return g_strdup("IP:?");
      }
      return g_strdup_printf("IP:%s", text);
    }
    default:
      return NULL;
  }
  /* IA5Strings: printable ASCII, but bytes from a peer are escaped. */
  char *raw = g_strndup((const char *)ASN1_STRING_get0_data(value),
                        (gsize)ASN1_STRING_length(value));
  char *escaped = g_strescape(raw, NULL);
  char *out = g_strdup_printf("%s:%s", kind, escaped);
  g_free(escaped);
  g_free(raw);
  return out;
}

/* sans returns |cert|'s subjectAltName entries, NULL-terminated. */
static char **sans(X509 *cert) {
  GPtrArray *out = g_ptr_array_new();
  GENERAL_NAMES *names =
      X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  for (size_t i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
    char *text = san_text(sk_GENERAL_NAME_value(names, i));
    if (text != NULL) {
      g_ptr_array_add(out, text);
    }
  }
  GENERAL_NAMES_free(names);
  ERR_clear_error();
  g_ptr_array_add(out, NULL);
  return (char **)g_ptr_array_free(out, FALSE);
}

VgwTlsPeerIdentity *vgw_tls_peer_identity_new(X509 *cert) {
  VgwTlsPeerIdentity *id = g_new0(VgwTlsPeerIdentity, 1);
  id->subject = vgw_tls_cert_subject(cert);
  id->issuer = vgw_tls_cert_issuer(cert);
  id->sha256 = vgw_tls_cert_fingerprint(cert);
  id->san = sans(cert);
  return id;
}

void vgw_tls_peer_identity_free(VgwTlsPeerIdentity *id) {
  if (id == NULL) {
    return;
  }
  g_free(id->subject);
  g_free(id->issuer);
  g_free(id->sha256);
  g_strfreev(id->san);
  g_free(id);
}

/* sent_its_issuer says whether one of the certificates |leaf| came with
 * names itself as |leaf|'s issuer. */
static gboolean sent_its_issuer(X509 *leaf, STACK_OF(X509) *sent) {
  for (size_t i = 0; i < sk_X509_num(sent); i++) {
    if (X509_NAME_cmp(X509_get_issuer_name(leaf),
                      X509_get_subject_name(sk_X509_value(sent, i))) == 0) {
      return TRUE;
    }
  }
  return FALSE;
}

/* refuse sets |error| to |code| and *out_alert to |alert|, the message
 * naming the peer's certificate |leaf| and |why|. */
static void refuse(GError **error, uint8_t *out_alert, VgwTlsError code,
                   uint8_t alert, X509 *leaf, const char *why) {
  char *subject = vgw_tls_cert_subject(leaf);
  char *issuer = vgw_tls_cert_issuer(leaf);
  g_set_error(error, VGW_TLS_ERROR, code, "certificate %s (issuer %s): %s: %s",
              subject, issuer, vgw_tls_error_name(code), why);
  *out_alert = alert;
  g_free(subject);
  g_free(issuer);
}

VgwTlsPeerIdentity *vgw_tls_peer_verify(STACK_OF(X509) *certs,
                                        STACK_OF(X509) *roots, guint roles,
                                        int64_t now, uint8_t *out_alert,
                                        GError **error) {
  if (certs == NULL || sk_X509_num(certs) == 0) {
    g_set_error(error, VGW_TLS_ERROR, VGW_TLS_ERROR_NO_PEER_CERTIFICATE,
                "no certificate");
    *out_alert = SSL_AD_CERTIFICATE_REQUIRED;
    return NULL;
  }
  X509 *leaf = sk_X509_value(certs, 0);
  STACK_OF(X509) *sent = sk_X509_new_null();
  for (size_t i = 1; sent != NULL && i < sk_X509_num(certs); i++) {
    if (!sk_X509_push(sent, sk_X509_value(certs, i))) {
      sk_X509_free(sent);
      sent = NULL;
    }
  }
  GError *why = NULL;
  if (sent == NULL) {
    refuse(error, out_alert, VGW_TLS_ERROR_CHAIN, SSL_AD_INTERNAL_ERROR, leaf,
           "out of memory");
    return NULL;
  }
  gboolean ok =
      vgw_tls_bundle_check_peer(leaf, sent, roots, roles, now, &why);
  if (ok) {
    sk_X509_free(sent);
    return vgw_tls_peer_identity_new(leaf);
  }
  switch (why->code) {
    case VGW_TLS_BUNDLE_ERROR_EXPIRED:
      refuse(error, out_alert, VGW_TLS_ERROR_EXPIRED,
             SSL_AD_CERTIFICATE_EXPIRED, leaf, why->message);
      break;
    case VGW_TLS_BUNDLE_ERROR_NOT_YET_VALID:
      refuse(error, out_alert, VGW_TLS_ERROR_NOT_YET_VALID,
             SSL_AD_BAD_CERTIFICATE, leaf, why->message);
      break;
    case VGW_TLS_BUNDLE_ERROR_UNTRUSTED:
      if (sk_X509_num(sent) > 0 && !sent_its_issuer(leaf, sent)) {
        char *issuer = vgw_tls_cert_issuer(leaf);
        char *text = g_strdup_printf(
            "the certificates sent with it (%zu) do not include its "
            "issuer %s (a missing intermediate)",
            sk_X509_num(sent), issuer);
        refuse(error, out_alert, VGW_TLS_ERROR_CHAIN, SSL_AD_BAD_CERTIFICATE,
               leaf, text);
        g_free(text);
        g_free(issuer);
      } else {
        refuse(error, out_alert, VGW_TLS_ERROR_UNTRUSTED, SSL_AD_UNKNOWN_CA,
               leaf, why->message);
      }
      break;
    default:
      refuse(error, out_alert, VGW_TLS_ERROR_CHAIN, SSL_AD_BAD_CERTIFICATE,
             leaf, why->message);
      break;
  }
  g_error_free(why);
  sk_X509_free(sent);
  return NULL;
}
