#include "vgw-error.h"

#include <stdio.h>
#include <string.h>

typedef struct {
  char *detail;
} VgwErrorPrivate;

static void
vgw_error_private_init(VgwErrorPrivate *priv)
{
  priv->detail = NULL;
}

static void
vgw_error_private_copy(const VgwErrorPrivate *src, VgwErrorPrivate *dest)
{
  dest->detail = g_strdup(src->detail);
}

static void
vgw_error_private_clear(VgwErrorPrivate *priv)
{
  g_clear_pointer(&priv->detail, g_free);
}

G_DEFINE_EXTENDED_ERROR(VgwError, vgw_error)

void
vgw_error_set_detail(GError *error, const char *detail)
{
  VgwErrorPrivate *priv = vgw_error_get_private(error);

  g_return_if_fail(priv != NULL);
  g_free(priv->detail);
  priv->detail = g_strdup(detail);
}

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
  if (error != NULL && error->domain == VGW_ERROR && vgw_error_get_private(error)->detail != NULL)
    fprintf(stderr, "%s\n", vgw_error_get_private(error)->detail);
  fflush(stderr);
  return error != NULL ? vgw_error_exit_status(error) : VGW_EXIT_FAILURE;
}
