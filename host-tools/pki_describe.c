/* What vgw pki prints about a certificate: see pki_describe.h. */
#include "pki_describe.h"

#include <openssl/mem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki_time.h"
#include "x509_summary.h"

static void
put(GString *out, const char *field, const char *value)
{
  g_string_append_printf(out, "  %-9s %s\n", field, value);
}

static void
put_sans(GString *out, X509 *cert, const TlsdCert *summary)
{
  struct {
    const char *label;
    char **names;
  } kinds[] = {
    { "DNS", summary->san_dns },
    { "IP", summary->san_ip },
    { "URI", summary->san_uri },
    { "email", summary->san_email },
  };
  g_autoptr(GString) line = g_string_new(NULL);
  int index = X509_get_ext_by_NID(cert, NID_subject_alt_name, -1);

  for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++) {
    for (char **n = kinds[k].names; *n != NULL; n++)
      g_string_append_printf(line, "%s%s:%s", line->len ? ", " : "", kinds[k].label, *n);
  }
  if (index < 0)
    g_string_assign(line, "none");
  else if (X509_EXTENSION_get_critical(X509_get_ext(cert, index)))
    g_string_append(line, " (critical)");
  put(out, "SAN", line->str);
}

static void
put_eku(GString *out, X509 *cert)
{
  uint32_t flags = X509_get_extension_flags(cert);
  uint32_t xku = X509_get_extended_key_usage(cert);
  g_autoptr(GString) line = g_string_new(NULL);

  if (!(flags & EXFLAG_XKUSAGE)) {
    put(out, "EKU", "none (any use)");
    return;
  }
  if (xku & XKU_SSL_SERVER)
    g_string_append(line, "serverAuth");
  if (xku & XKU_SSL_CLIENT)
    g_string_append_printf(line, "%sclientAuth", line->len ? ", " : "");
  put(out, "EKU", line->len ? line->str : "neither serverAuth nor clientAuth");
}

char *
vgw_pki_describe(X509 *cert, gint64 now)
{
  uint8_t *der = NULL;
  int der_len = i2d_X509(cert, &der);
  g_autoptr(TlsdCert) summary = tlsd_cert_from_der(der, der_len > 0 ? (gsize) der_len : 0);
  GString *out = g_string_new(NULL);
  g_autofree char *from = vgw_pki_time_format(summary->not_before);
  g_autofree char *until = vgw_pki_time_format(summary->not_after);
  g_autofree char *window = NULL;
  g_autofree char *issuer = NULL;

  OPENSSL_free(der);
  if (summary->error != NULL) {
    put(out, "error", summary->error);
    return g_string_free(out, FALSE);
  }
  put(out, "subject", summary->subject);
  issuer = g_strdup_printf("%s%s", summary->issuer,
                           summary->self_signed ? " (self-signed)" : "");
  put(out, "issuer", issuer);
  window = g_strdup_printf("%s to %s%s", from, until,
                           now > summary->not_after    ? " (expired)"
                           : now < summary->not_before ? " (not yet valid)"
                                                       : "");
  put(out, "validity", window);
  put_sans(out, cert, summary);
  put_eku(out, cert);
  put(out, "CA", X509_check_ca(cert) ? "yes" : "no");
  return g_string_free(out, FALSE);
}
