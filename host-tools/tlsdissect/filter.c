#include "filter.h"

#include <string.h>

typedef enum { F_SNI, F_HOST, F_PORT, F_VERSION, F_OUTCOME, F_CLIENT_CERT, F_RULE } Field;

typedef struct {
  Field field;
  char *text;
  guint number;
} Term;

struct TlsdFilter {
  GArray *terms;
};

static const char *const field_names[] = { "sni", "host", "port", "version", "outcome",
                                           "client-cert", "rule" };
#define KEYS "keys: sni, host, port, version, outcome, client-cert, rule"

static void
term_clear(gpointer p)
{
  g_free(((Term *) p)->text);
}

void
tlsd_filter_free(TlsdFilter *filter)
{
  if (filter == NULL)
    return;
  g_array_unref(filter->terms);
  g_free(filter);
}

static gboolean
bad(GError **error, const char *expr, const char *why)
{
  g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad --filter '%s': %s", expr, why);
  return FALSE;
}

static gboolean
parse_term(const char *expr, Term *t, GError **error)
{
  const char *eq = strchr(expr, '=');
  g_autofree char *key = NULL;
  const char *value;
  gboolean known = FALSE;

  if (eq == NULL || eq == expr || eq[1] == '\0')
    return bad(error, expr, "expected KEY=VALUE (" KEYS ")");
  key = g_strndup(expr, (gsize) (eq - expr));
  value = eq + 1;
  for (gsize i = 0; i < G_N_ELEMENTS(field_names); i++) {
    if (g_str_equal(key, field_names[i])) {
      t->field = (Field) i;
      known = TRUE;
    }
  }
  if (!known)
    return bad(error, expr, "unknown key (" KEYS ")");
  switch (t->field) {
  case F_PORT: {
    guint64 n;
    if (!g_ascii_string_to_unsigned(value, 10, 1, 65535, &n, NULL))
      return bad(error, expr, "port must be 1 to 65535");
    t->number = (guint) n;
    break;
  }
  case F_VERSION:
    if (g_str_has_prefix(value, "TLS ") || g_str_has_prefix(value, "tls "))
      value += 4;
    if (g_str_equal(value, "1.0"))
      t->number = 0x0301;
    else if (g_str_equal(value, "1.1"))
      t->number = 0x0302;
    else if (g_str_equal(value, "1.2"))
      t->number = 0x0303;
    else if (g_str_equal(value, "1.3"))
      t->number = 0x0304;
    else
      return bad(error, expr, "version must be 1.0, 1.1, 1.2 or 1.3");
    break;
  case F_OUTCOME:
    if (g_str_equal(value, "completed"))
      t->number = TLSD_OUTCOME_COMPLETED;
    else if (g_str_equal(value, "refused"))
      t->number = TLSD_OUTCOME_REFUSED;
    else if (g_str_equal(value, "incomplete"))
      t->number = TLSD_OUTCOME_INCOMPLETE;
    else
      return bad(error, expr, "outcome must be completed, refused or incomplete");
    break;
  case F_CLIENT_CERT:
    if (!g_str_equal(value, "requested") && !g_str_equal(value, "sent") &&
        !g_str_equal(value, "missing"))
      return bad(error, expr, "client-cert must be requested, sent or missing");
    break;
  case F_RULE:
    /* One of the gateway's reasons (tls_error.h). */
    t->number = VGW_TLS_ERROR_COUNT;
    for (guint code = 0; code < VGW_TLS_ERROR_COUNT; code++) {
      if (g_str_equal(value, vgw_tls_error_name((VgwTlsError) code)))
        t->number = code;
    }
    if (t->number == VGW_TLS_ERROR_COUNT)
      return bad(error, expr, "rule must be a reason the gateway logs (untrusted, expired, ...)");
    break;
  default:
    break;
  }
  t->text = g_strdup(value);
  return TRUE;
}

TlsdFilter *
tlsd_filter_new(char **exprs, GError **error)
{
  g_autoptr(TlsdFilter) filter = g_new0(TlsdFilter, 1);

  filter->terms = g_array_new(FALSE, TRUE, sizeof(Term));
  g_array_set_clear_func(filter->terms, term_clear);
  for (char **e = exprs; e != NULL && *e != NULL; e++) {
    Term t = { 0 };
    if (!parse_term(*e, &t, error))
      return NULL;
    g_array_append_val(filter->terms, t);
  }
  return g_steal_pointer(&filter);
}

static gboolean
term_match(const Term *t, const TlsdHandshake *hs)
{
  switch (t->field) {
  case F_SNI:
    return hs->sni != NULL && g_ascii_strcasecmp(hs->sni, t->text) == 0;
  case F_HOST:
    return g_str_equal(hs->client_addr, t->text) || g_str_equal(hs->server_addr, t->text);
  case F_PORT:
    return hs->client_port == t->number || hs->server_port == t->number;
  case F_VERSION:
    return hs->have_server_hello && hs->version == t->number;
  case F_OUTCOME:
    return hs->outcome == (TlsdOutcome) t->number;
  case F_CLIENT_CERT:
    if (g_str_equal(t->text, "requested"))
      return hs->cert_requested == TLSD_YES;
    if (g_str_equal(t->text, "sent"))
      return hs->client_sent_cert == TLSD_YES;
    return hs->cert_requested == TLSD_YES && hs->client_sent_cert == TLSD_NO;
  case F_RULE:
    return hs->verdict.known && (hs->verdict.reason == (VgwTlsError) t->number ||
                                 hs->verdict.receiver_reason == (VgwTlsError) t->number);
  }
  return FALSE;
}

gboolean
tlsd_filter_match(const TlsdFilter *filter, const TlsdHandshake *hs)
{
  for (guint i = 0; i < filter->terms->len; i++) {
    if (!term_match(&g_array_index(filter->terms, Term, i), hs))
      return FALSE;
  }
  return TRUE;
}
