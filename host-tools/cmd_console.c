/* vgw console: attach the terminal (or a pipe) to a gateway's console. */
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "console.h"
#include "instance.h"
#include "vgw-error.h"

gboolean
vgw_console_parse(int argc, char **argv, VgwConsoleOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &opts->name, "Gateway name (default \"default\")", "N" },
    { NULL },
  };

  memset(opts, 0, sizeof *opts);
  if (!vgw_cli_parse("console", NULL,
                     "Attach to a gateway's console (UART0).  On a terminal, Ctrl-] detaches;\n"
                     "with piped input, the input is sent and output shown until it goes quiet.",
                     entries, opts, FALSE, argc, argv, NULL, error))
    goto fail;
  if (!vgw_cli_instance_name(&opts->name, error))
    goto fail;
  return TRUE;

fail:
  vgw_console_options_clear(opts);
  return FALSE;
}

void
vgw_console_options_clear(VgwConsoleOptions *opts)
{
  g_clear_pointer(&opts->name, g_free);
}

int
vgw_cmd_console(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwInstance) inst = NULL;
  VgwConsoleOptions opts;

  if (!vgw_console_parse(argc, argv, &opts, &error))
    return vgw_cli_finish(error);
  inst = vgw_instance_new(opts.name, &error);
  if (inst != NULL && vgw_instance_require_running(inst, &error) != 0)
    vgw_console_attach(inst->console_sock, STDIN_FILENO, STDOUT_FILENO,
                       VGW_CONSOLE_LINGER_MS, &error);
  vgw_console_options_clear(&opts);
  return vgw_cli_finish(error);
}
