/* vgw snapshot save | list | delete: snapshots of running gateways
 * (snapshot.h); `vgw up --from` starts clones of them. */
#include <stdio.h>

#include "commands.h"
#include "instance.h"
#include "snapshot.h"
#include "vgw-error.h"

gboolean
vgw_snapshot_save_run(gconstpointer data, GError **error)
{
  const VgwSnapshotOptions *opts = data;
  g_autoptr(VgwInstance) origin = vgw_instance_new(opts->name, error);
  g_autofree char *dir = NULL;
  double took_s = 0;

  if (origin == NULL || vgw_instance_require_running(origin, error) == 0 ||
      !vgw_snapshot_save(origin, opts->snapshot, &took_s, error))
    return FALSE;
  dir = vgw_snapshot_dir(opts->snapshot, NULL);
  printf("snapshot '%s' of gateway '%s' saved in %s in %.2f s (the gateway runs on)\n",
         opts->snapshot, origin->name, dir, took_s);
  return TRUE;
}

gboolean
vgw_snapshot_list_run(gconstpointer data, GError **error)
{
  g_auto(GStrv) names = vgw_snapshot_list_names();

  for (char **n = names; *n != NULL; n++)
    printf("%s\n", *n);
  return TRUE;
}

gboolean
vgw_snapshot_delete_run(gconstpointer data, GError **error)
{
  const VgwSnapshotOptions *opts = data;

  if (!vgw_snapshot_delete(opts->snapshot, error))
    return FALSE;
  printf("snapshot '%s' deleted\n", opts->snapshot);
  return TRUE;
}
