/*
 * Configuration flash probe. The flash is the virtio-blk disk at
 * VGW_VIRTIO_FLASH_BASE. Its store format comes with its own issue; for
 * now vgwd only finds the device and says whether it is blank (erased,
 * all 0xFF).
 */
#ifndef VGW_VGWD_FLASH_H
#define VGW_VGWD_FLASH_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_flash_is_erased returns TRUE if all |len| bytes of |data| are 0xFF. */
gboolean vgw_flash_is_erased(const guint8 *data, gsize len);

/* vgw_flash_probe finds the flash disk through sysfs, reads its first
 * block and logs its device name, size and whether it is blank. */
void vgw_flash_probe(void);

G_END_DECLS

#endif /* VGW_VGWD_FLASH_H */
