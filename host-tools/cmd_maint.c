/* vgw maint: one raw maintenance-port request, its reply printed as JSON.
 * For scripts and tests (e.g. the firmware's debug hooks). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "instance.h"
#include "json_out.h"
#include "maint.h"
#include "vgw-error.h"

gboolean
vgw_maint_parse(int argc, char **argv, VgwMaintOptions *opts, GError **error)
{
  int timeout = VGW_MAINT_DEFAULT_TIMEOUT_S;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &opts->name, "Gateway name (default \"default\")", "N" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait for the reply (default 10)", "S" },
    { NULL },
  };

  memset(opts, 0, sizeof *opts);
  /* Options end at the request verb, so its arguments may start with '-'. */
  if (!vgw_cli_parse("maint", "VERB [ARG...]",
                     "Send one maintenance-port request (after login as $VGW_USER,\n"
                     "default Admin) and print the reply's JSON object.",
                     entries, opts, TRUE, argc, argv, &opts->request, error))
    goto fail;
  if (opts->request[0] == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "missing request verb (see 'vgw maint --help')");
    goto fail;
  }
  if (timeout < 1) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid value %d for --timeout (expected seconds > 0)", timeout);
    goto fail;
  }
  if (!vgw_cli_instance_name(&opts->name, error))
    goto fail;
  opts->timeout_s = timeout;
  return TRUE;

fail:
  vgw_maint_options_clear(opts);
  return FALSE;
}

void
vgw_maint_options_clear(VgwMaintOptions *opts)
{
  g_clear_pointer(&opts->name, g_free);
  g_clear_pointer(&opts->request, g_strfreev);
}

static gboolean
run_maint(const VgwMaintOptions *opts, GError **error)
{
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  VgwMaintTarget target = { 0 };

  if (inst == NULL || vgw_instance_require_running(inst, error) == 0)
    return FALSE;
  target.socket_path = inst->maint_sock;
  target.timeout_s = opts->timeout_s;
  reply = vgw_maint_request(&target, (const char *const *) opts->request, error);
  if (reply == NULL)
    return FALSE;
  root = json_node_new(JSON_NODE_OBJECT);
  json_node_set_object(root, reply);
  text = vgw_json_to_text(root);
  printf("%s\n", text);
  return TRUE;
}

int
vgw_cmd_maint(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  VgwMaintOptions opts;

  if (vgw_maint_parse(argc, argv, &opts, &error)) {
    run_maint(&opts, &error);
    vgw_maint_options_clear(&opts);
  }
  return vgw_cli_finish(error);
}
