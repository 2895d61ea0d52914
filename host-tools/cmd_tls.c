/* vgw tls keylog on|off|status|read: the gateway's own TLS key log (the
 * firmware's tls-keylog verbs, docs/maintenance-protocol.md). */
#include <math.h>
#include <stdio.h>

#include "commands.h"
#include "confcmd.h"
#include "gateway_keylog.h"
#include "vgw-error.h"

/* The firmware's bounds (device-fw/tls/tls_keylog.h). */
#define KEYLOG_MIN_S 1
#define KEYLOG_MAX_S (24 * 60 * 60)
#define KEYLOG_MAX_CONTEXT 999

/* --minutes M: a decimal number of minutes (0.05 is 3 s, for tests),
 * stored as seconds. */
static gboolean
parse_minutes(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  char *end = NULL;
  double minutes = g_ascii_strtod(text, &end);
  double seconds = isfinite(minutes) ? floor(minutes * 60 + 0.5) : -1;

  if (end == text || *end != '\0' || seconds < KEYLOG_MIN_S || seconds > KEYLOG_MAX_S) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--%s: expected minutes from %g to %d (a fraction allowed), not '%s'",
                opt->long_name, KEYLOG_MIN_S / 60.0, KEYLOG_MAX_S / 60, text);
    return FALSE;
  }
  *(guint *) field = (guint) seconds;
  return TRUE;
}

const VgwOptionType vgw_option_keylog_minutes = { TRUE, parse_minutes, NULL };

/* --context N, kept apart from "not given" (every context). */
static gboolean
parse_context(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  guint64 n;

  if (!g_ascii_string_to_unsigned(text, 10, 0, KEYLOG_MAX_CONTEXT, &n, NULL)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--%s: expected a TLS Context index (0-%d), not '%s'", opt->long_name,
                KEYLOG_MAX_CONTEXT, text);
    return FALSE;
  }
  *(int *) field = (int) n + 1;
  return TRUE;
}

const VgwOptionType vgw_option_keylog_context = { TRUE, parse_context, NULL };

/* "for context N" or "for every context", from the state object. */
static const char *
context_text(JsonObject *o, char *buf, gsize size)
{
  JsonNode *n = json_object_get_member(o, "context");

  if (n == NULL || JSON_NODE_HOLDS_NULL(n))
    return "every TLS context";
  g_snprintf(buf, size, "TLS context %" G_GINT64_FORMAT, json_node_get_int(n));
  return buf;
}

static void
print_state(JsonObject *o)
{
  char ctx[48];

  if (!json_object_get_boolean_member_with_default(o, "on", FALSE)) {
    printf("TLS key log off (last ended: %s)\n",
           json_object_get_string_member_with_default(o, "last_end", "none"));
    return;
  }
  printf("TLS KEY LOG ON: the TLS secrets of %s are recorded; expires in %" G_GINT64_FORMAT
         " s; %" G_GINT64_FORMAT " lines held (of %" G_GINT64_FORMAT "), %" G_GINT64_FORMAT
         " dropped\n",
         context_text(o, ctx, sizeof ctx),
         json_object_get_int_member_with_default(o, "expires_in_s", 0),
         json_object_get_int_member_with_default(o, "lines", 0),
         json_object_get_int_member_with_default(o, "max_lines", 0),
         json_object_get_int_member_with_default(o, "dropped", 0));
}

/* request sends |req| and prints its reply: JSON, or the state. */
static gboolean
request(const VgwTlsKeylogOptions *opts, const char *const *req, GError **error)
{
  g_autoptr(JsonObject) o = vgw_conf_request(opts->name, req, 0, error);

  if (o == NULL)
    return FALSE;
  if (opts->json)
    vgw_conf_print_json(o);
  else if (json_object_has_member(o, "wiped"))
    printf("TLS key log off; %" G_GINT64_FORMAT " secret lines wiped\n",
           json_object_get_int_member(o, "wiped"));
  else
    print_state(o);
  return TRUE;
}

gboolean
vgw_tls_keylog_on_run(gconstpointer data, GError **error)
{
  const VgwTlsKeylogOptions *opts = data;
  g_autofree char *seconds = g_strdup_printf("%u", opts->seconds);
  g_autofree char *context = opts->context_plus_one > 0
                                 ? g_strdup_printf("%d", opts->context_plus_one - 1)
                                 : NULL;
  const char *req[] = { "tls-keylog", "on", seconds, context, NULL };

  if (!request(opts, req, error))
    return FALSE;
  if (!opts->json)
    printf("vgw capture stop embeds them; vgw tls keylog off --name %s wipes them\n",
           opts->name);
  return TRUE;
}

gboolean
vgw_tls_keylog_off_run(gconstpointer data, GError **error)
{
  const char *req[] = { "tls-keylog", "off", NULL };

  return request(data, req, error);
}

gboolean
vgw_tls_keylog_status_run(gconstpointer data, GError **error)
{
  const char *req[] = { "tls-keylog", "status", NULL };

  return request(data, req, error);
}

