/*
 * Block device: the few operations the store needs from its medium.
 *
 * The firmware opens /dev/vda (the 16 MiB virtio-blk configuration flash),
 * the host `vgw` command opens a stopped gateway's flash.img, and the unit
 * tests use memory (and a power-cut simulator built on it). Offsets and
 * lengths are in bytes; no alignment is required.
 */
#ifndef VGW_STORE_BLOCKDEV_H
#define VGW_STORE_BLOCKDEV_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct VgwBlockDev VgwBlockDev;

typedef struct {
  /* read fills |len| bytes at |buf| from |offset|. It returns FALSE and
   * sets |error| if any of them cannot be read. */
  gboolean (*read)(VgwBlockDev *dev, guint64 offset, void *buf, gsize len,
                   GError **error);
  /* write stores |len| bytes from |buf| at |offset|. The bytes may stay in
   * a volatile cache until the next flush; a power cut may lose, keep or
   * tear (keep a prefix of) any write issued since the last flush. */
  gboolean (*write)(VgwBlockDev *dev, guint64 offset, const void *buf,
                    gsize len, GError **error);
  /* flush returns once every earlier write is durable. */
  gboolean (*flush)(VgwBlockDev *dev, GError **error);
  /* destroy releases the device (closing what it owns). */
  void (*destroy)(VgwBlockDev *dev);
} VgwBlockDevOps;

/* VgwBlockDev is embedded first in each implementation's own struct. */
struct VgwBlockDev {
  const VgwBlockDevOps *ops;
  guint64 size; /* bytes; constant for the device's lifetime */
};

/* vgw_blockdev_read, _write and _flush call |dev|'s operation after
 * checking that [offset, offset+len) lies inside the device (an access
 * outside it fails with G_FILE_ERROR_INVAL and touches nothing). */
gboolean vgw_blockdev_read(VgwBlockDev *dev, guint64 offset, void *buf,
                           gsize len, GError **error);
gboolean vgw_blockdev_write(VgwBlockDev *dev, guint64 offset, const void *buf,
                            gsize len, GError **error);
gboolean vgw_blockdev_flush(VgwBlockDev *dev, GError **error);

/* vgw_blockdev_free destroys |dev|; NULL is ignored. */
void vgw_blockdev_free(VgwBlockDev *dev);

/* vgw_blockdev_open_file opens |path| (a block device such as /dev/vda or
 * a regular image file such as flash.img) for reading, and for writing too
 * if |writable|. Its size is the file's size at open time. Returns NULL
 * and sets |error| (G_FILE_ERROR domain) on failure. */
VgwBlockDev *vgw_blockdev_open_file(const char *path, gboolean writable,
                                    GError **error);

/* vgw_blockdev_new_fd wraps the open descriptor |fd| (pread/pwrite/fsync),
 * taking ownership of it: vgw_blockdev_free closes it. Returns NULL and
 * sets |error| if its size cannot be determined (|fd| is then closed). */
VgwBlockDev *vgw_blockdev_new_fd(int fd, GError **error);

/* vgw_blockdev_new_memory returns a device of |size| bytes in memory, every
 * byte set to |fill| (0xFF models erased flash). Flush does nothing. */
VgwBlockDev *vgw_blockdev_new_memory(gsize size, guint8 fill);

/* vgw_blockdev_memory_data returns the bytes of a device made by
 * vgw_blockdev_new_memory, for tests to inspect or damage directly. */
guint8 *vgw_blockdev_memory_data(VgwBlockDev *dev);

G_END_DECLS

#endif
