/*
 * Configuration flash lookup. The flash is the virtio-blk disk at
 * VGW_VIRTIO_FLASH_BASE; the store on it (device-fw/store) is opened by
 * config/config_state.c.
 */
#ifndef VGW_CONFIG_FLASH_H
#define VGW_CONFIG_FLASH_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_flash_is_erased returns TRUE if all |len| bytes of |data| are 0xFF. */
gboolean vgw_flash_is_erased(const guint8 *data, gsize len);

/* vgw_flash_probe finds the flash disk through sysfs, reads its first
 * block and logs its device name, size and whether it is blank. */
void vgw_flash_probe(void);

/* vgw_flash_find_device returns the flash's device node ("/dev/vda") as a
 * newly allocated string, waiting up to |wait_ms| for the driver to
 * register it, or NULL if there is none. */
char *vgw_flash_find_device(guint wait_ms);

G_END_DECLS

#endif /* VGW_CONFIG_FLASH_H */