gboolean
vgw_tls_keylog_read_run(gconstpointer data, GError **error)
{
  const VgwTlsKeylogOptions *opts = data;
  VgwGatewayKeylog k;

  if (!vgw_gateway_keylog_fetch(opts->name, &k, error))
    return FALSE;
  fwrite(k.text, 1, k.len, stdout);
  if (k.dropped > 0)
    fprintf(stderr, "vgw: %" G_GUINT64_FORMAT " older secret lines were dropped (the "
            "gateway's key log was full)\n", k.dropped);
  vgw_gateway_keylog_clear(&k);
  return TRUE;
}

/* member_text: the string member |key| of |o|, |none| when null or
 * absent. */
static const char *
member_text(JsonObject *o, const char *key, const char *none)
{
  JsonNode *n = json_object_get_member(o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
    return none;
  return json_node_get_string(n);
}

#define LABEL "  %-15s"

/* print_peer_certificate prints the subject, SANs and issuer of |o|'s
 * peer_certificate. */
static void
print_peer_certificate(JsonObject *o)
{
  JsonNode *n = json_object_get_member(o, "peer_certificate");
  JsonObject *cert = n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
  JsonArray *sans;

  if (cert == NULL) {
    printf(LABEL "(no certificate)\n", "peer subject");
    return;
  }
  printf(LABEL "%s\n", "peer subject", member_text(cert, "subject", "-"));
  printf(LABEL, "peer SANs");
  sans = json_object_get_array_member(cert, "san");
  for (guint i = 0; sans != NULL && i < json_array_get_length(sans); i++) {
    JsonObject *san = json_array_get_object_element(sans, i);

    printf("%s%s:%s", i > 0 ? ", " : "", member_text(san, "type", "?"),
           member_text(san, "value", "?"));
  }
  printf("%s\n", sans == NULL || json_array_get_length(sans) == 0 ? "(none)" : "");
  printf(LABEL "%s\n", "peer issuer", member_text(cert, "issuer", "-"));
}

/* print_hostname_rule prints the host-name verdict of |o|: its rule and
 * sentence, or why names were not checked. */
static void
print_hostname_rule(JsonObject *o)
{
  JsonNode *n = json_object_get_member(o, "hostname_rule");
  JsonObject *rule = n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

  if (rule != NULL)
    printf(LABEL "%s: %s\n", "hostname rule", member_text(rule, "rule", "?"),
           member_text(rule, "sentence", "-"));
  else
    printf(LABEL "not checked: %s\n", "hostname rule",
           member_text(o, "hostname_not_checked", "-"));
}

/* print_connection prints one connection of `show tls connections` as a
 * block, its labels aligned. */
static void
print_connection(JsonObject *o)
{
  printf("\n%s  %s, %s, %s, %" G_GINT64_FORMAT " s\n", member_text(o, "peer", "?"),
         member_text(o, "role", "?"), member_text(o, "state", "?"),
         member_text(o, "belongs_to", "belongs to -"),
         json_object_get_int_member_with_default(o, "age_s", 0));
  printf(LABEL "%s\n", "context", member_text(o, "context", "-"));
  if (g_strcmp0(member_text(o, "state", NULL), "established") != 0)
    return;
  printf(LABEL "%s, %s, %s\n", "negotiated", member_text(o, "version", "-"),
         member_text(o, "cipher", "-"), member_text(o, "group", "-"));
  print_peer_certificate(o);
  printf(LABEL "%s\n", "authenticated", member_text(o, "authenticated", "-"));
  print_hostname_rule(o);
  printf(LABEL "%" G_GINT64_FORMAT " bytes in, %" G_GINT64_FORMAT " bytes out\n",
         "application", json_object_get_int_member_with_default(o, "bytes_in", 0),
         json_object_get_int_member_with_default(o, "bytes_out", 0));
  printf(LABEL "%" G_GINT64_FORMAT "\n", "key updates",
         json_object_get_int_member_with_default(o, "key_updates", 0));
  printf(LABEL "%" G_GINT64_FORMAT "\n", "re-handshakes",
         json_object_get_int_member_with_default(o, "rehandshakes", 0));
}

gboolean
vgw_tls_connections_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  const char *req[] = { "show", "tls", "connections", NULL };
  g_autoptr(JsonObject) o = vgw_conf_request(opts->name, req, 0, error);
  JsonArray *conns;

  if (o == NULL)
    return FALSE;
  if (opts->json) {
    vgw_conf_print_json(o);
    return TRUE;
  }
  printf("TLS connections: %" G_GINT64_FORMAT " established, %" G_GINT64_FORMAT
         " handshaking\n",
         json_object_get_int_member_with_default(o, "established", 0),
         json_object_get_int_member_with_default(o, "handshaking", 0));
  conns = json_object_get_array_member(o, "connections");
  for (guint i = 0; conns != NULL && i < json_array_get_length(conns); i++)
    print_connection(json_array_get_object_element(conns, i));
  return TRUE;
}
