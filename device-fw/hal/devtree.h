/*
 * Device-tree lookups through the kernel's /proc/device-tree view, which is
 * a directory per node and a file per property (raw, big-endian cells).
 * Every function takes the tree's root directory so tests can point it at
 * a fake tree.
 */
#ifndef VGW_HAL_DEVTREE_H
#define VGW_HAL_DEVTREE_H

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* VGW_DT_ROOT is where the running kernel exposes the device tree. */
#define VGW_DT_ROOT "/proc/device-tree"

/* vgw_dt_find_compatible returns the newly allocated directory path of the
 * first node under |dt_root| (breadth first, names sorted) whose
 * "compatible" list contains |compatible|, or NULL if there is none. */
char *vgw_dt_find_compatible(const char *dt_root, const char *compatible);

/* vgw_dt_read_reg reads the first (address, size) pair of the "reg"
 * property of |node_path|, sized by the parent node's #address-cells and
 * #size-cells (2 and 1 when absent, as the DT spec says). Returns FALSE and
 * sets |error| when the property is missing or too short. */
gboolean vgw_dt_read_reg(const char *node_path, uint64_t *base,
                         uint64_t *size, GError **error);

G_END_DECLS

#endif /* VGW_HAL_DEVTREE_H */
