/* vgw down: stop a running gateway (QMP quit, then signals). */
#include <stdio.h>

#include "commands.h"
#include "gateway.h"
#include "instance.h"
#include "vgw-error.h"

gboolean
vgw_down_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);
  int pid;

  if (inst == NULL)
    return FALSE;
  pid = vgw_instance_require_running(inst, error);
  if (pid == 0) {
    /* Unknown or stopped: both are "not running" to the user. */
    if (error != NULL && *error != NULL && (*error)->code == VGW_ERROR_UNKNOWN) {
      g_clear_error(error);
      g_set_error(error, VGW_ERROR, VGW_ERROR_NOT_RUNNING,
                  "gateway '%s' is not running", opts->name);
    }
    return FALSE;
  }
  if (!vgw_gateway_stop(inst, pid, error))
    return FALSE;
  printf("gateway '%s' stopped\n", inst->name);
  return TRUE;
}
