#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "instance.h"
#include "vgw-config.h"
#include "vgw-error.h"

static const VgwVerb verbs[] = {
  { "up", "boot a gateway and wait until it is ready", vgw_cmd_up },
  { "down", "stop a gateway", vgw_cmd_down },
  { "reset", "reset a gateway and wait until it is ready again", vgw_cmd_reset },
  { "status", "show a gateway's state", vgw_cmd_status },
  { "console", "attach the terminal to a gateway's console", vgw_cmd_console },
  { "list", "list the gateways in the state directory", vgw_cmd_list },
  { "maint", "send one maintenance-port request and print its reply", vgw_cmd_maint },
  { "param", "show or set one parameter (get, set)", vgw_cmd_param },
  { "ini", "load, export or check ini configuration files (load, export, check)", vgw_cmd_ini },
  { "pending", "list the staged values that wait for a reset", vgw_cmd_pending },
  { "save", "save the staged configuration to the gateway's flash", vgw_cmd_save },
  { "factory-reset", "erase the saved configuration (next boot: factory defaults)", vgw_cmd_factory_reset },
  { "keystore", "the crypto engine's key slots (list, gen, import, lock, pub), online or offline", vgw_cmd_keystore },
  { "flash", "read a stopped gateway's flash image (show, export-config)", vgw_cmd_flash },
  { "capture", "capture a gateway's NIC traffic (start, stop)", vgw_cmd_capture },
  { "handshakes", "explain every TLS handshake in a pcap/pcapng file", vgw_cmd_handshakes },
  { NULL, NULL, NULL },
};

const VgwVerb *
vgw_cli_verbs(void)
{
  return verbs;
}

static void
print_usage(FILE *out)
{
  fprintf(out, "Usage: vgw <command> [options]\n\nCommands:\n");
  for (const VgwVerb *v = verbs; v->name != NULL; v++)
    fprintf(out, "  %-14s %s\n", v->name, v->summary);
  fprintf(out, "\nEvery command takes --help.  State lives in $VGW_STATE_DIR "
               "(default $XDG_RUNTIME_DIR/vgw or /tmp/vgw-<uid>).\n");
}

gboolean
vgw_cli_parse(const char *verb, const char *params, const char *summary,
              const GOptionEntry *entries, gpointer entry_data,
              gboolean stop_at_args, int argc, char **argv, char ***args,
              GError **error)
{
  g_autofree char *prgname = g_strdup_printf("vgw %s", verb);
  g_autoptr(GOptionContext) ctx = g_option_context_new(params);
  GOptionGroup *group = g_option_group_new(verb, summary, summary, entry_data, NULL);
  g_autoptr(GError) local = NULL;
  char **copy = g_new0(char *, argc + 2);
  char **rest;
  int n;

  g_set_prgname(prgname);
  g_option_group_add_entries(group, entries);
  g_option_context_set_main_group(ctx, group);
  g_option_context_set_summary(ctx, summary);
  g_option_context_set_strict_posix(ctx, stop_at_args);
  /* argv[0] becomes "vgw <verb>" for GOption's messages. */
  copy[0] = g_strdup(prgname);
  for (int i = 1; i < argc; i++)
    copy[i] = g_strdup(argv[i]);
  rest = copy;
  if (!g_option_context_parse_strv(ctx, &rest, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s (see 'vgw %s --help')",
                local->message, verb);
    g_strfreev(rest);
    return FALSE;
  }
  /* Strip the "--" GOption leaves in place when it ends options. */
  n = g_strv_length(rest);
  if (n > 1 && strcmp(rest[1], "--") == 0) {
    g_free(rest[1]);
    memmove(rest + 1, rest + 2, (n - 1) * sizeof *rest);
    n--;
  }
  if (args == NULL && n > 1) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "unexpected argument '%s' (see 'vgw %s --help')", rest[1], verb);
    g_strfreev(rest);
    return FALSE;
  }
  if (args != NULL) {
    *args = g_strdupv(rest + 1);
  }
  g_strfreev(rest);
  return TRUE;
}

int
vgw_cli_finish(GError *error)
{
  if (error == NULL)
    return VGW_EXIT_OK;
  return vgw_error_report(error);
}

int
vgw_cli_main(int argc, char **argv)
{
  const char *verb = argc > 1 ? argv[1] : NULL;

  if (verb == NULL) {
    print_usage(stderr);
    return VGW_EXIT_USAGE;
  }
  if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 ||
      strcmp(verb, "help") == 0) {
    print_usage(stdout);
    return VGW_EXIT_OK;
  }
  if (strcmp(verb, "--version") == 0) {
    printf("vgw %s\n", VGW_VERSION);
    return VGW_EXIT_OK;
  }
  for (const VgwVerb *v = verbs; v->name != NULL; v++) {
    if (strcmp(v->name, verb) == 0)
      return v->run(argc - 1, argv + 1);
  }
  fprintf(stderr, "vgw: unknown command '%s' (see 'vgw --help')\n", verb);
  return VGW_EXIT_USAGE;
}

gboolean
vgw_cli_instance_name(char **name, GError **error)
{
  if (*name == NULL)
    *name = g_strdup(VGW_DEFAULT_NAME);
  return vgw_instance_name_check(*name, error);
}

int
vgw_cli_dispatch(const char *verb, const VgwVerb *subs, int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;

  if (sub != NULL && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)) {
    printf("Usage:\n  vgw %s <command> [options]\n\nCommands:\n", verb);
    for (const VgwVerb *v = subs; v->name != NULL; v++)
      printf("  %-14s %s\n", v->name, v->summary);
    printf("\nEvery command takes --help.\n");
    return VGW_EXIT_OK;
  }
  for (const VgwVerb *v = subs; sub != NULL && v->name != NULL; v++) {
    if (strcmp(v->name, sub) == 0)
      return v->run(argc - 1, argv + 1);
  }
  {
    g_autoptr(GString) names = g_string_new(NULL);
    for (const VgwVerb *v = subs; v->name != NULL; v++)
      g_string_append_printf(names, "%s%s", names->len ? ", " : "", v->name);
    if (sub == NULL)
      fprintf(stderr, "vgw: missing command after '%s' (%s; see 'vgw %s --help')\n",
              verb, names->str, verb);
    else
      fprintf(stderr, "vgw: unknown command '%s %s' (%s; see 'vgw %s --help')\n",
              verb, sub, names->str, verb);
  }
  return VGW_EXIT_USAGE;
}

gboolean
vgw_cli_positional(const char *verb, char **args, guint n,
                   const char *const *names, char ***out, GError **error)
{
  guint have = args != NULL ? g_strv_length(args) : 0;

  if (have < n) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "missing %s (see 'vgw %s --help')",
                names[have], verb);
    g_strfreev(args);
    return FALSE;
  }
  if (have > n) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "unexpected argument '%s' (see 'vgw %s --help')", args[n], verb);
    g_strfreev(args);
    return FALSE;
  }
  for (guint i = 0; i < n; i++)
    *out[i] = g_strdup(args[i]);
  g_strfreev(args);
  return TRUE;
}
