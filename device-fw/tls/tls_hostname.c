/* Peer host-name verification: see tls_hostname.h. */
#include "tls/tls_hostname.h"

#include <arpa/inet.h>
#include <openssl/bytestring.h>
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

static const char *const rule_names[] = {
    [VGW_TLS_NAME_SAN_DNS] = "san-dns",
    [VGW_TLS_NAME_SAN_IP] = "san-ip",
    [VGW_TLS_NAME_CN_REMOTE_SUBJECT] = "cn-remote-subject",
    [VGW_TLS_NAME_CN_REFERENCE] = "cn-reference",
    [VGW_TLS_NAME_SAN_CRITICAL] = "san-critical",
    [VGW_TLS_NAME_NO_MATCH] = "no-match",
};

const char *vgw_tls_name_rule_name(VgwTlsNameRule rule) {
  if ((unsigned)rule >= G_N_ELEMENTS(rule_names)) {
    return "unknown";
  }
  return rule_names[rule];
}

gboolean vgw_tls_name_rule_accepts(VgwTlsNameRule rule) {
  return rule == VGW_TLS_NAME_SAN_DNS || rule == VGW_TLS_NAME_SAN_IP ||
         rule == VGW_TLS_NAME_CN_REMOTE_SUBJECT ||
         rule == VGW_TLS_NAME_CN_REFERENCE;
}

/* ---- DNS names ---- */

/* drop_root_dot: "a.test." and "a.test" are the same absolute name. */
static void drop_root_dot(CBS *name) {
  size_t len = CBS_len(name);

  if (len > 0 && CBS_data(name)[len - 1] == '.') {
    CBS_init(name, CBS_data(name), len - 1);
  }
}

/* next_label takes the next label of |name| into |label|; FALSE at the
 * end. An empty label ("a..b", ".a") is taken as an empty |label|; a name
 * ending in a dot after drop_root_dot is refused before (ends_in_dot). */
static gboolean next_label(CBS *name, CBS *label) {
  if (CBS_len(name) == 0) {
    return FALSE;
  }
  if (!CBS_get_until_first(name, label, '.')) {
    *label = *name; /* the last label */
    CBS_init(name, NULL, 0);
    return TRUE;
  }
  CBS_skip(name, 1); /* the dot */
  return TRUE;
}

static gboolean label_equal(const CBS *a, const CBS *b) {
  if (CBS_len(a) != CBS_len(b)) {
    return FALSE;
  }
  for (size_t i = 0; i < CBS_len(a); i++) {
    if (g_ascii_tolower(CBS_data(a)[i]) != g_ascii_tolower(CBS_data(b)[i])) {
      return FALSE;
    }
  }
  return TRUE;
}

/* label_is_plain: a non-empty label of a host name, no "*" (a wildcard
 * anywhere but as the whole first label is refused) and no NUL. */
static gboolean label_is_plain(const CBS *label) {
  return CBS_len(label) > 0 &&
         memchr(CBS_data(label), '*', CBS_len(label)) == NULL &&
         memchr(CBS_data(label), '\0', CBS_len(label)) == NULL;
}

static gboolean ends_in_dot(const CBS *name) {
  return CBS_len(name) > 0 && CBS_data(name)[CBS_len(name) - 1] == '.';
}

static guint count_labels(CBS name) {
  CBS label;
  guint n = 0;

  while (next_label(&name, &label)) {
    n++;
  }
  return n;
}

gboolean vgw_tls_dns_name_matches(const uint8_t *pattern, size_t len,
                                  const char *reference, gboolean wildcard) {
  CBS p, r, pl, rl;
  guint n;

  CBS_init(&p, pattern, len);
  CBS_init(&r, (const uint8_t *)reference, strlen(reference));
  drop_root_dot(&p);
  drop_root_dot(&r);
  if (ends_in_dot(&p) || ends_in_dot(&r)) {
    return FALSE;
  }
  n = count_labels(p);
  if (n == 0 || n != count_labels(r)) {
    return FALSE;
  }
  for (guint i = 0; next_label(&p, &pl) && next_label(&r, &rl); i++) {
    if (!label_is_plain(&rl)) {
      return FALSE;
    }
    if (i == 0 && CBS_len(&pl) == 1 && CBS_data(&pl)[0] == '*') {
      /* "*" alone and "*.test" would cover whole top-level domains. */
      if (!wildcard || n < 3) {
        return FALSE;
      }
      continue;
    }
    if (!label_is_plain(&pl) || !label_equal(&pl, &rl)) {
      return FALSE;
    }
  }
  return TRUE;
}

/* ---- References ---- */

/* An IP reference as the bytes an iPAddress SAN holds. */
typedef struct {
  uint8_t addr[16];
  size_t len; /* 4, 16; 0: a DNS name */
} IpRef;

static void ip_ref(const char *text, IpRef *out) {
  out->len = 0;
  if (inet_pton(AF_INET, text, out->addr) == 1) {
    out->len = 4;
  } else if (inet_pton(AF_INET6, text, out->addr) == 1) {
    out->len = 16;
  }
}

/* name_matches_reference: the certificate's name |name| (|len| bytes)
 * against reference |ref|. A dNSName (|is_cn| FALSE) never names an IP
 * reference; a CN does when it spells the address as configured. */
static gboolean name_matches_reference(const uint8_t *name, size_t len,
                                       const char *ref, gboolean is_cn,
                                       gboolean wildcard) {
  IpRef ip;

  ip_ref(ref, &ip);
  if (ip.len != 0) {
    return is_cn && strlen(ref) == len && memcmp(name, ref, len) == 0;
  }
  return vgw_tls_dns_name_matches(name, len, ref, wildcard);
}

