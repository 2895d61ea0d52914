/* Block device in memory, for tests and tools: see blockdev.h. */
#include "blockdev.h"

#include <string.h>

typedef struct {
  VgwBlockDev base;
  guint8 *bytes;
} MemBlockDev;

static gboolean mem_read(VgwBlockDev *dev, guint64 offset, void *buf,
                         gsize len, GError **error) {
  memcpy(buf, ((MemBlockDev *)dev)->bytes + offset, len);
  return TRUE;
}

static gboolean mem_write(VgwBlockDev *dev, guint64 offset, const void *buf,
                          gsize len, GError **error) {
  memcpy(((MemBlockDev *)dev)->bytes + offset, buf, len);
  return TRUE;
}

static gboolean mem_flush(VgwBlockDev *dev, GError **error) {
  return TRUE;
}

static void mem_destroy(VgwBlockDev *dev) {
  g_free(((MemBlockDev *)dev)->bytes);
  g_free(dev);
}

static const VgwBlockDevOps mem_ops = {
    .read = mem_read,
    .write = mem_write,
    .flush = mem_flush,
    .destroy = mem_destroy,
};

VgwBlockDev *vgw_blockdev_new_memory(gsize size, guint8 fill) {
  MemBlockDev *dev = g_new0(MemBlockDev, 1);
  dev->base.ops = &mem_ops;
  dev->base.size = size;
  dev->bytes = g_malloc(size > 0 ? size : 1);
  memset(dev->bytes, fill, size);
  return &dev->base;
}

guint8 *vgw_blockdev_memory_data(VgwBlockDev *dev) {
  g_return_val_if_fail(dev->ops == &mem_ops, NULL);
  return ((MemBlockDev *)dev)->bytes;
}
