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