static void verdict(VgwTlsNameVerdict *out, VgwTlsNameRule rule,
                    const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void verdict(VgwTlsNameVerdict *out, VgwTlsNameRule rule,
                    const char *fmt, ...) {
  va_list ap;

  out->rule = rule;
  va_start(ap, fmt);
  g_vsnprintf(out->sentence, sizeof(out->sentence), fmt, ap);
  va_end(ap);
}

/* printable copies |len| bytes of a certificate string for a log line,
 * anything but printable ASCII as "?". */
static char *printable(const uint8_t *data, size_t len) {
  char *s = g_malloc(len + 1);

  for (size_t i = 0; i < len; i++) {
    s[i] = g_ascii_isprint(data[i]) ? (char)data[i] : '?';
  }
  s[len] = '\0';
  return s;
}

/* ---- SubjectAltName ---- */

/* san_match: rule 1 over |sans|. TRUE with |out| filled on a match. */
static gboolean san_match(const GENERAL_NAMES *sans,
                          const VgwTlsNameCheck *check,
                          VgwTlsNameVerdict *out) {
  for (size_t i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
    for (guint k = 0; k < check->n_references; k++) {
      const char *ref = check->references[k];
      if (gn->type == GEN_DNS) {
        const ASN1_STRING *s = gn->d.dNSName;
        const uint8_t *data = ASN1_STRING_get0_data(s);
        size_t len = (size_t)ASN1_STRING_length(s);
        if (name_matches_reference(data, len, ref, FALSE, !check->strict)) {
          g_autofree char *name = printable(data, len);
          verdict(out, VGW_TLS_NAME_SAN_DNS,
                  "SubjectAltName DNS:%s matches the Proxy Set address %s",
                  name, ref);
          return TRUE;
        }
      } else if (gn->type == GEN_IPADD) {
        IpRef ip;
        ip_ref(ref, &ip);
        const ASN1_STRING *s = gn->d.iPAddress;
        if (ip.len != 0 && (size_t)ASN1_STRING_length(s) == ip.len &&
            memcmp(ASN1_STRING_get0_data(s), ip.addr, ip.len) == 0) {
          verdict(out, VGW_TLS_NAME_SAN_IP,
                  "SubjectAltName IP:%s matches the Proxy Set address",
                  ref);
          return TRUE;
        }
      }
    }
  }
  return FALSE;
}

/* ---- Common Name ---- */

/* cn_match: rules 3 and 4 over each subject CN of |cert|. */
static gboolean cn_match(X509 *cert, const VgwTlsNameCheck *check,
                         VgwTlsNameVerdict *out) {
  const X509_NAME *subject = X509_get_subject_name(cert);
  const char *remote = check->remote_subject_name;
  gboolean has_remote = remote != NULL && remote[0] != '\0';
  int i = -1;

  while ((i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0) {
    const ASN1_STRING *s =
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    uint8_t *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n < 0) {
      continue;
    }
    size_t len = (size_t)n;
    g_autofree char *cn = printable(utf8, len);
    gboolean matched = FALSE;
    if (has_remote && strlen(remote) == len &&
        g_ascii_strncasecmp((const char *)utf8, remote, len) == 0 &&
        memchr(utf8, '\0', len) == NULL) {
      verdict(out, VGW_TLS_NAME_CN_REMOTE_SUBJECT,
              "no SubjectAltName matched; CN %s is TLSRemoteSubjectName", cn);
      matched = TRUE;
    }
    for (guint k = 0; !matched && k < check->n_references; k++) {
      if (name_matches_reference(utf8, len, check->references[k], TRUE,
                                 TRUE)) {
        verdict(out, VGW_TLS_NAME_CN_REFERENCE,
                "no SubjectAltName matched; CN %s matches the Proxy Set "
                "address %s",
                cn, check->references[k]);
        matched = TRUE;
      }
    }
    OPENSSL_free(utf8);
    if (matched) {
      return TRUE;
    }
  }
  return FALSE;
}

/* references_text lists |check|'s references for a refusal. */
static char *references_text(const VgwTlsNameCheck *check) {
  GString *s = g_string_new(NULL);

  for (guint k = 0; k < check->n_references; k++) {
    g_string_append_printf(s, "%s%s", k ? ", " : "", check->references[k]);
  }
  if (check->n_references == 0) {
    g_string_append(s, "(no Proxy Set address)");
  }
  return g_string_free(s, FALSE);
}

gboolean vgw_tls_hostname_check(X509 *cert, const VgwTlsNameCheck *check,
                                VgwTlsNameVerdict *out) {
  int critical = 0;
  GENERAL_NAMES *sans =
      X509_get_ext_d2i(cert, NID_subject_alt_name, &critical, NULL);
  gboolean ok = sans != NULL && san_match(sans, check, out);
  g_autofree char *refs = references_text(check);

  GENERAL_NAMES_free(sans);
  if (ok) {
    return TRUE;
  }
  if (sans != NULL && critical == 1) {
    verdict(out, VGW_TLS_NAME_SAN_CRITICAL,
            "no SubjectAltName matches %s and the SubjectAltName extension "
            "is critical",
            refs);
    return FALSE;
  }
  if (check->strict) {
    verdict(out, VGW_TLS_NAME_NO_MATCH,
            "no SubjectAltName matches %s (strict RFC 5922: no CN, no "
            "wildcard)",
            refs);
    return FALSE;
  }
  if (cn_match(cert, check, out)) {
    return TRUE;
  }
  verdict(out, VGW_TLS_NAME_NO_MATCH,
          "neither a SubjectAltName nor the CN matches %s%s%s", refs,
          check->remote_subject_name && check->remote_subject_name[0]
              ? " or TLSRemoteSubjectName "
              : "",
          check->remote_subject_name ? check->remote_subject_name : "");
  return FALSE;
}
