/* vgw param get NAME / set NAME VALUE: one global parameter through the
 * maintenance port (param-get, param-set). */
#include <stdio.h>

#include "commands.h"
#include "confcmd.h"

gboolean
vgw_param_get_run(gconstpointer data, GError **error)
{
  const VgwParamOptions *opts = data;
  const char *req[] = { "param-get", opts->param, NULL };
  g_autoptr(JsonObject) o = vgw_conf_request(opts->name, req, 0, error);
  const char *pending;

  if (o == NULL)
    return FALSE;
  if (opts->json) {
    vgw_conf_print_json(o);
    return TRUE;
  }
  pending = vgw_conf_string(o, "pending");
  if (pending != NULL)
    printf("%s = %s (pending: %s after reset)\n", vgw_conf_string(o, "name"),
           vgw_conf_string(o, "value"), pending);
  else
    printf("%s = %s\n", vgw_conf_string(o, "name"), vgw_conf_string(o, "value"));
  return TRUE;
}

gboolean
vgw_param_set_run(gconstpointer data, GError **error)
{
  const VgwParamOptions *opts = data;
  const char *req[] = { "param-set", opts->param, opts->value, NULL };
  g_autoptr(JsonObject) o = vgw_conf_request(opts->name, req, 0, error);
  const char *pending, *applied;

  if (o == NULL)
    return FALSE;
  pending = vgw_conf_string(o, "pending");
  applied = vgw_conf_string(o, "applied");
  if (g_strcmp0(applied, "live") == 0 || pending == NULL)
    printf("%s = %s (applied live)\n", vgw_conf_string(o, "name"),
           vgw_conf_string(o, "value"));
  else
    printf("%s = %s pending until reset (in effect now: %s)\n",
           vgw_conf_string(o, "name"), pending, vgw_conf_string(o, "value"));
  return TRUE;
}
