/* vgw sip registrations: the bindings of a running gateway's registrar
 * (the firmware's sip-registrations verb), as text or its JSON: the text
 * says what the JSON does, refusals and Digest authentication counts
 * included. */
#include <stdio.h>

#include "commands.h"
#include "confcmd.h"

static gint64
int_or_zero(JsonObject *o, const char *key)
{
  return json_object_has_member(o, key) ? json_object_get_int_member(o, key) : 0;
}

static const char *
str_or_dash(JsonObject *o, const char *key)
{
  const char *s = vgw_conf_string(o, key);

  return s != NULL ? s : "-";
}

static JsonObject *
object_or_null(JsonObject *o, const char *key)
{
  JsonNode *node = json_object_get_member(o, key);

  return node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

/* The verified TLS client certificate a binding was registered with, if
 * any (client_identity null: UDP, TCP or TLS without one). */
static void
print_identity(JsonObject *id)
{
  JsonArray *san;
  g_autoptr(GString) names = g_string_new(NULL);

  if (id == NULL)
    return;
  san = json_object_has_member(id, "san") ? json_object_get_array_member(id, "san") : NULL;
  for (guint i = 0; san != NULL && i < json_array_get_length(san); i++)
    g_string_append_printf(names, "%s%s", i ? ", " : "", json_array_get_string_element(san, i));
  printf("    client certificate %s (SAN %s), issuer %s, SHA-256 %s\n", str_or_dash(id, "subject"),
         names->len ? names->str : "none", str_or_dash(id, "issuer"), str_or_dash(id, "sha256"));
}

/* "WHAT: reason n, reason n" for a non-empty object of counts by reason,
 * in the firmware's order. */
static void
print_counts(const char *what, JsonObject *counts)
{
  JsonObjectIter it;
  const char *reason;
  JsonNode *count;
  const char *sep = ": ";

  if (counts == NULL || json_object_get_size(counts) == 0)
    return;
  printf("%s", what);
  json_object_iter_init_ordered(&it, counts);
  while (json_object_iter_next_ordered(&it, &reason, &count)) {
    printf("%s%s %" G_GINT64_FORMAT, sep, reason, json_node_get_int(count));
    sep = ", ";
  }
  printf("\n");
}

gboolean
vgw_sip_registrations_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  JsonArray *bindings;
  guint n;
  g_autoptr(JsonObject) o =
      vgw_conf_list(opts->name, opts->json, "sip-registrations", "bindings",
                    &bindings, &n, error);
  JsonObject *auth;
  const char *aor = NULL;

  if (o == NULL)
    return FALSE;
  if (opts->json)
    return TRUE;
  for (guint i = 0; i < n; i++) {
    JsonObject *b = json_array_get_object_element(bindings, i);
    g_autofree char *contact = g_strdup(str_or_dash(b, "contact"));
    g_autofree char *transport = g_strdup(str_or_dash(b, "transport"));
    g_autofree char *received = g_strdup(str_or_dash(b, "received"));

    /* Bindings come grouped by AOR: one heading for each. */
    if (aor == NULL || g_strcmp0(aor, json_object_get_string_member(b, "aor")) != 0) {
      aor = json_object_get_string_member(b, "aor");
      printf("%s\n", aor);
    }
    printf("  <%s>  %s from %s:%" G_GINT64_FORMAT ", expires in %" G_GINT64_FORMAT " s\n",
           contact, transport, received, int_or_zero(b, "rport"), int_or_zero(b, "expires"));
    print_identity(object_or_null(b, "client_identity"));
  }
  printf("%u contact%s for %" G_GINT64_FORMAT " address%s of record\n", n, n == 1 ? "" : "s",
         int_or_zero(o, "aors"), int_or_zero(o, "aors") == 1 ? "" : "es");
  print_counts("refused", object_or_null(o, "refused"));
  auth = object_or_null(o, "auth");
  if (auth == NULL)
    return TRUE;
  if (!json_object_has_member(auth, "enabled") ||
      !json_object_get_boolean_member(auth, "enabled")) {
    printf("Digest authentication off\n");
    return TRUE;
  }
  printf("Digest authentication in realm %s: %" G_GINT64_FORMAT " accepted\n",
         str_or_dash(auth, "realm"), int_or_zero(auth, "accepted"));
  print_counts("challenged", object_or_null(auth, "challenged"));
  return TRUE;
}
