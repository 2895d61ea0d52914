/* Typed values: parsing and checking one value against its descriptor. */
#include "param_value.h"

#include <string.h>

#include <openssl/mem.h>

#include "param_secret.h"

char *vgw_param_printable(const char *text, gsize len, gsize max) {
  GString *out = g_string_new(NULL);
  for (gsize i = 0; i < len && i < max; i++) {
    guchar c = (guchar)text[i];
    if (c >= 0x20 && c < 0x7f)
      g_string_append_c(out, (char)c);
    else
      g_string_append_printf(out, "\\x%02x", c);
  }
  if (len > max) g_string_append(out, "...");
  return g_string_free(out, FALSE);
}

gboolean vgw_param_value_is_text(const VgwParamDesc *desc) {
  return desc->type == VGW_PARAM_STRING || desc->type == VGW_PARAM_FILE_NAME;
}

/* Decimal integer with optional sign, nothing else; bounded to |len|. */
static gboolean parse_integer(const char *text, gsize len, gint64 *out) {
  gsize i = 0;
  gboolean negative = FALSE;
  guint64 acc = 0;
  if (i < len && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    i++;
  }
  if (i == len) return FALSE;
  for (; i < len; i++) {
    if (!g_ascii_isdigit(text[i])) return FALSE;
    acc = acc * 10 + (guint64)(text[i] - '0');
    if (acc > (guint64)G_MAXINT64) return FALSE;
  }
  *out = negative ? -(gint64)acc : (gint64)acc;
  return TRUE;
}

/* Dotted quad, each part 0..255 with at most 3 digits. */
static gboolean parse_ipv4(const char *text, gsize len, gint64 *out) {
  guint32 addr = 0;
  gsize i = 0;
  for (int part = 0; part < 4; part++) {
    guint v = 0, digits = 0;
    if (part > 0) {
      if (i >= len || text[i] != '.') return FALSE;
      i++;
    }
    while (i < len && g_ascii_isdigit(text[i]) && digits < 4) {
      v = v * 10 + (guint)(text[i] - '0');
      digits++;
      i++;
    }
    if (digits == 0 || digits > 3 || v > 255) return FALSE;
    addr = (addr << 8) | v;
  }
  if (i != len) return FALSE;
  *out = addr;
  return TRUE;
}

static const VgwParamEnumValue *find_enum(const VgwParamDesc *desc, gint64 v) {
  for (gsize i = 0; i < desc->n_enum_values; i++)
    if (desc->enum_values[i].value == v) return &desc->enum_values[i];
  return NULL;
}

static char *enum_reason(const VgwParamDesc *desc, gint64 v) {
  gboolean contiguous = TRUE;
  for (gsize i = 1; i < desc->n_enum_values; i++)
    if (desc->enum_values[i].value != desc->enum_values[i - 1].value + 1)
      contiguous = FALSE;
  if (contiguous)
    return g_strdup_printf(
        "value %" G_GINT64_FORMAT " out of range %" G_GINT64_FORMAT
        "..%" G_GINT64_FORMAT,
        v, desc->enum_values[0].value,
        desc->enum_values[desc->n_enum_values - 1].value);
  GString *s = g_string_new(NULL);
  g_string_printf(s, "value %" G_GINT64_FORMAT " not one of", v);
  for (gsize i = 0; i < desc->n_enum_values; i++)
    g_string_append_printf(s, "%s %" G_GINT64_FORMAT, i ? "," : "",
                           desc->enum_values[i].value);
  return g_string_free(s, FALSE);
}

/* Text must be printable for the export to write it back unchanged, and
 * cannot hold both quote characters (there is no escape in the dialect). */
static char *check_text(const VgwParamDesc *desc, const char *text, gsize len) {
  if ((gint64)len > desc->max)
    return g_strdup_printf("longer than %" G_GINT64_FORMAT " characters",
                           desc->max);
  gboolean single = FALSE, dbl = FALSE;
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar)text[i];
    if (c < 0x20 || c == 0x7f)
      return g_strdup_printf("control character \\x%02x in value", c);
    if (c == '\'') single = TRUE;
    if (c == '"') dbl = TRUE;
    if (desc->type == VGW_PARAM_FILE_NAME &&
        !(g_ascii_isalnum(c) || c == '_' || c == '.' || c == '-')) {
      char *p = vgw_param_printable(text, len, 40);
      char *r = g_strdup_printf("'%s' is not a file name (letters, digits, "
                                "'_', '.', '-')", p);
      g_free(p);
      return r;
    }
  }
  if (single && dbl) return g_strdup("value holds both ' and \" quotes");
  if (desc->type == VGW_PARAM_FILE_NAME && len > 0 && text[0] == '.')
    return g_strdup("file name starts with '.'");
  return NULL;
}

