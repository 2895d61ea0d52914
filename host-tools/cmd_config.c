/* vgw pending | save | factory-reset: the configuration verbs that are
 * one firmware request each. */
#include <stdio.h>

#include "commands.h"
#include "confcmd.h"

gboolean
vgw_pending_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  JsonArray *a;
  guint n;
  g_autoptr(JsonObject) o =
      vgw_conf_list(opts->name, opts->json, "pending", "pending",
                    &a, &n, error);

  if (o == NULL)
    return FALSE;
  if (opts->json)
    return TRUE;
  if (n == 0) {
    printf("no pending changes\n");
    return TRUE;
  }
  for (guint i = 0; i < n; i++) {
    JsonObject *e = json_array_get_object_element(a, i);
    g_autofree char *name = g_strdup(vgw_conf_string(e, "name"));
    g_autofree char *current = g_strdup(vgw_conf_string(e, "current"));
    printf("%s: %s -> %s\n", name, current, vgw_conf_string(e, "pending"));
  }
  printf("%u value%s pending until reset\n", n, n == 1 ? "" : "s");
  return TRUE;
}

gboolean
vgw_save_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  const char *req[] = { "save", NULL };
  g_autoptr(JsonObject) o = vgw_conf_request(opts->name, req, VGW_CONF_SLOW_TIMEOUT_S, error);

  if (o == NULL)
    return FALSE;
  if (opts->json)
    vgw_conf_print_json(o);
  else
    printf("saved to flash (generation %s)\n", vgw_conf_string(o, "generation"));
  return TRUE;
}

gboolean
vgw_factory_reset_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  const char *req[] = { "factory-reset", NULL };
  g_autoptr(JsonObject) o = vgw_conf_request(opts->name, req, VGW_CONF_SLOW_TIMEOUT_S, error);

  if (o == NULL)
    return FALSE;
  printf("saved configuration erased; the next boot runs factory defaults\n");
  return TRUE;
}
