/* vgw maint: one raw maintenance-port request, its reply printed as JSON.
 * For scripts and tests (e.g. the firmware's debug hooks). */
#include "commands.h"
#include "confcmd.h"

gboolean
vgw_maint_run(gconstpointer data, GError **error)
{
  const VgwMaintOptions *opts = data;
  g_autoptr(JsonObject) reply = vgw_conf_request(opts->name, (const char *const *) opts->request,
                                                 opts->timeout_s, error);

  if (reply == NULL)
    return FALSE;
  vgw_conf_print_json(reply);
  return TRUE;
}
