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

/* Seconds left until |deadline| (monotonic, microseconds), at least 1. */
static guint
seconds_left(gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time();

  return left > G_USEC_PER_SEC ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 1;
}

/* Starts the reset; returns once the gateway has been told.  The request
 * (a saving reset answers after the flash is written) gets what is left
 * of the command's --timeout. */
static gboolean
firmware_reset(const VgwInstance *inst, const char *const *req, gint64 deadline,
               GError **error)
{
  VgwMaintTarget target = { .socket_path = inst->maint_sock,
                            .timeout_s = seconds_left(deadline) };
  g_autoptr(GError) local = NULL;
  JsonObject *reply = vgw_maint_request(&target, req, &local);

  if (reply == NULL) {
    /* Its login was never answered, so the reset was never sent. */
    if (g_error_matches(local, VGW_ERROR, VGW_ERROR_TIMEOUT))
      g_set_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT,
                  "gateway '%s': its firmware did not answer within %u s (still booting?), "
                  "so it was not asked to reset (vgw reset --hard resets the board without it)",
                  inst->name, target.timeout_s);
    else
      g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  json_object_unref(reply);
  return TRUE;
}

static gboolean
trigger_reset(const VgwInstance *inst, const VgwResetOptions *opts, gint64 deadline,
              GError **error)
{
  switch (opts->method) {
  case VGW_RESET_FIRMWARE: {
    const char *req[] = { "reset", NULL };
    return firmware_reset(inst, req, deadline, error);
  }
  case VGW_RESET_SAVE: {
    const char *req[] = { "reset", "save", NULL };
    return firmware_reset(inst, req, deadline, error);
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

/* The firmware can only be asked once it runs: while the gateway is still
 * booting, wait (within the command's deadline) for this boot's ready
 * line first.  Right after a reset the console shows nothing of the new
 * boot until its init starts, so this cannot see every boot under way:
 * then the maintenance login is resent until the firmware answers, and
 * the wait afterwards counts only the ready line of a boot that started
 * after the request. */
static gboolean
wait_firmware_ready(const VgwInstance *inst, int pid, gint64 deadline, GError **error)
{
  VgwBootResult boot = { 0 };
  g_autoptr(GError) local = NULL;
  goffset boot_offset;

  if (vgw_console_firmware_ready(inst->console_log, &boot_offset))
    return TRUE;
  printf("gateway '%s' is still booting; waiting for its firmware before asking it to reset\n",
         inst->name);
  fflush(stdout);
  if (vgw_boot_wait(inst->name, inst->console_log, boot_offset, FALSE, seconds_left(deadline),
                    pid_alive, GINT_TO_POINTER(pid), &boot, &local)) {
    vgw_boot_result_clear(&boot);
    return TRUE;
  }
  if (g_error_matches(local, VGW_ERROR, VGW_ERROR_TIMEOUT)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT,
                "gateway '%s' is still booting: its firmware cannot be asked to reset "
                "(vgw reset --hard resets the board without it)%s", inst->name,
                boot.tail != NULL ? " (last console lines follow)" : "");
    if (boot.tail != NULL)
      vgw_error_set_detail(*error, boot.tail);
  } else {
    g_propagate_error(error, g_steal_pointer(&local));
  }
  vgw_boot_result_clear(&boot);
  return FALSE;
}

/* A failed boot's error carries the last console lines (vgw_boot_wait). */
gboolean
vgw_reset_run(gconstpointer data, GError **error)
{
  const VgwResetOptions *opts = data;
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);
  VgwBootResult boot = { 0 };
  /* --timeout bounds the whole command. */
  gint64 deadline = g_get_monotonic_time() + (gint64) opts->timeout_s * G_USEC_PER_SEC;
  goffset offset;
  int pid;

  if (inst == NULL || (pid = vgw_instance_require_running(inst, error)) == 0)
    return FALSE;
  if (opts->method != VGW_RESET_HARD &&
      !wait_firmware_ready(inst, pid, deadline, error))
    return FALSE;
  /* Only the console output after this point belongs to the new boot. */
  offset = vgw_file_size(inst->console_log);
  if (!trigger_reset(inst, opts, deadline, error))
    return FALSE;
  if (!vgw_boot_wait(inst->name, inst->console_log, offset, TRUE, seconds_left(deadline),
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
