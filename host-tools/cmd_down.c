/* vgw down: stop a running gateway (QMP quit, then signals). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "gateway.h"
#include "instance.h"
#include "vgw-error.h"

gboolean
vgw_down_parse(int argc, char **argv, VgwDownOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &opts->name, "Gateway name (default \"default\")", "N" },
    { NULL },
  };

  memset(opts, 0, sizeof *opts);
  if (!vgw_cli_parse("down", NULL,
                     "Stop a gateway.  Its flash and console log are kept.",
                     entries, opts, FALSE, argc, argv, NULL, error))
    goto fail;
  if (!vgw_cli_instance_name(&opts->name, error))
    goto fail;
  return TRUE;

fail:
  vgw_down_options_clear(opts);
  return FALSE;
}

void
vgw_down_options_clear(VgwDownOptions *opts)
{
  g_clear_pointer(&opts->name, g_free);
}

static gboolean
run_down(const VgwDownOptions *opts, GError **error)
{
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

int
vgw_cmd_down(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  VgwDownOptions opts;

  if (vgw_down_parse(argc, argv, &opts, &error)) {
    run_down(&opts, &error);
    vgw_down_options_clear(&opts);
  }
  return vgw_cli_finish(error);
}