gboolean vgw_param_value_parse(const VgwParamDesc *desc, const char *text,
                               gsize len, VgwParamValue *out, char **reason) {
  gint64 num = 0;
  switch (desc->type) {
    case VGW_PARAM_STRING:
    case VGW_PARAM_FILE_NAME: {
      gboolean stored = vgw_secret_is_stored_form(desc->secret, text, len);
      char *why = NULL;
      char *str;
      if (stored)
        str = vgw_secret_canonical(desc->secret, text, len, &why);
      else if ((why = check_text(desc, text, len)) != NULL)
        str = NULL;
      else if (desc->secret == VGW_SECRET_LOGIN)
        str = vgw_secret_login_hash(text, len);
      else
        str = g_strndup(text, len);
      if (str == NULL) {
        *reason = why;
        return FALSE;
      }
      /* A Digest HA1 needs the realm and user name, which the rest of the
       * configuration gives: the seal makes it (digest_users.h). */
      out->num = desc->secret == VGW_SECRET_DIGEST_HA1 && !stored && len > 0
                     ? VGW_PARAM_CLEAR_SECRET
                     : 0;
      out->str = str;
      return TRUE;
    }
    case VGW_PARAM_IPV4:
      if (len > 0 && !parse_ipv4(text, len, &num)) {
        char *p = vgw_param_printable(text, len, 40);
        *reason = g_strdup_printf("'%s' is not an IPv4 address", p);
        g_free(p);
        return FALSE;
      }
      break;
    case VGW_PARAM_INTEGER:
    case VGW_PARAM_ENUM:
      if (!parse_integer(text, len, &num)) {
        char *p = vgw_param_printable(text, len, 40);
        *reason = g_strdup_printf("'%s' is not an integer", p);
        g_free(p);
        return FALSE;
      }
      if (desc->type == VGW_PARAM_ENUM && !find_enum(desc, num)) {
        *reason = enum_reason(desc, num);
        return FALSE;
      }
      if (desc->type == VGW_PARAM_INTEGER &&
          (num < desc->min || num > desc->max)) {
        *reason = g_strdup_printf(
            "value %" G_GINT64_FORMAT " out of range %" G_GINT64_FORMAT
            "..%" G_GINT64_FORMAT, num, desc->min, desc->max);
        return FALSE;
      }
      break;
  }
  out->num = num;
  out->str = NULL;
  return TRUE;
}

char *vgw_param_value_format(const VgwParamDesc *desc,
                             const VgwParamValue *value) {
  if (desc->secret != VGW_SECRET_NONE && value->num == VGW_PARAM_CLEAR_SECRET) {
    g_critical("%s: a password in clear was never sealed", desc->name);
    return g_strdup("");
  }
  if (vgw_param_value_is_text(desc)) return g_strdup(value->str);
  if (desc->type == VGW_PARAM_IPV4) {
    guint32 a = (guint32)value->num;
    return g_strdup_printf("%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
                           (a >> 8) & 0xff, a & 0xff);
  }
  return g_strdup_printf("%" G_GINT64_FORMAT, value->num);
}

char *vgw_param_value_display(const VgwParamDesc *desc,
                              const VgwParamValue *value) {
  return desc->secret != VGW_SECRET_NONE ? g_strdup(VGW_SECRET_MASK)
                                         : vgw_param_value_format(desc, value);
}

gboolean vgw_param_value_equal(const VgwParamValue *a, const VgwParamValue *b) {
  return a->num == b->num && g_strcmp0(a->str, b->str) == 0;
}

void vgw_param_value_copy(VgwParamValue *dst, const VgwParamValue *src) {
  dst->num = src->num;
  dst->str = g_strdup(src->str);
}

void vgw_param_value_clear(VgwParamValue *value) {
  if (value->num == VGW_PARAM_CLEAR_SECRET && value->str != NULL)
    OPENSSL_cleanse(value->str, strlen(value->str));
  g_clear_pointer(&value->str, g_free);
  value->num = 0;
}
