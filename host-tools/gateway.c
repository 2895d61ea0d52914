#include "gateway.h"

#include <signal.h>

#include "qmp.h"
#include "vgw-error.h"

gboolean
vgw_wait_pid_exit(int pid, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;

  while (vgw_pid_alive(pid)) {
    if (g_get_monotonic_time() >= deadline)
      return FALSE;
    /* Let GLib's child watch reap QEMU when it is our own child. */
    g_main_context_iteration(NULL, FALSE);
    g_usleep(20 * 1000);
  }
  return TRUE;
}

gboolean
vgw_gateway_kill(int pid)
{
  if (pid <= 0 || !vgw_pid_alive(pid))
    return TRUE;
  kill(pid, SIGTERM);
  if (vgw_wait_pid_exit(pid, VGW_TERM_TIMEOUT_S * 1000))
    return TRUE;
  kill(pid, SIGKILL);
  return vgw_wait_pid_exit(pid, 5000);
}

void
vgw_gateway_mark_stopped(VgwInstance *inst)
{
  vgw_instance_remove_runtime_files(inst);
  inst->pid = 0;
  vgw_instance_save(inst, NULL);
}

gboolean
vgw_gateway_stop(VgwInstance *inst, int pid, GError **error)
{
  g_autoptr(VgwQmp) qmp = vgw_qmp_connect(inst->qmp_sock, 5000, NULL);
  gboolean gone = FALSE;

  if (qmp != NULL) {
    g_autoptr(GError) local = NULL;
    JsonNode *ret = vgw_qmp_execute(qmp, "quit", NULL, &local);
    /* QEMU may close the socket before its return reaches us: that is
     * still a successful quit. */
    if (ret != NULL)
      json_node_unref(ret);
    gone = vgw_wait_pid_exit(pid, VGW_QUIT_TIMEOUT_S * 1000);
  }
  if (!gone && !vgw_gateway_kill(pid)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "QEMU (pid %d) of gateway '%s' did not exit, even after SIGKILL",
                pid, inst->name);
    return FALSE;
  }
  vgw_gateway_mark_stopped(inst);
  return TRUE;
}
