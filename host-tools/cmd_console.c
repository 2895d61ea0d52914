/* vgw console: attach the terminal (or a pipe) to a gateway's console. */
#include <unistd.h>

#include "commands.h"
#include "console.h"
#include "instance.h"

gboolean
vgw_console_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);

  return inst != NULL && vgw_instance_require_running(inst, error) != 0 &&
         vgw_console_attach(inst->console_sock, STDIN_FILENO, STDOUT_FILENO,
                            VGW_CONSOLE_LINGER_MS, error);
}
