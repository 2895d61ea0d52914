/*
 * Snapshots of running gateways, and the clones started from them.
 *
 * A snapshot NAME is the directory $STATE_ROOT/.snapshots/NAME (a gateway
 * name never starts with '.'), written once by vgw_snapshot_save and
 * only read afterwards:
 *   vmstate            QEMU's migration stream of the origin
 *   flash.img, keystore.bin, keystore.secret
 *                      the origin's, copied while the migration's end paused it
 *   Image, initramfs.cpio
 *                      the images it booted (their sizes are machine state)
 *   instance.json      the origin's record: identity, forwards, QEMU, argv
 *   snapshot.json      {"origin","saved_unix","smp","memory_mb"}
 *
 * A clone gets its own copies of flash, keystore and board secret and its
 * own host ports; everything the guest sees (serial, MACs, the device
 * key in the keystore) is the origin's.
 */
#ifndef VGW_SNAPSHOT_H
#define VGW_SNAPSHOT_H

#include <glib.h>

#include "bootwait.h"
#include "instance.h"
#include "qemu_cmdline.h"

G_BEGIN_DECLS

/* vgw_snapshot_dir returns the directory of snapshot |name| (not
 * checked); NULL with VGW_ERROR_USAGE for a bad name (the rules of
 * gateway names). */
char *vgw_snapshot_dir(const char *name, GError **error);

/* vgw_snapshot_save migrates the running gateway |origin| (loaded) into
 * snapshot |name|, copies its images while the migration's end pauses
 * it, and runs it again, also when saving failed.  Fails with VGW_ERROR_RUNNING
 * when the snapshot exists, VGW_ERROR_USAGE for a gateway whose WAN port
 * is linked to another gateway (the link is not migrated), and
 * VGW_ERROR_FAILED with QEMU's reason when migration fails; nothing is
 * left of a failed snapshot.  |*took_s| gets how long saving took. */
gboolean vgw_snapshot_save(const VgwInstance *origin, const char *name,
                           double *took_s, GError **error);

/* vgw_snapshot_provision prepares the new instance |clone| from snapshot
 * |name|: copies flash, keystore and board secret into its state
 * directory, takes the origin's identity and forwards (host ports still
 * to pick), and fills |cfg| (QEMU, images of the snapshot, smp, memory)
 * and |*incoming| (the -incoming argument).  |cfg|'s strings belong to
 * |*storage|, freed with g_strfreev.  VGW_ERROR_UNKNOWN when there is no
 * such snapshot. */
gboolean vgw_snapshot_provision(const char *name, VgwInstance *clone, VgwQemuConfig *cfg,
                                char **incoming, char ***storage, GError **error);

/* vgw_snapshot_wait_restored waits until QEMU of |inst| has loaded the
 * machine state and runs it, then until the firmware answers
 * `clock-sync` on the maintenance port, which steps its wall clock to the
 * board's RTC (the host's clock): the clone is ready.  A firmware that
 * refuses clock-sync fails it (VGW_ERROR_FAILED, the firmware's words).  Gives up when |alive|
 * says QEMU is gone (VGW_ERROR_EXITED), when QEMU loaded the state but
 * does not run it (VGW_ERROR_FAILED, naming its run state) or after
 * |timeout_s| (VGW_ERROR_TIMEOUT). */
gboolean vgw_snapshot_wait_restored(const VgwInstance *inst, guint timeout_s,
                                    VgwAliveFunc alive, gpointer alive_data,
                                    GError **error);

/* vgw_snapshot_list_names returns the snapshots' names, sorted. */
char **vgw_snapshot_list_names(void);

/* vgw_snapshot_delete removes snapshot |name|; clones keep running, as
 * they only read it at their start.  VGW_ERROR_UNKNOWN when absent. */
gboolean vgw_snapshot_delete(const char *name, GError **error);

G_END_DECLS

#endif /* VGW_SNAPSHOT_H */
