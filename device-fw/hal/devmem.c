/* /dev/mem mapping: see devmem.h. */
#include "hal/devmem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hal/devtree.h"

gboolean vgw_devmem_map(uint64_t base, uint64_t size, VgwDevmem *out,
                        GError **error) {
  memset(out, 0, sizeof(*out));
  long page = sysconf(_SC_PAGESIZE);
  uint64_t start = base & ~(uint64_t)(page - 1);
  size_t len = (size_t)(base + size - start);
  len = (len + (size_t)page - 1) & ~((size_t)page - 1);

  int fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "/dev/mem: %s", g_strerror(e));
    return FALSE;
  }
  void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                   (off_t)start);
  int e = errno;
  close(fd);
  if (map == MAP_FAILED) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "mmap /dev/mem at 0x%" G_GINT64_MODIFIER "x: %s",
                (guint64)start, g_strerror(e));
    return FALSE;
  }
  out->map = map;
  out->map_len = len;
  out->regs = (volatile uint32_t *)((char *)map + (base - start));
  return TRUE;
}

gboolean vgw_devmem_map_compatible(const char *compatible, VgwDevmem *out,
                                   uint64_t *base_out, GError **error) {
  char *node = vgw_dt_find_compatible(VGW_DT_ROOT, compatible);
  if (node == NULL) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "no device-tree node compatible with \"%s\"", compatible);
    return FALSE;
  }
  uint64_t base = 0, size = 0;
  gboolean ok = vgw_dt_read_reg(node, &base, &size, error) &&
                vgw_devmem_map(base, size, out, error);
  g_free(node);
  if (ok && base_out != NULL) {
    *base_out = base;
  }
  return ok;
}

void vgw_devmem_unmap(VgwDevmem *m) {
  if (m->map != NULL) {
    munmap(m->map, m->map_len);
  }
  memset(m, 0, sizeof(*m));
}
