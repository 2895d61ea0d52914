/* vgw pending | save | factory-reset: the configuration verbs that are
 * one firmware request each. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "confcmd.h"
#include "vgw-error.h"

static gboolean
parse_simple(const char *verb, const char *summary, gboolean with_json,
             int argc, char **argv, VgwConfigOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &opts->name, "Gateway name (default \"default\")", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, "Print the firmware's JSON object", NULL },
    { NULL },
  };
  GOptionEntry copy[G_N_ELEMENTS(entries)];

  memcpy(copy, entries, sizeof entries);
  if (!with_json)
    memset(&copy[1], 0, sizeof copy[1]);
  memset(opts, 0, sizeof *opts);
  if (!vgw_cli_parse(verb, NULL, summary, copy, opts, FALSE, argc, argv, NULL, error) ||
      !vgw_cli_instance_name(&opts->name, error)) {
    vgw_config_options_clear(opts);
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_pending_parse(int argc, char **argv, VgwConfigOptions *opts, GError **error)
{
  return parse_simple("pending",
                      "List the staged values that take effect only after a reset, with\n"
                      "their current and pending values.",
                      TRUE, argc, argv, opts, error);
}

gboolean
vgw_save_parse(int argc, char **argv, VgwConfigOptions *opts, GError **error)
{
  return parse_simple("save",
                      "Save the staged configuration to the gateway's flash (power-fail\n"
                      "safe); a reset then keeps it.",
                      TRUE, argc, argv, opts, error);
}

gboolean
vgw_factory_reset_parse(int argc, char **argv, VgwConfigOptions *opts, GError **error)
{
  return parse_simple("factory-reset",
                      "Erase the saved configuration; the next boot (vgw reset) runs the\n"
                      "factory defaults.",
                      FALSE, argc, argv, opts, error);
}

void
vgw_config_options_clear(VgwConfigOptions *opts)
{
  g_clear_pointer(&opts->name, g_free);
}

static gboolean
run_pending(const VgwConfigOptions *opts, GError **error)
{
  const char *req[] = { "pending", NULL };
  g_autoptr(JsonObject) o = vgw_conf_request(opts->name, req, 0, error);
  JsonArray *a;
  guint n;

  if (o == NULL)
    return FALSE;
  if (opts->json) {
    vgw_conf_print_json(o);
    return TRUE;
  }
  a = json_object_has_member(o, "pending") ? json_object_get_array_member(o, "pending") : NULL;
  n = a != NULL ? json_array_get_length(a) : 0;
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

static gboolean
run_save(const VgwConfigOptions *opts, GError **error)
{
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

static gboolean
run_factory_reset(const VgwConfigOptions *opts, GError **error)
{
  const char *req[] = { "factory-reset", NULL };
  g_autoptr(JsonObject) o = vgw_conf_request(opts->name, req, VGW_CONF_SLOW_TIMEOUT_S, error);

  if (o == NULL)
    return FALSE;
  printf("saved configuration erased; the next boot runs factory defaults\n");
  return TRUE;
}

#define CONFIG_CMD(fn, parse, run)                            \
  int fn(int argc, char **argv)                               \
  {                                                           \
    g_autoptr(GError) error = NULL;                           \
    VgwConfigOptions opts;                                    \
    if (parse(argc, argv, &opts, &error)) {                   \
      run(&opts, &error);                                     \
      vgw_config_options_clear(&opts);                        \
    }                                                         \
    fflush(stdout);                                           \
    return vgw_cli_finish(error);                             \
  }

CONFIG_CMD(vgw_cmd_pending, vgw_pending_parse, run_pending)
CONFIG_CMD(vgw_cmd_save, vgw_save_parse, run_save)
CONFIG_CMD(vgw_cmd_factory_reset, vgw_factory_reset_parse, run_factory_reset)
