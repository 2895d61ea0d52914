/* subjectAltName entries from --san specs: see pki_san.h. */
#include "pki_san.h"

#include <string.h>

#include <openssl/asn1.h>

#include "vgw-error.h"

static gboolean
printable_ascii(const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++) {
    if (*s < 0x20 || *s > 0x7e)
      return FALSE;
  }
  return TRUE;
}

/* push_name appends a GENERAL_NAME of |type| holding |value|, which it
 * takes (and frees on failure). */
static gboolean
push_name(GENERAL_NAMES *names, int type, void *value)
{
  GENERAL_NAME *gn = GENERAL_NAME_new();

  if (gn == NULL) {
    ASN1_STRING_free(value);
    return FALSE;
  }
  GENERAL_NAME_set0_value(gn, type, value);
  if (!sk_GENERAL_NAME_push(names, gn)) {
    GENERAL_NAME_free(gn);
    return FALSE;
  }
  return TRUE;
}

/* add_string appends a GEN_DNS or GEN_URI name holding |value| as an
 * IA5String. */
static gboolean
add_string(GENERAL_NAMES *names, int type, const char *value)
{
  ASN1_IA5STRING *s = ASN1_IA5STRING_new();

  if (s == NULL || !ASN1_STRING_set(s, value, (int) strlen(value))) {
    ASN1_IA5STRING_free(s);
    return FALSE;
  }
  return push_name(names, type, s);
}

/* add_ip appends an iPAddress; FALSE if |text| is no IP literal. */
static gboolean
add_ip(GENERAL_NAMES *names, const char *text)
{
  ASN1_OCTET_STRING *ip = a2i_IPADDRESS(text);

  return ip != NULL && push_name(names, GEN_IPADD, ip);
}

static gboolean
add_spec(GENERAL_NAMES *names, const char *spec, GError **error)
{
  const char *colon = strchr(spec, ':');
  g_autofree char *kind = colon != NULL ? g_strndup(spec, colon - spec) : NULL;
  const char *value = colon != NULL ? colon + 1 : NULL;

  if (kind != NULL && strcmp(kind, "ip") == 0) {
    if (add_ip(names, value))
      return TRUE;
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid value '%s' for --san: '%s' is not an IPv4 or IPv6 address", spec, value);
    return FALSE;
  }
  if (kind == NULL || (strcmp(kind, "dns") != 0 && strcmp(kind, "uri") != 0)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid value '%s' for --san (expected dns:NAME, ip:ADDRESS or uri:URI)", spec);
    return FALSE;
  }
  if (!printable_ascii(value)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid value '%s' for --san: a %s name is non-empty printable ASCII",
                spec, kind);
    return FALSE;
  }
  if (add_string(names, strcmp(kind, "dns") == 0 ? GEN_DNS : GEN_URI, value))
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "out of memory for --san '%s'", spec);
  return FALSE;
}

GENERAL_NAMES *
vgw_pki_sans_parse(char *const *specs, GError **error)
{
  GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();

  for (gsize i = 0; names != NULL && specs != NULL && specs[i] != NULL; i++) {
    if (!add_spec(names, specs[i], error)) {
      GENERAL_NAMES_free(names);
      return NULL;
    }
  }
  if (names == NULL)
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "out of memory for --san");
  return names;
}

GENERAL_NAMES *
vgw_pki_san_of_host(const char *host)
{
  GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();

  if (names != NULL && printable_ascii(host) &&
      (add_ip(names, host) || add_string(names, GEN_DNS, host)))
    return names;
  GENERAL_NAMES_free(names);
  return NULL;
}
