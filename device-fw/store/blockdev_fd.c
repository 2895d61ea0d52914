/* Block device on a file descriptor (/dev/vda or flash.img): see
 * blockdev.h. */
#include "blockdev.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  VgwBlockDev base;
  int fd;
} FdBlockDev;

static void set_errno_error(GError **error, int err, const char *what,
                            guint64 offset) {
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
              "%s at offset %" G_GUINT64_FORMAT ": %s", what, offset,
              g_strerror(err));
}

static gboolean fd_read(VgwBlockDev *dev, guint64 offset, void *buf,
                        gsize len, GError **error) {
  int fd = ((FdBlockDev *)dev)->fd;
  guint8 *p = buf;
  while (len > 0) {
    ssize_t n = pread(fd, p, len, (off_t)offset);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      set_errno_error(error, errno, "flash read", offset);
      return FALSE;
    }
    if (n == 0) { /* the file shrank under us */
      set_errno_error(error, EIO, "flash read (end of file)", offset);
      return FALSE;
    }
    p += n;
    len -= (gsize)n;
    offset += (guint64)n;
  }
  return TRUE;
}

static gboolean fd_write(VgwBlockDev *dev, guint64 offset, const void *buf,
                         gsize len, GError **error) {
  int fd = ((FdBlockDev *)dev)->fd;
  const guint8 *p = buf;
  while (len > 0) {
    ssize_t n = pwrite(fd, p, len, (off_t)offset);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      set_errno_error(error, n < 0 ? errno : EIO, "flash write", offset);
      return FALSE;
    }
    p += n;
    len -= (gsize)n;
    offset += (guint64)n;
  }
  return TRUE;
}

static gboolean fd_flush(VgwBlockDev *dev, GError **error) {
  if (fsync(((FdBlockDev *)dev)->fd) != 0) {
    set_errno_error(error, errno, "flash flush", 0);
    return FALSE;
  }
  return TRUE;
}

static void fd_destroy(VgwBlockDev *dev) {
  close(((FdBlockDev *)dev)->fd);
  g_free(dev);
}

static const VgwBlockDevOps fd_ops = {
    .read = fd_read,
    .write = fd_write,
    .flush = fd_flush,
    .destroy = fd_destroy,
};

VgwBlockDev *vgw_blockdev_new_fd(int fd, GError **error) {
  /* SEEK_END gives the size of regular files and of block devices alike. */
  off_t end = lseek(fd, 0, SEEK_END);
  if (end < 0) {
    set_errno_error(error, errno, "flash size", 0);
    close(fd);
    return NULL;
  }
  FdBlockDev *dev = g_new0(FdBlockDev, 1);
  dev->base.ops = &fd_ops;
  dev->base.size = (guint64)end;
  dev->fd = fd;
  return &dev->base;
}

VgwBlockDev *vgw_blockdev_open_file(const char *path, gboolean writable,
                                    GError **error) {
  int fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                "%s: %s", path, g_strerror(err));
    return NULL;
  }
  GError *local = NULL;
  VgwBlockDev *dev = vgw_blockdev_new_fd(fd, &local);
  if (dev == NULL) {
    g_propagate_prefixed_error(error, local, "%s: ", path);
  }
  return dev;
}
