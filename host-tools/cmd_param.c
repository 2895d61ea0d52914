/* vgw param get NAME / set NAME VALUE: one global parameter through the
 * maintenance port (param-get, param-set). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "confcmd.h"
#include "vgw-error.h"

#define NAME_ENTRY(o) \
  { "name", 'n', 0, G_OPTION_ARG_STRING, &(o)->name, "Gateway name (default \"default\")", "N" }

gboolean
vgw_param_get_parse(int argc, char **argv, VgwParamOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    NAME_ENTRY(opts),
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, "Print the firmware's JSON object", NULL },
    { NULL },
  };
  const char *names[] = { "parameter name" };
  char **outs[] = { &opts->param };
  char **args = NULL;

  memset(opts, 0, sizeof *opts);
  if (!vgw_cli_parse("param get", "NAME",
                     "Show a parameter's value, and its pending value if a staged\n"
                     "change waits for a reset.",
                     entries, opts, FALSE, argc, argv, &args, error) ||
      !vgw_cli_positional("param get", args, 1, names, outs, error) ||
      !vgw_cli_instance_name(&opts->name, error)) {
    vgw_param_options_clear(opts);
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_param_set_parse(int argc, char **argv, VgwParamOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    NAME_ENTRY(opts),
    { NULL },
  };
  const char *names[] = { "parameter name", "value" };
  char **outs[] = { &opts->param, &opts->value };
  char **args = NULL;

  memset(opts, 0, sizeof *opts);
  /* Options end at NAME, so VALUE may start with '-'. */
  if (!vgw_cli_parse("param set", "NAME VALUE",
                     "Set a parameter (staged; not saved to flash until 'vgw save').\n"
                     "Prints whether it applied live or waits for a reset.  Options\n"
                     "go before NAME.",
                     entries, opts, TRUE, argc, argv, &args, error) ||
      !vgw_cli_positional("param set", args, 2, names, outs, error) ||
      !vgw_cli_instance_name(&opts->name, error)) {
    vgw_param_options_clear(opts);
    return FALSE;
  }
  return TRUE;
}

void
vgw_param_options_clear(VgwParamOptions *opts)
{
  g_clear_pointer(&opts->name, g_free);
  g_clear_pointer(&opts->param, g_free);
  g_clear_pointer(&opts->value, g_free);
}

static gboolean
run_get(const VgwParamOptions *opts, GError **error)
{
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

static gboolean
run_set(const VgwParamOptions *opts, GError **error)
{
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

static int
cmd_get(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  VgwParamOptions opts;

  if (vgw_param_get_parse(argc, argv, &opts, &error)) {
    run_get(&opts, &error);
    vgw_param_options_clear(&opts);
  }
  return vgw_cli_finish(error);
}

static int
cmd_set(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  VgwParamOptions opts;

  if (vgw_param_set_parse(argc, argv, &opts, &error)) {
    run_set(&opts, &error);
    vgw_param_options_clear(&opts);
  }
  return vgw_cli_finish(error);
}

static const VgwVerb param_verbs[] = {
  { "get", "show a parameter's value (and pending value)", cmd_get },
  { "set", "set a parameter (live, or pending until reset)", cmd_set },
  { NULL, NULL, NULL },
};

int
vgw_cmd_param(int argc, char **argv)
{
  return vgw_cli_dispatch("param", param_verbs, argc, argv);
}
