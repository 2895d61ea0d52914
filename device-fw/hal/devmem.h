/*
 * Mapping a device's registers from user space through /dev/mem.
 *
 * Debian's kernel has STRICT_DEVMEM and IO_STRICT_DEVMEM: root may map an
 * MMIO region that no kernel driver claims, which is the case for the vgw
 * system controller (no driver binds "vgw,sysctl").
 */
#ifndef VGW_HAL_DEVMEM_H
#define VGW_HAL_DEVMEM_H

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct {
  void *map;            /* page-aligned mapping, NULL when unmapped */
  size_t map_len;
  volatile uint32_t *regs; /* the device's first register */
} VgwDevmem;

/* vgw_devmem_map maps |size| bytes of physical address space at |base|
 * (need not be page aligned) uncached via /dev/mem into |out|. Returns
 * FALSE and sets |error| on failure. */
gboolean vgw_devmem_map(uint64_t base, uint64_t size, VgwDevmem *out,
                        GError **error);

/* vgw_devmem_map_compatible finds the device-tree node compatible with
 * |compatible| under VGW_DT_ROOT, reads its "reg" and maps it. When
 * |base_out| is not NULL it receives the physical address. */
gboolean vgw_devmem_map_compatible(const char *compatible, VgwDevmem *out,
                                   uint64_t *base_out, GError **error);

/* vgw_devmem_unmap releases the mapping; safe on an unmapped |m|. */
void vgw_devmem_unmap(VgwDevmem *m);

G_END_DECLS

#endif /* VGW_HAL_DEVMEM_H */
