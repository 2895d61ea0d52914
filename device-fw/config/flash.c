/* Configuration flash probe: see flash.h. */
#include "config/flash.h"

#include <fcntl.h>
#include <unistd.h>

#include "net/netif.h"
#include "vgw_memmap.h"

#define PROBE_BYTES 4096

gboolean vgw_flash_is_erased(const guint8 *data, gsize len) {
  for (gsize i = 0; i < len; i++) {
    if (data[i] != 0xff) {
      return FALSE;
    }
  }
  return TRUE;
}

void vgw_flash_probe(void) {
  char *name = vgw_sysfs_find_by_bus_addr("/sys/class/block",
                                          VGW_VIRTIO_FLASH_BASE);
  if (name == NULL) {
    g_warning("flash: no configuration flash (virtio-mmio at 0x%x)",
              VGW_VIRTIO_FLASH_BASE);
    return;
  }
  char *size_path = g_strdup_printf("/sys/class/block/%s/size", name);
  char *size_text = NULL;
  guint64 sectors = 0;
  if (g_file_get_contents(size_path, &size_text, NULL, NULL)) {
    sectors = g_ascii_strtoull(size_text, NULL, 10);
  }
  char *dev = g_strdup_printf("/dev/%s", name);
  guint8 buf[PROBE_BYTES];
  int fd = open(dev, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
  if (fd >= 0) {
    close(fd);
  }
  if (n <= 0) {
    g_warning("flash: %s: cannot read", dev);
  } else {
    g_message("flash: %s, %" G_GUINT64_FORMAT " KiB, %s", dev, sectors / 2,
              vgw_flash_is_erased(buf, (gsize)n) ? "blank" : "not blank");
  }
  g_free(dev);
  g_free(size_text);
  g_free(size_path);
  g_free(name);
}

char *vgw_flash_find_device(guint wait_ms) {
  /* virtio_blk is loaded by /init before vgwd starts, so the disk is
   * normally there at once; the wait only covers a slow probe. */
  for (guint waited = 0;; waited += 50) {
    char *name = vgw_sysfs_find_by_bus_addr("/sys/class/block",
                                            VGW_VIRTIO_FLASH_BASE);
    if (name != NULL) {
      char *dev = g_strdup_printf("/dev/%s", name);
      g_free(name);
      return dev;
    }
    if (waited >= wait_ms) {
      return NULL;
    }
    g_usleep(50 * 1000);
  }
}
