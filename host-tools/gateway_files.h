/*
 * A gateway's own files, as a snapshot and a recording keep them: its
 * flash, keystore and board secret, and the boot images it started
 * from, copied into a directory under fixed names (flash.img,
 * keystore.bin, keystore.secret, Image, initramfs.cpio) and copied back
 * to a new gateway's own paths.
 */
#ifndef VGW_GATEWAY_FILES_H
#define VGW_GATEWAY_FILES_H

#include <glib.h>

#include "instance.h"

G_BEGIN_DECLS

/* vgw_gateway_files_save copies |inst|'s flash, keystore (when it has
 * one: a gateway that has not booted yet has none) and board secret, and
 * the boot images in |images|, into |dir|, where none of them may exist
 * yet.  Fails with the reason of the first copy that failed. */
gboolean vgw_gateway_files_save(const VgwInstance *inst, const char *images, const char *dir,
                                GError **error);

/* vgw_gateway_files_restore copies the flash, keystore and board secret
 * that vgw_gateway_files_save left in |dir| to |inst|'s own paths,
 * replacing what is there; a keystore absent from |dir| leaves |inst|
 * with none.  The boot images stay in |dir|: QEMU is given that
 * directory as its images. */
gboolean vgw_gateway_files_restore(const char *dir, const VgwInstance *inst, GError **error);

G_END_DECLS

#endif /* VGW_GATEWAY_FILES_H */
