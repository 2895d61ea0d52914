/* Bounds-checked dispatch for block devices: see blockdev.h. */
#include "blockdev.h"


static gboolean check_range(VgwBlockDev *dev, guint64 offset, gsize len,
                            GError **error) {
  if (offset > dev->size || len > dev->size - offset) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "access of %" G_GSIZE_FORMAT " bytes at offset %" G_GUINT64_FORMAT
                " is outside the %" G_GUINT64_FORMAT "-byte device",
                len, offset, dev->size);
    return FALSE;
  }
  return TRUE;
}

gboolean vgw_blockdev_read(VgwBlockDev *dev, guint64 offset, void *buf,
                           gsize len, GError **error) {
  return check_range(dev, offset, len, error) &&
         dev->ops->read(dev, offset, buf, len, error);
}

gboolean vgw_blockdev_write(VgwBlockDev *dev, guint64 offset, const void *buf,
                            gsize len, GError **error) {
  return check_range(dev, offset, len, error) &&
         dev->ops->write(dev, offset, buf, len, error);
}

gboolean vgw_blockdev_flush(VgwBlockDev *dev, GError **error) {
  return dev->ops->flush(dev, error);
}

void vgw_blockdev_free(VgwBlockDev *dev) {
  if (dev != NULL) {
    dev->ops->destroy(dev);
  }
}
