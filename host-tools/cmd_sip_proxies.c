/* vgw sip proxies: the Proxy Sets' proxies of a running gateway and their
 * state (the firmware's sip-proxies verb), as text or its JSON. */
#include <stdio.h>

#include "commands.h"
#include "confcmd.h"

static gint64
int_or(JsonObject *o, const char *key, gint64 fallback)
{
  JsonNode *n = json_object_get_member(o, key);

  return n != NULL && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_int(n) : fallback;
}

static const char *
str_or_null(JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member(o, key);

  return n != NULL && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_string(n) : NULL;
}

/* One line per proxy:
 * "set 1 ITSP #0 proxy.lab.test = 10.0.2.2:5060/udp up, active, last
 *  response 200 3 s ago, 0 failovers". */
static void
print_proxy(JsonObject *p)
{
  const char *name = str_or_null(p, "set_name");
  const char *address = str_or_null(p, "address");
  const char *reason = str_or_null(p, "reason");
  JsonNode *last = json_object_get_member(p, "last_response");

  printf("set %" G_GINT64_FORMAT "%s%s #%" G_GINT64_FORMAT " %s", int_or(p, "set", -1),
         name != NULL && name[0] ? " " : "", name != NULL ? name : "",
         int_or(p, "ip_index", -1), str_or_null(p, "configured"));
  if (address != NULL)
    printf(" = %s:%" G_GINT64_FORMAT "/%s", address, int_or(p, "port", 0),
           str_or_null(p, "transport"));
  printf(" %s", str_or_null(p, "state"));
  if (reason != NULL)
    printf(" (%s)", reason);
  if (json_object_get_boolean_member_with_default(p, "active", FALSE))
    printf(", active");
  if (last != NULL && JSON_NODE_HOLDS_OBJECT(last)) {
    JsonObject *l = json_node_get_object(last);
    printf(", last response %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " s ago",
           int_or(l, "code", 0), int_or(l, "age_s", 0));
  }
  printf(", %" G_GINT64_FORMAT " failover%s\n", int_or(p, "failovers", 0),
         int_or(p, "failovers", 0) == 1 ? "" : "s");
}

gboolean
vgw_sip_proxies_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  JsonArray *proxies;
  guint n;
  g_autoptr(JsonObject) o =
      vgw_conf_list(opts->name, opts->json, "sip-proxies", "proxies",
                    &proxies, &n, error);

  if (o == NULL)
    return FALSE;
  if (opts->json)
    return TRUE;
  for (guint i = 0; i < n; i++) {
    JsonNode *p = json_array_get_element(proxies, i);
    if (JSON_NODE_HOLDS_OBJECT(p))
      print_proxy(json_node_get_object(p));
  }
  if (n == 0)
    printf("no Proxy Set has an address\n");
  return TRUE;
}
