/* vgw reset: reset a running gateway (through its firmware, or hard
 * through QMP) and wait until it is ready again. */
#include <stdio.h>
#include <string.h>

#include "bootwait.h"
#include "commands.h"
#include "instance.h"
#include "maint.h"
#include "qmp.h"
#include "vgw-error.h"

gboolean
vgw_reset_check(gpointer data, GError **error)
{
  VgwResetOptions *opts = data;

  if (opts->hard && opts->save) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--hard cannot be combined with --save (a hard reset does not ask the firmware)");
    return FALSE;
  }
  opts->method = opts->hard ? VGW_RESET_HARD : opts->save ? VGW_RESET_SAVE : VGW_RESET_FIRMWARE;
  return TRUE;
}

/* Starts the reset; returns once the gateway has been told. */
static gboolean
firmware_reset(const VgwInstance *inst, const char *const *req, GError **error)
{
  /* A saving reset answers after the flash is written. */
  VgwMaintTarget target = { .socket_path = inst->maint_sock, .timeout_s = 60 };
  JsonObject *reply = vgw_maint_request(&target, req, error);

  if (reply == NULL)
    return FALSE;
  json_object_unref(reply);
  return TRUE;
}

static gboolean
trigger_reset(const VgwInstance *inst, const VgwResetOptions *opts, GError **error)
{
  switch (opts->method) {
  case VGW_RESET_FIRMWARE: {
    const char *req[] = { "reset", NULL };
    return firmware_reset(inst, req, error);
  }
  case VGW_RESET_SAVE: {
    const char *req[] = { "reset", "save", NULL };
    return firmware_reset(inst, req, error);
  }
  case VGW_RESET_HARD: {
    g_autoptr(GError) local = NULL;
    g_autoptr(VgwQmp) qmp = vgw_qmp_connect(inst->qmp_sock, 10000, &local);
    JsonNode *ret = qmp != NULL ? vgw_qmp_execute(qmp, "system_reset", NULL, &local) : NULL;
    if (ret == NULL) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "QMP system_reset failed: %s",
                  local->message);
      return FALSE;
    }
    json_node_unref(ret);
    return TRUE;
  }
  }
  g_assert_not_reached();
}

static gboolean
pid_alive(gpointer data)
{
  return vgw_pid_alive(GPOINTER_TO_INT(data));
}

/* A failed boot's error carries the last console lines (vgw_boot_wait). */
gboolean
vgw_reset_run(gconstpointer data, GError **error)
{
  const VgwResetOptions *opts = data;
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);
  VgwBootResult boot = { 0 };
  goffset offset;
  int pid;

  if (inst == NULL || (pid = vgw_instance_require_running(inst, error)) == 0)
    return FALSE;
  /* Only the console output after this point belongs to the new boot. */
  offset = vgw_file_size(inst->console_log);
  if (!trigger_reset(inst, opts, error))
    return FALSE;
  if (!vgw_boot_wait(inst->name, inst->console_log, offset, opts->timeout_s,
                     pid_alive, GINT_TO_POINTER(pid), &boot, error)) {
    vgw_boot_result_clear(&boot);
    return FALSE;
  }
  printf("gateway '%s' reset (%s%s); ready in %.1f s\n", inst->name,
         opts->method == VGW_RESET_HARD ? "hard" : "by the firmware",
         opts->save ? ", configuration saved first" : "", boot.elapsed_s);
  vgw_boot_result_clear(&boot);
  return TRUE;
}
