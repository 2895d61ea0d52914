#include "vgw-error.h"

#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK(vgw-error-quark, vgw_error)

int
vgw_error_exit_status(const GError *error)
{
  if (error == NULL)
    return VGW_EXIT_OK;
  if (g_error_matches(error, VGW_ERROR, VGW_ERROR_USAGE) ||
      error->domain == G_OPTION_ERROR)
    return VGW_EXIT_USAGE;
  return VGW_EXIT_FAILURE;
}

int
vgw_error_report(const GError *error)
{
  const char *msg = error != NULL ? error->message : "unknown error";
  const char *nl = strchr(msg, '\n');
  int len = nl != NULL ? (int) (nl - msg) : (int) strlen(msg);

  fprintf(stderr, "vgw: %.*s\n", len, msg);
  fflush(stderr);
  return error != NULL ? vgw_error_exit_status(error) : VGW_EXIT_FAILURE;
}
