/* vgw: boot, reset and stop virtual gateways.  All logic lives in the
 * vgwcli library so the tests can drive it; this only dispatches. */
#include <locale.h>
#include <signal.h>

#include "cli.h"

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  /* A closed pipe (vgw status | head) must not kill us mid-cleanup. */
  signal(SIGPIPE, SIG_IGN);
  return vgw_cli_main(argc, argv);
}
